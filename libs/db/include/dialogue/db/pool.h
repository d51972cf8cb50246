// PostgreSQL access: a bounded connection pool that reconnects after a server restart,
// and transactions scoped to a tenant, in which Row Level Security does the isolating.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dialogue/common/status.h"
#include "dialogue/telemetry/span.h"

namespace dialogue::db {

// What a transaction may see and change. RLS policies read these settings:
//   app.tenant_id      the one tenant whose rows may be read and written
//   app.read_tenants   further tenants whose rows may be read (province readers)
//   app.admin          "on" for platform administrators (reference data only)
struct TenantScope {
  std::string tenant;
  std::vector<std::string> read_tenants;
  bool admin = false;

  static TenantScope Of(std::string tenant) { return TenantScope{std::move(tenant), {}, false}; }
};

// Maps a libpqxx exception to a status a caller can act on: UNAVAILABLE (retry),
// ABORTED (lost a race), ALREADY_EXISTS, FAILED_PRECONDITION, INTERNAL.
absl::Status StatusFromException(const std::exception& e);

// The audit log of changes. The RPC wrapper arms a note for a signed-in request on the
// request's thread; the first transaction of that request that changes anything writes
// the note's event to the service's outbox (PoolOptions::audit_outbox) inside that same
// transaction, so a change and its record commit, or roll back, together. A transaction
// that only reads writes nothing: the insert is conditioned on the transaction having a
// transaction id, which PostgreSQL assigns at its first write.
struct AuditNote {
  std::string event_id;    // a UUID
  std::string event_type;  // "dialogue.v1.AuditRecorded"
  // The serialised v1::Event for the transaction's tenant, made as a transaction commits
  // (the target is known by then).
  std::function<std::string(const std::string& tenant)> payload;
};

// Arms `note` for this thread while it lives (nested: the outer one comes back after).
class ScopedAuditNote {
 public:
  explicit ScopedAuditNote(AuditNote* note);
  ~ScopedAuditNote();
  ScopedAuditNote(const ScopedAuditNote&) = delete;
  ScopedAuditNote& operator=(const ScopedAuditNote&) = delete;

 private:
  AuditNote* previous_;
};

namespace internal {
AuditNote* ArmedAuditNote();
// The statement that inserts `note`'s event into `outbox` if the transaction has written
// anything, and only once per request (the event id is unique).
std::string AuditStatement(pqxx::connection_base& conn, const std::string& outbox,
                           const std::string& tenant, const AuditNote& note);

// A read-committed transaction that costs no round trip of its own: the tenant scope goes
// in the same message as its BEGIN, and a statement to run last (the audit note) in the
// same message as its COMMIT. A transaction of one query is three round trips, not five.
class ScopedTransaction final : public pqxx::internal::basic_transaction {
 public:
  ScopedTransaction(pqxx::connection_base& conn, const TenantScope& scope);
  ~ScopedTransaction() noexcept override;

  // Runs `statement` just before COMMIT; if it fails, the transaction rolls back.
  void RunBeforeCommit(std::string statement) { before_commit_ = std::move(statement); }

 private:
  void do_commit() override;

  std::string before_commit_;
};
}  // namespace internal

struct PoolOptions {
  std::string uri;
  int size = 8;
  std::chrono::milliseconds acquire_timeout{2000};
  std::string name = "requests";  // the metrics' `pool` label
  // The service's outbox ("planning.outbox") for the audit notes of its requests' changes;
  // empty: no audit (background loops, tests of the store alone).
  std::string audit_outbox = "";

  // One connection to the same database, for a background loop named `loop`.
  PoolOptions ForLoop(std::string loop) const {
    return PoolOptions{uri, 1, acquire_timeout, std::move(loop)};
  }
};

namespace internal {
inline const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& result) {
  return result.status();
}
}  // namespace internal

class ConnectionPool {
 public:
  explicit ConnectionPool(PoolOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Runs `body(txn)` in one transaction that first sets the tenant scope; commits when
  // the body returns OK, rolls back otherwise. `body` returns absl::Status or StatusOr<T>.
  // Inside a request the transaction is a span of its own, named after `operation` (the
  // calling function, e.g. "CreateOpinion") and `table`, the one it writes or reads
  // ("intake.opinions"; empty where it spans several); no statement or value goes into it.
  template <typename Body>
  auto InTransaction(const TenantScope& scope, absl::string_view table, Body&& body,
                     const char* operation = __builtin_FUNCTION())
      -> decltype(body(std::declval<pqxx::dbtransaction&>()));
  template <typename Body>
  auto InTransaction(const TenantScope& scope, Body&& body,
                     const char* operation = __builtin_FUNCTION())
      -> decltype(body(std::declval<pqxx::dbtransaction&>())) {
    return InTransaction(scope, absl::string_view(), std::forward<Body>(body), operation);
  }

  // Checks a connection can be made and answers (for readiness).
  absl::Status Ping();

  int size() const { return options_.size; }

 private:
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Acquire();
  void Release(std::unique_ptr<pqxx::connection> conn, bool healthy);
  static telemetry::Span StartSpan(const char* operation, absl::string_view table,
                                   const TenantScope& scope);
  static void EndSpan(telemetry::Span& span, pqxx::connection* conn, const absl::Status& status);

  PoolOptions options_;
  struct Gauges;  // dialogue_db_pool_*, this pool's series
  std::unique_ptr<Gauges> gauges_;
  std::mutex mu_;
  std::condition_variable available_;
  std::deque<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // idle plus leased
};

template <typename Body>
auto ConnectionPool::InTransaction(const TenantScope& scope, absl::string_view table, Body&& body,
                                   const char* operation)
    -> decltype(body(std::declval<pqxx::dbtransaction&>())) {
  using Result = decltype(body(std::declval<pqxx::dbtransaction&>()));
  telemetry::Span span = StartSpan(operation, table, scope);
  // A connection found dead before the body ran (the server restarted while it sat idle)
  // is dropped and the transaction starts again on another: nothing of it had run.
  for (int attempt = 0;; ++attempt) {
    auto conn = Acquire();
    if (!conn.ok()) {
      EndSpan(span, nullptr, conn.status());
      return Result(conn.status());
    }
    bool healthy = true;
    bool body_started = false;
    Result result = absl::UnknownError("transaction did not run");
    try {
      internal::ScopedTransaction txn(**conn, scope);
      body_started = true;
      result = body(txn);
      if (result.ok()) {
        AuditNote* note = options_.audit_outbox.empty() ? nullptr : internal::ArmedAuditNote();
        if (note != nullptr && note->payload) {
          txn.RunBeforeCommit(
              internal::AuditStatement(**conn, options_.audit_outbox, scope.tenant, *note));
        }
        txn.commit();
      } else {
        txn.abort();
      }
    } catch (const pqxx::broken_connection& e) {
      healthy = false;
      result = StatusFromException(e);
    } catch (const pqxx::in_doubt_error& e) {
      healthy = false;
      result = StatusFromException(e);
    } catch (const std::exception& e) {
      result = StatusFromException(e);
    }
    healthy = healthy && (*conn)->is_open();
    if (healthy || body_started || attempt >= options_.size) {
      EndSpan(span, conn->get(), internal::StatusOf(result));
      Release(std::move(*conn), healthy);
      return result;
    }
    Release(std::move(*conn), healthy);
  }
}

}  // namespace dialogue::db
