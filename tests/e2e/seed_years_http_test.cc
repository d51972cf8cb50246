// Each of the five seed plans walked through its year over the gateway, as a clerk would
// enter it after the fact (issue 19): the plan approved and published, a round of opinions
// for each planned conference, each conference held on the first working day of its window
// and recorded afterwards, its agenda run, its conclusions, minutes and conclusion notice,
// and the promise it made followed by supervision. Every date the plan states, and every
// date the process derives from it, is checked against the commune's calendar as the
// calendar API gives it, counted here day by day.
#include <google/protobuf/util/json_util.h>

#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/documents/document.h"
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

// Issue 20: a document the platform issues, as the gateway renders it, and what it must show.
struct ExpectedDocument {
  std::string path;   // "/v1/tenants/x/plans/y:render"
  std::string query;  // more of the query after the format, e.g. "&year=2026"
  std::string token;
  std::string type;  // the type line: "KẾ HOẠCH", "THÔNG BÁO", "BIÊN BẢN", "BÁO CÁO"
  // The name under the signature; empty: the block is left for the name.
  std::string signer;
  bool dated = true;       // false for a draft: number and date left blank
  bool recipients = true;  // false for the minutes: a second signer instead
};

// Whether `line` is a date line as Decree 30 writes it: "<place>, ngày 08 tháng 5 năm 2026",
// the place a name without its level ("xã", "phường"), the day always two digits, the month
// two digits only for 1 and 2.
::testing::AssertionResult IsDateLine(const std::string& line) {
  std::vector<std::string> words = absl::StrSplit(line, ' ');
  const size_t comma = line.find(", ngày ");
  if (comma == std::string::npos || words.size() < 7) {
    return ::testing::AssertionFailure() << "not a date line: " << line;
  }
  const std::string place = line.substr(0, comma);
  for (const char* level : {"Xã ", "xã ", "Phường ", "phường ", "Huyện ", "huyện ", "Tỉnh "}) {
    if (absl::StartsWith(place, level)) {
      return ::testing::AssertionFailure() << "the place keeps its level: " << line;
    }
  }
  const size_t n = words.size();
  const std::string& day = words[n - 5];
  const std::string& month = words[n - 3];
  if (words[n - 6] != "ngày" || words[n - 4] != "tháng" || words[n - 2] != "năm" ||
      words[n - 1].size() != 4) {
    return ::testing::AssertionFailure() << "not in the decree's words: " << line;
  }
  int d = 0;
  int m = 0;
  if (day.size() != 2 || !absl::SimpleAtoi(day, &d) || d < 1 || d > 31) {
    return ::testing::AssertionFailure() << "the day is not two digits: " << line;
  }
  if (!absl::SimpleAtoi(month, &m) || m < 1 || m > 12 ||
      month.size() != (m <= 2   ? 2u
                       : m < 10 ? 1u
                                : 2u)) {
    return ::testing::AssertionFailure() << "the month is not written as the decree says: " << line;
  }
  return ::testing::AssertionSuccess();
}

// The text a browser shows of an HTML page: tags as spaces, entities decoded, white space
// collapsed.
std::string VisibleText(const std::string& html) {
  std::string out;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') in_tag = true;
    if (in_tag || c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
    if (c == '>') in_tag = false;
  }
  for (const auto& [entity, c] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}}) {
    out = absl::StrReplaceAll(out, {{entity, c}});
  }
  std::string collapsed;
  for (char c : out) {
    if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
    collapsed.push_back(c);
  }
  return collapsed;
}

