// IntakeService over a real gRPC server on a free local port, with the real PostgreSQL
// behind it, called through real stubs; what was stored is checked as the administrator.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "consumed_events.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/common/names.h"
#include "dialogue/events/consumer.h"
#include "dialogue/v1/notices.pb.h"
#include "dialogue/v1/supervision.pb.h"
#include "intake_server.h"

namespace dialogue::intake {
namespace {

using absl::StatusCode;
using auth::Role;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;
using ::dialogue::testing::Token;
using ::testing::HasSubstr;
using Stub = v1::IntakeService::Stub;

v1::Hamlet MakeHamlet(const std::string& id) {
  v1::Hamlet h;
  h.set_id(id);
  h.set_display_name(absl::StrCat("Thôn ", id));
  return h;
}

class IntakeGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stub_ = v1::IntakeService::NewStub(server_.channel());
    province_ = testing::NewProvince(2, {MakeHamlet("thon-1"), MakeHamlet("thon-2")});
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    office_ = Token(a_, {Role::kGovernmentOffice, Role::kFront});
    department_ = testing::DepartmentToken(a_, "Phòng Kinh tế");
    round_ = NewRound(a_, office_);
  }

  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const std::string& token, const Request& request, Response* response) {
    return testing::CallWith(*stub_, method, token, request, response);
  }

  std::string NewRound(const std::string& tenant, const std::string& token) {
    v1::CreateRoundRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    request.mutable_round()->set_title("Đợt lấy ý kiến quý II");
    request.mutable_round()->set_answer_due_date("2026-04-20");
    v1::Round round;
    EXPECT_THAT(Call(&Stub::CreateRound, token, request, &round), IsOk());
    return round.name();
  }

  // An opinion of commune B, in a new round of B's, recorded by B's office (`token_b`).
  v1::Opinion CreateInB(const std::string& token_b, const std::string& text) {
    v1::CreateOpinionRequest request;
    request.set_parent(absl::StrCat("tenants/", b_));
    request.mutable_opinion()->set_round(NewRound(b_, token_b));
    request.mutable_opinion()->set_hamlet("thon-1");
    request.mutable_opinion()->set_channel(v1::HOTLINE);
    request.mutable_opinion()->set_text(text);
    v1::Opinion out;
    EXPECT_THAT(Call(&Stub::CreateOpinion, token_b, request, &out), IsOk());
    return out;
  }

  absl::StatusOr<v1::Opinion> Create(const std::string& text, const std::string& request_id = "",
                                     const std::string& hamlet = "thon-1") {
    v1::CreateOpinionRequest request;
    request.set_parent(absl::StrCat("tenants/", a_));
    request.set_request_id(request_id);
    v1::Opinion* o = request.mutable_opinion();
    o->set_round(round_);
    o->set_hamlet(hamlet);
    o->set_channel(v1::SURVEY_FORM);
    o->set_text(text);
    o->mutable_submitter()->set_name("Nguyễn Văn An");
    o->mutable_submitter()->set_contact("0912345678");
    v1::Opinion out;
    RETURN_IF_ERROR(Call(&Stub::CreateOpinion, office_, request, &out));
    return out;
  }

  int Count(const std::string& table, const std::string& where = "") {
    return std::stoi(AdminQuery(absl::StrCat("SELECT count(*) FROM intake.", table,
                                             " WHERE tenant_id = '", a_, "'", where)));
  }

  int Events(const std::string& type) {
    return Count("outbox", absl::StrCat(" AND event_type = 'dialogue.v1.", type, "'"));
  }

  absl::Status Transition(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                       const v1::TransitionOpinionRequest&,
                                                       v1::Opinion*),
                          const std::string& token, const std::string& name,
                          const std::string& note, v1::Opinion* out) {
    v1::TransitionOpinionRequest request;
    request.set_name(name);
    request.set_note(note);
    return Call(method, token, request, out);
  }

  v1::OpinionStatus Follow(const std::string& code) {
    v1::FollowOpinionRequest request;
    request.set_name(absl::StrCat("tenants/", a_, "/receipts/", code));
    v1::OpinionStatus status;
    EXPECT_THAT(Call(&Stub::FollowOpinion, "", request, &status), IsOk());
    return status;
  }

  v1::Opinion Get(const std::string& name) {
    v1::GetOpinionRequest request;
    request.set_name(name);
    v1::Opinion o;
    EXPECT_THAT(Call(&Stub::GetOpinion, office_, request, &o), IsOk());
    return o;
  }

  // Classified and assigned to `department`, to answer within 5 working days.
  void Assign(const std::string& name, const std::string& department) {
    v1::Opinion o;
    v1::ClassifyOpinionRequest classify;
    classify.set_name(name);
    classify.set_topic("nong-thon-moi");
    ASSERT_THAT(Call(&Stub::ClassifyOpinion, office_, classify, &o), IsOk());
    v1::AssignOpinionRequest assign;
    assign.set_name(name);
    assign.set_department(department);
    assign.set_working_days(5);
    ASSERT_THAT(Call(&Stub::AssignOpinion, office_, assign, &o), IsOk());
  }

  // Classified, assigned to a department, and an answer drafted by it.
  void Draft(const std::string& name, const std::string& answer) {
    Assign(name, "Phòng Kinh tế");
    v1::Opinion o;
    v1::DraftAnswerRequest draft;
    draft.set_name(name);
    draft.set_answer(answer);
    ASSERT_THAT(Call(&Stub::DraftAnswer, department_, draft, &o), IsOk());
  }

  events::PollResult Drain() {
    events::ConsumerOptions options;
    options.group = "intake";
    options.consumer = "test";
    options.processed_table = "intake.processed_events";
    options.types = ConsumedEventTypes();
    return stream_.Drain(consumer_pool_, options, ApplyEvent);
  }

  testing::IntakeServer server_{testing::StackChannel("DIALOGUE_PLANNING_ADDR")};
  db::ConnectionPool consumer_pool_{{testing::IntakePgUri(), 1}};
  testing::TestStream stream_{"intake-test"};
  std::unique_ptr<Stub> stub_;
  testing::Province province_;
  std::string a_, b_, office_, department_, round_;
};

// Issue 19: an answer due in working days counts the commune's own days off, as planning
// does. Commune B, whose record no call of this test has read (and cached) yet.
TEST_F(IntakeGrpcTest, AnAnswerDueInWorkingDaysSkipsTheCommunesOwnDaysOff) {
  auto source = calendar::CalendarSource::Open(
      absl::StrCat(DIALOGUE_SOURCE_DIR, "/libs/calendar/data/vn_holidays.json"));
  ASSERT_TRUE(source.ok()) << source.status();
  const absl::CivilDay today = calendar::TodayInVietnam(absl::Now());
  calendar::WorkingDayCalendar national((*source)->Current());
  auto first = national.AddWorkingDays(today, 1);  // the next working day: made a day off
  ASSERT_TRUE(first.ok());
  AdminQuery(absl::StrCat("INSERT INTO tenancy.tenant_days_off (tenant_id, day, reason) VALUES ('",
                          b_, "', '", calendar::FormatDate(*first), "', 'Lễ hội làng'); SELECT 1"));
  calendar::WorkingDayCalendar own((*source)->Current(), {*first});
  auto due = own.AddWorkingDays(today, 5);
  auto national_due = national.AddWorkingDays(today, 5);
  ASSERT_TRUE(due.ok() && national_due.ok());
  ASSERT_NE(*due, *national_due);

  const std::string token_b = Token(b_, {Role::kGovernmentOffice, Role::kFront});
  v1::Opinion o = CreateInB(token_b, "Đề nghị sửa cống thoát nước thôn 1");
  ASSERT_FALSE(o.name().empty());
  v1::ClassifyOpinionRequest classify;
  classify.set_name(o.name());
  classify.set_topic("nong-thon-moi");
  ASSERT_THAT(Call(&Stub::ClassifyOpinion, token_b, classify, &o), IsOk());
  v1::AssignOpinionRequest assign;
  assign.set_name(o.name());
  assign.set_department("Phòng Kinh tế");
  assign.set_working_days(5);
  ASSERT_THAT(Call(&Stub::AssignOpinion, token_b, assign, &o), IsOk());
  EXPECT_EQ(o.answer_due_date(), calendar::FormatDate(*due));
}

