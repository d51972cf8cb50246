// SupervisionService through real stubs against a server on a local port, the harness's
// PostgreSQL and Redis, and the stack's intake (receipt codes) and sessions (a real
// conclusion): commitments created once from redelivered events, the state rules and
// their history, report dates across Tết, the petitioner's view and feedback, the
// reports for a commune and a province (checked against the rows themselves), the sweep,
// RLS on every table, and a full cycle from a concluded session to resolved commitments.
#include <grpcpp/grpcpp.h>

#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "consumed_events.h"
#include "dialogue/auth/token.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/db/tenant_directory.h"
#include "dialogue/events/consumer.h"
#include "dialogue/events/redis.h"
#include "dialogue/rpc/server.h"
#include "dialogue/v1/intake.grpc.pb.h"
#include "dialogue/v1/notices.pb.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "dialogue/v1/sessions.grpc.pb.h"
#include "store.h"
#include "supervision_service.h"
#include "sweep.h"
#include "test_support.h"

namespace dialogue::supervision {
namespace {

using auth::Role;
using testing::AdminQuery;
using testing::IsOk;
using testing::StackChannel;
using testing::StatusIs;
using testing::Token;
using testing::TokenAs;
using Stub = v1::SupervisionService::Stub;
using StatusCode = absl::StatusCode;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

int Count(const std::string& sql) { return std::stoi(AdminQuery(sql)); }

v1::ConclusionItem Item(const std::string& id, v1::ConclusionOutcome outcome,
                        const std::string& agency, const std::string& due,
                        const std::string& opinion = "") {
  v1::ConclusionItem item;
  item.set_id(id);
  item.set_summary(absl::StrCat("Kiến nghị số ", id));
  item.set_outcome(outcome);
  item.set_agency(agency);
  item.set_action(absl::StrCat("Giải quyết kiến nghị số ", id));
  item.set_due_date(due);
  if (!opinion.empty()) item.add_opinions(opinion);
  return item;
}

class SupervisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = rpc::StartServer({"127.0.0.1:0"}, {&service_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::SupervisionService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    v1::Hamlet hamlet;
    hamlet.set_id("xom-3");
    hamlet.set_display_name("Xóm 3");
    province_ = testing::NewProvince(2, {hamlet});
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    department_ = TokenAs("phong-kinh-te", a_, {Role::kDepartment});
    office_ = TokenAs("van-phong", a_, {Role::kGovernmentOffice});
    front_ = TokenAs("mttq", a_, {Role::kFront});
    auto source = calendar::CalendarSource::Open(
        absl::StrCat(DIALOGUE_SOURCE_DIR, "/libs/calendar/data/vn_holidays.json"));
    ASSERT_TRUE(source.ok()) << source.status();
    calendar_ = *std::move(source);
  }

  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const std::string& token, const Request& request, Response* response) {
    return testing::CallWith(*stub_, method, token, request, response);
  }

  void Publish(const std::string& tenant, const google::protobuf::Message& payload,
               const std::string& event_id) {
    stream_.Publish(tenant, "test", payload, event_id);
  }

  events::PollResult Drain() {
    events::ConsumerOptions options;
    options.group = "supervision";
    options.consumer = "test";
    options.processed_table = "supervision.processed_events";
    options.types = ConsumedEventTypes();
    return stream_.Drain(consumer_pool_, options,
                         [&](pqxx::dbtransaction& txn, const v1::Event& event) {
                           return ApplyEvent(txn, event, *calendar_);
                         });
  }

  // A conference of `tenant` concluded on `date` with `items`, applied from the stream.
  std::string Conclude(const std::string& tenant, const std::string& date,
                       std::vector<v1::ConclusionItem> items, bool complex = false) {
    v1::SessionConcluded concluded;
    concluded.set_session(absl::StrCat("tenants/", tenant, "/sessions/", common::NewUuid()));
    concluded.set_title("Hội nghị đối thoại năm " + date.substr(0, 4));
    concluded.set_date(date);
    concluded.set_complex(complex);
    for (auto& item : items) *concluded.add_items() = std::move(item);
    Publish(tenant, concluded, common::NewUuid());
    EXPECT_EQ(Drain().applied, 1);
    return concluded.session();
  }

  std::vector<v1::Commitment> List(const std::string& tenant, const std::string& token,
                                   const std::string& session = "") {
    v1::ListCommitmentsRequest list;
    list.set_parent("tenants/" + tenant);
    list.set_session(session);
    v1::ListCommitmentsResponse out;
    EXPECT_THAT(Call(&Stub::ListCommitments, token, list, &out), IsOk());
    return {out.commitments().begin(), out.commitments().end()};
  }

  absl::StatusOr<v1::Commitment> Progress(const std::string& token, const v1::Commitment& c,
                                          v1::CommitmentState to, const std::string& note,
                                          const std::string& reason = "",
                                          const std::string& etag = "") {
    v1::RecordProgressRequest request;
    request.set_name(c.name());
    request.set_etag(etag.empty() ? c.etag() : etag);
    request.set_state(to);
    request.set_note(note);
    request.set_reason(reason);
    request.add_evidence("Công văn số 45/BC-KT");
    v1::Commitment out;
    RETURN_IF_ERROR(Call(&Stub::RecordProgress, token, request, &out));
    return out;
  }

  absl::StatusOr<v1::Commitment> Get(const std::string& name, const std::string& as_of = "") {
    v1::GetCommitmentRequest get;
    get.set_name(name);
    get.set_as_of(as_of);
    v1::Commitment out;
    RETURN_IF_ERROR(Call(&Stub::GetCommitment, office_, get, &out));
    return out;
  }

  // An opinion of `tenant` in the stack's intake: its name and receipt code.
  std::pair<std::string, std::string> Opinion(const std::string& tenant) {
    auto intake = v1::IntakeService::NewStub(StackChannel("DIALOGUE_INTAKE_ADDR"));
    const std::string staff = TokenAs("front", tenant, {Role::kGovernmentOffice, Role::kFront});
    v1::CreateRoundRequest round_request;
    round_request.set_parent("tenants/" + tenant);
    round_request.mutable_round()->set_title("Đợt lấy ý kiến");
    round_request.mutable_round()->set_answer_due_date("2026-12-20");
    v1::Round round;
    EXPECT_THAT(testing::CallWith(*intake, &v1::IntakeService::Stub::CreateRound, staff,
                                  round_request, &round),
                IsOk());
    v1::CreateOpinionRequest create;
    create.set_parent("tenants/" + tenant);
    create.mutable_opinion()->set_round(round.name());
    create.mutable_opinion()->set_channel(v1::SURVEY_FORM);
    create.mutable_opinion()->set_hamlet("xom-3");
    create.mutable_opinion()->set_text("Đề nghị nạo vét kênh tiêu xóm 3");
    v1::Opinion opinion;
    EXPECT_THAT(testing::CallWith(*intake, &v1::IntakeService::Stub::CreateOpinion, staff, create,
                                  &opinion),
                IsOk());
    return {opinion.name(), opinion.receipt_code()};
  }

  db::ConnectionPool pool_{{testing::ServicePgUri("supervision"), 4}};
  db::ConnectionPool consumer_pool_{{testing::ServicePgUri("supervision"), 1}};
  db::TenantDirectory directory_{pool_};
  rpc::Authenticator authenticator_{
      *auth::TokenVerifier::Hs256(testing::TokenSecret(), "dialogue-local"), directory_};
  SupervisionStore store_{pool_};
  SupervisionService service_{store_, authenticator_, directory_,
                              StackChannel("DIALOGUE_INTAKE_ADDR")};
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<Stub> stub_;
  std::unique_ptr<calendar::CalendarSource> calendar_;
  testing::TestStream stream_{"supervision-test"};
  testing::Province province_;
  std::string a_, b_, department_, office_, front_;
};

TEST_F(SupervisionTest, EachItemBecomesOneCommitmentHoweverOftenItsEventComes) {
  v1::SessionConcluded concluded;
  concluded.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  concluded.set_title("Hội nghị đối thoại đầu năm");
  concluded.set_date("2026-02-05");
  const std::string opinion = absl::StrCat("tenants/", a_, "/opinions/", common::NewUuid());
  *concluded.add_items() =
      Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-06-30", opinion);
  *concluded.add_items() = Item("2", v1::OUTCOME_ACCEPTED, "", "");
  *concluded.add_items() = Item("3", v1::OUTCOME_RESOLVED_ON_SPOT, "", "");
  const std::string id = common::NewUuid();
  Publish(a_, concluded, id);
  Publish(a_, concluded, id);                 // the relay sent it twice
  Publish(a_, concluded, common::NewUuid());  // or sessions emitted it again
  events::PollResult drained = Drain();
  EXPECT_EQ(drained.applied, 2);
  EXPECT_EQ(drained.parked, 0);
  const std::string where = absl::StrCat(" WHERE tenant_id = '", a_, "'");
  EXPECT_EQ(Count("SELECT count(*) FROM supervision.commitments" + where), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM supervision.changes" + where), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM supervision.conferences" + where), 1);