// A year's documents rendered in their three forms over the gateway and checked one by one:
// the layout rules on the text, the .docx read back by python-docx line for line against the
// text, the print page showing every line, and LibreOffice making a PDF of each .docx.
class YearsDocuments {
 public:
  YearsDocuments()
      : dir_(std::filesystem::temp_directory_path() /
             absl::StrCat("seed-documents-", getpid(), "-",
                          ::testing::UnitTest::GetInstance()->current_test_info()->value_param())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~YearsDocuments() { std::filesystem::remove_all(dir_); }

  void Check(const ExpectedDocument& want) {
    SCOPED_TRACE(want.path);
    const std::string url = StackEnv("DIALOGUE_GATEWAY_URL") + want.path + "?format=";
    const std::string auth = "Authorization: Bearer " + want.token;
    HttpResponse text = Http("GET", url + "text" + want.query, "", {auth});
    ASSERT_EQ(text.status, 200) << text.body;
    EXPECT_TRUE(absl::StartsWith(text.headers["content-type"], "text/plain"));
    std::vector<std::string> lines = absl::StrSplit(text.body, '\n');
    auto has = [&](absl::string_view want_line) {
      return std::find(lines.begin(), lines.end(), want_line) != lines.end();
    };
    // The layout, rule by rule.
    ASSERT_GT(lines.size(), 10u);
    EXPECT_EQ(documents::Upper(lines[0]), lines[0]) << "the issuing body is in capitals";
    EXPECT_TRUE(has("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") || has("ĐẢNG CỘNG SẢN VIỆT NAM"))
        << text.body;
    EXPECT_TRUE(has(want.type)) << "no type line " << want.type << "\n" << text.body;
    const auto date_line = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
      return absl::StrContains(l, ", ngày ");
    });
    ASSERT_NE(date_line, lines.end()) << text.body;
    if (want.dated) {
      EXPECT_TRUE(IsDateLine(*date_line));
      EXPECT_TRUE(absl::StartsWith(*(date_line - 1), "Số")) << *(date_line - 1);
      EXPECT_FALSE(absl::StrContains(*(date_line - 1), "…")) << "a dated document is numbered";
    }
    EXPECT_EQ(has("Nơi nhận:"), want.recipients) << text.body;
    if (want.recipients) {
      // The archive's copy is listed (Lưu: VT, or the seed's own "Lưu Văn phòng Đảng ủy").
      EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
        return absl::StartsWith(l, "- Lưu");
      })) << text.body;
    }
    EXPECT_TRUE(has(want.signer.empty() ? "(chữ ký, họ và tên)" : want.signer)) << text.body;

    // The .docx: A4 in Times New Roman, every line of the text in a paragraph of its own.
    HttpResponse docx = Http("GET", url + "docx" + want.query, "", {auth});
    ASSERT_EQ(docx.status, 200) << docx.body;
    EXPECT_EQ(docx.headers["content-type"],
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    EXPECT_TRUE(absl::StrContains(docx.headers["content-disposition"], ".docx"))
        << docx.headers["content-disposition"];
    const std::string file = absl::StrCat(files_.size(), ".docx");
    std::ofstream(dir_ / file, std::ios::binary) << docx.body;
    const google::protobuf::Struct read = testing::ReadDocx((dir_ / file).string());
    ASSERT_GT(read.fields_size(), 0);
    EXPECT_EQ(read.fields().at("font").string_value(), "Times New Roman");
    const auto& page = read.fields().at("page").struct_value().fields();
    EXPECT_EQ(page.at("width_mm").number_value(), 210);
    EXPECT_EQ(page.at("height_mm").number_value(), 297);
    const std::vector<std::string> paragraphs = testing::DocxTexts(read);
    for (const std::string& line : lines) {
      if (line.empty()) continue;
      EXPECT_NE(std::find(paragraphs.begin(), paragraphs.end(), line), paragraphs.end())
          << "the .docx has no paragraph '" << line << "'";
    }
    files_.push_back({file, want.type});

    // The print page: A4, and every line of the text on it.
    HttpResponse html = Http("GET", url + "html" + want.query, "", {auth});
    ASSERT_EQ(html.status, 200) << html.body;
    EXPECT_TRUE(absl::StartsWith(html.headers["content-type"], "text/html"));
    EXPECT_TRUE(absl::StrContains(html.body, "size: A4")) << html.body;
    const std::string shown = VisibleText(html.body);
    for (const std::string& line : lines) {
      if (line.empty()) continue;
      EXPECT_TRUE(absl::StrContains(shown, VisibleText(line)))
          << "the page does not show '" << line << "'";
    }
  }

  // LibreOffice converts every .docx to a PDF that holds its type line.
  void ConvertAll() {
    std::string names;
    for (const auto& [file, type] : files_) absl::StrAppend(&names, " ", file);
    testing::Shell(absl::StrCat("cd '", dir_.string(), "' && timeout 300 soffice --headless ",
                                "--norestore -env:UserInstallation=file://", dir_.string(),
                                "/profile --convert-to pdf", names, " 2>&1"));
    for (const auto& [file, type] : files_) {
      const auto pdf = dir_ / absl::StrReplaceAll(file, {{".docx", ".pdf"}});
      ASSERT_TRUE(std::filesystem::exists(pdf)) << pdf;
      const std::string text = testing::Shell(absl::StrCat("pdftotext '", pdf.string(), "' -"));
      EXPECT_TRUE(absl::StrContains(text, type)) << pdf << "\n" << text;
    }
  }

  size_t size() const { return files_.size(); }

 private:
  std::filesystem::path dir_;
  std::vector<std::pair<std::string, std::string>> files_;  // the .docx and its type line
};

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
  std::vector<ExpectedDocument> documents = {
      {"/v1/" + plan.name() + ":render", "", office, "KẾ HOẠCH", seed.plan().signer().full_name()}};
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
    documents.push_back({"/v1/" + round.name() + "/synthesis:render", "", office, "BÁO CÁO", ""});

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
    documents.push_back({"/v1/" + session.name() + "/minutes:render", "", office, "BIÊN BẢN",
                         session_in.chair(), true, false});

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
        absl::StrCat(
            R"({"documentNumber":")", held + 1, R"(/TB-UBND","issueDate":")",
            calendar::FormatDate(issued),
            R"(","signer":"TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nTrần Văn Bình"})"),
        office);
    EXPECT_EQ(notice.state(), v1::NOTICE_ISSUED);
    EXPECT_EQ(notice.issue_date(), calendar::FormatDate(issued));
    documents.push_back(
        {"/v1/" + notice.name() + ":render", "", office, "THÔNG BÁO", "Trần Văn Bình"});

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

  // Issue 20: every document of the year in its three forms: the plan, each round's synthesis,
  // each conference's minutes and conclusion notice, the commune's and the province's
  // reports, and an invitation and an announcement as the office drafts them (unnumbered,
  // undated).
  const std::string year_query = absl::StrCat("&year=", year);
  documents.push_back({base + "/supervisionReport:render", year_query, office, "BÁO CÁO", ""});
  const std::string province = Api<v1::Tenant>("GET", base, "", office).province();
  const std::string province_token =
      Token("", {Role::kProvince}, std::string(absl::StripPrefix(province, "provinces/")));
  documents.push_back(
      {"/v1/" + province + "/supervisionReport:render", year_query, province_token, "BÁO CÁO", ""});
  for (const auto& [kind, type] : {std::pair{"NOTICE_INVITATION", "GIẤY MỜI"},
                                   std::pair{"NOTICE_ANNOUNCEMENT", "THÔNG BÁO"}}) {
    v1::Notice draft;
    draft.set_kind(v1::NoticeKind(v1::NoticeKind_descriptor()->FindValueByName(kind)->number()));
    draft.set_title(absl::StrCat("Hội nghị đối thoại với Nhân dân năm ", year + 1));
    draft.set_body(
        "Ủy ban nhân dân trân trọng kính mời đại biểu dự hội nghị.\nĐịa điểm: hội trường.");
    draft.add_recipients()->set_name("Các thôn, tổ dân phố");
    draft.set_signer("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Bình");
    auto created = Api<v1::Notice>("POST", base + "/notices", ToJson(draft), office);
    documents.push_back(
        {"/v1/" + created.name() + ":render", "", office, type, "Trần Văn Bình", false});
  }
  YearsDocuments files;
  for (const ExpectedDocument& document : documents) files.Check(document);
  EXPECT_EQ(files.size(), documents.size());
  files.ConvertAll();
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
