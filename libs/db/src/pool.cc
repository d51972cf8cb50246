#include "dialogue/db/pool.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dialogue/common/log.h"
#include "dialogue/telemetry/metrics.h"

namespace dialogue::db {

using common::Error;

absl::Status StatusFromException(const std::exception& e) {
  using absl::StatusCode;
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return Error(StatusCode::kUnavailable, "DATABASE_UNAVAILABLE",
                 "the database connection was lost; retry shortly");
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Error(StatusCode::kUnavailable, "DATABASE_IN_DOUBT",
                 "the connection broke while committing; the change may or may not be saved");
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) {
    return Error(StatusCode::kAborted, "CONCURRENT_UPDATE",
                 "another change to the same data won the race; read it again and retry");
  }
  if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
    return Error(StatusCode::kAlreadyExists, "ALREADY_EXISTS", "that record exists already");
  }
  if (dynamic_cast<const pqxx::foreign_key_violation*>(&e) != nullptr ||
      dynamic_cast<const pqxx::check_violation*>(&e) != nullptr ||
      dynamic_cast<const pqxx::not_null_violation*>(&e) != nullptr) {
    return Error(StatusCode::kFailedPrecondition, "CONSTRAINT_VIOLATED", e.what());
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    // 42501: insufficient privilege, which is also how RLS refuses a write. (libpqxx 6.4
    // throws this type with an empty sqlstate(), so the type is what to test.)
    if (dynamic_cast<const pqxx::insufficient_privilege*>(&e) != nullptr ||
        sql->sqlstate() == "42501") {
      return Error(StatusCode::kPermissionDenied, "DATABASE_PERMISSION_DENIED",
                   "the database refused the change for this tenant");
    }
    // 57P01 admin shutdown, 57P03 cannot connect now, 08xxx connection exceptions.
    if (sql->sqlstate().rfind("57P", 0) == 0 || sql->sqlstate().rfind("08", 0) == 0) {
      return Error(StatusCode::kUnavailable, "DATABASE_UNAVAILABLE",
                   "the database is restarting or unreachable; retry shortly");
    }
    common::Log(common::LogLevel::kError, "sql error",
                {{"sqlstate", sql->sqlstate()}, {"error", e.what()}, {"query", sql->query()}});
    return Error(StatusCode::kInternal, "DATABASE_ERROR", "the database rejected the request");
  }
  common::Log(common::LogLevel::kError, "database error", {{"error", e.what()}});
  return Error(StatusCode::kInternal, "DATABASE_ERROR", "the database request failed");
}

// Pools of one name (a program may have several) add up in the same series.
struct ConnectionPool::Gauges {
  prometheus::Gauge* in_use;
  prometheus::Gauge* idle;
  prometheus::Gauge* waiting;
  prometheus::Gauge* size;
  prometheus::Histogram* wait;
  prometheus::Counter* failed;

  explicit Gauges(const std::string& pool) {
    static auto& connections = prometheus::BuildGauge()
                                   .Name("dialogue_db_pool_connections")
                                   .Help("PostgreSQL connections of the pool, by state.")
                                   .Register(telemetry::Metrics());
    static auto& waiters = prometheus::BuildGauge()
                               .Name("dialogue_db_pool_waiting")
                               .Help("Transactions waiting for a connection of the pool.")
                               .Register(telemetry::Metrics());
    static auto& sizes = prometheus::BuildGauge()
                             .Name("dialogue_db_pool_max_connections")
                             .Help("Connections the pool may open at most.")
                             .Register(telemetry::Metrics());
    static auto& waits = prometheus::BuildHistogram()
                             .Name("dialogue_db_pool_wait_seconds")
                             .Help("How long a transaction waited for a connection, in seconds.")
                             .Register(telemetry::Metrics());
    static auto& failures = prometheus::BuildCounter()
                                .Name("dialogue_db_pool_acquire_failures_total")
                                .Help("Transactions that got no connection (busy or unreachable).")
                                .Register(telemetry::Metrics());
    in_use = &connections.Add({{"pool", pool}, {"state", "in_use"}});
    idle = &connections.Add({{"pool", pool}, {"state", "idle"}});
    waiting = &waiters.Add({{"pool", pool}});
    size = &sizes.Add({{"pool", pool}});
    wait = &waits.Add({{"pool", pool}}, telemetry::LatencyBuckets());
    failed = &failures.Add({{"pool", pool}});
  }
};

