#include "test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dialogue/auth/token.h"
#include "dialogue/common/names.h"
#include "dialogue/common/status.h"
#include "dialogue/db/pool.h"
#include "dialogue/events/redis.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "store.h"

namespace dialogue::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

template <typename Message>
Message ParseJsonFile(const std::string& path) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(ReadFile(path), &message);
  EXPECT_TRUE(status.ok()) << path << ": " << status.ToString();
  return message;
}

std::string RandomSuffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  return absl::StrCat(rng() % 100000000);
}

}  // namespace

std::string StackEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set: run the tests through scripts/test, which starts "
                  << "PostgreSQL, Redis and the services";
    return "";
  }
  return value;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string AdminPgUri() { return StackEnv("DIALOGUE_PG_URI"); }

std::string PlanningPgUri() {
  return absl::StrCat("postgresql://dialogue_planning@127.0.0.1:", StackEnv("DIALOGUE_PG_PORT"),
                      "/dialogue");
}

std::string IntakePgUri() {
  return absl::StrCat("postgresql://dialogue_intake@127.0.0.1:", StackEnv("DIALOGUE_PG_PORT"),
                      "/dialogue");
}

std::string NoticesPgUri() {
  return absl::StrCat("postgresql://dialogue_notices@127.0.0.1:", StackEnv("DIALOGUE_PG_PORT"),
                      "/dialogue");
}

std::string SessionsPgUri() { return ServicePgUri("sessions"); }

std::string ServicePgUri(const std::string& service) {
  return absl::StrCat("postgresql://dialogue_", service,
                      "@127.0.0.1:", StackEnv("DIALOGUE_PG_PORT"), "/dialogue");
}

std::shared_ptr<grpc::Channel> StackChannel(const char* env) {
  return grpc::CreateChannel(StackEnv(env), grpc::InsecureChannelCredentials());
}

std::string TokenSecret() { return StackEnv("DIALOGUE_TOKEN_SECRET"); }

std::string Token(const std::string& tenant, std::initializer_list<auth::Role> roles,
                  const std::string& province, absl::Duration ttl) {
  return TokenAs(absl::StrCat("test-", tenant, province), tenant, roles, province, ttl);
}

std::string DepartmentToken(const std::string& tenant, const std::string& department) {
  auth::TokenRequest request;
  request.principal.subject = absl::StrCat("department-", tenant);
  request.principal.tenant = tenant;
  request.principal.roles = {auth::Role::kDepartment};
  request.principal.department = department;
  auto token = auth::IssueHs256(request, TokenSecret());
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

std::string TokenAs(const std::string& subject, const std::string& tenant,
                    std::initializer_list<auth::Role> roles, const std::string& province,
                    absl::Duration ttl) {
  auth::TokenRequest request;
  request.principal.subject = subject;
  request.principal.tenant = tenant;
  request.principal.province = province;
  request.principal.roles = roles;
  request.ttl = ttl;
  auto token = auth::IssueHs256(request, TokenSecret());
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

Province NewProvince(int communes, const std::vector<v1::Hamlet>& hamlets) {
  db::ConnectionPool pool({PlanningPgUri(), 1});
  planning::TenantStore store(pool);
  Province out;
  out.id = absl::StrCat("p-", RandomSuffix());
  v1::Province province;
  province.set_display_name("Tỉnh thử nghiệm");
  EXPECT_TRUE(store.CreateProvince(out.id, province).ok());
  for (int i = 0; i < communes; ++i) {
    std::string id = absl::StrCat(out.id, "-x", i);
    v1::Tenant tenant;
    tenant.set_display_name(absl::StrCat("Xã thử nghiệm ", i));
    tenant.set_kind(v1::COMMUNE);
    tenant.set_province(absl::StrCat("provinces/", out.id));
    tenant.set_voter_count(5000);
    for (const auto& h : hamlets) *tenant.add_hamlets() = h;
    auto created = store.CreateTenant(id, tenant);
    EXPECT_TRUE(created.ok()) << created.status();
    out.tenants.push_back(id);
  }
  return out;
}

std::string NewCommuneIn(const std::string& province, const std::string& display_name) {
  db::ConnectionPool pool({PlanningPgUri(), 1});
  v1::Tenant tenant;
  tenant.set_display_name(display_name);
  tenant.set_kind(v1::COMMUNE);
  tenant.set_province(absl::StrCat("provinces/", province));
  const std::string id = absl::StrCat(province, "-", RandomSuffix());
  auto created = planning::TenantStore(pool).CreateTenant(id, tenant);
  EXPECT_TRUE(created.ok()) << created.status();
  return id;
}

std::string CommuneLike(const v1::Tenant& model, const std::string& parent) {
  const std::string province =
      parent.empty() ? NewProvince(0).id
                     : AdminQuery(absl::StrCat(
                           "SELECT province_id FROM tenancy.tenants WHERE id = '", parent, "'"));
  db::ConnectionPool pool({PlanningPgUri(), 1});
  v1::Tenant tenant = model;
  tenant.clear_name();
  tenant.set_province(absl::StrCat("provinces/", province));
  tenant.set_parent(parent.empty() ? "" : absl::StrCat("tenants/", parent));
  const std::string id = absl::StrCat(province, "-", RandomSuffix());
  auto created = planning::TenantStore(pool).CreateTenant(id, tenant);
  EXPECT_TRUE(created.ok()) << created.status();
  return id;
}

std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return out;
  }
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  int status = pclose(pipe);
  EXPECT_EQ(status, 0) << command << "\n" << out;
  return out;
}

