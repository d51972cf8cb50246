#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "dialogue/common/names.h"
#include "dialogue/db/migrations.h"
#include "dialogue/db/pool.h"
#include "test_support.h"

namespace dialogue::db {
namespace {

using absl::StatusCode;
using ::dialogue::testing::AdminPgUri;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::PlanningPgUri;
using ::dialogue::testing::StatusIs;

absl::Status Exec(ConnectionPool& pool, const std::string& sql) {
  return pool.InTransaction(TenantScope{}, [&](pqxx::dbtransaction& txn) -> absl::Status {
    txn.exec(sql);
    return absl::OkStatus();
  });
}

TEST(TenantTransaction, SetsTheScopeForThisTransactionOnly) {
  ConnectionPool pool({PlanningPgUri(), 1});
  TenantScope scope{"dien-chau", {"hoai-thanh", "cao-xa"}, false};
  auto seen =
      pool.InTransaction(scope, [](pqxx::dbtransaction& txn) -> absl::StatusOr<std::string> {
        return txn
            .exec(
                "SELECT current_setting('app.tenant_id') || '|' ||"
                " current_setting('app.read_tenants') || '|' || current_setting('app.admin')")[0][0]
            .as<std::string>();
      });
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(*seen, "dien-chau|hoai-thanh,cao-xa|off");
  // The same connection, next transaction: nothing left over.
  auto after = pool.InTransaction(
      TenantScope{}, [](pqxx::dbtransaction& txn) -> absl::StatusOr<std::string> {
        return txn.exec("SELECT coalesce(current_setting('app.tenant_id', true), '')")[0][0]
            .as<std::string>();
      });
  EXPECT_EQ(*after, "");
  // The scope travels as quoted literals: a quote in it is data, not SQL.
  const std::string odd = "x', true); DROP TABLE tenancy.tenants; --";
  auto quoted = pool.InTransaction(
      TenantScope{odd, {odd}, false}, [](pqxx::dbtransaction& txn) -> absl::StatusOr<std::string> {
        return txn.exec("SELECT current_setting('app.tenant_id')")[0][0].as<std::string>();
      });
  ASSERT_THAT(quoted, IsOk());
  EXPECT_EQ(*quoted, odd);
}

TEST(TenantTransaction, RollsBackWhenTheBodyFails) {
  ConnectionPool pool({AdminPgUri(), 1});
  std::string table = absl::StrCat("public.rollback_", std::rand() % 1000000);
  ASSERT_THAT(Exec(pool, absl::StrCat("CREATE TABLE ", table, " (x int)")), IsOk());
  auto status = pool.InTransaction(TenantScope{}, [&](pqxx::dbtransaction& txn) -> absl::Status {
    txn.exec(absl::StrCat("INSERT INTO ", table, " VALUES (1)"));
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_THAT(status, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM ", table)), "0");
  AdminQuery(absl::StrCat("DROP TABLE ", table));
}

// A pool of one connection whose transactions write their request's audit note to `outbox`.
std::unique_ptr<ConnectionPool> AuditedPool(const std::string& outbox) {
  PoolOptions options{PlanningPgUri(), 1};
  options.audit_outbox = outbox;
  return std::make_unique<ConnectionPool>(options);
}

// A note whose event is "record of <tenant>".
AuditNote RecordOfTenant() {
  AuditNote note;
  note.event_id = common::NewUuid();
  note.event_type = "dialogue.v1.AuditRecorded";
  note.payload = [](const std::string& t) { return "record of " + t; };
  return note;
}

// A request's audit note is written by its first transaction that changes something, in
// that transaction: not by one that only reads, not by one rolled back, and only once.
TEST(AuditNote, IsWrittenWithTheRequestsFirstChangeOnly) {
  auto audited = AuditedPool("planning.outbox");
  ConnectionPool& pool = *audited;
  auto province = testing::NewProvince(1);
  const std::string tenant = province.tenants[0];
  const TenantScope scope = TenantScope::Of(tenant);
  auto notes = [&](const std::string& id) {
    return AdminQuery(
        absl::StrCat("SELECT count(*) || ' ' || coalesce(min(tenant_id), '') FROM planning.outbox"
                     " WHERE event_id = '",
                     id, "'"));
  };
  auto day_off = [&](const std::string& date, bool keep) {
    return pool.InTransaction(scope, [&](pqxx::dbtransaction& txn) -> absl::Status {
      txn.exec_params(
          "INSERT INTO tenancy.tenant_days_off (tenant_id, day, reason) VALUES ($1, $2, 'x')",
          tenant, date);
      return keep ? absl::OkStatus() : absl::AbortedError("changed my mind");
    });
  };
  AuditNote note = RecordOfTenant();
  {
    ScopedAuditNote armed(&note);
    ASSERT_THAT(pool.InTransaction(scope,
                                   [](pqxx::dbtransaction& txn) -> absl::Status {
                                     txn.exec("SELECT count(*) FROM planning.plans");
                                     return absl::OkStatus();
                                   }),
                IsOk());
    EXPECT_EQ(notes(note.event_id), "0 ");  // a read
    EXPECT_THAT(day_off("2031-01-02", /*keep=*/false), StatusIs(StatusCode::kAborted));
    EXPECT_EQ(notes(note.event_id), "0 ");  // rolled back with its change
    ASSERT_THAT(day_off("2031-01-03", true), IsOk());
    EXPECT_EQ(notes(note.event_id), "1 " + tenant);
    EXPECT_EQ(AdminQuery(absl::StrCat("SELECT convert_from(payload, 'UTF8') FROM planning.outbox"
                                      " WHERE event_id = '",
                                      note.event_id, "'")),
              "record of " + tenant);
    ASSERT_THAT(day_off("2031-01-04", true), IsOk());
    EXPECT_EQ(notes(note.event_id), "1 " + tenant);  // once per request
    {
      ScopedAuditNote disarmed(nullptr);  // a handler that logs its change itself
      AuditNote* none = internal::ArmedAuditNote();
      EXPECT_EQ(none, nullptr);
    }
    EXPECT_EQ(internal::ArmedAuditNote(), &note);
  }
  // Unarmed, or a pool with no outbox named: nothing is written.
  AuditNote other = note;
  other.event_id = common::NewUuid();
  ASSERT_THAT(day_off("2031-01-05", true), IsOk());
  ConnectionPool quiet({PlanningPgUri(), 1});
  {
    ScopedAuditNote armed(&other);
    ASSERT_THAT(quiet.InTransaction(scope,
                                    [&](pqxx::dbtransaction& txn) -> absl::Status {
                                      txn.exec_params(
                                          "INSERT INTO tenancy.tenant_days_off (tenant_id, day,"
                                          " reason) VALUES ($1, '2031-01-06', 'x')",
                                          tenant);
                                      return absl::OkStatus();
                                    }),
                IsOk());
  }
  EXPECT_EQ(notes(other.event_id), "0 ");
}

// The outbox's trigger wakes the relay (NOTIFY planning_outbox) when a transaction added
// rows, not for the note's insert of no rows that ends every staff read.
TEST(AuditNote, OfARequestThatOnlyReadWakesNoRelay) {
  auto audited = AuditedPool("planning.outbox");
  ConnectionPool& pool = *audited;
  auto province = testing::NewProvince(1);
  const std::string tenant = province.tenants[0];
  pqxx::connection listener(AdminPgUri());
  struct Count : pqxx::notification_receiver {
    using pqxx::notification_receiver::notification_receiver;
    void operator()(const std::string&, int) override { ++seen; }
    int seen = 0;
  } wakes(listener, "planning_outbox");
  auto wakes_after = [&](auto body) {
    while (listener.await_notification(0, 200000) > 0) {  // what came before
    }
    wakes.seen = 0;
    AuditNote note = RecordOfTenant();
    ScopedAuditNote armed(&note);
    EXPECT_THAT(pool.InTransaction(TenantScope::Of(tenant), body), IsOk());
    listener.await_notification(1, 0);
    return wakes.seen;
  };
  EXPECT_EQ(wakes_after([](pqxx::dbtransaction& txn) -> absl::Status {
              txn.exec("SELECT count(*) FROM planning.plans");
              return absl::OkStatus();
            }),
            0);
  EXPECT_EQ(wakes_after([&](pqxx::dbtransaction& txn) -> absl::Status {
              txn.exec_params(
                  "INSERT INTO tenancy.tenant_days_off (tenant_id, day, reason)"
                  " VALUES ($1, '2031-03-01', 'x')",
                  tenant);
              return absl::OkStatus();
            }),
            1);
}

// The note is sent with COMMIT; if it cannot be written, the change is not kept either,
// and the connection goes on serving transactions.
TEST(AuditNote, ThatFailsTakesTheChangeWithIt) {
  auto audited = AuditedPool("planning.no_such_outbox");
  ConnectionPool& pool = *audited;
  auto province = testing::NewProvince(1);
  const std::string tenant = province.tenants[0];
  AuditNote note = RecordOfTenant();
  {
    ScopedAuditNote armed(&note);
    auto status =
        pool.InTransaction(TenantScope::Of(tenant), [&](pqxx::dbtransaction& txn) -> absl::Status {
          txn.exec_params(
              "INSERT INTO tenancy.tenant_days_off (tenant_id, day, reason)"
              " VALUES ($1, '2031-02-01', 'x')",
              tenant);
          return absl::OkStatus();
        });
    EXPECT_THAT(status, StatusIs(StatusCode::kInternal));
  }
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM tenancy.tenant_days_off"
                                    " WHERE tenant_id = '",
                                    tenant, "'")),
            "0");
  auto next = pool.InTransaction(
      TenantScope::Of(tenant), [](pqxx::dbtransaction& txn) -> absl::StatusOr<std::string> {
        return txn.exec("SELECT current_setting('app.tenant_id')")[0][0].as<std::string>();
      });
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(*next, tenant);
}

TEST(ErrorMapping, TurnsServerErrorsIntoStatusesACallerCanActOn) {
  ConnectionPool pool({PlanningPgUri(), 1});
  auto raise = [&](const char* sqlstate) {
    return Exec(pool, absl::StrCat("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '", sqlstate,
                                   "'; END $$"));
  };
  EXPECT_THAT(raise("40001"), StatusIs(StatusCode::kAborted, "CONCURRENT_UPDATE"));
  EXPECT_THAT(raise("40P01"), StatusIs(StatusCode::kAborted, "CONCURRENT_UPDATE"));
  EXPECT_THAT(raise("23505"), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(raise("23503"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(raise("42501"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Exec(pool, "SELECT * FROM no_such_table"), StatusIs(StatusCode::kInternal));
  // A connection cut in the middle of a transaction: retry later.
  EXPECT_THAT(Exec(pool, "SELECT pg_terminate_backend(pg_backend_pid())"),
              StatusIs(StatusCode::kUnavailable, "DATABASE_UNAVAILABLE"));
  // ... and the pool has replaced the broken connection.
  EXPECT_THAT(Exec(pool, "SELECT 1"), IsOk());
}

TEST(ConnectionPool, ReplacesConnectionsTheServerDroppedWithoutFailingACall) {
  ConnectionPool pool({PlanningPgUri() + "?application_name=pool_reconnect_test", 3});
  // Open three connections at once, so that three sit idle in the pool.
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] { EXPECT_THAT(Exec(pool, "SELECT pg_sleep(0.2)"), IsOk()); });
  }
  for (auto& t : threads) t.join();
  // What a PostgreSQL restart does to idle connections.
  EXPECT_EQ(AdminQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                       " WHERE application_name = 'pool_reconnect_test'"),
            "3");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < 5; ++i) EXPECT_THAT(Exec(pool, "SELECT 1"), IsOk()) << "call " << i;
  EXPECT_THAT(pool.Ping(), IsOk());
}

TEST(ConnectionPool, IsBoundedAndSaysSoWhenExhausted) {
  ConnectionPool pool({PlanningPgUri(), 1, std::chrono::milliseconds(100)});
  std::thread holder([&] { EXPECT_THAT(Exec(pool, "SELECT pg_sleep(0.6)"), IsOk()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_THAT(Exec(pool, "SELECT 1"), StatusIs(StatusCode::kUnavailable, "DATABASE_BUSY"));
  holder.join();
  EXPECT_THAT(Exec(pool, "SELECT 1"), IsOk());
}

TEST(ConnectionPool, ReportsAnUnreachableServerAsUnavailable) {
  ConnectionPool pool({"postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", 1});
  EXPECT_THAT(pool.Ping(), StatusIs(StatusCode::kUnavailable, "DATABASE_UNAVAILABLE"));
}

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = absl::StrCat("mtest", std::rand() % 1000000);
    dir_ = std::filesystem::temp_directory_path() / service_;
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    AdminQuery(absl::StrCat("DROP SCHEMA IF EXISTS ", service_, " CASCADE"));
  }
  void Write(const std::string& name, const std::string& sql) { std::ofstream(dir_ / name) << sql; }
  absl::StatusOr<MigrationResult> Apply() {
    return ApplyMigrations(AdminPgUri(), service_, dir_.string());
  }
  std::string service_;
  std::filesystem::path dir_;
};

TEST_F(MigrationsTest, AppliesEachFileOnceInOrder) {
  Write("0001_schema.sql", absl::StrCat("CREATE SCHEMA ", service_, ";"));
  Write("0002_table.sql", absl::StrCat("CREATE TABLE ", service_, ".t (x int);"));
  auto first = Apply();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->applied, (std::vector<std::string>{"0001_schema.sql", "0002_table.sql"}));
  auto second = Apply();
  ASSERT_THAT(second, IsOk());
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->already_applied, 2);
}

