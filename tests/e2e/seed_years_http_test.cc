// Each of the five seed plans walked through its year over the gateway, as a clerk would
// enter it after the fact (issue 19): the plan approved and published, a round of opinions
// for each planned conference, each conference held on the first working day of its window
// and recorded afterwards, its agenda run, its conclusions, minutes and conclusion notice,
// and the promise it made followed by supervision. Every date the plan states, and every
// date the process derives from it, is checked against the commune's calendar as the
// calendar API gives it, counted here day by day.
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/v1/calendar.pb.h"
#include "dialogue/v1/intake.pb.h"
#include "dialogue/v1/notices.pb.h"
#include "dialogue/v1/planning.pb.h"
#include "dialogue/v1/sessions.pb.h"
#include "dialogue/v1/supervision.pb.h"
#include "dialogue/v1/tenants.pb.h"
#include "http_client.h"
#include "test_support.h"

namespace dialogue {
namespace {

using auth::Role;
using ::dialogue::testing::Http;
using ::dialogue::testing::HttpResponse;
using ::dialogue::testing::StackEnv;
using ::dialogue::testing::Token;
using ::dialogue::testing::TokenAs;

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &out).ok());
  return out;
}

// One call through the gateway that must succeed; its answer as `T`.
template <typename T>
T Api(const std::string& method, const std::string& path, const std::string& body,
      const std::string& token) {
  HttpResponse r = Http(method, StackEnv("DIALOGUE_GATEWAY_URL") + path, body,
                        {"Authorization: Bearer " + token});
  EXPECT_EQ(r.status, 200) << method << " " << path << " " << body << "\n" << r.body;
  T out;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &out, options).ok()) << r.body;
  return out;
}

absl::CivilDay Day(const std::string& text) {
  auto day = calendar::ParseDate(text);
  EXPECT_TRUE(day.ok()) << "'" << text << "' is not a date";
  return day.ok() ? *day : absl::CivilDay();
}

// The commune's working days as GET /v1/tenants/{t}/calendar/{year} lists them, counted
// here day by day (not by the services' own arithmetic).
class CommuneCalendar {
 public:
  CommuneCalendar(std::string tenant, std::string token)
      : tenant_(std::move(tenant)), token_(std::move(token)) {}

  bool IsWorkingDay(absl::CivilDay day) {
    Load(static_cast<int>(day.year()));
    if (make_up_.count(day)) return true;
    const absl::Weekday w = absl::GetWeekday(day);
    return w != absl::Weekday::saturday && w != absl::Weekday::sunday && !off_.count(day);
  }
  absl::CivilDay AddWorkingDays(absl::CivilDay start, int n) {
    absl::CivilDay day = start;
    while (n > 0) {
      ++day;
      if (IsWorkingDay(day)) --n;
    }
    return day;
  }
  absl::CivilDay FirstWorkingDayFrom(absl::CivilDay day) {
    while (!IsWorkingDay(day)) ++day;
    return day;
  }
  // Where the year's days off come from: the decision, or the Labour Code's defaults.
  std::string Source(int year) {
    Load(year);
    return sources_[year];
  }

 private:
  void Load(int year) {
    if (sources_.count(year)) return;
    auto cal = Api<v1::YearCalendar>(
        "GET", absl::StrCat("/v1/tenants/", tenant_, "/calendar/", year), "", token_);
    for (const auto& d : cal.days_off()) off_.insert(Day(d.date()));
    for (const auto& d : cal.make_up_working_days()) make_up_.insert(Day(d));
    sources_[year] = cal.source();
  }

  std::string tenant_;
  std::string token_;
  std::set<absl::CivilDay> off_;
  std::set<absl::CivilDay> make_up_;
  std::map<int, std::string> sources_;
};

const v1::Tenant& DemoTenantOf(const v1::ListTenantsResponse& demo, const std::string& name) {
  for (const auto& t : demo.tenants()) {
    if (t.name() == name) return t;
  }
  ADD_FAILURE() << "the demo has no commune " << name;
  return v1::Tenant::default_instance();
}