google::protobuf::Struct ReadDocx(const std::string& path) {
  std::string json = Shell(absl::StrCat("/usr/bin/python3 ", DIALOGUE_SOURCE_DIR,
                                        "/tests/support/read_docx.py '", path, "'"));
  google::protobuf::Struct out;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &out).ok()) << json;
  return out;
}

std::vector<std::string> DocxTexts(const google::protobuf::Struct& docx) {
  std::vector<std::string> out;
  auto add = [&](const google::protobuf::ListValue& paragraphs) {
    for (const auto& p : paragraphs.values()) {
      std::string text = p.struct_value().fields().at("text").string_value();
      std::replace(text.begin(), text.end(), '\n', ' ');
      out.push_back(std::move(text));
    }
  };
  if (docx.fields().count("paragraphs") == 0) return out;
  add(docx.fields().at("paragraphs").list_value());
  for (const auto& table : docx.fields().at("tables").list_value().values()) {
    for (const auto& row : table.list_value().values()) {
      for (const auto& cell : row.list_value().values()) add(cell.list_value());
    }
  }
  return out;
}

std::string AdminQuery(const std::string& sql) {
  pqxx::connection conn(AdminPgUri());
  pqxx::work txn(conn);
  auto rows = txn.exec(sql);
  txn.commit();
  if (rows.empty() || rows[0].empty() || rows[0][0].is_null()) return "";
  return rows[0][0].as<std::string>();
}

absl::StatusOr<v1::Event> OutboxEvent(const std::string& schema, const std::string& tenant,
                                      const std::string& type) {
  ASSIGN_OR_RETURN(std::vector<v1::Event> events, OutboxEvents(schema, tenant, type));
  if (events.empty()) return absl::NotFoundError(absl::StrCat("no ", type, " in the outbox"));
  return events.front();
}

absl::StatusOr<std::vector<v1::Event>> OutboxEvents(const std::string& schema,
                                                    const std::string& tenant,
                                                    const std::string& type) {
  pqxx::connection conn(AdminPgUri());
  pqxx::work txn(conn);
  auto rows =
      txn.exec_params(absl::StrCat("SELECT payload FROM ", schema,
                                   ".outbox WHERE tenant_id = $1 AND event_type = $2 ORDER BY id"),
                      tenant, absl::StrCat("dialogue.v1.", type));
  std::vector<v1::Event> events;
  for (const auto& row : rows) {
    v1::Event event;
    if (!event.ParseFromString(pqxx::binarystring(row[0]).str())) {
      return absl::DataLossError(absl::StrCat("the outbox's ", type, " does not parse"));
    }
    events.push_back(std::move(event));
  }
  return events;
}

std::vector<v1::CreatePlanRequest> SeedPlans() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(
           absl::StrCat(DIALOGUE_SOURCE_DIR, "/deploy/demo/plans"))) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<v1::CreatePlanRequest> out;
  for (const auto& f : files) out.push_back(ParseJsonFile<v1::CreatePlanRequest>(f));
  return out;
}

v1::ListTenantsResponse DemoTenants() {
  return ParseJsonFile<v1::ListTenantsResponse>(
      absl::StrCat(DIALOGUE_SOURCE_DIR, "/deploy/demo/tenants.json"));
}

