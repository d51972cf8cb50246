// Tenant isolation enforced by PostgreSQL itself: queries run with the planning
// service's own role and deliberately forget the tenant filter.
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dialogue/common/names.h"
#include "dialogue/db/pool.h"
#include "store.h"
#include "test_support.h"

namespace dialogue::planning {
namespace {

using absl::StatusCode;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::PlanningPgUri;
using ::dialogue::testing::SamplePlan;
using ::dialogue::testing::StatusIs;

class RowLevelSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    province_ = testing::NewProvince(2);
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    for (const auto& t : {a_, b_}) {
      v1::Plan plan = SamplePlan();
      plan.set_state(v1::DRAFT);
      auto created = store_.Create(db::TenantScope::Of(t), t, plan, "");
      ASSERT_THAT(created, IsOk());
      v1::Event event;
      event.set_id(common::NewUuid());
      event.set_type("test");
      AdminQuery(
          absl::StrCat("INSERT INTO planning.outbox (tenant_id, event_id, event_type, payload)"
                       " VALUES ('",
                       t, "', '", event.id(), "', 'test', '\\x00')"));
    }
  }

  // Counts rows of `table` visible in `scope`, with no tenant condition at all.
  int Visible(const db::TenantScope& scope, const std::string& table,
              const std::string& where = "") {
    auto count = pool_.InTransaction(scope, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
      return txn
          .exec(absl::StrCat("SELECT count(*) FROM ", table, " WHERE tenant_id LIKE '",
                             province_.id, "%'", where))[0][0]
          .as<int>();
    });
    EXPECT_THAT(count, IsOk());
    return count.value_or(-1);
  }

  absl::StatusOr<int> Affected(const db::TenantScope& scope, const std::string& sql) {
    return pool_.InTransaction(scope, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
      return static_cast<int>(txn.exec(sql).affected_rows());
    });
  }

  db::ConnectionPool pool_{{PlanningPgUri(), 2}};
  PlanStore store_{pool_};
  testing::Province province_;
  std::string a_, b_;
};

TEST_F(RowLevelSecurity, ACommuneSeesOnlyItsOwnRowsEvenWithoutATenantFilter) {
  auto scope = db::TenantScope::Of(a_);
  EXPECT_EQ(Visible(scope, "planning.plans"), 1);
  EXPECT_EQ(Visible(scope, "planning.plan_tasks"), 3);
  EXPECT_EQ(Visible(scope, "planning.outbox"), 1);
  EXPECT_EQ(Visible(scope, "planning.plans", absl::StrCat(" AND tenant_id = '", b_, "'")), 0);
}