TEST_F(MigrationsTest, AFailingFileChangesNothingAndIsNotRecorded) {
  Write("0001_schema.sql", absl::StrCat("CREATE SCHEMA ", service_, ";"));
  Write("0002_bad.sql", absl::StrCat("CREATE TABLE ", service_, ".t (x int); SELECT 1/0;"));
  EXPECT_THAT(Apply(), StatusIs(StatusCode::kInternal));
  EXPECT_EQ(AdminQuery(absl::StrCat(
                "SELECT count(*) FROM public.schema_migrations WHERE service = '", service_, "'")),
            "1");
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT to_regclass('", service_, ".t')::text")), "");
}

TEST_F(MigrationsTest, RefusesAnAppliedFileThatWasEdited) {
  Write("0001_schema.sql", absl::StrCat("CREATE SCHEMA ", service_, ";"));
  ASSERT_THAT(Apply(), IsOk());
  Write("0001_schema.sql", absl::StrCat("CREATE SCHEMA ", service_, "; -- edited"));
  EXPECT_THAT(Apply(), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(MigrationsTest, RefusesBadlyNamedFiles) {
  Write("1_schema.sql", "SELECT 1;");
  EXPECT_THAT(Apply(), StatusIs(StatusCode::kInvalidArgument));
}

// A program rolled out before its migrations waits for them, as its own database role.
TEST(AwaitSchema, ReturnsOnceTheMigrationIsAppliedAndGivesUpAfterItsLimit) {
  ConnectionPool pool({PlanningPgUri(), 1});
  // The stack's own schema is there.
  EXPECT_THAT(AwaitSchema(pool, "planning", "0001_tenancy.sql", absl::Seconds(1)), IsOk());

  const std::string file = absl::StrCat("0001_await_", std::rand(), ".sql");
  auto start = absl::Now();
  EXPECT_THAT(AwaitSchema(pool, "await-test", file, absl::Milliseconds(1500)),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(1400));

  // The migrations Job records the file while the program waits.
  std::thread job([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    AdminQuery(
        "INSERT INTO public.schema_migrations (service, file, checksum) VALUES"
        " ('await-test', '" +
        file + "', 'x')");
  });
  start = absl::Now();
  EXPECT_THAT(AwaitSchema(pool, "await-test", file, absl::Seconds(10)), IsOk());
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  job.join();
  AdminQuery("DELETE FROM public.schema_migrations WHERE service = 'await-test'");
}

}  // namespace
}  // namespace dialogue::db