v1::Plan SamplePlan(int year) {
  v1::Plan plan;
  plan.set_issuing_body(v1::PEOPLES_COMMITTEE);
  plan.set_issuing_authority("UBND xã thử nghiệm");
  plan.set_year(year);
  plan.set_title(absl::StrCat("Kế hoạch đối thoại năm ", year));
  plan.add_topics("Phát triển kinh tế - xã hội");
  plan.set_form(v1::IN_PERSON);
  auto* group = plan.add_participant_groups();
  group->set_description("Đại biểu Nhân dân");
  group->set_expected_min(10);
  group->set_expected_max(15);
  group->set_per_hamlet(true);
  auto* c = plan.add_conferences();
  c->set_id("1");
  c->set_window_start_date(absl::StrCat(year, "-04-20"));
  c->set_window_end_date(absl::StrCat(year, "-04-30"));
  c->set_venue("Hội trường UBND xã");
  c->set_opinion_deadline_date(absl::StrCat(year, "-04-10"));
  auto* t1 = plan.add_tasks();
  t1->set_id("phieu");
  t1->set_kind(v1::OPINION_COLLECTION);
  t1->set_responsible_role("front");
  t1->set_description("Thu phiếu và tổng hợp ý kiến");
  t1->set_due_date(absl::StrCat(year, "-04-10"));
  auto* t2 = plan.add_tasks();
  t2->set_id("thong-bao");
  t2->set_kind(v1::ANNOUNCEMENT);
  t2->set_responsible_role("government_office");
  t2->set_description("Thông báo trên loa truyền thanh");
  t2->mutable_relative_due()->set_conference_id("1");
  t2->mutable_relative_due()->set_offset_days(-7);
  auto* t3 = plan.add_tasks();
  t3->set_id("bao-cao");
  t3->set_kind(v1::UPWARD_REPORT);
  t3->set_responsible_role("government_office");
  t3->set_description("Báo cáo kết quả lên cấp trên");
  t3->mutable_relative_due()->set_conference_id("1");
  t3->mutable_relative_due()->set_offset_days(15);
  plan.mutable_signer()->set_title("CHỦ TỊCH");
  plan.mutable_signer()->set_full_name("Nguyễn Văn A");
  return plan;
}

TestStream::TestStream(absl::string_view prefix)
    : name_(absl::StrCat(prefix, ":", common::NewUuid())) {
  auto address = events::ParseRedisUri(StackEnv("DIALOGUE_REDIS_URI"));
  EXPECT_TRUE(address.ok()) << address.status();
  if (address.ok()) redis_ = *address;
}

void TestStream::Publish(const std::string& tenant, const std::string& source,
                         const google::protobuf::Message& payload, const std::string& event_id) {
  v1::Event event;
  event.set_id(event_id);
  event.set_type(payload.GetDescriptor()->full_name());
  event.set_tenant("tenants/" + tenant);
  event.set_source(source);
  event.mutable_payload()->PackFrom(payload);
  events::RedisClient redis(redis_);
  auto added = redis.Command({"XADD", name_, "*", "id", event.id(), "type", event.type(), "tenant",
                              event.tenant(), "event", event.SerializeAsString()});
  EXPECT_TRUE(added.ok() && !added->is_error());
}

events::PollResult TestStream::Drain(db::ConnectionPool& pool, events::ConsumerOptions options,
                                     const events::Handler& handler) {
  options.stream = name_;
  options.block = std::chrono::milliseconds(100);
  events::Consumer consumer(pool, redis_, options, handler);
  events::PollResult total;
  for (int i = 0; i < 3; ++i) {
    auto polled = consumer.PollOnce();
    EXPECT_TRUE(polled.ok()) << polled.status();
    if (!polled.ok()) break;
    total.applied += polled->applied;
    total.skipped += polled->skipped;
    total.parked += polled->parked;
  }
  return total;
}

std::string PublishedPlan(const std::string& tenant, const std::function<void(v1::Plan&)>& adjust) {
  auto planning = v1::PlanningService::NewStub(StackChannel("DIALOGUE_PLANNING_ADDR"));
  const std::string office =
      TokenAs("office", tenant, {auth::Role::kGovernmentOffice, auth::Role::kChair});
  v1::CreatePlanRequest create;
  create.set_parent("tenants/" + tenant);
  *create.mutable_plan() = SamplePlan(2027);
  create.mutable_plan()->mutable_conferences(0)->add_hamlets("an-son");
  create.mutable_plan()->set_document_number("12/KH-UBND");
  create.mutable_plan()->set_issue_date("2026-11-02");
  if (adjust) adjust(*create.mutable_plan());
  v1::Plan plan;
  EXPECT_THAT(CallWith(*planning, &v1::PlanningService::Stub::CreatePlan, office, create, &plan),
              IsOk());
  v1::TransitionPlanRequest step;
  step.set_name(plan.name());
  v1::Plan out;
  EXPECT_THAT(CallWith(*planning, &v1::PlanningService::Stub::ApprovePlan, office, step, &out),
              IsOk());
  EXPECT_THAT(CallWith(*planning, &v1::PlanningService::Stub::PublishPlan, office, step, &out),
              IsOk());
  return plan.name();
}

}  // namespace dialogue::testing
