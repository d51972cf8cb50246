// dialoguectl: the operator's command line for the local stack.
//   token    print a bearer token for a tenant (or province) and roles
//   migrate  apply a service's SQL migrations over an administrator's connection
//   demo     load the demo province, communes and plans through the public gRPC API
//   events   list the events consumers gave up on, and replay them
//   traces   collect the local stack's spans into a file, and show one trace from it
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/auth/token.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/config.h"
#include "dialogue/common/status.h"
#include "dialogue/db/migrations.h"
#include "dialogue/events/consumer.h"
#include "dialogue/v1/accounts.grpc.pb.h"
#include "dialogue/v1/calendar.grpc.pb.h"
#include "dialogue/v1/intake.grpc.pb.h"
#include "dialogue/v1/notices.grpc.pb.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "dialogue/v1/sessions.grpc.pb.h"
#include "dialogue/v1/tenants.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "http_receiver.h"
#include "otlp_spans.h"

namespace {

namespace v1 = dialogue::v1;
using dialogue::common::Config;

constexpr const char* kUsage = R"(usage: dialoguectl <command> [flags]

  token   --tenant ID | --province ID  --roles r1,r2  [--subject S] [--ttl-hours 8]
          prints an HS256 token signed with --token-secret (DIALOGUE_TOKEN_SECRET)
  migrate --pg-uri ADMIN_URI --service NAME --dir MIGRATIONS_DIR
  wait    --addr HOST:PORT [--timeout-seconds 30]
          waits until the server's grpc.health.v1 check answers SERVING
  demo    --planning-addr HOST:PORT [--intake-addr HOST:PORT] [--notices-addr HOST:PORT]
          [--sessions-addr HOST:PORT] --dir deploy/demo [--demo-password PASSWORD]
          creates the demo province, communes, console accounts (vanphong.<commune>,
          chutich.<commune>, mttq.<commune>, thuky.<commune>, tinh.<province>), plans,
          opinions, notices, an announced session two weeks ahead, and each plan's year
          played as far as today: past conferences held, concluded and noticed (safe to run again)
  events dead   [--count 100]      lists the parked events (dead-letter stream)
  events replay [--ids ID1,ID2]    publishes parked events again (all when no --ids);
          both read --redis-uri (DIALOGUE_REDIS_URI)
  traces collect --listen 127.0.0.1:4318 --out FILE
          an OTLP/HTTP (JSON) receiver that appends each request to FILE, one per line
  traces show TRACE_ID [--traces-file FILE]
          prints the trace's spans as a tree (or DIALOGUE_TRACES_FILE)

roles: party_office government_office front department chair secretary hamlet_lead
       citizen province admin
)";

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "dialoguectl: %s\n", std::string(status.message()).c_str());
  return 1;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status ParseJson(const std::string& path, google::protobuf::Message* message) {
  ASSIGN_OR_RETURN(std::string json, ReadFile(path));
  auto status = google::protobuf::util::JsonStringToMessage(json, message);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.ToString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> IssueToken(Config& config, const std::string& tenant,
                                       const std::string& province, const std::string& roles,
                                       std::string subject, int ttl_hours) {
  dialogue::auth::TokenRequest request;
  request.principal.tenant = tenant;
  request.principal.province = province;
  for (absl::string_view name : absl::StrSplit(roles, ',', absl::SkipEmpty())) {
    auto role = dialogue::auth::ParseRole(absl::StripAsciiWhitespace(name));
    if (!role) return absl::InvalidArgumentError(absl::StrCat("unknown role '", name, "'"));
    request.principal.roles.insert(*role);
  }
  if (request.principal.roles.empty()) return absl::InvalidArgumentError("give --roles");
  if (subject.empty()) subject = absl::StrCat(tenant.empty() ? province : tenant, ":", roles);
  request.principal.subject = std::move(subject);
  request.issuer = config.String("token-issuer", "dialogue-local");
  request.ttl = absl::Hours(ttl_hours);
  return dialogue::auth::IssueHs256(request, config.String("token-secret", ""));
}

int Token(Config& config) {
  auto ttl = config.Int("ttl-hours", 8);
  if (!ttl.ok()) return Fail(ttl.status());
  auto token = IssueToken(config, config.String("tenant", ""), config.String("province", ""),
                          config.String("roles", ""), config.String("subject", ""), *ttl);
  if (!token.ok()) return Fail(token.status());
  std::printf("%s\n", token->c_str());
  return 0;
}

int Migrate(Config& config) {
  auto result = dialogue::db::ApplyMigrations(
      config.String("pg-uri", ""), config.String("service", ""), config.String("dir", ""));
  if (!result.ok()) return Fail(result.status());
  std::printf("%s: %zu applied, %d already there\n", config.String("service", "").c_str(),
              result->applied.size(), result->already_applied);
  return 0;
}

int Wait(Config& config) {
  auto timeout = config.Int("timeout-seconds", 30);
  if (!timeout.ok()) return Fail(timeout.status());
  std::string addr = config.String("addr", "");
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(*timeout);
  while (std::chrono::steady_clock::now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    if (stub->Check(&context, request, &response).ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::fprintf(stderr, "dialoguectl: %s is not serving after %d s\n", addr.c_str(), *timeout);
  return 1;
}

// Runs a call with a token; ALREADY_EXISTS counts as done, so the demo loads twice safely.
template <typename Call>
absl::Status WithToken(const std::string& token, Call call, bool tolerate_exists = true) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  absl::Status status = dialogue::common::FromGrpcStatus(call(&context));
  if (tolerate_exists && status.code() == absl::StatusCode::kAlreadyExists) return absl::OkStatus();
  return status;
}

// A document's number as the plan's issuing body writes it ("KH" a plan, "TB" a notice),
// marked as the demo's own.
// Numbers below ten are written with a leading zero (Decree 30/2020, appendix I).
std::string IllustrativeNumber(const v1::Plan& plan, const char* kind, int n) {
  const std::string number = absl::StrFormat("%02d", n);
  switch (plan.issuing_body()) {
    case v1::PARTY_COMMITTEE:
      return absl::StrCat(number, "-", kind, "/ĐU (số minh họa)");
    case v1::UPPER_LEVEL:
      return absl::StrCat(number, "-", kind, "/HU (số minh họa)");
    default:
      return absl::StrCat(number, "/", kind, "-UBND (số minh họa)");
  }
}

// The first working day on or after `day`, by the commune's calendar.
absl::StatusOr<absl::CivilDay> WorkingDayFrom(v1::CalendarService::Stub& calendar,
                                              const std::string& token, const std::string& tenant,
                                              absl::CivilDay day) {
  v1::ComputeDueDateRequest request;
  request.set_tenant(absl::StrCat("tenants/", tenant));
  request.set_rule(v1::DEADLINE_WORKING_DAYS);
  request.set_start_date(dialogue::calendar::FormatDate(day - 1));
  request.set_working_days(1);
  v1::DueDate due;
  RETURN_IF_ERROR(WithToken(
      token, [&](grpc::ClientContext* c) { return calendar.ComputeDueDate(c, request, &due); },
      false));
  return dialogue::calendar::ParseDate(due.due_date());
}

// A working day about a month before the plan's first conference.
absl::StatusOr<std::string> IllustrativeIssueDate(v1::CalendarService::Stub& calendar,
                                                  const std::string& token,
                                                  const std::string& tenant, const v1::Plan& plan) {
  std::string first;
  for (const auto& c : plan.conferences()) {
    if (first.empty() || c.window_start_date() < first) first = c.window_start_date();
  }
  ASSIGN_OR_RETURN(absl::CivilDay day, dialogue::calendar::ParseDate(first));
  ASSIGN_OR_RETURN(absl::CivilDay issued, WorkingDayFrom(calendar, token, tenant, day - 31));
  return dialogue::calendar::FormatDate(issued);
}

struct Played {
  v1::CalendarService::Stub& calendar;
  std::unique_ptr<v1::SessionService::Stub> sessions;
  std::unique_ptr<v1::NoticeService::Stub> notices;
};

// Holds each of the plan's conferences whose window opened before today and that has no
// session yet: on the window's first working day, entered afterwards with the reason, its
// agenda run, concluded with one illustrative promise on the plan's first topic (marked as
// such), the minutes approved and the conclusion notice issued two working days later.
// Safe to run again: each step is taken only where the last run stopped. Conferences held.
// Who signs the chair's conclusion notice: the plan's signer when the People's Committee
// issued the plan, else the chair's block for the office to sign.
std::string ChairSigner(const v1::Plan& plan) {
  if (plan.issuing_body() == v1::PEOPLES_COMMITTEE && !plan.signer().full_name().empty()) {
    return absl::StrJoin(
        {plan.signer().capacity(), plan.signer().title(), plan.signer().full_name()}, "\n");
  }
  return "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH";
}

absl::StatusOr<int> PlayYear(Config& config, Played& played, const std::string& tenant,
                             const v1::Plan& plan) {
  ASSIGN_OR_RETURN(std::string office,
                   IssueToken(config, tenant, "", "government_office", "demo-office", 1));
  ASSIGN_OR_RETURN(std::string chair, IssueToken(config, tenant, "", "chair", "demo-chair", 1));
  ASSIGN_OR_RETURN(std::string secretary,
                   IssueToken(config, tenant, "", "secretary", "demo-secretary", 1));
  v1::ListSessionsRequest list;
  list.set_parent(absl::StrCat("tenants/", tenant));
  list.set_plan(plan.name());
  v1::ListSessionsResponse existing;
  RETURN_IF_ERROR(WithToken(
      office,
      [&](grpc::ClientContext* c) { return played.sessions->ListSessions(c, list, &existing); },
      false));
  const absl::CivilDay today = dialogue::calendar::TodayInVietnam(absl::Now());
  const std::string plan_id = plan.name().substr(plan.name().rfind('/') + 1);
  int held = 0;
  for (const v1::PlannedConference& conference : plan.conferences()) {
    const std::string request_id = absl::StrCat("demo-held-", plan_id, "-", conference.id());
    bool taken = false;  // by a session of the demo's own, such as the one announced ahead
    for (const auto& s : existing.sessions()) {
      taken |= s.conference_id() == conference.id() && s.date() >= conference.window_start_date() &&
               s.date() > dialogue::calendar::FormatDate(today);
    }
    ASSIGN_OR_RETURN(absl::CivilDay opens,
                     dialogue::calendar::ParseDate(conference.window_start_date()));
    ASSIGN_OR_RETURN(absl::CivilDay date, WorkingDayFrom(played.calendar, office, tenant, opens));
    if (taken || date >= today) continue;
    v1::CreateSessionRequest create;
    create.set_parent(absl::StrCat("tenants/", tenant));
    create.set_request_id(request_id);
    v1::Session* s = create.mutable_session();
    s->set_plan(plan.name());
    s->set_conference_id(conference.id());
    s->set_date(dialogue::calendar::FormatDate(date));
    s->set_start_time("07:30");
    s->set_chair("Người đứng đầu cấp ủy, chính quyền (tên mẫu)");
    s->set_secretary("Công chức Văn phòng (tên mẫu)");
    v1::Session session;
    auto sessions = [&](const std::string& token, auto method, const auto& request, auto* out) {
      return WithToken(
          token,
          [&](grpc::ClientContext* c) { return ((*played.sessions).*method)(c, request, out); },
          false);
    };
    RETURN_IF_ERROR(sessions(office, &v1::SessionService::Stub::CreateSession, create, &session));
    if (session.state() == v1::SESSION_SCHEDULED) {
      v1::AnnounceSessionRequest announce;
      announce.set_name(session.name());
      announce.set_after_the_fact_reason(
          "Dữ liệu minh họa: hội nghị họp theo kế hoạch, nhập vào hệ thống sau ngày họp");
      RETURN_IF_ERROR(
          sessions(office, &v1::SessionService::Stub::AnnounceSession, announce, &session));
    }
    if (session.state() == v1::SESSION_ANNOUNCED) {
      v1::OpenSessionRequest open;
      open.set_name(session.name());
      RETURN_IF_ERROR(sessions(secretary, &v1::SessionService::Stub::OpenSession, open, &session));
    }
    if (session.state() == v1::SESSION_IN_PROGRESS) {
      for (int step = session.current_step() + 1; step <= session.agenda_size(); ++step) {
        v1::AdvanceAgendaRequest advance;
        advance.set_name(session.name());
        advance.set_step(step);
        RETURN_IF_ERROR(
            sessions(secretary, &v1::SessionService::Stub::AdvanceAgenda, advance, &session));
      }
      v1::ConcludeSessionRequest conclude;
      conclude.set_name(session.name());
      v1::ConclusionItem* item = conclude.add_items();
      item->set_summary(absl::StrCat(
          "(Nội dung minh họa) Ý kiến về: ",
          plan.topics().empty() ? std::string("xây dựng nông thôn mới") : plan.topics(0)));
      item->set_outcome(v1::OUTCOME_UNRESOLVED);
      item->set_agency("Ủy ban nhân dân cấp xã");
      item->set_action("Xem xét, giải quyết và trả lời Nhân dân (minh họa)");
      item->set_due_date(dialogue::calendar::FormatDate(date + 60));
      RETURN_IF_ERROR(
          sessions(chair, &v1::SessionService::Stub::ConcludeSession, conclude, &session));
    }
    v1::GetMinutesRequest get_minutes;
    get_minutes.set_name(session.name() + "/minutes");
    v1::Minutes minutes;
    RETURN_IF_ERROR(sessions(office, &v1::SessionService::Stub::GetMinutes, get_minutes, &minutes));
    for (const auto& [token, capacity] : {std::pair{chair, "chair"}, {secretary, "secretary"}}) {
      bool given = false;
      for (const auto& a : minutes.approvals()) given |= a.capacity() == capacity;
      if (given || minutes.state() == v1::MINUTES_APPROVED) continue;
      v1::ApproveMinutesRequest approve;
      approve.set_name(minutes.name());
      RETURN_IF_ERROR(
          sessions(token, &v1::SessionService::Stub::ApproveMinutes, approve, &minutes));
    }
    // The conclusion notice the notices service drafts from the conference, issued.
    v1::ListNoticesRequest drafts;
    drafts.set_parent(absl::StrCat("tenants/", tenant));
    drafts.set_kind(v1::NOTICE_CONCLUSION);
    drafts.set_session(session.name());
    v1::ListNoticesResponse found;
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (found.notices().empty() && absl::Now() < until) {
      RETURN_IF_ERROR(WithToken(
          office,
          [&](grpc::ClientContext* c) { return played.notices->ListNotices(c, drafts, &found); },
          false));
      if (found.notices().empty()) absl::SleepFor(absl::Milliseconds(200));
    }
    if (found.notices().empty()) {
      return absl::DeadlineExceededError(
          absl::StrCat("no conclusion notice was drafted for ", session.name()));
    }
    const v1::Notice& notice = found.notices(0);
    if (notice.state() == v1::NOTICE_DRAFT) {
      v1::IssueNoticeRequest issue;
      issue.set_name(notice.name());
      issue.set_document_number(IllustrativeNumber(plan, "TB", held + 1));
      ASSIGN_OR_RETURN(absl::CivilDay issued,
                       WorkingDayFrom(played.calendar, office, tenant, date + 2));
      issue.set_issue_date(dialogue::calendar::FormatDate(issued));
      issue.set_signer(ChairSigner(plan));
      v1::Notice out;
      RETURN_IF_ERROR(WithToken(
          office,
          [&](grpc::ClientContext* c) { return played.notices->IssueNotice(c, issue, &out); },
          false));
    }
    std::printf("  %-28s %-10s %s\n", absl::StrCat("held ", session.date()).c_str(),
                v1::SessionState_Name(session.state()).c_str(), session.name().c_str());
    ++held;
  }
  return held;
}

absl::Status LoadDemo(Config& config) {
  std::string dir = config.String("dir", "deploy/demo");
  auto channel = grpc::CreateChannel(config.String("planning-addr", "127.0.0.1:7001"),
                                     grpc::InsecureChannelCredentials());
  auto tenants = v1::TenantService::NewStub(channel);
  auto planning = v1::PlanningService::NewStub(channel);
  auto calendar = v1::CalendarService::NewStub(channel);
  ASSIGN_OR_RETURN(std::string admin, IssueToken(config, "", "", "admin", "demo-loader", 1));

  v1::ListProvincesResponse provinces;
  RETURN_IF_ERROR(ParseJson(dir + "/provinces.json", &provinces));
  for (const auto& province : provinces.provinces()) {
    v1::CreateProvinceRequest request;
    request.set_province_id(std::string(absl::StripPrefix(province.name(), "provinces/")));
    *request.mutable_province() = province;
    v1::Province out;
    RETURN_IF_ERROR(WithToken(
        admin, [&](grpc::ClientContext* c) { return tenants->CreateProvince(c, request, &out); }));
  }
  v1::ListTenantsResponse communes;
  RETURN_IF_ERROR(ParseJson(dir + "/tenants.json", &communes));
  for (const auto& tenant : communes.tenants()) {
    v1::CreateTenantRequest request;
    request.set_tenant_id(std::string(absl::StripPrefix(tenant.name(), "tenants/")));
    *request.mutable_tenant() = tenant;
    v1::Tenant out;
    RETURN_IF_ERROR(WithToken(
        admin, [&](grpc::ClientContext* c) { return tenants->CreateTenant(c, request, &out); }));
  }
  // Sign-in names for the console: each commune's office, chair, Front and secretary, and
  // the province's reader, all with the one demo password (a demo stack's only).
  auto accounts = v1::AccountService::NewStub(channel);
  std::string demo_password =
      config.String("demo-password", "doithoai-demo", "the demo accounts' password");
  auto add_account = [&](const std::string& username, const std::string& display_name,
                         const std::string& tenant, const std::string& province,
                         std::vector<std::string> roles) {
    v1::CreateAccountRequest request;
    request.mutable_account()->set_username(username);
    request.mutable_account()->set_display_name(display_name);
    request.mutable_account()->set_tenant(tenant);
    request.mutable_account()->set_province(province);
    for (auto& role : roles) request.mutable_account()->add_roles(std::move(role));
    request.set_password(demo_password);
    v1::Account out;
    return WithToken(
        admin, [&](grpc::ClientContext* c) { return accounts->CreateAccount(c, request, &out); });
  };
  for (const auto& province : provinces.provinces()) {
    std::string id(absl::StripPrefix(province.name(), "provinces/"));
    RETURN_IF_ERROR(
        add_account("tinh." + id, "Cán bộ theo dõi cấp tỉnh", "", province.name(), {"province"}));
  }
  for (const auto& tenant : communes.tenants()) {
    std::string id(absl::StripPrefix(tenant.name(), "tenants/"));
    RETURN_IF_ERROR(add_account("vanphong." + id, "Nguyễn Thị Hoa", tenant.name(), "",
                                {"government_office", "party_office"}));
    RETURN_IF_ERROR(add_account("chutich." + id, "Trần Văn Bình", tenant.name(), "", {"chair"}));
    RETURN_IF_ERROR(add_account("mttq." + id, "Lê Thị Mai", tenant.name(), "", {"front"}));
    RETURN_IF_ERROR(add_account("thuky." + id, "Phạm Văn Nam", tenant.name(), "", {"secretary"}));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/plans")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  int loaded = 0;
  std::map<std::string, std::string> published;  // tenant -> its published plan
  std::string demo_round;
  for (const auto& file : files) {
    v1::CreatePlanRequest request;
    RETURN_IF_ERROR(ParseJson(file.string(), &request));
    std::string tenant(absl::StripPrefix(request.parent(), "tenants/"));
    ASSIGN_OR_RETURN(
        std::string office,
        IssueToken(config, tenant, "", "party_office,government_office,chair", "demo-loader", 1));
    v1::Plan plan;
    RETURN_IF_ERROR(WithToken(
        office, [&](grpc::ClientContext* c) { return planning->CreatePlan(c, request, &plan); },
        false));
    v1::TransitionPlanRequest step;
    step.set_name(plan.name());
    if (plan.state() == v1::DRAFT) {
      RETURN_IF_ERROR(WithToken(
          office, [&](grpc::ClientContext* c) { return planning->ApprovePlan(c, step, &plan); },
          false));
    }
    // Published as issued; a seed that gives no number or date gets an illustrative one
    // (marked so), dated on a working day a month before its first conference.
    if (plan.state() == v1::APPROVED) {
      if (plan.document_number().empty()) {
        step.set_document_number(IllustrativeNumber(plan, "KH", 1));
      }
      if (plan.issue_date().empty()) {
        ASSIGN_OR_RETURN(std::string issued,
                         IllustrativeIssueDate(*calendar, office, tenant, plan));
        step.set_issue_date(issued);
      }
      RETURN_IF_ERROR(WithToken(
          office, [&](grpc::ClientContext* c) { return planning->PublishPlan(c, step, &plan); },
          false));
    }
    if (plan.state() == v1::PUBLISHED) published[tenant] = plan.name();
    std::printf("  %-28s %-10s %s\n", file.filename().c_str(),
                v1::PlanState_Name(plan.state()).c_str(), plan.name().c_str());
    ++loaded;
  }
  // A collection round with a few survey forms, for the intake pages to show something.
  int opinions = 0;
  if (config.Has("intake-addr")) {
    auto intake = v1::IntakeService::NewStub(grpc::CreateChannel(
        config.String("intake-addr", "127.0.0.1:7002"), grpc::InsecureChannelCredentials()));
    v1::CreateRoundRequest round_request;
    RETURN_IF_ERROR(ParseJson(dir + "/round.json", &round_request));
    v1::ImportOpinionsRequest import;
    RETURN_IF_ERROR(ParseJson(dir + "/opinions.json", &import));
    std::string tenant(absl::StripPrefix(round_request.parent(), "tenants/"));
    // Open whenever the demo is loaded, as the session is ahead: opinions are taken for ten
    // more days and answered ten days later, so the citizens' form has a round to send to.
    const absl::CivilDay today = dialogue::calendar::TodayInVietnam(absl::Now());
    round_request.mutable_round()->set_opinion_deadline_date(
        dialogue::calendar::FormatDate(today + 10));
    round_request.mutable_round()->set_answer_due_date(dialogue::calendar::FormatDate(today + 20));
    ASSIGN_OR_RETURN(std::string front,
                     IssueToken(config, tenant, "", "front,government_office", "demo-loader", 1));
    v1::Round round;
    RETURN_IF_ERROR(WithToken(
        front,
        [&](grpc::ClientContext* c) { return intake->CreateRound(c, round_request, &round); },
        false));
    import.set_round(round.name());
    demo_round = round.name();
    v1::ImportOpinionsResponse imported;
    RETURN_IF_ERROR(WithToken(
        front, [&](grpc::ClientContext* c) { return intake->ImportOpinions(c, import, &imported); },
        false));
    opinions = imported.stored() + imported.already_stored();
    std::printf("  %-28s %d opinions in %s\n", "opinions.json", opinions, round.name().c_str());
  }
  // An issued notice, for the commune's public feed to show something.
  int notices = 0;
  if (config.Has("notices-addr")) {
    auto stub = v1::NoticeService::NewStub(grpc::CreateChannel(
        config.String("notices-addr", "127.0.0.1:7003"), grpc::InsecureChannelCredentials()));
    v1::ListNoticesResponse demo;
    RETURN_IF_ERROR(ParseJson(dir + "/notices.json", &demo));
    for (int i = 0; i < demo.notices_size(); ++i) {
      const v1::Notice& n = demo.notices(i);  // name: the commune it belongs to
      std::string tenant(absl::StripPrefix(n.name(), "tenants/"));
      ASSIGN_OR_RETURN(std::string office,
                       IssueToken(config, tenant, "", "government_office", "demo-loader", 1));
      v1::CreateNoticeRequest create;
      create.set_parent(n.name());
      *create.mutable_notice() = n;
      create.set_request_id(absl::StrCat("demo-notice-", i));
      v1::Notice draft;
      RETURN_IF_ERROR(WithToken(
          office, [&](grpc::ClientContext* c) { return stub->CreateNotice(c, create, &draft); },
          false));
      if (draft.state() == v1::NOTICE_DRAFT) {  // not issued by an earlier load
        v1::IssueNoticeRequest issue;
        issue.set_name(draft.name());
        issue.set_document_number(n.document_number());
        issue.set_issue_date(n.issue_date());
        issue.set_signer(n.signer());
        RETURN_IF_ERROR(WithToken(
            office, [&](grpc::ClientContext* c) { return stub->IssueNotice(c, issue, &draft); },
            false));
      }
      ++notices;
    }
    std::printf("  %-28s %d issued notices\n", "notices.json", notices);
  }
  // A session of a published plan's conference two weeks ahead, announced: its live view,
  // speakers' registration and calendar have something to show.
  int sessions = 0;
  if (config.Has("sessions-addr")) {
    auto stub = v1::SessionService::NewStub(grpc::CreateChannel(
        config.String("sessions-addr", "127.0.0.1:7004"), grpc::InsecureChannelCredentials()));
    v1::CreateSessionRequest create;
    RETURN_IF_ERROR(ParseJson(dir + "/sessions.json", &create));
    std::string tenant(absl::StripPrefix(create.parent(), "tenants/"));
    ASSIGN_OR_RETURN(std::string office,
                     IssueToken(config, tenant, "", "government_office,chair", "demo-loader", 1));
    create.mutable_session()->set_plan(published[tenant]);
    if (absl::StartsWith(demo_round, create.parent() + "/")) {
      create.mutable_session()->set_round(demo_round);
    }
    create.mutable_session()->set_date(
        dialogue::calendar::FormatDate(dialogue::calendar::TodayInVietnam(absl::Now()) + 14));
    v1::Session session;
    RETURN_IF_ERROR(WithToken(
        office, [&](grpc::ClientContext* c) { return stub->CreateSession(c, create, &session); },
        false));
    if (session.state() == v1::SESSION_SCHEDULED) {  // not announced by an earlier load
      v1::AnnounceSessionRequest announce;
      announce.set_name(session.name());
      RETURN_IF_ERROR(WithToken(
          office,
          [&](grpc::ClientContext* c) { return stub->AnnounceSession(c, announce, &session); },
          false));
    }
    ++sessions;
    std::printf("  %-28s %-10s %s\n", "sessions.json",
                v1::SessionState_Name(session.state()).c_str(), session.name().c_str());
  }
  // Each published plan's year as far as today: its conferences already behind us held.
  int held = 0;
  if (config.Has("sessions-addr") && config.Has("notices-addr")) {
    Played played{*calendar,
                  v1::SessionService::NewStub(grpc::CreateChannel(
                      config.String("sessions-addr", ""), grpc::InsecureChannelCredentials())),
                  v1::NoticeService::NewStub(grpc::CreateChannel(
                      config.String("notices-addr", ""), grpc::InsecureChannelCredentials()))};
    for (const auto& [tenant, plan_name] : published) {
      v1::Plan plan;
      ASSIGN_OR_RETURN(std::string office,
                       IssueToken(config, tenant, "", "government_office", "demo-loader", 1));
      v1::GetPlanRequest get;
      get.set_name(plan_name);
      RETURN_IF_ERROR(WithToken(
          office, [&](grpc::ClientContext* c) { return planning->GetPlan(c, get, &plan); }, false));
      ASSIGN_OR_RETURN(int n, PlayYear(config, played, tenant, plan));
      held += n;
    }
    std::printf("  %-28s %d conferences held and entered afterwards\n", "(the plans' years)", held);
  }
  std::printf("demo: %d provinces, %d communes, %d plans, %d opinions, %d notices, %d sessions\n",
              provinces.provinces_size(), communes.tenants_size(), loaded, opinions, notices,
              sessions + held);
  return absl::OkStatus();
}

int Events(Config& config) {
  auto address =
      dialogue::events::ParseRedisUri(config.String("redis-uri", "redis://127.0.0.1:6379"));
  if (!address.ok()) return Fail(address.status());
  dialogue::events::RedisClient redis(*address);
  const std::string what = config.Args().size() > 1 ? config.Args()[1] : "";
  if (what == "dead") {
    auto count = config.Int("count", 100);
    if (!count.ok()) return Fail(count.status());
    auto letters = dialogue::events::ListDeadLetters(redis, *count);
    if (!letters.ok()) return Fail(letters.status());
    for (const auto& l : *letters) {
      std::printf("%s\t%s\t%s\t%s\t%s\tdeliveries=%lld\t%s\n", l.id.c_str(), l.group.c_str(),
                  l.event.type().c_str(), l.event.tenant().c_str(), l.event.id().c_str(),
                  l.deliveries, l.error.c_str());
    }
    std::printf("%zu parked\n", letters->size());
    return 0;
  }
  if (what == "replay") {
    std::vector<std::string> ids = absl::StrSplit(config.String("ids", ""), ',', absl::SkipEmpty());
    auto replayed = dialogue::events::ReplayDeadLetters(redis, ids);
    if (!replayed.ok()) return Fail(replayed.status());
    std::printf("%d replayed\n", *replayed);
    return 0;
  }
  std::fprintf(stderr, "%s", kUsage);
  return 2;
}

int Traces(Config& config) {
  const std::string what = config.Args().size() > 1 ? config.Args()[1] : "";
  if (what == "collect") {
    std::string listen = config.String("listen", "127.0.0.1:4318");
    std::string out = config.String("out", "traces.jsonl");
    std::vector<std::string> host_port = absl::StrSplit(listen, ':');
    int port = 0;
    if (host_port.size() != 2 || !absl::SimpleAtoi(host_port[1], &port)) {
      return Fail(absl::InvalidArgumentError("--listen takes HOST:PORT"));
    }
    std::mutex mu;
    auto receiver = dialogue::collector::HttpReceiver::Start(
        [&](const dialogue::collector::HttpRequest& request) {
          if (request.method != "POST" || request.path != "/v1/traces") return 404;
          if (!absl::StartsWith(request.headers.count("content-type") > 0
                                    ? request.headers.at("content-type")
                                    : "",
                                "application/json")) {
            return 415;  // only the JSON encoding is stored
          }
          std::string line = request.body;
          std::replace(line.begin(), line.end(), '\n', ' ');
          std::lock_guard<std::mutex> lock(mu);
          std::ofstream file(out, std::ios::app);
          file << line << '\n';
          return file ? 200 : 503;
        },
        host_port[0], port);
    if (!receiver.ok()) return Fail(receiver.status());
    std::fprintf(stderr, "collecting spans on %s:%d into %s\n", host_port[0].c_str(),
                 (*receiver)->port(), out.c_str());
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    int received = 0;
    sigwait(&signals, &received);
    return 0;
  }
  if (what == "show" && config.Args().size() > 2) {
    std::string file = config.String("traces-file", "traces.jsonl");
    std::string tree = dialogue::collector::FormatTrace(
        dialogue::collector::ReadCollectedSpans(file), config.Args()[2]);
    if (tree.empty()) {
      return Fail(absl::NotFoundError(absl::StrCat("no span of trace ", config.Args()[2], " in ",
                                                   file, " (yet: spans leave within seconds)")));
    }
    std::printf("%s", tree.c_str());
    return 0;
  }
  std::fprintf(stderr, "%s", kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = Config::FromArgs(argc, argv);
  if (!parsed.ok()) return Fail(parsed.status());
  Config config = *std::move(parsed);
  std::string command = config.Args().empty() ? "" : config.Args().front();
  if (command == "token") return Token(config);
  if (command == "migrate") return Migrate(config);
  if (command == "wait") return Wait(config);
  if (command == "events") return Events(config);
  if (command == "traces") return Traces(config);
  if (command == "demo") {
    absl::Status status = LoadDemo(config);
    return status.ok() ? 0 : Fail(status);
  }
  std::fprintf(command.empty() || config.Has("help") ? stdout : stderr, "%s", kUsage);
  return command.empty() || config.Has("help") ? 0 : 2;
}