ConnectionPool::ConnectionPool(PoolOptions options) : options_(std::move(options)) {
  if (options_.size < 1) options_.size = 1;
  gauges_ = std::make_unique<Gauges>(options_.name);
  gauges_->size->Increment(options_.size);
}

ConnectionPool::~ConnectionPool() {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_->size->Decrement(options_.size);
  gauges_->idle->Decrement(static_cast<double>(idle_.size()));
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> ConnectionPool::Acquire() {
  auto start = std::chrono::steady_clock::now();
  {
    std::unique_lock<std::mutex> lock(mu_);
    gauges_->waiting->Increment();
    bool got = available_.wait_for(lock, options_.acquire_timeout,
                                   [&] { return !idle_.empty() || open_ < options_.size; });
    gauges_->waiting->Decrement();
    gauges_->wait->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!got) {
      gauges_->failed->Increment();
      return Error(absl::StatusCode::kUnavailable, "DATABASE_BUSY",
                   "every database connection is busy; retry shortly");
    }
    while (!idle_.empty()) {
      auto conn = std::move(idle_.front());
      idle_.pop_front();
      gauges_->idle->Decrement();
      if (conn->is_open()) {
        gauges_->in_use->Increment();
        return conn;
      }
      --open_;  // dropped while idle (server restart): make a new one below
    }
    ++open_;
  }
  try {
    auto conn = std::make_unique<pqxx::connection>(options_.uri);
    gauges_->in_use->Increment();
    return conn;
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    gauges_->failed->Increment();
    available_.notify_one();
    common::Log(common::LogLevel::kWarning, "cannot connect to PostgreSQL", {{"error", e.what()}});
    return Error(absl::StatusCode::kUnavailable, "DATABASE_UNAVAILABLE",
                 "cannot connect to the database; retry shortly");
  }
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> conn, bool healthy) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    gauges_->in_use->Decrement();
    if (healthy) {
      idle_.push_back(std::move(conn));
      gauges_->idle->Increment();
    } else {
      --open_;
    }
  }
  available_.notify_one();
}

namespace {
thread_local AuditNote* armed_note = nullptr;
}  // namespace

ScopedAuditNote::ScopedAuditNote(AuditNote* note) : previous_(armed_note) { armed_note = note; }
ScopedAuditNote::~ScopedAuditNote() { armed_note = previous_; }