  std::vector<v1::Commitment> made = List(a_, office_);
  ASSERT_EQ(made.size(), 2u);
  const v1::Commitment& road = made[0].item_id() == "1" ? made[0] : made[1];
  EXPECT_EQ(road.agency(), "Phòng Kinh tế");
  EXPECT_EQ(road.opinions_size(), 1);
  // The people read the same promises without an account, but not the opinions' files.
  std::vector<v1::Commitment> seen = List(a_, "");
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& c : seen) {
    EXPECT_EQ(c.opinions_size(), 0);
    EXPECT_TRUE(c.etag().empty());
    EXPECT_FALSE(c.action().empty());
  }
  EXPECT_EQ(road.state(), v1::COMMITMENT_ASSIGNED);
  // Until the notice is issued: 7 working days after the day it is due (26/2, which is
  // 10 working days after 5/2 across Tết): 9/3.
  EXPECT_EQ(road.report_due_date(), "2026-03-09");
  EXPECT_TRUE(road.report_due_provisional());

  // The conclusion notice, issued on 12/2 just before Tết: the report is due on 2/3.
  v1::NoticeIssued issued;
  issued.set_notice(absl::StrCat("tenants/", a_, "/notices/", common::NewUuid()));
  issued.set_kind(v1::NOTICE_CONCLUSION);
  issued.set_session(concluded.session());
  issued.set_issue_date("2026-02-12");
  issued.set_due_date("2026-02-26");
  Publish(a_, issued, common::NewUuid());
  v1::PlanPublished plan;
  plan.set_plan(absl::StrCat("tenants/", a_, "/plans/", common::NewUuid()));
  plan.set_year(2026);
  plan.add_conference_ids("1");
  plan.add_conference_ids("2");
  Publish(a_, plan, common::NewUuid());
  EXPECT_EQ(Drain().applied, 2);
  auto before = Get(road.name(), "2026-02-27");
  ASSERT_THAT(before, IsOk());
  EXPECT_EQ(before->report_due_date(), "2026-03-02");
  EXPECT_FALSE(before->report_due_provisional());
  // 27/2 is 15 days after the notice, but only 5 working days: not late yet.
  EXPECT_FALSE(before->report_overdue());
  EXPECT_TRUE(Get(road.name(), "2026-03-03")->report_overdue());
  EXPECT_FALSE(Get(road.name(), "2026-03-03")->overdue());
  EXPECT_TRUE(Get(road.name(), "2026-07-01")->overdue());

  v1::ListCommitmentHistoryRequest history;
  history.set_name(road.name());
  v1::ListCommitmentHistoryResponse changes;
  ASSERT_THAT(Call(&Stub::ListCommitmentHistory, office_, history, &changes), IsOk());
  ASSERT_EQ(changes.changes_size(), 2);
  EXPECT_EQ(changes.changes(0).kind(), v1::CHANGE_CREATED);
  EXPECT_EQ(changes.changes(1).kind(), v1::CHANGE_REPORT_DUE);
}