TEST_F(IntakeGrpcTest, ADepartmentSeesAndAnswersOnlyTheOpinionsAssignedToIt) {
  auto ours = Create("Đề nghị sửa cống thoát nước thôn 1");
  auto theirs = Create("Đề nghị tổ chức văn nghệ mừng Tết ở nhà văn hóa thôn 2");
  ASSERT_THAT(ours, IsOk());
  ASSERT_THAT(theirs, IsOk());
  v1::Opinion o;
  Assign(ours->name(), "Phòng Kinh tế");
  Assign(theirs->name(), "Phòng Văn hóa - Xã hội");

  v1::ListOpinionsRequest list;
  list.set_parent(absl::StrCat("tenants/", a_));
  v1::ListOpinionsResponse listed;
  ASSERT_THAT(Call(&Stub::ListOpinions, department_, list, &listed), IsOk());
  ASSERT_EQ(listed.opinions_size(), 1);
  EXPECT_EQ(listed.opinions(0).name(), ours->name());
  list.set_filter("department = \"Phòng Văn hóa - Xã hội\"");
  EXPECT_THAT(Call(&Stub::ListOpinions, department_, list, &listed),
              StatusIs(StatusCode::kPermissionDenied, "OTHER_DEPARTMENT"));
  list.clear_filter();
  ASSERT_THAT(Call(&Stub::ListOpinions, office_, list, &listed), IsOk());
  EXPECT_EQ(listed.opinions_size(), 2);  // the office sees every department's

  v1::GetOpinionRequest get;
  get.set_name(theirs->name());
  EXPECT_THAT(Call(&Stub::GetOpinion, department_, get, &o),
              StatusIs(StatusCode::kPermissionDenied, "OTHER_DEPARTMENT"));
  v1::ListOpinionHistoryRequest history;
  history.set_name(theirs->name());
  v1::ListOpinionHistoryResponse entries;
  EXPECT_THAT(Call(&Stub::ListOpinionHistory, department_, history, &entries),
              StatusIs(StatusCode::kPermissionDenied, "OTHER_DEPARTMENT"));
  v1::DraftAnswerRequest draft;
  draft.set_name(theirs->name());
  draft.set_answer("Phòng Kinh tế trả lời thay.");
  EXPECT_THAT(Call(&Stub::DraftAnswer, department_, draft, &o),
              StatusIs(StatusCode::kPermissionDenied, "OTHER_DEPARTMENT"));
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT state FROM intake.opinions WHERE tenant_id = '", a_,
                                    "' AND answer = 'Phòng Kinh tế trả lời thay.'")),
            "");  // nothing written
  draft.set_name(ours->name());
  EXPECT_THAT(Call(&Stub::DraftAnswer, department_, draft, &o), IsOk());

  // A department token that names no department sees nothing.
  std::string unnamed = Token(a_, {Role::kDepartment});
  EXPECT_THAT(Call(&Stub::ListOpinions, unnamed, list, &listed),
              StatusIs(StatusCode::kPermissionDenied, "DEPARTMENT_UNKNOWN"));
  get.set_name(ours->name());
  EXPECT_THAT(Call(&Stub::GetOpinion, unnamed, get, &o),
              StatusIs(StatusCode::kPermissionDenied, "DEPARTMENT_UNKNOWN"));
}