// Polls `read` until `done` says yes or five seconds pass; the last answer.
template <typename T, typename Read, typename Done>
T Await(Read read, Done done) {
  T last = read();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done(last) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    last = read();
  }
  return last;
}

class SeedYearTest : public ::testing::TestWithParam<int> {};

TEST_P(SeedYearTest, WalksItsYearThroughTheGatewayWithEveryDateOnTheCalendar) {
  static const std::vector<v1::CreatePlanRequest> seeds = testing::SeedPlans();
  static const v1::ListTenantsResponse demo = testing::DemoTenants();
  ASSERT_LT(GetParam(), static_cast<int>(seeds.size()));
  const v1::CreatePlanRequest& seed = seeds[GetParam()];
  const v1::Tenant& model = DemoTenantOf(demo, seed.parent());
  ASSERT_FALSE(HasFailure());
  const std::string tenant = testing::CommuneLike(model);
  const std::string base = "/v1/tenants/" + tenant;
  // A district's plan (seed 002) meets the people of its communes: made afresh under the
  // fresh district, and named so in the plan.
  v1::Plan written = seed.plan();
  std::map<std::string, std::string> communes;  // the demo's commune -> the test's
  for (auto& c : *written.mutable_conferences()) {
    for (auto& name : *c.mutable_communes()) {
      if (communes.count(name) == 0) {
        communes[name] = "tenants/" + testing::CommuneLike(DemoTenantOf(demo, name), tenant);
      }
      name = communes[name];
    }
  }
  EXPECT_EQ(model.kind() == v1::DISTRICT, !communes.empty()) << model.name();
  const std::string office =
      Token(tenant, {Role::kGovernmentOffice, Role::kPartyOffice, Role::kFront});
  const std::string chair = TokenAs("chair-" + tenant, tenant, {Role::kChair});
  const std::string secretary = TokenAs("secretary-" + tenant, tenant, {Role::kSecretary});
  const v1::TenantRules& rules = model.rules();
  CommuneCalendar cal(tenant, office);
  const absl::CivilDay today = calendar::TodayInVietnam(absl::Now());
  const int year = seed.plan().year();
  EXPECT_FALSE(cal.Source(year).empty());

  // The plan, approved and published. A seed without a number or date gets one, issued on a
  // working day a month before its first conference, as the office would number it.
  v1::Plan plan = Api<v1::Plan>("POST", base + "/plans", ToJson(written), office);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(plan.state(), v1::DRAFT);
  plan = Api<v1::Plan>("POST", absl::StrCat("/v1/", plan.name(), ":approve"), "{}", chair);
  v1::TransitionPlanRequest publish;
  if (seed.plan().document_number().empty()) publish.set_document_number("01/KH-UBND");
  if (seed.plan().issue_date().empty()) {
    absl::CivilDay first = Day(seed.plan().conferences(0).window_start_date());
    for (const auto& c : seed.plan().conferences()) {
      first = std::min(first, Day(c.window_start_date()));
    }
    absl::CivilDay issued = first - 30;
    while (!cal.IsWorkingDay(issued)) --issued;
    publish.set_issue_date(calendar::FormatDate(issued));
  }
  plan =
      Api<v1::Plan>("POST", absl::StrCat("/v1/", plan.name(), ":publish"), ToJson(publish), office);
  ASSERT_EQ(plan.state(), v1::PUBLISHED) << plan.name();
  EXPECT_EQ(plan.issue_date(),
            seed.plan().issue_date().empty() ? publish.issue_date() : seed.plan().issue_date());
  EXPECT_TRUE(cal.IsWorkingDay(Day(plan.issue_date()))) << plan.issue_date();
  // Each conference keeps the communes it meets; each commune names its district, and
  // anyone reads both, as the commune's page does.
  ASSERT_EQ(plan.conferences_size(), written.conferences_size());
  for (int i = 0; i < plan.conferences_size(); ++i) {
    EXPECT_EQ(absl::StrJoin(plan.conferences(i).communes(), ","),
              absl::StrJoin(written.conferences(i).communes(), ","));
  }
  for (const auto& [demo_name, name] : communes) {
    EXPECT_EQ(Api<v1::Tenant>("GET", "/v1/" + name, "", office).parent(), "tenants/" + tenant)
        << demo_name;
  }
  // Every task's due date as the plan states it: a date, or days from its conference's window.
  std::map<std::string, const v1::PlannedConference*> planned;
  for (const auto& c : seed.plan().conferences()) planned[c.id()] = &c;
  ASSERT_EQ(plan.tasks_size(), seed.plan().tasks_size());
  for (int i = 0; i < plan.tasks_size(); ++i) {
    const v1::PreparationTask& stated = seed.plan().tasks(i);
    const std::string expected =
        stated.has_relative_due()
            ? calendar::FormatDate(
                  Day(planned.at(stated.relative_due().conference_id())->window_start_date()) +
                  stated.relative_due().offset_days())
            : stated.due_date();
    EXPECT_EQ(plan.tasks(i).resolved_due_date(), expected) << stated.id();
  }

  // Each planned conference, in order.
  int held = 0;
  for (const v1::PlannedConference& conference : seed.plan().conferences()) {
    SCOPED_TRACE("conference " + conference.id());
    const absl::CivilDay date = cal.FirstWorkingDayFrom(Day(conference.window_start_date()));
    ASSERT_LE(date, Day(conference.window_end_date())) << "no working day in the window";
    ASSERT_LT(date, today) << "the seeds' conferences are all behind us";
    const std::string when = calendar::FormatDate(date);

    // Its round of opinions takes the plan's dates, all before the conference.
    v1::Round round_in;
    round_in.set_title("Lấy ý kiến trước hội nghị " + conference.id());
    round_in.set_plan(plan.name());
    round_in.set_conference_id(conference.id());
    auto round = Api<v1::Round>("POST", base + "/rounds", ToJson(round_in), office);
    if (!conference.opinion_deadline_date().empty()) {
      EXPECT_EQ(round.opinion_deadline_date(), conference.opinion_deadline_date());
    }
    if (!round.opinion_deadline_date().empty()) {
      EXPECT_LT(round.opinion_deadline_date(), when);
    }
    if (!round.answer_due_date().empty()) {
      EXPECT_GE(round.answer_due_date(), round.opinion_deadline_date());
    }

    // Held on its day, entered afterwards with the reason.
    v1::Session session_in;
    session_in.set_plan(plan.name());
    session_in.set_conference_id(conference.id());
    session_in.set_date(when);
    session_in.set_start_time("07:30");
    session_in.set_chair("Chủ tịch UBND (tên mẫu)");
    session_in.set_secretary("Công chức Văn phòng (tên mẫu)");
    session_in.set_round(round.name());
    auto session = Api<v1::Session>("POST", base + "/sessions", ToJson(session_in), office);
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(session.warnings_size(), 0) << session.warnings(0);
    EXPECT_EQ(session.window_start_date(), conference.window_start_date());
    EXPECT_EQ(session.window_end_date(), conference.window_end_date());
    HttpResponse refused = Http(
        "POST", absl::StrCat(StackEnv("DIALOGUE_GATEWAY_URL"), "/v1/", session.name(), ":announce"),
        "{}", {"Authorization: Bearer " + office});
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find("DATE_PASSED"), std::string::npos) << refused.body;
    session =
        Api<v1::Session>("POST", absl::StrCat("/v1/", session.name(), ":announce"),
                         R"({"afterTheFactReason":"Đã họp đúng ngày; nhập lại sau"})", office);
    EXPECT_EQ(session.state(), v1::SESSION_ANNOUNCED);
    EXPECT_FALSE(session.after_the_fact_reason().empty());

    // The plan counts its tasks from the day the conference was held.
    plan = Await<v1::Plan>([&] { return Api<v1::Plan>("GET", "/v1/" + plan.name(), "", office); },
                           [&](const v1::Plan& p) {
                             for (const auto& c : p.conferences()) {
                               if (c.id() == conference.id()) return c.session_date() == when;
                             }
                             return false;
                           });
    for (int i = 0; i < plan.tasks_size(); ++i) {
      const v1::PreparationTask& task = plan.tasks(i);
      if (task.has_relative_due() && task.relative_due().conference_id() == conference.id()) {
        EXPECT_EQ(task.resolved_due_date(),
                  calendar::FormatDate(date + task.relative_due().offset_days()))
            << task.id();
      }
    }

    // Run: opened, every agenda step, then the chair's conclusion with a promise.
    session =
        Api<v1::Session>("POST", absl::StrCat("/v1/", session.name(), ":open"), "{}", secretary);
    ASSERT_EQ(session.state(), v1::SESSION_IN_PROGRESS);
    EXPECT_EQ(session.current_step(), 1);
    for (int step = 2; step <= session.agenda_size(); ++step) {
      Api<v1::Session>("POST", absl::StrCat("/v1/", session.name(), ":advance"),
                       absl::StrCat(R"({"step":)", step, "}"), secretary);
    }
    const std::string promised_by = calendar::FormatDate(date + 60);
    v1::ConcludeSessionRequest conclude;
    v1::ConclusionItem* promise = conclude.add_items();
    promise->set_summary("Sửa tuyến đường liên thôn xuống cấp");
    promise->set_outcome(v1::OUTCOME_UNRESOLVED);
    promise->set_agency("Phòng Kinh tế");
    promise->set_action("Lập dự toán và sửa mặt đường");
    promise->set_due_date(promised_by);
    v1::ConclusionItem* on_spot = conclude.add_items();
    on_spot->set_summary("Lịch thu gom rác");
    on_spot->set_outcome(v1::OUTCOME_RESOLVED_ON_SPOT);
    session = Api<v1::Session>("POST", absl::StrCat("/v1/", session.name(), ":conclude"),
                               ToJson(conclude), chair);
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(session.date(), when);
    for (const std::string& token : {chair, secretary}) {
      Api<v1::Minutes>("POST", absl::StrCat("/v1/", session.name(), "/minutes:approve"), "{}",
                       token);
    }
    auto minutes =
        Api<v1::Minutes>("GET", absl::StrCat("/v1/", session.name(), "/minutes"), "", office);
    EXPECT_EQ(minutes.state(), v1::MINUTES_APPROVED);

    // The conclusion notice, drafted from the conference: due in the commune's working days,
    // its results public in calendar days; dated before the conference, it is refused.
    auto drafts = Await<v1::ListNoticesResponse>(
        [&] {
          return Api<v1::ListNoticesResponse>(
              "GET", base + "/notices?kind=NOTICE_CONCLUSION&state=NOTICE_DRAFT", "", office);
        },
        [&](const v1::ListNoticesResponse& r) {
          for (const auto& n : r.notices()) {
            if (n.session() == session.name()) return true;
          }
          return false;
        });
    v1::Notice notice;
    for (const auto& n : drafts.notices()) {
      if (n.session() == session.name()) notice = n;
    }
    ASSERT_FALSE(notice.name().empty()) << "no conclusion notice was drafted";
    const absl::CivilDay notice_due =
        cal.AddWorkingDays(date, calendar::DeadlineDays(rules, v1::DEADLINE_CONCLUSION_NOTICE));
    EXPECT_EQ(notice.due_date(), calendar::FormatDate(notice_due));
    EXPECT_EQ(notice.results_due_date(),
              calendar::FormatDate(
                  date + calendar::DeadlineDays(rules, v1::DEADLINE_RESULTS_PUBLICATION)));
    EXPECT_NE(notice.body().find("Phòng Kinh tế"), std::string::npos) << notice.body();
    const absl::CivilDay by = Day(promised_by);
    const std::string by_month_year = absl::StrCat(" tháng ", by.month(), " năm ", by.year());
    EXPECT_TRUE(
        absl::StrContains(notice.body(), absl::StrCat("ngày ", by.day(), by_month_year)) ||
        absl::StrContains(notice.body(), absl::StrFormat("ngày %02d%s", by.day(), by_month_year)))
        << "the promise's due date " << promised_by << " is not in\n"
        << notice.body();
    const std::string issue_url =
        absl::StrCat(StackEnv("DIALOGUE_GATEWAY_URL"), "/v1/", notice.name(), ":issue");
    HttpResponse too_early =
        Http("POST", issue_url,
             absl::StrCat(R"({"documentNumber":"1/TB-UBND","issueDate":")",
                          calendar::FormatDate(date - 1), R"(","signer":"Chủ tịch"})"),
             {"Authorization: Bearer " + office});
    EXPECT_EQ(too_early.status, 400) << too_early.body;
    const absl::CivilDay issued = cal.AddWorkingDays(date, 2);
    notice = Api<v1::Notice>(
        "POST", absl::StrCat("/v1/", notice.name(), ":issue"),
        absl::StrCat(R"({"documentNumber":")", held + 1, R"(/TB-UBND","issueDate":")",
                     calendar::FormatDate(issued), R"(","signer":"KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"})"),
        office);
    EXPECT_EQ(notice.state(), v1::NOTICE_ISSUED);
    EXPECT_EQ(notice.issue_date(), calendar::FormatDate(issued));

    // Supervision follows the promise: due when promised, its report due in working days
    // from the notice (once supervision has read of its issue), late only when those days
    // are behind us.
    const absl::CivilDay report_due =
        cal.AddWorkingDays(issued, calendar::DeadlineDays(rules, v1::DEADLINE_AGENCY_REPORT));
    auto of_session = [&](const v1::ListCommitmentsResponse& r) {
      v1::Commitment found;
      for (const auto& c : r.commitments()) {
        if (c.session() == session.name()) found = c;
      }
      return found;
    };
    const v1::Commitment commitment = of_session(Await<v1::ListCommitmentsResponse>(
        [&] {
          return Api<v1::ListCommitmentsResponse>("GET", base + "/commitments?pageSize=100", "",
                                                  office);
        },
        [&](const v1::ListCommitmentsResponse& r) {
          return of_session(r).report_due_date() == calendar::FormatDate(report_due);
        }));
    ASSERT_FALSE(commitment.name().empty()) << "no commitment from " << session.name();
    EXPECT_EQ(commitment.conference_date(), when);
    EXPECT_EQ(commitment.due_date(), promised_by);
    EXPECT_EQ(commitment.agency(), "Phòng Kinh tế");
    EXPECT_EQ(commitment.report_due_date(), calendar::FormatDate(report_due));
    EXPECT_EQ(commitment.overdue(), Day(promised_by) < today);
    EXPECT_EQ(commitment.report_overdue(), report_due < today);
    ++held;
  }

  // The year's report counts every conference held, each notice on time.
  auto report = Api<v1::CommuneReport>("GET", absl::StrCat(base, "/supervisionReport?year=", year),
                                       "", office);
  EXPECT_EQ(report.conferences_planned(), seed.plan().conferences_size());
  ASSERT_EQ(report.conferences_size(), held);
  for (const auto& record : report.conferences()) {
    EXPECT_TRUE(record.notice_on_time()) << record.session();
    EXPECT_FALSE(record.notice_issue_date().empty()) << record.session();
    EXPECT_EQ(record.commitments(), 1) << record.session();
  }
  EXPECT_EQ(report.commitments(), held);
  // Conferences entered after they were held leave no announcement or invitation to draft:
  // the notices consumer read each one's SessionAnnounced before its SessionConcluded.
  for (const char* kind : {"NOTICE_ANNOUNCEMENT", "NOTICE_INVITATION"}) {
    auto left =
        Api<v1::ListNoticesResponse>("GET", absl::StrCat(base, "/notices?kind=", kind), "", office);
    EXPECT_EQ(left.notices_size(), 0) << kind << ": " << left.notices(0).title();
  }
}