// Issue 19: every step a petitioner would see on the follow page (the commitment made, an
// agency's report, its result) goes to intake as CommitmentChanged, to tell them; a
// commitment made on no opinion, or a refused step, tells nobody.
TEST_F(SupervisionTest, EveryStepOfACommitmentIsAnnouncedForItsPetitioners) {
  const std::string opinion = absl::StrCat("tenants/", a_, "/opinions/", common::NewUuid());
  Conclude(a_, "2026-03-10",
           {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-09-30", opinion),
            Item("2", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-09-30")});
  std::map<std::string, v1::Commitment> by_item;
  for (const auto& c : List(a_, office_)) by_item[c.item_id()] = c;
  ASSERT_EQ(by_item.size(), 2u);
  auto reported = Progress(department_, by_item["1"], v1::COMMITMENT_REPORTED, "Đã khảo sát");
  ASSERT_THAT(reported, IsOk());
  EXPECT_THAT(Progress(department_, *reported, v1::COMMITMENT_ASSIGNED, "lùi lại"),
              StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_THAT(Progress(department_, *reported, v1::COMMITMENT_RESOLVED, "Đã nạo vét 1,2 km."),
              IsOk());
  ASSERT_THAT(Progress(department_, by_item["2"], v1::COMMITMENT_REPORTED, "Đã khảo sát"), IsOk());

  auto changed = testing::OutboxEvents("supervision", a_, "CommitmentChanged");
  ASSERT_THAT(changed, IsOk());
  std::vector<v1::CommitmentChanged> steps;
  for (const v1::Event& e : *changed) {
    ASSERT_TRUE(e.payload().UnpackTo(&steps.emplace_back()));
  }
  ASSERT_EQ(steps.size(), 3u);  // item 2 was made on no opinion
  for (const auto& step : steps) {
    EXPECT_EQ(step.commitment(), by_item["1"].name());
    ASSERT_EQ(step.opinions_size(), 1);
    EXPECT_EQ(step.opinions(0), opinion);
    EXPECT_EQ(step.agency(), "Phòng Kinh tế");
    EXPECT_EQ(step.due_date(), "2026-09-30");
    EXPECT_EQ(step.conference_date(), "2026-03-10");
  }
  EXPECT_EQ(steps[0].kind(), v1::CHANGE_CREATED);
  EXPECT_EQ(steps[0].to_state(), v1::COMMITMENT_ASSIGNED);
  EXPECT_EQ(steps[1].kind(), v1::CHANGE_PROGRESS);
  EXPECT_EQ(steps[1].from_state(), v1::COMMITMENT_ASSIGNED);
  EXPECT_EQ(steps[1].to_state(), v1::COMMITMENT_REPORTED);
  EXPECT_EQ(steps[1].note(), "Đã khảo sát");
  EXPECT_EQ(steps[2].from_state(), v1::COMMITMENT_REPORTED);
  EXPECT_EQ(steps[2].to_state(), v1::COMMITMENT_RESOLVED);
  EXPECT_EQ(steps[2].note(), "Đã nạo vét 1,2 km.");
  EXPECT_EQ(steps[2].date().size(), 10u);
}

// Issue 19: what a commune sends up reaches its province's inbox, with the commune and its
// due date; the province answers, and the answer comes back to the commune's record and,
// as CommitmentChanged, to the petitioners. No other province, and no commune, answers.
TEST_F(SupervisionTest, TheProvinceSeesWhatItsCommunesSentUpAndAnswersIt) {
  const std::string opinion = absl::StrCat("tenants/", a_, "/opinions/", common::NewUuid());
  v1::ConclusionItem beyond = Item("1", v1::OUTCOME_UNRESOLVED, "UBND tỉnh", "2026-09-30", opinion);
  beyond.set_beyond_commune(true);  // sent up at the conference
  Conclude(a_, "2026-03-10",
           {beyond, Item("2", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-08-31")});
  Conclude(b_, "2026-03-12", {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-07-31")});
  testing::Province other = testing::NewProvince(1);
  Conclude(other.tenants[0], "2026-03-12",
           {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-07-31")});
  std::map<std::string, v1::Commitment> a;
  for (const auto& c : List(a_, office_)) a[c.item_id()] = c;
  // B's office sends its item up later, with a reason; so does the other province's commune.
  const std::string office_b = TokenAs("van-phong", b_, {Role::kGovernmentOffice});
  const v1::Commitment b = List(b_, office_b)[0];
  auto reported = Progress(office_b, b, v1::COMMITMENT_REPORTED, "Đã khảo sát");
  ASSERT_THAT(reported, IsOk());
  ASSERT_THAT(Progress(office_b, *reported, v1::COMMITMENT_ESCALATED, "", "Cần vốn của tỉnh"),
              IsOk());
  const std::string office_c = TokenAs("van-phong", other.tenants[0], {Role::kGovernmentOffice});
  const v1::Commitment c = List(other.tenants[0], office_c)[0];
  ASSERT_THAT(Progress(office_c, c, v1::COMMITMENT_ESCALATED, "", "Ngoài thẩm quyền"), IsOk());

  const std::string upper = TokenAs("so-xay-dung", "", {Role::kProvince}, province_.id);
  v1::ListEscalationsRequest list;
  list.set_province("provinces/" + province_.id);
  v1::ListEscalationsResponse inbox;
  ASSERT_THAT(Call(&Stub::ListEscalations, upper, list, &inbox), IsOk());
  ASSERT_EQ(inbox.escalations_size(), 2);              // A's and B's; not the other province's
  const v1::Escalation& first = inbox.escalations(0);  // due 31/7: the more urgent
  EXPECT_EQ(first.commitment().name(), b.name());
  EXPECT_EQ(first.commitment().due_date(), "2026-07-31");
  EXPECT_EQ(first.reason(), "Cần vốn của tỉnh");
  EXPECT_FALSE(first.commune().empty());
  const v1::Escalation& second = inbox.escalations(1);
  EXPECT_EQ(second.commitment().name(), a["1"].name());
  EXPECT_EQ(second.reason(), "Vượt thẩm quyền cấp xã");
  EXPECT_EQ(second.session_title(), "Hội nghị đối thoại năm 2026");
  // Only the province's own accounts: not another province's, not the commune's staff.
  v1::ListEscalationsResponse refused;
  EXPECT_THAT(Call(&Stub::ListEscalations, Token("", {Role::kProvince}, other.id), list, &refused),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  EXPECT_THAT(Call(&Stub::ListEscalations, office_, list, &refused),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  list.set_page_size(1);
  ASSERT_THAT(Call(&Stub::ListEscalations, upper, list, &inbox), IsOk());
  ASSERT_EQ(inbox.escalations_size(), 1);
  list.set_page_token(inbox.next_page_token());
  ASSERT_THAT(Call(&Stub::ListEscalations, upper, list, &inbox), IsOk());
  ASSERT_EQ(inbox.escalations_size(), 1);
  EXPECT_EQ(inbox.escalations(0).commitment().name(), a["1"].name());
  EXPECT_EQ(inbox.next_page_token(), "");
  list.clear_page_size();
  list.clear_page_token();

  // Refused answers change nothing.
  v1::AnswerEscalationRequest answer;
  answer.set_name(a["1"].name());
  answer.mutable_answer()->set_outcome(v1::UPPER_TAKEN_UP);
  answer.mutable_answer()->set_answer("Tỉnh đưa tuyến đê vào kế hoạch vốn năm 2027.");
  answer.mutable_answer()->set_body("Sở Nông nghiệp và Môi trường");
  v1::Commitment out;
  EXPECT_THAT(Call(&Stub::AnswerEscalation, upper, answer, &out),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));  // by when?
  answer.mutable_answer()->set_due_date("2027-06-30");
  EXPECT_THAT(Call(&Stub::AnswerEscalation, office_, answer, &out),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  EXPECT_THAT(Call(&Stub::AnswerEscalation, Token("", {Role::kProvince}, other.id), answer, &out),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  v1::AnswerEscalationRequest not_sent = answer;
  not_sent.set_name(a["2"].name());
  EXPECT_THAT(Call(&Stub::AnswerEscalation, upper, not_sent, &out),
              StatusIs(StatusCode::kFailedPrecondition, "NOT_ESCALATED"));
  EXPECT_EQ(Get(a["1"].name())->etag(), a["1"].etag());

  ASSERT_THAT(Call(&Stub::AnswerEscalation, upper, answer, &out), IsOk());
  EXPECT_EQ(out.state(), v1::COMMITMENT_ESCALATED);  // the upper level acts now
  EXPECT_EQ(out.due_date(), "2027-06-30");
  EXPECT_EQ(out.upper_answer().outcome(), v1::UPPER_TAKEN_UP);
  EXPECT_EQ(out.upper_answer().answered_by(), "so-xay-dung");
  EXPECT_EQ(out.upper_answer().date().size(), 10u);
  // Answered: out of the inbox, but there when asked for.
  ASSERT_THAT(Call(&Stub::ListEscalations, upper, list, &inbox), IsOk());
  ASSERT_EQ(inbox.escalations_size(), 1);
  EXPECT_EQ(inbox.escalations(0).commitment().name(), b.name());
  list.set_include_answered(true);
  ASSERT_THAT(Call(&Stub::ListEscalations, upper, list, &inbox), IsOk());
  EXPECT_EQ(inbox.escalations_size(), 2);

  v1::AnswerEscalationRequest resolve;
  resolve.set_name(b.name());
  resolve.mutable_answer()->set_outcome(v1::UPPER_RESOLVED);
  resolve.mutable_answer()->set_answer("Tỉnh đã cấp vốn, công trình xong.");
  ASSERT_THAT(Call(&Stub::AnswerEscalation, upper, resolve, &out), IsOk());
  EXPECT_EQ(out.state(), v1::COMMITMENT_RESOLVED);
  EXPECT_FALSE(out.resolve_date().empty());

  // The commune reads the answer on its own record and in the history.
  auto seen = Get(a["1"].name());
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(seen->upper_answer().answer(), "Tỉnh đưa tuyến đê vào kế hoạch vốn năm 2027.");
  EXPECT_EQ(seen->upper_answer().body(), "Sở Nông nghiệp và Môi trường");
  v1::ListCommitmentHistoryRequest history;
  history.set_name(a["1"].name());
  v1::ListCommitmentHistoryResponse changes;
  ASSERT_THAT(Call(&Stub::ListCommitmentHistory, office_, history, &changes), IsOk());
  ASSERT_GE(changes.changes_size(), 2);
  const v1::CommitmentChange& last = changes.changes(changes.changes_size() - 1);
  EXPECT_EQ(last.kind(), v1::CHANGE_UPPER_ANSWER);
  EXPECT_EQ(last.actor(), "so-xay-dung");
  // And it goes on to the petitioners of A's item.
  auto told = testing::OutboxEvents("supervision", a_, "CommitmentChanged");
  ASSERT_THAT(told, IsOk());
  v1::CommitmentChanged answered;
  ASSERT_TRUE(told->back().payload().UnpackTo(&answered));
  EXPECT_EQ(answered.kind(), v1::CHANGE_UPPER_ANSWER);
  EXPECT_EQ(answered.note(), "Tỉnh đưa tuyến đê vào kế hoạch vốn năm 2027.");
  EXPECT_EQ(answered.due_date(), "2027-06-30");

  // A commune created a moment ago is in its province's inbox at once.
  const std::string fresh_id = testing::NewCommuneIn(province_.id, "Xã mới sáp nhập");
  v1::ConclusionItem dyke = Item("1", v1::OUTCOME_UNRESOLVED, "UBND tỉnh", "2026-10-31");
  dyke.set_beyond_commune(true);
  Conclude(fresh_id, "2026-03-20", {dyke});
  list.set_include_answered(false);
  ASSERT_THAT(Call(&Stub::ListEscalations, upper, list, &inbox), IsOk());
  ASSERT_EQ(inbox.escalations_size(), 1);
  EXPECT_EQ(inbox.escalations(0).commune(), "Xã mới sáp nhập");
}

// Issue 19, seed 002: a district's office and chair read what the communes under it sent up
// and answer it; a commune of the same province outside the district is not theirs, and
// neither the communes' own staff nor the district's citizens read the district's inbox.
TEST_F(SupervisionTest, ADistrictSeesWhatItsOwnCommunesSentUpAndAnswersIt) {
  v1::Tenant model;
  model.set_display_name("Huyện thử nghiệm");
  model.set_kind(v1::DISTRICT);
  const std::string district = testing::CommuneLike(model);
  model.set_display_name("Xã dưới huyện");
  model.set_kind(v1::COMMUNE);
  const std::string under = testing::CommuneLike(model, district);
  const std::string province = testing::AdminQuery(
      absl::StrCat("SELECT province_id FROM tenancy.tenants WHERE id = '", district, "'"));
  const std::string beside = testing::NewCommuneIn(province, "Xã ngoài huyện");
  for (const std::string& tenant : {under, beside}) {
    v1::ConclusionItem item = Item("1", v1::OUTCOME_UNRESOLVED, "UBND huyện", "2026-09-30");
    item.set_beyond_commune(true);
    Conclude(tenant, "2026-03-10", {item});
  }
  const std::string office = TokenAs("van-phong-huyen", district, {Role::kGovernmentOffice});
  v1::ListEscalationsRequest list;
  list.set_district("tenants/" + district);
  v1::ListEscalationsResponse inbox;
  ASSERT_THAT(Call(&Stub::ListEscalations, office, list, &inbox), IsOk());
  ASSERT_EQ(inbox.escalations_size(), 1);
  EXPECT_EQ(inbox.escalations(0).commune(), "Xã dưới huyện");
  EXPECT_EQ(inbox.escalations(0).commitment().due_date(), "2026-09-30");
  const v1::Commitment sent = inbox.escalations(0).commitment();

  v1::ListEscalationsResponse refused;
  for (const std::string& token :
       {TokenAs("van-phong", under, {Role::kGovernmentOffice, Role::kChair}),
        Token(district, {Role::kCitizen}), Token(beside, {Role::kGovernmentOffice})}) {
    EXPECT_THAT(Call(&Stub::ListEscalations, token, list, &refused),
                StatusIs(StatusCode::kPermissionDenied, "DISTRICT_FORBIDDEN"));
  }
  list.set_province("provinces/" + province);
  EXPECT_THAT(Call(&Stub::ListEscalations, office, list, &refused),
              StatusIs(StatusCode::kInvalidArgument, "UPPER_LEVEL_AMBIGUOUS"));

  // The district answers its commune's item; the commune outside it is not the district's.
  v1::AnswerEscalationRequest answer;
  answer.set_name(sent.name());
  answer.mutable_answer()->set_outcome(v1::UPPER_TAKEN_UP);
  answer.mutable_answer()->set_answer("Huyện bố trí vốn sửa cầu trong năm 2027.");
  answer.mutable_answer()->set_due_date("2027-03-31");
  v1::Commitment out;
  ASSERT_THAT(Call(&Stub::AnswerEscalation, office, answer, &out), IsOk());
  EXPECT_EQ(out.upper_answer().answered_by(), "van-phong-huyen");
  EXPECT_EQ(out.due_date(), "2027-03-31");
  const std::vector<v1::Commitment> outside =
      List(beside, Token(beside, {Role::kGovernmentOffice}));
  ASSERT_EQ(outside.size(), 1u);
  answer.set_name(outside[0].name());
  EXPECT_THAT(Call(&Stub::AnswerEscalation, office, answer, &out),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  list.clear_province();
  ASSERT_THAT(Call(&Stub::ListEscalations, office, list, &inbox), IsOk());
  EXPECT_EQ(inbox.escalations_size(), 0) << "answered: out of the inbox";
}

// Issue 19: supervision counts the commune's own days off, as planning does.
TEST_F(SupervisionTest, ACommunesOwnDaysOffMoveItsReportDates) {
  AdminQuery(absl::StrCat("INSERT INTO tenancy.tenant_days_off (tenant_id, day, reason) VALUES ('",
                          a_, "', '2026-02-09', 'Bão số 1'); SELECT 1"));
  v1::SessionConcluded concluded;
  concluded.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  concluded.set_title("Hội nghị đối thoại đầu năm");
  concluded.set_date("2026-02-05");
  *concluded.add_items() = Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-06-30",
                                absl::StrCat("tenants/", a_, "/opinions/", common::NewUuid()));
  Publish(a_, concluded, common::NewUuid());
  EXPECT_EQ(Drain().applied, 1);

  calendar::WorkingDayCalendar own(calendar_->Current(), {absl::CivilDay(2026, 2, 9)});
  auto notice_due = own.AddWorkingDays(absl::CivilDay(2026, 2, 5), 10);
  ASSERT_TRUE(notice_due.ok());
  auto report_due = own.AddWorkingDays(*notice_due, 7);
  ASSERT_TRUE(report_due.ok());
  std::vector<v1::Commitment> made = List(a_, office_);
  ASSERT_EQ(made.size(), 1u);
  // 9/3 on the national calendar alone (the test above); a day later with the storm's day.
  EXPECT_EQ(made[0].report_due_date(), calendar::FormatDate(*report_due));
  EXPECT_EQ(made[0].report_due_date(), "2026-03-10");
}

TEST_F(SupervisionTest, StateRulesRolesAndTenantsWithNothingChangedOnRefusal) {
  Conclude(a_, "2026-10-01", {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-12-31")});
  v1::Commitment c = List(a_, office_)[0];

  EXPECT_THAT(Progress(department_, c, v1::COMMITMENT_RESOLVED, "xong"),
              StatusIs(StatusCode::kFailedPrecondition, "TRANSITION_NOT_ALLOWED"));
  EXPECT_THAT(Progress(department_, c, v1::COMMITMENT_REPORTED, ""),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
  EXPECT_THAT(Progress(department_, c, v1::COMMITMENT_ESCALATED, "", "vượt thẩm quyền"),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_REQUIRED"));
  EXPECT_THAT(Progress(front_, c, v1::COMMITMENT_REPORTED, "báo cáo"),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_REQUIRED"));
  EXPECT_THAT(Progress(TokenAs("x", b_, {Role::kDepartment}), c, v1::COMMITMENT_REPORTED, "r"),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Progress(Token("", {Role::kProvince}, province_.id), c, v1::COMMITMENT_REPORTED, "r"),
              StatusIs(StatusCode::kPermissionDenied));
  v1::Commitment wrong = c;
  wrong.set_name(absl::StrCat("tenants/", a_, "/commitments/not-a-uuid"));
  EXPECT_THAT(Progress(department_, wrong, v1::COMMITMENT_REPORTED, "r"),
              StatusIs(StatusCode::kInvalidArgument));
  wrong.set_name(absl::StrCat("tenants/", a_, "/commitments/", common::NewUuid()));
  EXPECT_THAT(Progress(department_, wrong, v1::COMMITMENT_REPORTED, "r"),
              StatusIs(StatusCode::kNotFound, "COMMITMENT_NOT_FOUND"));
  ASSERT_EQ(Get(c.name())->state(), v1::COMMITMENT_ASSIGNED);
  EXPECT_EQ(Get(c.name())->etag(), c.etag());

  auto reported = Progress(department_, c, v1::COMMITMENT_REPORTED,
                           "Phòng đã khảo sát, dự kiến hoàn thành trong tháng 12");
  ASSERT_THAT(reported, IsOk());
  EXPECT_THAT(Progress(department_, c, v1::COMMITMENT_IN_PROGRESS, "bắt đầu", "", c.etag()),
              StatusIs(StatusCode::kAborted, "ETAG_MISMATCH"));
  auto started = Progress(department_, *reported, v1::COMMITMENT_IN_PROGRESS, "Đã thi công");
  ASSERT_THAT(started, IsOk());
  auto resolved = Progress(office_, *started, v1::COMMITMENT_RESOLVED, "Đã nghiệm thu");
  ASSERT_THAT(resolved, IsOk());
  EXPECT_EQ(resolved->resolve_date(), calendar::FormatDate(calendar::TodayInVietnam(absl::Now())));
  EXPECT_TRUE(resolved->resolved_on_time());

  // The Front judges it not done and reopens it.
  v1::RecordCheckRequest check;
  check.set_name(c.name());
  check.set_findings("Mặt đường đã bong tróc sau 2 tuần");
  check.set_rating(v1::RATING_NOT_DONE);
  check.set_reopen(true);
  v1::Commitment reopened;
  EXPECT_THAT(Call(&Stub::RecordCheck, office_, check, &reopened),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_REQUIRED"));
  ASSERT_THAT(Call(&Stub::RecordCheck, front_, check, &reopened), IsOk());
  EXPECT_EQ(reopened.state(), v1::COMMITMENT_IN_PROGRESS);
  EXPECT_EQ(reopened.reopen_count(), 1);
  EXPECT_EQ(reopened.resolve_date(), "");

  v1::ListCommitmentHistoryRequest history;
  history.set_name(c.name());
  v1::ListCommitmentHistoryResponse changes;
  ASSERT_THAT(Call(&Stub::ListCommitmentHistory, front_, history, &changes), IsOk());
  ASSERT_EQ(changes.changes_size(), 5);
  EXPECT_EQ(changes.changes(1).actor(), "phong-kinh-te");
  EXPECT_EQ(changes.changes(1).to_state(), v1::COMMITMENT_REPORTED);
  EXPECT_EQ(changes.changes(1).evidence(0), "Công văn số 45/BC-KT");
  EXPECT_EQ(changes.changes(3).actor(), "van-phong");
  EXPECT_EQ(changes.changes(4).actor(), "mttq");
  EXPECT_EQ(changes.changes(4).rating(), v1::RATING_NOT_DONE);
  EXPECT_TRUE(changes.changes(4).reopened());
  EXPECT_TRUE(changes.changes(4).has_time());

  // Bad requests of the lists.
  v1::ListCommitmentsRequest list;
  list.set_parent("tenants/" + a_);
  list.set_page_token("abc");
  v1::ListCommitmentsResponse page;
  EXPECT_THAT(Call(&Stub::ListCommitments, office_, list, &page),
              StatusIs(StatusCode::kInvalidArgument, "PAGE_TOKEN_INVALID"));
  list.clear_page_token();
  list.set_as_of("23/11/2026");
  EXPECT_THAT(Call(&Stub::ListCommitments, office_, list, &page),
              StatusIs(StatusCode::kInvalidArgument, "DATE_INVALID"));
  // Another commune's list is public: its office reads it as anyone does. One that does not
  // exist is said so.
  list.set_parent("tenants/" + b_);
  list.clear_as_of();
  EXPECT_THAT(Call(&Stub::ListCommitments, office_, list, &page), IsOk());
  list.set_parent("tenants/no-such-commune");
  EXPECT_THAT(Call(&Stub::ListCommitments, office_, list, &page),
              StatusIs(StatusCode::kNotFound, "TENANT_NOT_FOUND"));
  list.set_parent("tenants/" + a_);
  list.set_page_size(-1);
  EXPECT_THAT(Call(&Stub::ListCommitments, office_, list, &page),
              StatusIs(StatusCode::kInvalidArgument, "PAGE_SIZE_INVALID"));
  EXPECT_THAT(Get(c.name(), "2026-13-01"), StatusIs(StatusCode::kInvalidArgument, "DATE_INVALID"));
  history.set_name(absl::StrCat("tenants/", a_, "/commitments/", common::NewUuid()));
  EXPECT_THAT(Call(&Stub::ListCommitmentHistory, front_, history, &changes),
              StatusIs(StatusCode::kNotFound, "COMMITMENT_NOT_FOUND"));
  // A check without findings or rating, over the wire, changes nothing.
  v1::RecordCheckRequest bare;
  bare.set_name(c.name());
  EXPECT_THAT(Call(&Stub::RecordCheck, front_, bare, &reopened),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
  EXPECT_EQ(Get(c.name())->etag(), reopened.etag());
}

TEST_F(SupervisionTest, ThePetitionerFollowsByReceiptCodeAndAsksToReopen) {
  auto [opinion, code] = Opinion(a_);
  ASSERT_FALSE(code.empty());
  Conclude(a_, "2026-10-01",
           {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-12-31", opinion),
            Item("2", v1::OUTCOME_UNRESOLVED, "Phòng Văn hóa - Xã hội", "2026-12-31")});
  v1::FollowCommitmentsRequest follow;
  // As the citizen typed it: lower case.
  follow.set_parent(absl::StrCat("tenants/", a_, "/receipts/", absl::AsciiStrToLower(code)));
  v1::FollowCommitmentsResponse seen;
  ASSERT_THAT(Call(&Stub::FollowCommitments, "", follow, &seen), IsOk());
  EXPECT_EQ(seen.receipt_code(), code);
  ASSERT_EQ(seen.commitments_size(), 1);  // only the item made on this opinion
  const v1::PublicCommitment& mine = seen.commitments(0);
  EXPECT_EQ(mine.agency(), "Phòng Kinh tế");
  EXPECT_EQ(mine.state(), v1::COMMITMENT_ASSIGNED);
  EXPECT_TRUE(absl::StartsWith(mine.name(), absl::StrCat("tenants/", a_, "/receipts/", code)));

  follow.set_parent(absl::StrCat("tenants/", a_, "/receipts/not a code"));
  EXPECT_THAT(Call(&Stub::FollowCommitments, "", follow, &seen),
              StatusIs(StatusCode::kInvalidArgument));
  follow.set_parent(absl::StrCat("tenants/", a_, "/receipts/UUUU-UUUU-UUUU"));
  EXPECT_THAT(Call(&Stub::FollowCommitments, "", follow, &seen),
              StatusIs(StatusCode::kInvalidArgument, "RECEIPT_CODE_INVALID"));
  follow.set_parent(absl::StrCat("tenants/", a_, "/receipts/AAAA-BBBB-CCCC"));
  EXPECT_THAT(Call(&Stub::FollowCommitments, "", follow, &seen),
              StatusIs(StatusCode::kNotFound, "RECEIPT_NOT_FOUND"));
  follow.set_parent(absl::StrCat("tenants/", b_, "/receipts/", code));  // another commune's
  EXPECT_THAT(Call(&Stub::FollowCommitments, "", follow, &seen),
              StatusIs(StatusCode::kNotFound, "RECEIPT_NOT_FOUND"));

  v1::GiveFeedbackRequest feedback;
  feedback.set_name(absl::StrCat("tenants/", a_, "/commitments/", common::NewUuid()));
  v1::PublicCommitment after;
  EXPECT_THAT(Call(&Stub::GiveFeedback, "", feedback, &after),
              StatusIs(StatusCode::kInvalidArgument));  // not a receipt's commitment
  feedback.set_name(mine.name());
  feedback.set_satisfied(false);
  feedback.set_comment("Kênh vẫn tắc");
  feedback.set_request_reopen(true);
  EXPECT_THAT(Call(&Stub::GiveFeedback, "", feedback, &after),
              StatusIs(StatusCode::kFailedPrecondition, "NO_RESULT_YET"));

  v1::Commitment c = List(a_, office_, "")[0];
  if (c.item_id() != "1") c = List(a_, office_, "")[1];
  auto reported = Progress(department_, c, v1::COMMITMENT_REPORTED, "Sẽ nạo vét trong tháng 11");
  ASSERT_THAT(reported, IsOk());
  ASSERT_THAT(Progress(office_, *reported, v1::COMMITMENT_RESOLVED, "Đã nạo vét"), IsOk());

  feedback.set_satisfied(true);
  EXPECT_THAT(Call(&Stub::GiveFeedback, "", feedback, &after),
              StatusIs(StatusCode::kInvalidArgument, "REOPEN_WHEN_SATISFIED"));
  feedback.set_satisfied(false);
  feedback.set_comment(std::string(2001, 'x'));
  EXPECT_THAT(Call(&Stub::GiveFeedback, "", feedback, &after),
              StatusIs(StatusCode::kInvalidArgument));
  feedback.set_comment("Kênh vẫn tắc");
  // The other item is not on this receipt's opinion.
  v1::Commitment other = List(a_, office_, "")[c.item_id() == "1" ? 1 : 0];
  v1::GiveFeedbackRequest elsewhere = feedback;
  elsewhere.set_name(absl::StrCat("tenants/", a_, "/receipts/", code, "/commitments/",
                                  other.name().substr(other.name().rfind('/') + 1)));
  EXPECT_THAT(Call(&Stub::GiveFeedback, "", elsewhere, &after),
              StatusIs(StatusCode::kNotFound, "COMMITMENT_NOT_FOUND"));

  ASSERT_THAT(Call(&Stub::GiveFeedback, "", feedback, &after), IsOk());
  EXPECT_TRUE(after.feedback_given());
  EXPECT_FALSE(after.satisfied());
  EXPECT_TRUE(after.reopen_requested());
  ASSERT_GE(after.progress_size(), 3);
  EXPECT_EQ(after.progress(1).note(), "Sẽ nạo vét trong tháng 11");
  ASSERT_THAT(Call(&Stub::GiveFeedback, "", feedback, &after), IsOk());  // again: replaced
  auto staff_view = Get(c.name());
  ASSERT_THAT(staff_view, IsOk());
  EXPECT_TRUE(staff_view->reopen_requested());
  EXPECT_EQ(staff_view->not_satisfied_count(), 1);

  // The Front decides: reopened.
  v1::RecordCheckRequest check;
  check.set_name(c.name());
  check.set_findings("Kiểm tra thực tế: đoạn cuối kênh chưa nạo vét");
  check.set_rating(v1::RATING_PARTLY);
  check.set_reopen(true);
  v1::Commitment decided;
  ASSERT_THAT(Call(&Stub::RecordCheck, front_, check, &decided), IsOk());
  EXPECT_FALSE(decided.reopen_requested());
  EXPECT_EQ(decided.state(), v1::COMMITMENT_IN_PROGRESS);
}

TEST_F(SupervisionTest, AReportMonthsLateStaysLateAfterItComesAndIsCounted) {
  Conclude(a_, "2026-03-10",
           {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-12-31"),
            Item("2", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-12-31")});
  std::map<std::string, v1::Commitment> by_item;
  for (const auto& c : List(a_, office_)) by_item[c.item_id()] = c;
  ASSERT_EQ(by_item.size(), 2u);
  const std::string report_due = by_item["1"].report_due_date();
  ASSERT_LT(report_due, "2026-04-30");
  auto report_on = [&](const v1::Commitment& c, const std::string& date) {
    v1::RecordProgressRequest request;
    request.set_name(c.name());
    request.set_etag(c.etag());
    request.set_state(v1::COMMITMENT_REPORTED);
    request.set_note("Báo cáo bằng văn bản");
    request.set_date(date);
    v1::Commitment out;
    absl::Status status = Call(&Stub::RecordProgress, department_, request, &out);
    return status.ok() ? absl::StatusOr<v1::Commitment>(out) : status;
  };
  ASSERT_THAT(report_on(by_item["1"], "2026-03-20"), IsOk());
  auto late = report_on(by_item["2"], "2026-09-15");  // six months after it was due
  ASSERT_THAT(late, IsOk());
  EXPECT_EQ(late->report_date(), "2026-09-15");

  auto seen = Get(late->name(), "2026-10-01");
  ASSERT_THAT(seen, IsOk());
  EXPECT_FALSE(seen->report_overdue());  // nothing is awaited from the agency any more
  EXPECT_TRUE(seen->report_late());      // but it came late, and that stays
  EXPECT_FALSE(Get(by_item["1"].name(), "2026-10-01")->report_late());

  v1::GetCommuneReportRequest commune;
  commune.set_tenant("tenants/" + a_);
  commune.set_year(2026);
  commune.set_as_of("2026-10-01");
  v1::CommuneReport report;
  ASSERT_THAT(Call(&Stub::GetCommuneReport, office_, commune, &report), IsOk());
  EXPECT_EQ(report.reports_late(), 1);
  ASSERT_EQ(report.reported_late_size(), 1);
  EXPECT_EQ(report.reported_late(0).item_id(), "2");
  EXPECT_EQ(report.report_overdue_size(), 0);
  ASSERT_EQ(report.by_agency_size(), 1);
  EXPECT_EQ(report.by_agency(0).reports_late(), 1);
}

TEST_F(SupervisionTest, ReportsForTheCommuneAndTheProvinceAgreeWithTheRows) {
  Conclude(a_, "2026-03-10",
           {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-04-30"),
            Item("2", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-12-31"),
            Item("3", v1::OUTCOME_UNRESOLVED, "Phòng Văn hóa - Xã hội", "2026-05-31"),
            Item("4", v1::OUTCOME_UNRESOLVED, "Cấp tỉnh", "2026-09-30")});
  std::vector<v1::Commitment> made = List(a_, office_);
  ASSERT_EQ(made.size(), 4u);
  std::map<std::string, v1::Commitment> by_item;
  for (const auto& c : made) by_item[c.item_id()] = c;
  auto reported = Progress(department_, by_item["2"], v1::COMMITMENT_REPORTED, "Đã có kế hoạch");
  ASSERT_THAT(reported, IsOk());
  ASSERT_THAT(Progress(office_, *reported, v1::COMMITMENT_RESOLVED, "Xong"), IsOk());
  ASSERT_THAT(Progress(office_, by_item["4"], v1::COMMITMENT_ESCALATED, "", "Đất rừng phòng hộ"),
              IsOk());

  v1::GetCommuneReportRequest commune;
  commune.set_tenant("tenants/" + a_);
  commune.set_year(2026);
  commune.set_as_of("2026-06-15");
  v1::CommuneReport report;
  ASSERT_THAT(Call(&Stub::GetCommuneReport, office_, commune, &report), IsOk());
  EXPECT_EQ(report.commitments(), 4);
  EXPECT_EQ(report.resolved(), 1);
  EXPECT_EQ(report.resolved_on_time(), 1);
  EXPECT_DOUBLE_EQ(report.on_time_rate(), 1.0);
  ASSERT_EQ(report.overdue_size(), 2);  // items 1 and 3, due 30/4 and 31/5
  EXPECT_EQ(report.overdue(0).item_id(), "1");
  EXPECT_EQ(report.overdue(1).item_id(), "3");
  ASSERT_EQ(report.escalated_size(), 1);
  ASSERT_EQ(report.by_agency_size(), 3);
  EXPECT_EQ(report.by_agency(1).agency(), "Phòng Kinh tế");
  EXPECT_EQ(report.by_agency(1).total(), 2);
  EXPECT_EQ(report.by_agency(1).overdue(), 1);
  ASSERT_EQ(report.conferences_size(), 1);
  EXPECT_EQ(report.conferences(0).commitments(), 4);
  EXPECT_EQ(report.conferences(0).notice_issue_date(), "");
  // A province reader may read it; another commune's staff may not.
  EXPECT_THAT(
      Call(&Stub::GetCommuneReport, Token("", {Role::kProvince}, province_.id), commune, &report),
      IsOk());
  EXPECT_THAT(Call(&Stub::GetCommuneReport, TokenAs("x", b_, {Role::kChair}), commune, &report),
              StatusIs(StatusCode::kPermissionDenied));

  // Issue 20: the same report as the document the commune sends upward.
  v1::RenderCommuneReportRequest render;
  render.set_tenant(commune.tenant());
  render.set_year(2026);
  render.set_as_of("2026-06-15");
  render.set_format("text");
  render.set_signer("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nKhổng Quốc Toàn");
  v1::HttpBody printed;
  ASSERT_THAT(Call(&Stub::RenderCommuneReport, office_, render, &printed), IsOk());
  const std::string& text = printed.data();
  EXPECT_THAT(text, HasSubstr("ngày 15 tháng 6 năm 2026\n"));
  EXPECT_THAT(text, HasSubstr("BÁO CÁO\nKết quả thực hiện các nội dung kết luận tại hội nghị "
                              "đối thoại năm 2026\n"));
  EXPECT_THAT(text, HasSubstr("chưa ban hành thông báo kết luận"));
  EXPECT_THAT(text, HasSubstr("Năm 2026 chưa có kế hoạch hội nghị đối thoại được ban hành; đến "
                              "ngày 15/06/2026 đã tổ chức 1 hội nghị."));
  EXPECT_THAT(text, HasSubstr("Tổng số nội dung phải thực hiện: 4; đã giải quyết 1, trong đó "
                              "đúng hạn 1 (100,0%)."));
  EXPECT_THAT(text, HasSubstr("- Phòng Kinh tế: 2 nội dung; đã giải quyết 1 (đúng hạn 1); đang "
                              "thực hiện 1; quá hạn 1; báo cáo trễ hạn 2."));
  EXPECT_THAT(text, HasSubstr("Quá hạn giải quyết: 2 nội dung:\n1. "));
  EXPECT_THAT(text, HasSubstr("Vượt thẩm quyền của xã, đã chuyển cấp trên: 1 nội dung:"));
  EXPECT_THAT(text, HasSubstr("CHỦ TỊCH\n"));
  EXPECT_THAT(text, HasSubstr("Khổng Quốc Toàn"));
  render.set_format("docx");
  ASSERT_THAT(Call(&Stub::RenderCommuneReport, office_, render, &printed), IsOk());
  EXPECT_EQ(printed.data().substr(0, 2), "PK");
  EXPECT_THAT(printed.filename(), HasSubstr("bao-cao-ket-qua-2026"));
  // The province reads it too; another commune's staff do not; bad input is named.
  render.set_format("html");
  EXPECT_THAT(Call(&Stub::RenderCommuneReport, Token("", {Role::kProvince}, province_.id), render,
                   &printed),
              IsOk());
  EXPECT_THAT(printed.data(), HasSubstr("size: A4"));
  EXPECT_THAT(Call(&Stub::RenderCommuneReport, TokenAs("x", b_, {Role::kChair}), render, &printed),
              StatusIs(StatusCode::kPermissionDenied));
  render.set_format("pdf");
  EXPECT_THAT(Call(&Stub::RenderCommuneReport, office_, render, &printed),
              StatusIs(StatusCode::kInvalidArgument, "FORMAT_INVALID"));
  render.set_format("html");
  render.set_as_of("15/06/2026");
  EXPECT_THAT(Call(&Stub::RenderCommuneReport, office_, render, &printed),
              StatusIs(StatusCode::kInvalidArgument));

  v1::GetProvinceReportRequest request;
  request.set_province("provinces/" + province_.id);
  request.set_year(2026);
  request.set_as_of("2026-06-15");
  const std::string reader = Token("", {Role::kProvince}, province_.id);
  v1::ProvinceReport province;
  ASSERT_THAT(Call(&Stub::GetProvinceReport, reader, request, &province), IsOk());
  ASSERT_EQ(province.communes_size(), 2);
  const v1::CommuneSummary& row = province.communes(0).tenant() == "tenants/" + a_
                                      ? province.communes(0)
                                      : province.communes(1);
  // The tallies the report reads agree with the commitments themselves.
  const std::string rows =
      absl::StrCat("FROM supervision.commitments WHERE tenant_id = '", a_, "' AND year = 2026");
  EXPECT_EQ(row.commitments(), Count("SELECT count(*) " + rows));
  EXPECT_EQ(row.resolved(),
            Count("SELECT count(*) " + rows + " AND state = 'COMMITMENT_RESOLVED'"));
  EXPECT_EQ(row.open(), Count("SELECT count(*) " + rows + " AND supervision.is_open(state)"));
  EXPECT_EQ(row.overdue(), Count("SELECT count(*) " + rows +
                                 " AND supervision.is_open(state) AND due_date < '2026-06-15'"));
  EXPECT_EQ(row.overdue(), 2);  // 1 and 3; 4 (escalated) is due 30/9
  EXPECT_EQ(row.escalated(), 1);
  EXPECT_EQ(row.conferences_held(), 1);
  EXPECT_FALSE(row.not_yet_held());
  ASSERT_EQ(province.not_yet_held_size(), 1);
  EXPECT_EQ(province.not_yet_held(0), "tenants/" + b_);
  EXPECT_EQ(province.totals().commitments(), 4);

  v1::HttpBody csv;
  ASSERT_THAT(Call(&Stub::ExportProvinceReport, reader, request, &csv), IsOk());
  EXPECT_EQ(csv.content_type(), "text/csv; charset=utf-8");
  EXPECT_THAT(csv.data(), HasSubstr(absl::StrCat("tenants/", a_, ",")));
  EXPECT_THAT(csv.data(), HasSubstr(absl::StrCat("tenants/", b_, ",")));

  // Issue 20: the province's summary as the document the upper level files.
  v1::RenderProvinceReportRequest document;
  document.set_province(request.province());
  document.set_year(2026);
  document.set_as_of("2026-06-15");
  document.set_format("text");
  document.set_issuing_body("Ban Dân vận Tỉnh ủy");
  document.set_signer("T/M BAN THƯỜNG VỤ\nTRƯỞNG BAN\nNguyễn Văn Tỉnh");
  v1::HttpBody summary;
  ASSERT_THAT(Call(&Stub::RenderProvinceReport, reader, document, &summary), IsOk());
  EXPECT_THAT(summary.data(), HasSubstr("BAN DÂN VẬN TỈNH ỦY"));
  EXPECT_THAT(summary.data(), HasSubstr("Toàn tỉnh có 2 xã, phường; đến ngày 15/06/2026 đã tổ "
                                        "chức 1/"));
  EXPECT_THAT(summary.data(), HasSubstr("1 xã, phường chưa tổ chức hội nghị: "));
  EXPECT_THAT(summary.data(), HasSubstr("Nội dung kết luận phải thực hiện: 4; đã giải quyết 1 "
                                        "(đúng hạn 1); đang giải quyết 3; quá hạn 2; chuyển cấp "
                                        "trên 1."));
  EXPECT_THAT(summary.data(), HasSubstr("Nguyễn Văn Tỉnh"));
  document.clear_issuing_body();
  document.clear_signer();  // the People's Committee, signed by its chair
  ASSERT_THAT(Call(&Stub::RenderProvinceReport, reader, document, &summary), IsOk());
  EXPECT_THAT(summary.data(), HasSubstr("ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\n"));
  EXPECT_THAT(summary.data(), HasSubstr("thử nghiệm, ngày 15 tháng 6 năm 2026"));
  EXPECT_THAT(summary.data(), HasSubstr("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n"));
  document.set_format("docx");
  ASSERT_THAT(Call(&Stub::RenderProvinceReport, reader, document, &summary), IsOk());
  EXPECT_EQ(summary.data().substr(0, 2), "PK");
  EXPECT_THAT(Call(&Stub::RenderProvinceReport, office_, document, &summary),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  document.set_signer(std::string(400, 'x'));
  EXPECT_THAT(Call(&Stub::RenderProvinceReport, reader, document, &summary),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_TOO_LONG"));
  document.clear_signer();
  document.set_issuing_body(std::string(400, 'x'));
  EXPECT_THAT(Call(&Stub::RenderProvinceReport, reader, document, &summary),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_TOO_LONG"));

  // Only the province's own readers.
  EXPECT_THAT(Call(&Stub::GetProvinceReport, Token("", {Role::kProvince}, "another-province"),
                   request, &province),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  EXPECT_THAT(Call(&Stub::GetProvinceReport, office_, request, &province),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  request.set_year(1999);
  EXPECT_THAT(Call(&Stub::GetProvinceReport, reader, request, &province),
              StatusIs(StatusCode::kInvalidArgument, "YEAR_INVALID"));
}

TEST_F(SupervisionTest, TheSweepAnnouncesDueAndOverdueOnce) {
  const absl::CivilDay today = calendar::TodayInVietnam(absl::Now());
  Conclude(a_, calendar::FormatDate(today - 30),
           {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", calendar::FormatDate(today - 1)),
            Item("2", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", calendar::FormatDate(today + 2)),
            Item("3", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", calendar::FormatDate(today + 90))});
  db::ConnectionPool sweep_pool({testing::ServicePgUri("supervision"), 1});
  SupervisionStore sweep_store(sweep_pool);
  DueSweep sweep(sweep_store, 3, std::chrono::hours(1));
  auto made = sweep.RunOnce(today);
  ASSERT_THAT(made, IsOk());
  const std::string outbox =
      absl::StrCat("SELECT count(*) FROM supervision.outbox WHERE tenant_id = '", a_,
                   "' AND event_type = 'dialogue.v1.CommitmentDue'");
  // Items 1 and 2 are due (overdue, soon); the reports of all three are overdue (their
  // notice was due weeks ago): five events. Other tests' communes may add their own.
  EXPECT_EQ(Count(outbox), 5);
  EXPECT_GE(*made, 5);
  ASSERT_THAT(sweep.RunOnce(today), IsOk());
  EXPECT_EQ(Count(outbox), 5);  // twice: nothing new
  auto event = testing::OutboxEvent("supervision", a_, "CommitmentDue");
  ASSERT_THAT(event.status(), IsOk());
  v1::CommitmentDue due;
  ASSERT_TRUE(event->payload().UnpackTo(&due));
  EXPECT_EQ(due.agency(), "Phòng Kinh tế");
  EXPECT_TRUE(absl::StartsWith(due.commitment(), absl::StrCat("tenants/", a_, "/commitments/")));

  // The stack's relay and notices service turn them into reminders, one each.
  const std::string reminders =
      absl::StrCat("SELECT count(*) FROM notices.notices WHERE tenant_id = '", a_,
                   "' AND kind = 'NOTICE_REMINDER'");
  for (absl::Time end = absl::Now() + absl::Seconds(20);
       absl::Now() < end && Count(reminders) < 5;) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(Count(reminders), 5);
  EXPECT_EQ(Count(reminders + " AND title LIKE 'Quá hạn:%'"), 4);
}

TEST_F(SupervisionTest, RowLevelSecurityOnEveryTable) {
  auto [opinion, code] = Opinion(a_);
  const std::string session =
      Conclude(a_, "2026-01-10",
               {Item("1", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "2026-02-01", opinion)});
  v1::Commitment c = List(a_, office_)[0];
  auto reported = Progress(department_, c, v1::COMMITMENT_REPORTED, "Đã báo cáo");
  ASSERT_THAT(Progress(office_, *reported, v1::COMMITMENT_RESOLVED, "Xong"), IsOk());
  v1::GiveFeedbackRequest feedback;
  feedback.set_name(absl::StrCat("tenants/", a_, "/receipts/", code, "/commitments/",
                                 c.name().substr(c.name().rfind('/') + 1)));
  feedback.set_satisfied(true);
  v1::PublicCommitment after;
  ASSERT_THAT(Call(&Stub::GiveFeedback, "", feedback, &after), IsOk());
  v1::PlanPublished plan;
  plan.set_plan(absl::StrCat("tenants/", a_, "/plans/", common::NewUuid()));
  plan.set_year(2026);
  Publish(a_, plan, common::NewUuid());
  Drain();
  v1::Event reminder;
  reminder.set_id(common::NewUuid());
  reminder.set_type("dialogue.v1.CommitmentDue");
  ASSERT_THAT(store_.Remind(a_, c.name().substr(c.name().rfind('/') + 1), v1::DUE_OVERDUE,
                            absl::CivilDay(2026, 2, 1), reminder),
              IsOk());
  const std::vector<std::string> tables = {
      "commitments",   "changes",     "feedback",         "plans", "conferences", "reminders",
      "state_tallies", "due_tallies", "processed_events", "outbox"};
  auto count = [&](const db::TenantScope& scope, const std::string& table) {
    return pool_.InTransaction(scope, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
      return txn
          .exec_params(
              absl::StrCat("SELECT count(*) FROM supervision.", table, " WHERE tenant_id = $1"),
              a_)[0][0]
          .as<int>();
    });
  };
  db::TenantScope reader;
  reader.read_tenants = {a_};
  for (const std::string& table : tables) {
    if (table == "due_tallies") continue;  // nothing open in A: checked below
    EXPECT_EQ(count(db::TenantScope::Of(b_), table).value_or(-1), 0) << table;
    auto own = count(db::TenantScope::Of(a_), table);
    ASSERT_THAT(own, IsOk()) << table;
    EXPECT_GT(*own, 0) << table;  // so the check above could fail
    EXPECT_EQ(count(reader, table).value_or(-1), *own) << table;
  }
  EXPECT_EQ(count(db::TenantScope::Of(b_), "due_tallies").value_or(-1), 0);
  // B cannot write A's rows, nor can a province reader write at all.
  for (const db::TenantScope& scope : {db::TenantScope::Of(b_), reader}) {
    auto wrote = pool_.InTransaction(scope, [&](pqxx::dbtransaction& txn) -> absl::Status {
      txn.exec_params("INSERT INTO supervision.conferences (tenant_id, session) VALUES ($1, 'x')",
                      a_);
      return absl::OkStatus();
    });
    EXPECT_FALSE(wrote.ok());
    auto changed = pool_.InTransaction(scope, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
      return static_cast<int>(
          txn.exec_params("UPDATE supervision.commitments SET agency = 'x' WHERE tenant_id = $1",
                          a_)
              .affected_rows());
    });
    EXPECT_EQ(changed.value_or(-1), 0);
  }
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT agency FROM supervision.commitments WHERE session = '",
                                    session, "'")),
            "Phòng Kinh tế");
}

// A real conference on the stack's sessions: its SessionConcluded reaches the stack's
// supervision service, whose commitments are then worked to the end.
TEST_F(SupervisionTest, AFullCycleFromAConcludedSessionToResolvedCommitments) {
  const std::string chair = TokenAs("chu-tich", a_, {Role::kChair});
  auto planning = v1::PlanningService::NewStub(StackChannel("DIALOGUE_PLANNING_ADDR"));
  v1::CreatePlanRequest create;
  create.set_parent("tenants/" + a_);
  *create.mutable_plan() = testing::SamplePlan(2026);
  create.mutable_plan()->set_document_number("20/KH-UBND");
  create.mutable_plan()->set_issue_date("2026-01-15");
  const std::string planner = TokenAs("vp", a_, {Role::kGovernmentOffice, Role::kChair});
  v1::Plan plan;
  ASSERT_THAT(
      testing::CallWith(*planning, &v1::PlanningService::Stub::CreatePlan, planner, create, &plan),
      IsOk());
  v1::TransitionPlanRequest step;
  step.set_name(plan.name());
  v1::Plan out;
  ASSERT_THAT(
      testing::CallWith(*planning, &v1::PlanningService::Stub::ApprovePlan, planner, step, &out),
      IsOk());
  ASSERT_THAT(
      testing::CallWith(*planning, &v1::PlanningService::Stub::PublishPlan, planner, step, &out),
      IsOk());

  auto sessions = v1::SessionService::NewStub(StackChannel("DIALOGUE_SESSIONS_ADDR"));
  using S = v1::SessionService::Stub;
  const std::string today = calendar::FormatDate(calendar::TodayInVietnam(absl::Now()));
  v1::CreateSessionRequest new_session;
  new_session.set_parent("tenants/" + a_);
  new_session.mutable_session()->set_plan(plan.name());
  new_session.mutable_session()->set_conference_id("1");
  new_session.mutable_session()->set_date(today);
  new_session.mutable_session()->set_start_time("08:00");
  new_session.mutable_session()->set_chair("Nguyễn Văn A, Chủ tịch UBND xã");
  new_session.mutable_session()->set_secretary("Lê Thị B");
  v1::Session s;
  ASSERT_THAT(testing::CallWith(*sessions, &S::CreateSession, planner, new_session, &s), IsOk());
  v1::AnnounceSessionRequest announce;
  announce.set_name(s.name());
  ASSERT_THAT(testing::CallWith(*sessions, &S::AnnounceSession, planner, announce, &s), IsOk());
  v1::OpenSessionRequest open;
  open.set_name(s.name());
  open.set_override_reason("Họp sớm theo đề nghị của Nhân dân");
  ASSERT_THAT(testing::CallWith(*sessions, &S::OpenSession, chair, open, &s), IsOk());
  for (int n = 2; n <= 7; ++n) {
    v1::AdvanceAgendaRequest advance;
    advance.set_name(s.name());
    advance.set_step(n);
    ASSERT_THAT(testing::CallWith(*sessions, &S::AdvanceAgenda, chair, advance, &s), IsOk()) << n;
  }
  v1::ConcludeSessionRequest conclude;
  conclude.set_name(s.name());
  *conclude.add_items() = Item("", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", today);
  *conclude.add_items() = Item("", v1::OUTCOME_ACCEPTED, "Phòng Văn hóa - Xã hội", "");
  *conclude.add_items() = Item("", v1::OUTCOME_RESOLVED_ON_SPOT, "", "");
  ASSERT_THAT(testing::CallWith(*sessions, &S::ConcludeSession, chair, conclude, &s), IsOk());

  // The stack's relay and supervision consumer: two commitments, within seconds.
  std::vector<v1::Commitment> made;
  for (absl::Time end = absl::Now() + absl::Seconds(20); absl::Now() < end;
       absl::SleepFor(absl::Milliseconds(100))) {
    made = List(a_, office_, s.name());
    if (made.size() == 2) break;
  }
  ASSERT_EQ(made.size(), 2u);
  for (const v1::Commitment& c : made) {
    EXPECT_EQ(c.session_title(), s.title());
    auto reported = Progress(department_, c, v1::COMMITMENT_REPORTED, "Báo cáo bằng văn bản");
    ASSERT_THAT(reported, IsOk());
    auto started = Progress(department_, *reported, v1::COMMITMENT_IN_PROGRESS, "Đang làm");
    ASSERT_THAT(started, IsOk());
    auto resolved = Progress(office_, *started, v1::COMMITMENT_RESOLVED, "Đã hoàn thành");
    ASSERT_THAT(resolved, IsOk());
    EXPECT_TRUE(resolved->resolved_on_time());
  }
  v1::GetCommuneReportRequest commune;
  commune.set_tenant("tenants/" + a_);
  v1::CommuneReport report;
  ASSERT_THAT(Call(&Stub::GetCommuneReport, office_, commune, &report), IsOk());
  EXPECT_EQ(report.resolved(), 2);
  EXPECT_DOUBLE_EQ(report.on_time_rate(), 1.0);
  EXPECT_GE(report.conferences_planned(), 1);  // the plan's PlanPublished, through the stack
  ASSERT_EQ(report.conferences_size(), 1);
  EXPECT_EQ(report.conferences(0).session(), s.name());
  EXPECT_EQ(report.conferences(0).commitments(), 2);
}

}  // namespace
}  // namespace dialogue::supervision