TEST_F(RowLevelSecurity, ACommuneCannotChangeAnotherCommunesRows) {
  auto scope = db::TenantScope::Of(a_);
  auto updated = Affected(scope, absl::StrCat("UPDATE planning.plans SET title = 'hijacked'"
                                              " WHERE tenant_id = '",
                                              b_, "'"));
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(*updated, 0);
  auto deleted = Affected(scope, "DELETE FROM planning.plan_tasks");
  ASSERT_THAT(deleted, IsOk());
  EXPECT_EQ(*deleted, 3);  // its own three, none of B's
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM planning.plan_tasks WHERE tenant_id = '",
                                    b_, "'")),
            "3");
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM planning.plans WHERE title = 'hijacked'"
                                    " AND tenant_id = '",
                                    b_, "'")),
            "0");
  // Writing a row in B's name is refused by the database.
  EXPECT_THAT(Affected(scope, absl::StrCat("INSERT INTO planning.plans (tenant_id, year, title,"
                                           " state, body) VALUES ('",
                                           b_, "', 2026, 'x', 'DRAFT', '{}')")),
              StatusIs(StatusCode::kPermissionDenied));
  // Moving one's own row to B is refused too.
  EXPECT_THAT(Affected(scope, absl::StrCat("UPDATE planning.plans SET tenant_id = '", b_, "'")),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(RowLevelSecurity, ACommunesDaysOffAreItsOwn) {
  CalendarStore days(pool_);
  ASSERT_THAT(days.AddDayOff(db::TenantScope::Of(a_), a_, "2026-10-20", "Bão"), IsOk());
  ASSERT_THAT(days.AddDayOff(db::TenantScope::Of(b_), b_, "2026-10-21", "Lễ hội"), IsOk());
  EXPECT_EQ(Visible(db::TenantScope::Of(a_), "tenancy.tenant_days_off"), 1);
  EXPECT_THAT(days.AddDayOff(db::TenantScope::Of(a_), b_, "2026-10-22", "x"),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(days.RemoveDayOff(db::TenantScope::Of(a_), b_, "2026-10-21"),
              StatusIs(StatusCode::kNotFound));
  db::TenantScope reader;
  reader.read_tenants = {a_, b_};
  EXPECT_EQ(Visible(reader, "tenancy.tenant_days_off"), 2);
  EXPECT_THAT(days.AddDayOff(reader, a_, "2026-10-23", "x"),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(RowLevelSecurity, WithNoScopeNothingIsVisible) {
  EXPECT_EQ(Visible(db::TenantScope{}, "planning.plans"), 0);
  EXPECT_EQ(Visible(db::TenantScope{}, "planning.outbox"), 0);
}

TEST_F(RowLevelSecurity, AProvinceReaderSeesItsCommunesAndCannotWrite) {
  db::TenantScope reader;
  reader.read_tenants = {a_, b_};
  EXPECT_EQ(Visible(reader, "planning.plans"), 2);
  EXPECT_EQ(Visible(reader, "planning.plan_tasks"), 6);
  auto updated = Affected(reader, "UPDATE planning.plans SET title = 'x'");
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(*updated, 0);
  EXPECT_THAT(Affected(reader, absl::StrCat("INSERT INTO planning.plans (tenant_id, year, title,"
                                            " state, body) VALUES ('",
                                            a_, "', 2026, 'x', 'DRAFT', '{}')")),
              StatusIs(StatusCode::kPermissionDenied));
  db::TenantScope only_a;
  only_a.read_tenants = {a_};
  EXPECT_EQ(Visible(only_a, "planning.plans"), 1);
}

TEST_F(RowLevelSecurity, OnlyAnAdministratorsTransactionChangesTenants) {
  auto staff = db::TenantScope::Of(a_);
  auto updated = Affected(
      staff, absl::StrCat("UPDATE tenancy.tenants SET voter_count = 1 WHERE id = '", a_, "'"));
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(*updated, 0);
  EXPECT_THAT(
      Affected(staff, "INSERT INTO tenancy.provinces (id, display_name) VALUES ('zz-x', 'x')"),
      StatusIs(StatusCode::kPermissionDenied));
  // Everyone may read the reference data.
  auto seen = pool_.InTransaction(staff, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
    return txn
        .exec(absl::StrCat("SELECT count(*) FROM tenancy.tenants WHERE province_id = '",
                           province_.id, "'"))[0][0]
        .as<int>();
  });
  EXPECT_EQ(seen.value_or(-1), 2);
}

TEST_F(RowLevelSecurity, TheServiceRoleCannotBypassOrDisableIt) {
  EXPECT_EQ(
      AdminQuery("SELECT rolbypassrls::text FROM pg_roles WHERE rolname = 'dialogue_planning'"),
      "false");
  EXPECT_EQ(AdminQuery("SELECT rolsuper::text FROM pg_roles WHERE rolname = 'dialogue_planning'"),
            "false");
  EXPECT_THAT(
      Affected(db::TenantScope::Of(a_), "ALTER TABLE planning.plans DISABLE ROW LEVEL SECURITY"),
      StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(
      AdminQuery("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                 " WHERE n.nspname IN ('planning', 'tenancy') AND c.relkind = 'r'"
                 " AND NOT (c.relrowsecurity AND c.relforcerowsecurity)"),
      "0");
}

}  // namespace
}  // namespace dialogue::planning