namespace internal {
AuditNote* ArmedAuditNote() { return armed_note; }

std::string AuditStatement(pqxx::connection_base& conn, const std::string& outbox,
                           const std::string& tenant, const AuditNote& note) {
  // tenancy.note_audit (planning's migration 0017) inserts only if the transaction wrote;
  // the same test before the call spares a transaction that only read the call itself,
  // which costs as much as the rest of a small read.
  return absl::StrCat(
      "SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NOT NULL THEN"
      " tenancy.note_audit(",
      conn.quote(outbox), ", ", conn.quote(tenant), ", ", conn.quote(note.event_id), ", ",
      conn.quote(note.event_type), ", decode(",
      conn.quote(absl::BytesToHexString(note.payload(tenant))), ", 'hex')) END");
}

namespace {
// "READ COMMITTED" followed by the scope's settings: libpqxx sends "BEGIN ISOLATION LEVEL "
// and this as one message.
std::string BeginScoped(pqxx::connection_base& conn, const TenantScope& scope) {
  return absl::StrCat("READ COMMITTED; SELECT set_config('app.tenant_id', ",
                      conn.quote(scope.tenant), ", true), set_config('app.read_tenants', ",
                      conn.quote(absl::StrJoin(scope.read_tenants, ",")),
                      ", true), set_config('app.admin', ", scope.admin ? "'on'" : "'off'",
                      ", true)");
}
}  // namespace

ScopedTransaction::ScopedTransaction(pqxx::connection_base& conn, const TenantScope& scope)
    : pqxx::internal::namedclass("transaction"),
      basic_transaction(conn, BeginScoped(conn, scope), pqxx::read_write) {
  Begin();
}

ScopedTransaction::~ScopedTransaction() noexcept { End(); }

void ScopedTransaction::do_commit() {
  const std::string commit =
      before_commit_.empty() ? "COMMIT" : absl::StrCat(before_commit_, "; COMMIT");
  try {
    direct_exec(commit.c_str());
  } catch (const pqxx::statement_completion_unknown& e) {
    throw pqxx::in_doubt_error(e.what());
  } catch (const std::exception&) {
    if (!conn().is_open()) throw pqxx::in_doubt_error("the connection broke while committing");
    // The statement before COMMIT failed, and COMMIT did not run: end the transaction here,
    // as libpqxx will not once the commit has thrown.
    try {
      direct_exec("ROLLBACK");
    } catch (const std::exception&) {  // the connection is checked as it goes back
    }
    throw;
  }
}
}  // namespace internal

telemetry::Span ConnectionPool::StartSpan(const char* operation, absl::string_view table,
                                          const TenantScope& scope) {
  // A request's commune is the one its transactions act for, also where no access check
  // named it (public routes).
  telemetry::Span* request = telemetry::ActiveSpan();
  if (request != nullptr && request->recording() && !scope.tenant.empty() &&
      !request->Has("dialogue.tenant")) {
    request->Set("dialogue.tenant", scope.tenant);
  }
  // Nothing is built for a request that is not sampled or a process that records nothing.
  const telemetry::TraceContext* trace = telemetry::ActiveTrace();
  if (trace == nullptr || !trace->sampled || !telemetry::Recording()) return telemetry::Span();
  telemetry::Span span = telemetry::StartSpan(absl::StrCat("postgresql ", operation),
                                              telemetry::SpanKind::kClient, *trace);
  span.Set("db.system", "postgresql")
      .Set("db.system.name", "postgresql")
      .Set("db.operation.name", "TRANSACTION")
      .Set("code.function.name", operation);
  if (!table.empty()) span.Set("db.collection.name", table);
  if (!scope.tenant.empty()) span.Set("dialogue.tenant", scope.tenant);
  return span;
}

void ConnectionPool::EndSpan(telemetry::Span& span, pqxx::connection* conn,
                             const absl::Status& status) {
  if (!span.recording()) return;
  if (conn != nullptr) {
    const char* db = conn->dbname();
    const char* host = conn->hostname();
    const char* port = conn->port();
    if (db != nullptr) span.Set("db.namespace", db);
    if (host != nullptr) span.Set("server.address", host);
    int port_number = 0;
    if (port != nullptr && absl::SimpleAtoi(port, &port_number))
      span.Set("server.port", port_number);
  }
  if (!status.ok()) span.Set("error.type", common::ErrorReason(status));
  // A refusal the body chose (not found, a wrong state) is the caller's; only a database
  // that failed marks the span failed.
  if (status.code() == absl::StatusCode::kUnavailable ||
      status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    span.SetError(status.message());
  }
  span.End();
}

absl::Status ConnectionPool::Ping() {
  return InTransaction(TenantScope{}, [](pqxx::dbtransaction& txn) -> absl::Status {
    txn.exec("SELECT 1");
    return absl::OkStatus();
  });
}

}  // namespace dialogue::db