// The demo plays the same years as far as today (dialoguectl demo): every seed's plan
// published, and each of its conferences behind us held on a working day of its window,
// entered after the fact, concluded, its notice issued on time and its promise followed;
// the one conference the demo announces ahead (Diễn Châu's second) waits for its day.
TEST_P(SeedYearTest, TheDemoHasPlayedItsYearAsFarAsToday) {
  static const std::vector<v1::CreatePlanRequest> seeds = testing::SeedPlans();
  const v1::CreatePlanRequest& seed = seeds[GetParam()];
  const std::string base = "/v1/" + seed.parent();
  const std::string tenant = seed.parent().substr(seed.parent().find('/') + 1);
  const std::string office = Token(tenant, {Role::kGovernmentOffice});
  CommuneCalendar cal(tenant, office);
  auto plans = Api<v1::ListPlansResponse>("GET", base + "/plans", "", office);
  ASSERT_EQ(plans.plans_size(), 1);
  const v1::Plan& plan = plans.plans(0);
  EXPECT_EQ(plan.state(), v1::PUBLISHED);
  EXPECT_FALSE(plan.document_number().empty());
  EXPECT_EQ(plan.document_number(), seed.plan().document_number().empty()
                                        ? plan.document_number()
                                        : seed.plan().document_number());
  if (seed.plan().document_number().empty()) {
    EXPECT_TRUE(absl::StrContains(plan.document_number(), "số minh họa")) << plan.document_number();
  }
  auto sessions = Api<v1::ListSessionsResponse>("GET", base + "/sessions", "", office);
  auto report = Api<v1::CommuneReport>(
      "GET", absl::StrCat(base, "/supervisionReport?year=", plan.year()), "", office);
  const std::string today = calendar::FormatDate(calendar::TodayInVietnam(absl::Now()));
  int closed = 0;
  for (const auto& conference : plan.conferences()) {
    SCOPED_TRACE("conference " + conference.id());
    std::vector<v1::Session> held;
    for (const auto& s : sessions.sessions()) {
      if (s.conference_id() == conference.id()) held.push_back(s);
    }
    ASSERT_EQ(held.size(), 1u);
    const v1::Session& session = held[0];
    if (session.date() > today) {
      EXPECT_EQ(session.state(), v1::SESSION_ANNOUNCED);
      continue;
    }
    ++closed;
    EXPECT_EQ(session.state(), v1::SESSION_CLOSED);
    EXPECT_FALSE(session.after_the_fact_reason().empty());
    EXPECT_EQ(session.date(),
              calendar::FormatDate(cal.FirstWorkingDayFrom(Day(conference.window_start_date()))));
    EXPECT_EQ(conference.session_date(), session.date());
    bool reported = false;
    for (const auto& record : report.conferences()) {
      if (record.session() != session.name()) continue;
      reported = true;
      EXPECT_TRUE(record.notice_on_time());
      EXPECT_LE(record.notice_issue_date(), record.notice_due_date());
      EXPECT_EQ(record.commitments(), 1);
    }
    EXPECT_TRUE(reported) << session.name() << " is not in the year's report";
  }
  EXPECT_EQ(report.commitments(), closed);
  EXPECT_GE(closed, 1);
}

std::string SeedName(const ::testing::TestParamInfo<int>& info) {
  return absl::StrFormat("Seed%03d", info.param);
}

INSTANTIATE_TEST_SUITE_P(FiveSeeds, SeedYearTest, ::testing::Range(0, 5), SeedName);

}  // namespace
}  // namespace dialogue