TEST_F(IntakeGrpcTest, AnOpinionGoesFromReceiptToAnswerAndTheCitizenSeesIt) {
  auto created = Create("Đề nghị bê tông hóa đường giao thông thôn 1", "form-17");
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->state(), v1::RECEIVED);
  EXPECT_EQ(created->suggested_topic(), "nong-thon-moi");
  EXPECT_EQ(created->receipt_code().size(), 14u);
  // The same request again stores nothing more and answers with the same opinion.
  auto again = Create("Đề nghị bê tông hóa đường giao thông thôn 1", "form-17");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->name(), created->name());
  EXPECT_EQ(Count("opinions"), 1);
  EXPECT_EQ(Events("OpinionReceived"), 1);

  const std::string name = created->name();
  v1::ClassifyOpinionRequest classify;
  classify.set_name(name);
  classify.set_topic("không-có");
  v1::Opinion o;
  EXPECT_THAT(Call(&Stub::ClassifyOpinion, office_, classify, &o),
              StatusIs(StatusCode::kInvalidArgument, "TOPIC_UNKNOWN"));
  classify.set_topic("nong-thon-moi");
  ASSERT_THAT(Call(&Stub::ClassifyOpinion, office_, classify, &o), IsOk());
  EXPECT_EQ(o.state(), v1::CLASSIFIED);

  // Approving before anything was drafted is refused and changes nothing.
  EXPECT_THAT(Transition(&Stub::ApproveAnswer, office_, name, "", &o),
              StatusIs(StatusCode::kFailedPrecondition, "INVALID_OPINION_STATE"));
  // A department may not assign.
  v1::AssignOpinionRequest assign;
  assign.set_name(name);
  assign.set_department("Phòng Kinh tế");
  assign.set_working_days(5);
  EXPECT_THAT(Call(&Stub::AssignOpinion, department_, assign, &o),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  ASSERT_THAT(Call(&Stub::AssignOpinion, office_, assign, &o), IsOk());
  EXPECT_EQ(o.state(), v1::ASSIGNED);
  EXPECT_EQ(o.department(), "Phòng Kinh tế");
  EXPECT_EQ(o.answer_due_date().size(), 10u);
  EXPECT_FALSE(o.overdue());
  EXPECT_EQ(Events("OpinionAssigned"), 1);

  v1::DraftAnswerRequest draft;
  draft.set_name(name);
  draft.set_answer("Đã đưa vào kế hoạch năm 2027.");
  ASSERT_THAT(Call(&Stub::DraftAnswer, department_, draft, &o), IsOk());
  EXPECT_EQ(o.state(), v1::ANSWER_DRAFTED);
  // The citizen does not see a draft.
  v1::OpinionStatus status = Follow(created->receipt_code());
  EXPECT_EQ(status.state(), v1::ANSWER_DRAFTED);
  EXPECT_EQ(status.answer(), "");

  // Sent back without a note: refused. With one: back to ASSIGNED, the note kept.
  EXPECT_THAT(Transition(&Stub::ReturnAnswer, office_, name, "", &o),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_REQUIRED"));
  ASSERT_THAT(Transition(&Stub::ReturnAnswer, office_, name, "Nêu rõ kinh phí", &o), IsOk());
  EXPECT_EQ(o.state(), v1::ASSIGNED);
  EXPECT_EQ(o.return_note(), "Nêu rõ kinh phí");
  draft.set_answer("Đã đưa vào kế hoạch năm 2027, kinh phí 1,2 tỷ đồng từ ngân sách xã.");
  ASSERT_THAT(Call(&Stub::DraftAnswer, department_, draft, &o), IsOk());
  ASSERT_THAT(Transition(&Stub::ApproveAnswer, office_, name, "", &o), IsOk());
  EXPECT_EQ(o.state(), v1::ANSWER_APPROVED);
  EXPECT_EQ(Events("AnswerApproved"), 1);

  status = Follow(created->receipt_code());
  EXPECT_EQ(status.state(), v1::ANSWER_APPROVED);
  EXPECT_EQ(status.answer(), draft.answer());
  // What the public sees carries no personal data at all.
  EXPECT_EQ(status.SerializeAsString().find("0912345678"), std::string::npos);
  // A code typed in lower case, without dashes, finds it too.
  std::string typed = absl::AsciiStrToLower(created->receipt_code());
  typed.erase(std::remove(typed.begin(), typed.end(), '-'), typed.end());
  EXPECT_EQ(Follow(typed).state(), v1::ANSWER_APPROVED);

  ASSERT_THAT(Transition(&Stub::MarkAnswered, office_, name, "Trả lời tại hội nghị", &o), IsOk());
  EXPECT_EQ(o.state(), v1::ANSWERED);

  v1::ListOpinionHistoryRequest history_request;
  history_request.set_name(name);
  v1::ListOpinionHistoryResponse history;
  ASSERT_THAT(Call(&Stub::ListOpinionHistory, office_, history_request, &history), IsOk());
  std::vector<v1::OpinionState> path;
  for (const auto& e : history.entries()) path.push_back(e.to_state());
  EXPECT_EQ(path, (std::vector<v1::OpinionState>{
                      v1::RECEIVED, v1::CLASSIFIED, v1::ASSIGNED, v1::ANSWER_DRAFTED, v1::ASSIGNED,
                      v1::ANSWER_DRAFTED, v1::ANSWER_APPROVED, v1::ANSWERED}));
  EXPECT_FALSE(history.entries(1).actor().empty());
  EXPECT_EQ(history.entries(4).note(), "Nêu rõ kinh phí");
}

TEST_F(IntakeGrpcTest, BadInputGetsAClearErrorAndStoresNothing) {
  EXPECT_THAT(Create(""), StatusIs(StatusCode::kInvalidArgument, "TEXT_REQUIRED"));
  EXPECT_THAT(Create(std::string(10001, 'a')),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_TOO_LONG"));
  EXPECT_THAT(Create("Ý kiến", "", "thon-9"),
              StatusIs(StatusCode::kInvalidArgument, "HAMLET_UNKNOWN"));

  v1::CreateOpinionRequest request;
  request.set_parent(absl::StrCat("tenants/", a_));
  request.mutable_opinion()->set_hamlet("thon-1");
  request.mutable_opinion()->set_text("Ý kiến");
  request.mutable_opinion()->set_round(round_);
  v1::Opinion out;
  EXPECT_THAT(Call(&Stub::CreateOpinion, office_, request, &out),
              StatusIs(StatusCode::kInvalidArgument, "CHANNEL_REQUIRED"));
  request.mutable_opinion()->set_channel(v1::HOTLINE);
  // A round that does not exist, and a round of another commune.
  request.mutable_opinion()->set_round(
      absl::StrCat("tenants/", a_, "/rounds/00000000-0000-4000-8000-000000000000"));
  EXPECT_THAT(Call(&Stub::CreateOpinion, office_, request, &out),
              StatusIs(StatusCode::kNotFound, "ROUND_NOT_FOUND"));
  request.mutable_opinion()->set_round(NewRound(b_, Token(b_, {Role::kGovernmentOffice})));
  EXPECT_THAT(Call(&Stub::CreateOpinion, office_, request, &out),
              StatusIs(StatusCode::kInvalidArgument, "OTHER_TENANT"));
  request.mutable_opinion()->set_round("rounds/1");
  EXPECT_THAT(Call(&Stub::CreateOpinion, office_, request, &out),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(Count("opinions"), 0);
  EXPECT_EQ(Count("outbox"), 0);

  // Another tenant's staff cannot write into this tenant, nor read it.
  request.mutable_opinion()->set_round(round_);
  EXPECT_THAT(Call(&Stub::CreateOpinion, Token(b_, {Role::kGovernmentOffice}), request, &out),
              StatusIs(StatusCode::kPermissionDenied));
  // No token at all on a staff route; an expired one on a public route.
  EXPECT_THAT(Call(&Stub::CreateOpinion, "", request, &out),
              StatusIs(StatusCode::kUnauthenticated));
  v1::SubmitOpinionRequest submit;
  submit.set_parent(absl::StrCat("tenants/", a_));
  submit.set_round(round_);
  submit.set_hamlet("thon-1");
  submit.set_text("Ý kiến");
  v1::OpinionReceipt receipt;
  EXPECT_THAT(Call(&Stub::SubmitOpinion, Token(a_, {Role::kCitizen}, "", absl::Seconds(-60)),
                   submit, &receipt),
              StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(Count("opinions"), 0);
}

TEST_F(IntakeGrpcTest, OtherCommunesCannotReachAnOpinionAndTheProvinceSeesNoPersonalData) {
  auto created = Create("Đường thôn 1 ngập nước");
  ASSERT_THAT(created, IsOk());
  v1::GetOpinionRequest get;
  get.set_name(created->name());
  v1::Opinion o;
  EXPECT_THAT(Call(&Stub::GetOpinion, Token(b_, {Role::kGovernmentOffice}), get, &o),
              StatusIs(StatusCode::kPermissionDenied));
  // The same id under the other tenant's name finds nothing: RLS and the key agree.
  get.set_name(absl::StrCat("tenants/", b_, "/opinions/",
                            created->name().substr(created->name().rfind('/') + 1)));
  EXPECT_THAT(Call(&Stub::GetOpinion, Token(b_, {Role::kGovernmentOffice}), get, &o),
              StatusIs(StatusCode::kNotFound, "OPINION_NOT_FOUND"));

  get.set_name(created->name());
  ASSERT_THAT(Call(&Stub::GetOpinion, Token("", {Role::kProvince}, province_.id), get, &o), IsOk());
  EXPECT_FALSE(o.has_submitter());
  ASSERT_THAT(Call(&Stub::GetOpinion, office_, get, &o), IsOk());
  EXPECT_EQ(o.submitter().contact(), "0912345678");
  // A province reader changes nothing.
  v1::ClassifyOpinionRequest classify;
  classify.set_name(created->name());
  classify.set_topic("nong-thon-moi");
  EXPECT_THAT(
      Call(&Stub::ClassifyOpinion, Token("", {Role::kProvince}, province_.id), classify, &o),
      StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(IntakeGrpcTest, ImportStoresGoodRowsReportsBadOnesAndNeverStoresTwice) {
  v1::ImportOpinionsRequest request;
  request.set_parent(absl::StrCat("tenants/", a_));
  request.set_round(round_);
  request.set_csv(
      "hamlet,text,submitter_name\n"
      "thon-1,\"Đề nghị sửa cống, kênh mương thôn 1\",Trần Thị B\n"
      "thon-7,Không rõ thôn,\n"
      "thon-2,Đề nghị sửa cống thôn 2,\n"
      "thon-2,,\n");
  v1::ImportOpinionsResponse response;
  ASSERT_THAT(Call(&Stub::ImportOpinionsCsv, office_, request, &response), IsOk());
  EXPECT_EQ(response.stored(), 2);
  ASSERT_EQ(response.errors_size(), 2);
  EXPECT_EQ(response.errors(0).row(), 2);
  EXPECT_EQ(response.errors(0).reason(), "HAMLET_UNKNOWN");
  EXPECT_EQ(response.errors(1).row(), 4);
  EXPECT_EQ(response.errors(1).reason(), "TEXT_REQUIRED");
  EXPECT_EQ(Events("OpinionsImported"), 1);

  ASSERT_THAT(Call(&Stub::ImportOpinionsCsv, office_, request, &response), IsOk());
  EXPECT_EQ(response.stored(), 0);
  EXPECT_EQ(response.already_stored(), 2);
  EXPECT_EQ(Count("opinions"), 2);
  EXPECT_EQ(Events("OpinionsImported"), 1);

  // Not UTF-8, rows and CSV together, too many rows: refused whole.
  request.set_csv("hamlet,text\nthon-1,\xFF\xFE\n");
  EXPECT_THAT(Call(&Stub::ImportOpinionsCsv, office_, request, &response),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_NOT_UTF8"));
  request.clear_csv();
  for (int i = 0; i < 20001; ++i) {
    v1::OpinionRow* row = request.add_rows();
    row->set_hamlet("thon-1");
    row->set_text("x");
  }
  EXPECT_THAT(Call(&Stub::ImportOpinions, office_, request, &response),
              StatusIs(StatusCode::kInvalidArgument, "TOO_MANY_ROWS"));
  EXPECT_EQ(Count("opinions"), 2);
}

TEST_F(IntakeGrpcTest, DuplicatesAreFoundMergedCountedAndUnmerged) {
  auto a = Create("Đề nghị sửa chữa đường liên thôn 1 bị xuống cấp nghiêm trọng");
  auto b = Create("Đường liên thôn 1 xuống cấp nghiêm trọng, đề nghị sửa chữa");
  auto c = Create("de nghi sua chua duong lien thon 1 bi xuong cap nghiem trong!");
  auto other = Create("Trạm y tế thiếu thuốc bảo hiểm y tế");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(other, IsOk());

  v1::FindDuplicatesRequest find;
  find.set_name(a->name());
  v1::FindDuplicatesResponse found;
  ASSERT_THAT(Call(&Stub::FindDuplicates, office_, find, &found), IsOk());
  std::set<std::string> names;
  for (const auto& candidate : found.candidates()) names.insert(candidate.opinion().name());
  EXPECT_EQ(names, (std::set<std::string>{b->name(), c->name()}));
  EXPECT_GT(found.candidates(0).similarity(), 0.9);  // c differs from a by marks only
  EXPECT_EQ(found.candidates(0).opinion().name(), c->name());

  v1::MergeOpinionsRequest merge;
  merge.set_name(a->name());
  merge.add_sources(b->name());
  merge.add_sources(c->name());
  v1::Opinion merged;
  ASSERT_THAT(Call(&Stub::MergeOpinions, office_, merge, &merged), IsOk());
  EXPECT_EQ(merged.supporter_count(), 3);
  // Each source's citizen follows the item that stands for it.
  v1::OpinionStatus status = Follow(b->receipt_code());
  EXPECT_EQ(status.supporter_count(), 3);
  // A merged opinion cannot be merged again, nor stand for others.
  merge.set_name(other->name());
  merge.clear_sources();
  merge.add_sources(b->name());
  EXPECT_THAT(Call(&Stub::MergeOpinions, office_, merge, &merged),
              StatusIs(StatusCode::kFailedPrecondition, "INVALID_OPINION_STATE"));
  EXPECT_EQ(Count("opinions", " AND state = 'MERGED'"), 2);

  v1::Opinion restored;
  ASSERT_THAT(Transition(&Stub::UnmergeOpinion, office_, c->name(), "not the same road", &restored),
              IsOk());
  EXPECT_EQ(restored.state(), v1::RECEIVED);
  EXPECT_EQ(restored.merged_into(), "");
  v1::GetOpinionRequest get;
  get.set_name(a->name());
  ASSERT_THAT(Call(&Stub::GetOpinion, office_, get, &merged), IsOk());
  EXPECT_EQ(merged.supporter_count(), 2);
  EXPECT_THAT(Transition(&Stub::UnmergeOpinion, office_, c->name(), "", &restored),
              StatusIs(StatusCode::kFailedPrecondition, "INVALID_OPINION_STATE"));
}

TEST_F(IntakeGrpcTest, ConcurrentCreatesAreAllStoredOnceEach) {
  constexpr int kThreads = 8, kEach = 8;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every create is sent twice, as a client retrying would.
        std::string id = absl::StrCat("c-", t, "-", i);
        auto first = Create(absl::StrCat("Ý kiến số ", t, "-", i), id);
        auto second = Create(absl::StrCat("Ý kiến số ", t, "-", i), id);
        if (!first.ok() || !second.ok() || first->name() != second->name()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("opinions"), kThreads * kEach);
  EXPECT_EQ(Events("OpinionReceived"), kThreads * kEach);
}

TEST_F(IntakeGrpcTest, SearchIgnoresMarksAndFiltersCombine) {
  ASSERT_THAT(Create("Đề nghị cấp giấy chứng nhận quyền sử dụng đất"), IsOk());
  ASSERT_THAT(Create("Đường thôn 2 ngập", "", "thon-2"), IsOk());
  auto overdue = Create("Chợ xã xuống cấp");
  ASSERT_THAT(overdue, IsOk());
  v1::ClassifyOpinionRequest classify;
  classify.set_name(overdue->name());
  classify.set_topic("kinh-te");
  v1::Opinion o;
  ASSERT_THAT(Call(&Stub::ClassifyOpinion, office_, classify, &o), IsOk());
  v1::AssignOpinionRequest assign;
  assign.set_name(overdue->name());
  assign.set_department("Phòng Kinh tế");
  assign.set_answer_due_date("2020-01-31");
  ASSERT_THAT(Call(&Stub::AssignOpinion, office_, assign, &o), IsOk());
  EXPECT_TRUE(o.overdue());

  v1::ListOpinionsRequest list;
  list.set_parent(absl::StrCat("tenants/", a_));
  list.set_text("GIAY chung nhan");
  v1::ListOpinionsResponse page;
  ASSERT_THAT(Call(&Stub::ListOpinions, office_, list, &page), IsOk());
  ASSERT_EQ(page.opinions_size(), 1);
  EXPECT_THAT(page.opinions(0).text(), HasSubstr("giấy chứng nhận"));

  list.clear_text();
  list.set_filter("overdue = true");
  ASSERT_THAT(Call(&Stub::ListOpinions, office_, list, &page), IsOk());
  ASSERT_EQ(page.opinions_size(), 1);
  EXPECT_EQ(page.opinions(0).name(), overdue->name());
  list.set_filter(absl::StrCat("hamlet = thon-2 AND state = RECEIVED AND round = ", round_));
  ASSERT_THAT(Call(&Stub::ListOpinions, office_, list, &page), IsOk());
  ASSERT_EQ(page.opinions_size(), 1);
  EXPECT_EQ(page.opinions(0).hamlet(), "thon-2");

  // Pages of one, in a stable order, cover everything once.
  list.clear_filter();
  list.set_page_size(1);
  std::set<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    page.Clear();
    ASSERT_THAT(Call(&Stub::ListOpinions, office_, list, &page), IsOk());
    for (const auto& op : page.opinions()) seen.insert(op.name());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen.size(), 3u);

  list.set_page_token("bm90IGEgdG9rZW4");
  EXPECT_THAT(Call(&Stub::ListOpinions, office_, list, &page),
              StatusIs(StatusCode::kInvalidArgument, "PAGE_TOKEN_INVALID"));
  list.clear_page_token();
  list.set_filter("colour = red");
  EXPECT_THAT(Call(&Stub::ListOpinions, office_, list, &page),
              StatusIs(StatusCode::kInvalidArgument, "FILTER_INVALID"));
}

TEST_F(IntakeGrpcTest, IndividualMattersAreRoutedElsewhereWithAReason) {
  auto created = Create("Thửa đất của gia đình tôi bị đo sai diện tích");
  ASSERT_THAT(created, IsOk());
  EXPECT_TRUE(created->suggested_individual());
  v1::ClassifyOpinionRequest classify;
  classify.set_name(created->name());
  classify.set_individual_matter(true);
  v1::Opinion o;
  EXPECT_THAT(Call(&Stub::ClassifyOpinion, office_, classify, &o),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_REQUIRED"));
  classify.set_routed_to("Tiếp công dân");
  classify.set_route_reason("Việc riêng của một hộ, không đưa ra đối thoại");
  ASSERT_THAT(Call(&Stub::ClassifyOpinion, office_, classify, &o), IsOk());
  EXPECT_EQ(o.state(), v1::ROUTED_ELSEWHERE);
  v1::OpinionStatus status = Follow(created->receipt_code());
  EXPECT_EQ(status.routed_to(), "Tiếp công dân");
  // Stale etag: ABORTED, nothing changed.
  classify.set_etag("1");
  classify.set_individual_matter(false);
  classify.set_topic("dat-dai");
  EXPECT_THAT(Call(&Stub::ClassifyOpinion, office_, classify, &o),
              StatusIs(StatusCode::kAborted, "ETAG_MISMATCH"));
}

TEST_F(IntakeGrpcTest, TenantTopicsReplaceTheDefaults) {
  v1::ListTopicsRequest list;
  list.set_parent(absl::StrCat("tenants/", a_));
  v1::ListTopicsResponse topics;
  ASSERT_THAT(Call(&Stub::ListTopics, office_, list, &topics), IsOk());
  EXPECT_TRUE(topics.defaults());
  EXPECT_EQ(topics.topics_size(), 10);

  v1::ReplaceTopicsRequest replace;
  replace.set_parent(list.parent());
  v1::Topic* t = replace.add_topics();
  t->set_id("ca-phe");
  t->set_display_name("Cây cà phê");
  t->add_keywords("cà phê");
  ASSERT_THAT(Call(&Stub::ReplaceTopics, office_, replace, &topics), IsOk());
  EXPECT_FALSE(topics.defaults());
  ASSERT_EQ(topics.topics_size(), 1);
  EXPECT_EQ(topics.topics(0).keywords(0), "cà phê");
  // The citizen's form suggests the same topics, without an account; the rounds too.
  ASSERT_THAT(Call(&Stub::ListTopics, "", list, &topics), IsOk());
  ASSERT_EQ(topics.topics_size(), 1);
  EXPECT_EQ(topics.topics(0).id(), "ca-phe");
  v1::ListRoundsRequest rounds;
  rounds.set_parent(list.parent());
  v1::ListRoundsResponse listed;
  ASSERT_THAT(Call(&Stub::ListRounds, "", rounds, &listed), IsOk());
  ASSERT_GE(listed.rounds_size(), 1);
  EXPECT_FALSE(listed.rounds(0).title().empty());
  auto created = Create("Giá cà phê xuống thấp");
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->suggested_topic(), "ca-phe");
  replace.clear_topics();
  EXPECT_THAT(Call(&Stub::ReplaceTopics, office_, replace, &topics),
              StatusIs(StatusCode::kInvalidArgument, "TOPICS_REQUIRED"));
  EXPECT_THAT(Call(&Stub::ReplaceTopics, department_, replace, &topics),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(IntakeGrpcTest, RequestsForADialogueReachTheThresholdOnce) {
  AdminQuery(absl::StrCat("UPDATE tenancy.tenants SET voter_count = 20 WHERE id = '", a_, "'"));
  v1::RequestDialogueRequest ask;
  ask.set_parent(absl::StrCat("tenants/", a_));
  v1::DialogueRequest* r = ask.mutable_request();
  r->set_voter_name("Lê Văn Cường");
  r->set_hamlet("thon-1");
  r->set_contact("0987 000 111");
  r->set_matter("Ô nhiễm từ trại lợn");
  v1::DialogueRequest stored;
  ASSERT_THAT(Call(&Stub::RequestDialogue, "", ask, &stored), IsOk());
  EXPECT_EQ(stored.state(), v1::OPEN);
  EXPECT_EQ(stored.contact(), "");  // the public answer is not personal
  // The same voter, spelled differently, counts once.
  r->set_voter_name("le van cuong");
  r->set_contact("0987000111");
  EXPECT_THAT(Call(&Stub::RequestDialogue, "", ask, &stored),
              StatusIs(StatusCode::kAlreadyExists, "VOTER_ALREADY_ASKED"));
  r->set_hamlet("thon-5");
  EXPECT_THAT(Call(&Stub::RequestDialogue, "", ask, &stored),
              StatusIs(StatusCode::kInvalidArgument, "HAMLET_UNKNOWN"));
  EXPECT_EQ(Events("DialogueRequired"), 0);

  // 10% of 20 voters is 2: the second voter reaches it.
  r->set_hamlet("thon-2");
  r->set_voter_name("Phạm Thị Dung");
  r->set_contact("0911 222 333");
  ASSERT_THAT(Call(&Stub::RequestDialogue, "", ask, &stored), IsOk());
  EXPECT_EQ(stored.state(), v1::FORWARDED);
  EXPECT_EQ(Events("DialogueRequired"), 1);
  // Both voters left a phone number: each is told, by SMS, that the count was reached.
  auto told = testing::OutboxEvents("intake", a_, "PetitionerMessage");
  ASSERT_THAT(told, IsOk());
  std::set<std::string> phones;
  for (const v1::Event& e : *told) {
    v1::PetitionerMessage m;
    ASSERT_TRUE(e.payload().UnpackTo(&m));
    EXPECT_EQ(m.channel(), v1::VIA_SMS);
    EXPECT_THAT(m.text(), HasSubstr("cùng 2 cử tri"));
    EXPECT_EQ(m.follow_path(), absl::StrCat("/xa/", a_, "/thong-bao"));
    phones.insert(m.contact());
  }
  EXPECT_EQ(phones, (std::set<std::string>{"0987 000 111", "0911 222 333"}));

  v1::ListDialogueRequestsRequest list;
  list.set_parent(ask.parent());
  v1::ListDialogueRequestsResponse requests;
  ASSERT_THAT(Call(&Stub::ListDialogueRequests, office_, list, &requests), IsOk());
  EXPECT_EQ(requests.requests_size(), 2);
  EXPECT_EQ(requests.open_count(), 0);
  EXPECT_EQ(requests.threshold(), 2);
  EXPECT_FALSE(requests.requests(0).contact().empty());  // staff see the contact
  // Anyone sees how far the count has come, but not who asked.
  v1::ListDialogueRequestsResponse counted;
  ASSERT_THAT(Call(&Stub::ListDialogueRequests, "", list, &counted), IsOk());
  EXPECT_EQ(counted.requests_size(), 0);
  EXPECT_EQ(counted.threshold(), 2);
  const std::string citizen = Token(a_, {Role::kCitizen});
  ASSERT_THAT(Call(&Stub::ListDialogueRequests, citizen, list, &counted), IsOk());
  EXPECT_EQ(counted.requests_size(), 0);
  v1::ListDialogueRequestsRequest unknown;
  unknown.set_parent("tenants/no-such-commune");
  EXPECT_THAT(Call(&Stub::ListDialogueRequests, "", unknown, &counted),
              StatusIs(StatusCode::kNotFound, "TENANT_NOT_FOUND"));

  v1::RejectDialogueRequestRequest reject;
  reject.set_name(requests.requests(0).name());
  reject.set_reason("không xác minh được");
  EXPECT_THAT(Call(&Stub::RejectDialogueRequest, office_, reject, &stored),
              StatusIs(StatusCode::kFailedPrecondition, "INVALID_REQUEST_STATE"));
}

TEST_F(IntakeGrpcTest, TheSynthesisReportCountsOnOneBasisAndNamesTopicsAndHamlets) {
  auto a = Create("Đề nghị sửa đường thôn 1");
  auto b = Create("Đề nghị sửa đường thôn 1 gấp");
  auto c = Create("Hỏi về chế độ bảo hiểm y tế", "", "thon-2");
  ASSERT_THAT(c, IsOk());
  v1::MergeOpinionsRequest merge;
  merge.set_name(a->name());
  merge.add_sources(b->name());
  v1::Opinion merged;
  ASSERT_THAT(Call(&Stub::MergeOpinions, office_, merge, &merged), IsOk());

  v1::GetSynthesisReportRequest request;
  request.set_round(round_);
  v1::SynthesisReport report;
  ASSERT_THAT(Call(&Stub::GetSynthesisReport, office_, request, &report), IsOk());
  EXPECT_EQ(report.received(), 3);
  EXPECT_EQ(report.items(), 2);
  EXPECT_EQ(report.items_list_size(), 2);
  int supporters = 0;
  for (const auto& item : report.items_list()) supporters += item.supporter_count();
  EXPECT_EQ(supporters, 3);
  ASSERT_EQ(report.by_hamlet_size(), 2);
  EXPECT_EQ(report.by_hamlet(0).key(), "thon-1");
  EXPECT_EQ(report.by_hamlet(0).label(), "Thôn thon-1");  // the name, not the id
  EXPECT_EQ(report.by_hamlet(0).opinions(), 2);
  // One basis everywhere: every breakdown adds up to the opinions received, and to the
  // supporters counted once (a merged opinion's are in its item).
  for (const auto* counts :
       {&report.by_topic(), &report.by_channel(), &report.by_hamlet(), &report.by_state()}) {
    int opinions = 0, people = 0;
    for (const auto& count : *counts) {
      opinions += count.opinions();
      people += count.supporters();
    }
    EXPECT_EQ(opinions, report.received());
    EXPECT_EQ(people, 3);
  }
  bool merged_counted = false;
  for (const auto& count : report.by_state()) {
    if (count.key() == "MERGED") merged_counted = count.opinions() == 1 && count.supporters() == 0;
  }
  EXPECT_TRUE(merged_counted);
  for (const auto& count : report.by_topic()) {
    EXPECT_EQ(count.key().empty(), count.label().empty()) << count.key();
  }
  for (const auto& item : report.items_list()) {
    EXPECT_EQ(item.topic().empty(), item.topic_name().empty()) << item.topic();
    EXPECT_EQ(item.hamlet_name(), "Thôn " + item.hamlet());
  }
  request.set_round(absl::StrCat("tenants/", a_, "/rounds/00000000-0000-4000-8000-000000000000"));
  EXPECT_THAT(Call(&Stub::GetSynthesisReport, office_, request, &report),
              StatusIs(StatusCode::kNotFound, "ROUND_NOT_FOUND"));
}

// Issue 20: the synthesis report as the document the office files, in three forms, to staff
// of the commune only.
TEST_F(IntakeGrpcTest, TheSynthesisReportRendersAsTheDocumentTheOfficeFiles) {
  ASSERT_THAT(Create("Đề nghị sửa đường thôn 1"), IsOk());
  ASSERT_THAT(Create("Hỏi về chế độ bảo hiểm y tế", "", "thon-2"), IsOk());
  v1::RenderSynthesisReportRequest render;
  render.set_round(round_);
  render.set_signer("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn An");
  v1::HttpBody text;
  render.set_format("text");
  ASSERT_THAT(Call(&Stub::RenderSynthesisReport, office_, render, &text), IsOk());
  EXPECT_THAT(text.data(), HasSubstr("BÁO CÁO\nTổng hợp ý kiến, kiến nghị của Nhân dân: "));
  EXPECT_THAT(text.data(), HasSubstr("Tổng số ý kiến, kiến nghị đã tiếp nhận: 2."));
  EXPECT_THAT(text.data(), HasSubstr("Thôn thon-1 1; Thôn thon-2 1"));  // names, not ids
  EXPECT_THAT(text.data(), HasSubstr("Đề nghị sửa đường thôn 1"));
  EXPECT_THAT(text.data(), HasSubstr("\nCHỦ TỊCH\n"));
  EXPECT_THAT(text.data(), HasSubstr("Nguyễn Văn An"));
  v1::HttpBody docx;
  render.set_format("docx");
  ASSERT_THAT(Call(&Stub::RenderSynthesisReport, office_, render, &docx), IsOk());
  EXPECT_EQ(docx.data().substr(0, 2), "PK");
  EXPECT_THAT(docx.filename(), HasSubstr("bao-cao-tong-hop-"));
  render.set_format("");  // html, the print page
  v1::HttpBody html;
  ASSERT_THAT(Call(&Stub::RenderSynthesisReport, office_, render, &html), IsOk());
  EXPECT_THAT(html.content_type(), HasSubstr("text/html"));
  EXPECT_THAT(html.data(), HasSubstr("size: A4"));

  render.set_format("pdf");
  EXPECT_THAT(Call(&Stub::RenderSynthesisReport, office_, render, &html),
              StatusIs(StatusCode::kInvalidArgument, "FORMAT_INVALID"));
  render.set_format("html");
  render.set_signer(std::string(301, 'x'));
  EXPECT_THAT(Call(&Stub::RenderSynthesisReport, office_, render, &html),
              StatusIs(StatusCode::kInvalidArgument));
  render.clear_signer();
  // Staff only, and only the commune's own.
  EXPECT_THAT(Call(&Stub::RenderSynthesisReport, "", render, &html),
              StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Call(&Stub::RenderSynthesisReport, Token(a_, {Role::kCitizen}), render, &html),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(
      Call(&Stub::RenderSynthesisReport, Token(b_, {Role::kGovernmentOffice}), render, &html),
      StatusIs(StatusCode::kPermissionDenied));
  render.set_round(absl::StrCat("tenants/", a_, "/rounds/00000000-0000-4000-8000-000000000000"));
  EXPECT_THAT(Call(&Stub::RenderSynthesisReport, office_, render, &html),
              StatusIs(StatusCode::kNotFound, "ROUND_NOT_FOUND"));
}

// Issue 19, item 9: a round tied to a plan takes the plan's dates, is corrected or removed
// (while empty) like any record, and flags what came in after its deadline.
TEST_F(IntakeGrpcTest, ARoundOfAPlanTakesItsDatesAndFlagsWhatCameLate) {
  const std::string plan = testing::PublishedPlan(a_, [](v1::Plan& p) {
    p.mutable_conferences(0)->clear_hamlets();  // the commune lists no hamlets
    v1::PreparationTask* answers = p.add_tasks();
    answers->set_id("tra-loi");
    answers->set_kind(v1::ANSWER_DRAFTING);
    answers->set_responsible_role("department");
    answers->set_description("Trả lời bằng văn bản các ý kiến");
    answers->mutable_relative_due()->set_conference_id("1");
    answers->mutable_relative_due()->set_offset_days(-5);
  });
  v1::CreateRoundRequest create;
  create.set_parent(absl::StrCat("tenants/", a_));
  create.mutable_round()->set_title("Lấy ý kiến trước hội nghị năm 2027");
  create.mutable_round()->set_plan(plan);
  v1::Round round;
  EXPECT_THAT(Call(&Stub::CreateRound, office_, create, &round),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
  create.mutable_round()->set_conference_id("9");
  EXPECT_THAT(Call(&Stub::CreateRound, office_, create, &round),
              StatusIs(StatusCode::kInvalidArgument, "CONFERENCE_NOT_IN_PLAN"));
  create.mutable_round()->set_conference_id("1");
  // A deadline on the conference's first day contradicts the plan (its own rule).
  create.mutable_round()->set_opinion_deadline_date("2027-04-20");
  EXPECT_THAT(Call(&Stub::CreateRound, office_, create, &round),
              StatusIs(StatusCode::kInvalidArgument, "OPINION_DEADLINE_NOT_BEFORE_CONFERENCE"));
  create.mutable_round()->clear_opinion_deadline_date();
  v1::CreateRoundRequest missing = create;
  missing.mutable_round()->set_plan(
      absl::StrCat("tenants/", a_, "/plans/00000000-0000-4000-8000-000000000000"));
  EXPECT_THAT(Call(&Stub::CreateRound, office_, missing, &round),
              StatusIs(StatusCode::kInvalidArgument, "PLAN_NOT_FOUND"));
  EXPECT_EQ(Count("rounds"), 1);  // the fixture's own
  ASSERT_THAT(Call(&Stub::CreateRound, office_, create, &round), IsOk());
  EXPECT_EQ(round.opinion_deadline_date(), "2027-04-10");  // the conference's
  EXPECT_EQ(round.answer_due_date(), "2027-04-15");        // the answer task's
  EXPECT_EQ(round.opinions(), 0);

  // Corrected: answers due before the opinions are in, or a field that is not the
  // round's to change, are refused and change nothing.
  v1::UpdateRoundRequest update;
  *update.mutable_round() = round;
  update.mutable_round()->set_answer_due_date("2027-04-01");
  update.mutable_update_mask()->add_paths("answer_due_date");
  v1::Round updated;
  EXPECT_THAT(Call(&Stub::UpdateRound, office_, update, &updated),
              StatusIs(StatusCode::kInvalidArgument, "ANSWER_DUE_BEFORE_DEADLINE"));
  update.mutable_update_mask()->add_paths("plan");
  EXPECT_THAT(Call(&Stub::UpdateRound, office_, update, &updated),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_NOT_UPDATABLE"));
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("answer_due_date");
  update.mutable_round()->set_answer_due_date("2027-04-17");
  EXPECT_THAT(Call(&Stub::UpdateRound, department_, update, &updated),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  ASSERT_THAT(Call(&Stub::UpdateRound, office_, update, &updated), IsOk());
  EXPECT_EQ(updated.answer_due_date(), "2027-04-17");
  EXPECT_EQ(updated.opinion_deadline_date(), "2027-04-10");
  EXPECT_EQ(updated.title(), round.title());
  // With its plan gone, the round keeps its dates and takes a new title; a date that
  // would need the plan is refused.
  AdminQuery(absl::StrCat("DELETE FROM planning.plans WHERE id = '",
                          plan.substr(plan.rfind('/') + 1), "'; SELECT 1"));
  v1::UpdateRoundRequest retitle;
  retitle.mutable_round()->set_name(round.name());
  retitle.mutable_round()->set_title("Lấy ý kiến trước hội nghị năm 2027 (đợt 1)");
  retitle.mutable_update_mask()->add_paths("title");
  ASSERT_THAT(Call(&Stub::UpdateRound, office_, retitle, &updated), IsOk());
  EXPECT_EQ(updated.title(), "Lấy ý kiến trước hội nghị năm 2027 (đợt 1)");
  EXPECT_EQ(updated.answer_due_date(), "2027-04-17");
  EXPECT_THAT(Call(&Stub::UpdateRound, office_, update, &updated),
              StatusIs(StatusCode::kInvalidArgument, "PLAN_NOT_FOUND"));

  // A round past its deadline still takes opinions, flagged and counted as late.
  v1::CreateRoundRequest past;
  past.set_parent(create.parent());
  past.mutable_round()->set_title("Đợt lấy ý kiến quý I");
  past.mutable_round()->set_opinion_deadline_date("2026-03-31");
  past.mutable_round()->set_answer_due_date("2026-04-20");
  v1::Round past_round;
  ASSERT_THAT(Call(&Stub::CreateRound, office_, past, &past_round), IsOk());
  round_ = past_round.name();
  auto late = Create("Đề nghị sửa đường trục thôn 1");
  ASSERT_THAT(late, IsOk());
  EXPECT_TRUE(late->received_late());
  v1::GetRoundRequest get;
  get.set_name(past_round.name());
  ASSERT_THAT(Call(&Stub::GetRound, office_, get, &past_round), IsOk());
  EXPECT_EQ(past_round.opinions(), 1);
  EXPECT_EQ(past_round.received_late(), 1);
  v1::GetSynthesisReportRequest synthesis;
  synthesis.set_round(past_round.name());
  v1::SynthesisReport report;
  ASSERT_THAT(Call(&Stub::GetSynthesisReport, office_, synthesis, &report), IsOk());
  EXPECT_EQ(report.received_late(), 1);
  EXPECT_EQ(report.opinion_deadline_date(), "2026-03-31");
  // The deadline moved (both dates at once): no longer late.
  update.mutable_round()->set_name(past_round.name());
  update.mutable_round()->set_opinion_deadline_date("2099-12-30");
  update.mutable_round()->set_answer_due_date("2099-12-31");
  update.mutable_update_mask()->add_paths("opinion_deadline_date");
  ASSERT_THAT(Call(&Stub::UpdateRound, office_, update, &updated), IsOk());
  EXPECT_FALSE(Get(late->name()).received_late());

  // A round that holds an opinion is kept; an empty one goes.
  v1::DeleteRoundRequest remove;
  remove.set_name(past_round.name());
  v1::DeleteRoundResponse removed;
  EXPECT_THAT(Call(&Stub::DeleteRound, office_, remove, &removed),
              StatusIs(StatusCode::kFailedPrecondition, "ROUND_HAS_OPINIONS"));
  EXPECT_EQ(Get(late->name()).round(), past_round.name());
  remove.set_name(round.name());
  EXPECT_THAT(Call(&Stub::DeleteRound, department_, remove, &removed),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  ASSERT_THAT(Call(&Stub::DeleteRound, office_, remove, &removed), IsOk());
  get.set_name(round.name());
  EXPECT_THAT(Call(&Stub::GetRound, office_, get, &round),
              StatusIs(StatusCode::kNotFound, "ROUND_NOT_FOUND"));
  // Another commune's round is out of reach.
  const std::string round_b = NewRound(b_, Token(b_, {Role::kGovernmentOffice, Role::kFront}));
  remove.set_name(round_b);
  EXPECT_FALSE(Call(&Stub::DeleteRound, office_, remove, &removed).ok());
  EXPECT_EQ(
      AdminQuery(absl::StrCat("SELECT count(*) FROM intake.rounds WHERE tenant_id = '", b_, "'")),
      "1");
}

// Issue 19, item 10: what the conference answered reaches intake through the session's
// conclusion, once, and only for the commune's own opinions.
TEST_F(IntakeGrpcTest, OpinionsAnsweredAtTheConferenceBecomeAnswered) {
  auto approved = Create("Đề nghị sửa cầu qua kênh thôn 1");
  auto drafted = Create("Đề nghị lắp đèn chiếu sáng đường trục thôn 1");
  auto standing = Create("Đề nghị nạo vét kênh tiêu thôn 2");
  auto folded = Create("Đề nghị nạo vét kênh tiêu thôn 2 trước mùa mưa");
  auto silent = Create("Hỏi về chế độ bảo hiểm y tế cho người cao tuổi");
  ASSERT_THAT(silent, IsOk());
  const std::string token_b = Token(b_, {Role::kGovernmentOffice, Role::kFront});
  const v1::Opinion theirs = CreateInB(token_b, "Ý kiến của xã B");
  ASSERT_FALSE(theirs.name().empty());

  Draft(approved->name(), "Xã sửa cầu trong quý III.");
  v1::Opinion o;
  ASSERT_THAT(Transition(&Stub::ApproveAnswer, office_, approved->name(), "", &o), IsOk());
  Draft(drafted->name(), "Bản nháp chưa duyệt");
  v1::MergeOpinionsRequest merge;
  merge.set_name(standing->name());
  merge.add_sources(folded->name());
  ASSERT_THAT(Call(&Stub::MergeOpinions, office_, merge, &o), IsOk());

  v1::SessionConcluded concluded;
  concluded.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  concluded.set_date("2026-05-08");
  for (const auto* name :
       {&approved->name(), &drafted->name(), &standing->name(), &folded->name(), &theirs.name()}) {
    concluded.add_opinions_answered(*name);
  }
  concluded.add_opinions_answered(
      absl::StrCat("tenants/", a_, "/opinions/00000000-0000-4000-8000-000000000000"));
  const std::string event_id = common::NewUuid();
  const int told = Events("PetitionerMessage");
  stream_.Publish(a_, "sessions", concluded, event_id);
  EXPECT_EQ(Drain().applied, 1);
  // The petitioners of the three answered and of the one merged into them are told.
  EXPECT_EQ(Events("PetitionerMessage"), told + 4);

  // The approved answer stands; an unapproved draft gives way to what was said in the room.
  EXPECT_EQ(Get(approved->name()).state(), v1::ANSWERED);
  EXPECT_EQ(Get(approved->name()).answer(), "Xã sửa cầu trong quý III.");
  const v1::Opinion spoken = Get(drafted->name());
  EXPECT_EQ(spoken.state(), v1::ANSWERED);
  EXPECT_EQ(spoken.answer(), "Đã trả lời trực tiếp tại hội nghị đối thoại ngày 08/05/2026.");
  EXPECT_EQ(Get(standing->name()).state(), v1::ANSWERED);
  // A merged opinion stays merged and is answered through the one standing for it.
  EXPECT_EQ(Get(folded->name()).state(), v1::MERGED);
  EXPECT_EQ(Follow(folded->receipt_code()).state(), v1::ANSWERED);
  EXPECT_EQ(Get(silent->name()).state(), v1::RECEIVED);
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT state FROM intake.opinions WHERE id = '",
                                    theirs.name().substr(theirs.name().rfind('/') + 1), "'")),
            "RECEIVED");
  v1::ListOpinionHistoryRequest history_request;
  history_request.set_name(drafted->name());
  v1::ListOpinionHistoryResponse history;
  ASSERT_THAT(Call(&Stub::ListOpinionHistory, office_, history_request, &history), IsOk());
  const v1::HistoryEntry& last = history.entries(history.entries_size() - 1);
  EXPECT_EQ(last.from_state(), v1::ANSWER_DRAFTED);
  EXPECT_EQ(last.to_state(), v1::ANSWERED);
  EXPECT_THAT(last.note(), HasSubstr(concluded.session()));
  EXPECT_THAT(last.note(), HasSubstr("Bản nháp chưa duyệt"));  // kept, not published

  // The same event again changes nothing.
  const int entries = Count("opinion_history");
  stream_.Publish(a_, "sessions", concluded, event_id);
  EXPECT_EQ(Drain().applied, 0);
  EXPECT_EQ(Count("opinion_history"), entries);
  EXPECT_EQ(Events("PetitionerMessage"), told + 4);
}

// Issue 19: an approved answer reaches each petitioner on the channel they gave: the
// opinion's own and those of the opinions merged into it; nobody who left no way to reach
// them, and nothing before the office approves.
TEST_F(IntakeGrpcTest, AnApprovedAnswerReachesEachPetitionerOnTheChannelTheyGave) {
  auto by = [&](const std::string& text, const std::string& contact,
                v1::ReplyVia via) -> absl::StatusOr<v1::Opinion> {
    v1::CreateOpinionRequest request;
    request.set_parent(absl::StrCat("tenants/", a_));
    v1::Opinion* o = request.mutable_opinion();
    o->set_round(round_);
    o->set_hamlet("thon-1");
    o->set_channel(v1::WRITTEN_PETITION);
    o->set_text(text);
    o->mutable_submitter()->set_contact(contact);
    o->mutable_submitter()->set_reply_via(via);
    v1::Opinion out;
    RETURN_IF_ERROR(Call(&Stub::CreateOpinion, office_, request, &out));
    return out;
  };
  auto texted = Create("Đề nghị lắp đèn chiếu sáng đường thôn 1");  // 0912345678: SMS
  auto mailed = by("Lắp đèn đường thôn 1 giúp dân", " lan@example.vn ", v1::REPLY_EMAIL);
  auto posted = by("Đèn đường thôn 1 hỏng", "Xóm 3, thôn 1", v1::REPLY_VIA_UNSPECIFIED);
  auto quiet = by("Đèn đường thôn 1", "0988 777 666", v1::REPLY_NONE);
  ASSERT_THAT(texted, IsOk());
  ASSERT_THAT(mailed, IsOk());
  ASSERT_THAT(posted, IsOk());
  ASSERT_THAT(quiet, IsOk());
  EXPECT_EQ(Get(mailed->name()).submitter().reply_via(), v1::REPLY_EMAIL);
  // A channel that cannot reach the contact given is refused, and nothing is stored.
  const int stored = Count("opinions");
  EXPECT_THAT(by("Đèn đường", "0988 777 666", v1::REPLY_EMAIL).status(),
              StatusIs(StatusCode::kInvalidArgument, "CONTACT_INVALID"));
  EXPECT_THAT(by("Đèn đường", "lan@example.vn", v1::REPLY_ZALO).status(),
              StatusIs(StatusCode::kInvalidArgument, "CONTACT_INVALID"));
  EXPECT_EQ(Count("opinions"), stored);

  v1::MergeOpinionsRequest merge;
  merge.set_name(texted->name());
  for (const auto* o : {&*mailed, &*posted, &*quiet}) merge.add_sources(o->name());
  v1::Opinion o;
  ASSERT_THAT(Call(&Stub::MergeOpinions, office_, merge, &o), IsOk());
  Draft(texted->name(), "Xã lắp 12 đèn trong quý III.");
  EXPECT_EQ(Events("PetitionerMessage"), 0);  // a draft tells nobody
  ASSERT_THAT(Transition(&Stub::ApproveAnswer, office_, texted->name(), "", &o), IsOk());

  auto told = testing::OutboxEvents("intake", a_, "PetitionerMessage");
  ASSERT_THAT(told, IsOk());
  std::map<int, v1::PetitionerMessage> by_channel;
  for (const v1::Event& e : *told) {
    v1::PetitionerMessage m;
    ASSERT_TRUE(e.payload().UnpackTo(&m));
    by_channel[m.channel()] = m;
  }
  ASSERT_EQ(told->size(), 2u);
  ASSERT_EQ(by_channel.count(v1::VIA_SMS), 1u);
  ASSERT_EQ(by_channel.count(v1::VIA_EMAIL), 1u);
  const v1::PetitionerMessage& sms = by_channel[v1::VIA_SMS];
  EXPECT_EQ(sms.contact(), "0912345678");
  EXPECT_EQ(sms.opinion(), texted->name());
  EXPECT_EQ(sms.receipt_code(), texted->receipt_code());
  EXPECT_EQ(sms.text(), absl::StrCat("Ý kiến, kiến nghị mã ", texted->receipt_code(),
                                     " đã có câu trả lời: Xã lắp 12 đèn trong quý III."));
  EXPECT_EQ(sms.follow_path(), absl::StrCat("/xa/", a_, "/theo-doi/", texted->receipt_code()));
  const v1::PetitionerMessage& mail = by_channel[v1::VIA_EMAIL];
  EXPECT_EQ(mail.contact(), "lan@example.vn");
  EXPECT_EQ(mail.receipt_code(), mailed->receipt_code());  // their own code, the same answer
  EXPECT_THAT(mail.text(), HasSubstr("Xã lắp 12 đèn trong quý III."));
  EXPECT_EQ((*told)[0].traceparent().empty(), false);
}

// Issue 19: what becomes of a commitment made on an opinion (supervision's
// CommitmentChanged) reaches its petitioners; a name of another commune is ignored, and
// their own feedback is not echoed back to them.
TEST_F(IntakeGrpcTest, WhatBecomesOfACommitmentReachesItsPetitioners) {
  auto raised = Create("Đề nghị nạo vét kênh tiêu thôn 2");
  ASSERT_THAT(raised, IsOk());
  const std::string token_b = Token(b_, {Role::kGovernmentOffice, Role::kFront});
  const v1::Opinion theirs = CreateInB(token_b, "Ý kiến của xã B");

  v1::CommitmentChanged change;
  change.set_commitment(absl::StrCat("tenants/", a_, "/commitments/", common::NewUuid()));
  change.add_opinions(raised->name());
  change.add_opinions(theirs.name());
  change.set_kind(v1::CHANGE_PROGRESS);
  change.set_from_state(v1::COMMITMENT_IN_PROGRESS);
  change.set_to_state(v1::COMMITMENT_RESOLVED);
  change.set_summary("Kênh tiêu thôn 2");
  change.set_agency("Phòng Kinh tế");
  change.set_date("2026-09-12");
  change.set_note("Đã nạo vét 1,2 km.");
  stream_.Publish(a_, "supervision", change, common::NewUuid());
  change.set_kind(v1::CHANGE_FEEDBACK);
  stream_.Publish(a_, "supervision", change, common::NewUuid());
  EXPECT_EQ(Drain().applied, 2);

  auto told = testing::OutboxEvents("intake", a_, "PetitionerMessage");
  ASSERT_THAT(told, IsOk());
  ASSERT_EQ(told->size(), 1u);
  v1::PetitionerMessage m;
  ASSERT_TRUE((*told)[0].payload().UnpackTo(&m));
  EXPECT_EQ(m.receipt_code(), raised->receipt_code());
  EXPECT_EQ(m.channel(), v1::VIA_SMS);
  EXPECT_EQ(m.title(), absl::StrCat("Kết quả giải quyết kiến nghị mã ", raised->receipt_code()));
  EXPECT_THAT(m.text(), HasSubstr("đã giải quyết ngày 12/09/2026. Đã nạo vét 1,2 km."));
  EXPECT_EQ(testing::OutboxEvents("intake", b_, "PetitionerMessage")->size(), 0u);
}

// Row Level Security on every intake table: with the intake role and tenant A's scope, a
// query without any tenant condition sees A's rows only, and cannot write B's.
TEST_F(IntakeGrpcTest, EveryIntakeTableIsolatesTenantsInTheDatabase) {
  ASSERT_THAT(Create("Ý kiến của xã A"), IsOk());
  const std::string token_b = Token(b_, {Role::kGovernmentOffice, Role::kFront});
  const v1::Opinion b_opinion = CreateInB(token_b, "Ý kiến của xã B");
  ASSERT_FALSE(b_opinion.name().empty());
  v1::TransitionOpinionRequest dummy;
  for (const auto& [tenant, token] : {std::make_pair(a_, office_), std::make_pair(b_, token_b)}) {
    v1::ReplaceTopicsRequest topics;
    topics.set_parent(absl::StrCat("tenants/", tenant));
    topics.add_topics()->set_id("chung");
    topics.mutable_topics(0)->set_display_name("Chung");
    v1::ListTopicsResponse ignored;
    ASSERT_THAT(Call(&Stub::ReplaceTopics, token, topics, &ignored), IsOk());
    v1::RequestDialogueRequest ask;
    ask.set_parent(topics.parent());
    ask.mutable_request()->set_voter_name("Cử tri");
    ask.mutable_request()->set_hamlet("thon-1");
    ask.mutable_request()->set_contact("0900000000");
    ask.mutable_request()->set_matter("Việc chung");
    v1::DialogueRequest asked;
    ASSERT_THAT(Call(&Stub::RequestDialogue, "", ask, &asked), IsOk());
  }
  // A history row for each tenant.
  for (const auto& [name, token] : {std::make_pair(b_opinion.name(), token_b)}) {
    v1::ClassifyOpinionRequest classify;
    classify.set_name(name);
    classify.set_topic("chung");
    v1::Opinion o;
    ASSERT_THAT(Call(&Stub::ClassifyOpinion, token, classify, &o), IsOk());
  }
  v1::ListOpinionsRequest list;
  list.set_parent(absl::StrCat("tenants/", a_));
  v1::ListOpinionsResponse page;
  ASSERT_THAT(Call(&Stub::ListOpinions, office_, list, &page), IsOk());
  v1::ClassifyOpinionRequest classify;
  classify.set_name(page.opinions(0).name());
  classify.set_topic("chung");
  v1::Opinion o;
  ASSERT_THAT(Call(&Stub::ClassifyOpinion, office_, classify, &o), IsOk());
  // An event processed for each tenant.
  for (const std::string& tenant : {a_, b_}) {
    v1::SessionConcluded concluded;
    concluded.set_session(absl::StrCat("tenants/", tenant, "/sessions/", common::NewUuid()));
    concluded.set_date("2026-05-08");
    stream_.Publish(tenant, "sessions", concluded, common::NewUuid());
  }
  ASSERT_EQ(Drain().applied, 2);

  db::ConnectionPool pool({testing::IntakePgUri(), 1});
  for (const char* table : {"rounds", "opinions", "opinion_history", "topics", "dialogue_requests",
                            "outbox", "processed_events"}) {
    SCOPED_TRACE(table);
    auto seen = pool.InTransaction(
        db::TenantScope::Of(a_),
        [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<std::string>> {
          std::vector<std::string> tenants;
          for (const auto& row :
               txn.exec(absl::StrCat("SELECT DISTINCT tenant_id FROM intake.", table,
                                     " WHERE tenant_id LIKE '", province_.id, "%'"))) {
            tenants.push_back(row[0].as<std::string>());
          }
          return tenants;
        });
    ASSERT_THAT(seen, IsOk());
    EXPECT_EQ(*seen, std::vector<std::string>{a_});
    // Both tenants really have rows: the administrator sees two.
    EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(DISTINCT tenant_id) FROM intake.", table,
                                      " WHERE tenant_id LIKE '", province_.id, "%'")),
              "2");
    // No scope at all: nothing.
    auto none =
        pool.InTransaction(db::TenantScope{}, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
          return txn.exec(absl::StrCat("SELECT count(*) FROM intake.", table))[0][0].as<int>();
        });
    ASSERT_THAT(none, IsOk());
    EXPECT_EQ(*none, 0);
  }
  // Writing a row of B under A's scope is refused by the policy.
  auto forged =
      pool.InTransaction(db::TenantScope::Of(a_), [&](pqxx::dbtransaction& txn) -> absl::Status {
        txn.exec_params("UPDATE intake.topics SET tenant_id = $1 WHERE tenant_id = $2", b_, a_);
        return absl::OkStatus();
      });
  EXPECT_THAT(forged, StatusIs(StatusCode::kPermissionDenied));
  auto hidden = pool.InTransaction(
      db::TenantScope::Of(a_), [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
        return static_cast<int>(
            txn.exec_params("UPDATE intake.opinions SET text = 'x' WHERE tenant_id = $1", b_)
                .affected_rows());
      });
  ASSERT_THAT(hidden, IsOk());
  EXPECT_EQ(*hidden, 0);
}

}  // namespace
}  // namespace dialogue::intake
