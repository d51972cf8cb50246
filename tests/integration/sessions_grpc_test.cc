// SessionService through real stubs against a server on a local port, the harness's
// PostgreSQL, and the stack's planning and intake services (the plan's conference, the
// synthesis report): a full conference from registration to approved minutes, every bad
// input with nothing changed, the live view seen by two watchers, the calendar, the agenda
// template, and RLS on every sessions table.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/auth/token.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/db/tenant_directory.h"
#include "dialogue/rpc/server.h"
#include "dialogue/v1/intake.grpc.pb.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "live_sessions.h"
#include "session_rules.h"
#include "session_service.h"
#include "store.h"
#include "test_support.h"

namespace dialogue::sessions {
namespace {

using auth::Role;
using testing::AdminQuery;
using testing::IsOk;
using testing::StackChannel;
using testing::StatusIs;
using testing::Token;
using testing::TokenAs;
using Stub = v1::SessionService::Stub;
using StatusCode = absl::StatusCode;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

int Count(const std::string& sql) { return std::stoi(AdminQuery(sql)); }

v1::Hamlet MakeHamlet(const std::string& id) {
  v1::Hamlet h;
  h.set_id(id);
  h.set_display_name(absl::StrCat("Thôn ", id));
  return h;
}

class SessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    live_.Start();
    auto server = rpc::StartServer({"127.0.0.1:0"}, {&service_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::SessionService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    province_ = testing::NewProvince(2, {MakeHamlet("an-son"), MakeHamlet("an-lau")});
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    office_ = TokenAs("office-a", a_, {Role::kGovernmentOffice, Role::kPartyOffice});
    chair_ = TokenAs("chair-a", a_, {Role::kChair});
    secretary_ = TokenAs("secretary-a", a_, {Role::kSecretary});
    plan_ = testing::PublishedPlan(a_);
  }

  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const std::string& token, const Request& request, Response* response) {
    return testing::CallWith(*stub_, method, token, request, response);
  }

  absl::StatusOr<v1::Session> CreateSession(const std::string& token, v1::Session s,
                                            const std::string& tenant = "") {
    v1::CreateSessionRequest create;
    create.set_parent("tenants/" + (tenant.empty() ? a_ : tenant));
    if (s.plan().empty()) s.set_plan(plan_);
    if (s.conference_id().empty()) s.set_conference_id("1");
    *create.mutable_session() = s;
    v1::Session out;
    RETURN_IF_ERROR(Call(&Stub::CreateSession, token, create, &out));
    return out;
  }

  v1::Session Basic() {
    v1::Session s;
    s.set_date("2027-04-24");
    s.set_start_time("08:00");
    s.set_chair("Nguyễn Văn A, Chủ tịch UBND xã");
    s.set_secretary("Lê Thị B");
    return s;
  }

  absl::StatusOr<v1::Session> Transition(
      grpc::Status (Stub::*method)(grpc::ClientContext*, const v1::AnnounceSessionRequest&,
                                   v1::Session*),
      const std::string& token, const std::string& name) {
    v1::AnnounceSessionRequest request;
    request.set_name(name);
    v1::Session out;
    RETURN_IF_ERROR(Call(method, token, request, &out));
    return out;
  }

  absl::StatusOr<v1::Session> Open(const std::string& token, const std::string& name,
                                   const std::string& reason) {
    v1::OpenSessionRequest open;
    open.set_name(name);
    open.set_override_reason(reason);
    v1::Session out;
    RETURN_IF_ERROR(Call(&Stub::OpenSession, token, open, &out));
    return out;
  }

  absl::StatusOr<v1::Session> Advance(const std::string& name, int step) {
    v1::AdvanceAgendaRequest advance;
    advance.set_name(name);
    advance.set_step(step);
    v1::Session out;
    RETURN_IF_ERROR(Call(&Stub::AdvanceAgenda, chair_, advance, &out));
    return out;
  }

  absl::StatusOr<v1::Speaker> Register(const std::string& session, const std::string& token,
                                       const std::string& name, bool written = false,
                                       const std::string& request_id = "") {
    v1::RegisterSpeakerRequest request;
    request.set_parent(session);
    request.set_request_id(request_id);
    request.mutable_speaker()->set_full_name(name);
    request.mutable_speaker()->set_hamlet("An Sơn");
    request.mutable_speaker()->set_topic("Giao thông nông thôn");
    request.mutable_speaker()->set_written(written);
    v1::Speaker out;
    RETURN_IF_ERROR(Call(&Stub::RegisterSpeaker, token, request, &out));
    return out;
  }

  absl::StatusOr<v1::Speaker> CallSpeaker(const std::string& speaker) {
    v1::CallSpeakerRequest call;
    call.set_name(speaker);
    v1::Speaker out;
    RETURN_IF_ERROR(Call(&Stub::CallSpeaker, chair_, call, &out));
    return out;
  }

  absl::StatusOr<v1::Speaker> Answer(const std::string& speaker, const std::string& by) {
    v1::AnswerSpeakerRequest answer;
    answer.set_name(speaker);
    answer.mutable_answer()->set_answered_by(by);
    answer.mutable_answer()->set_summary("Xã sẽ khảo sát và sửa chữa trong quý II");
    v1::Speaker out;
    RETURN_IF_ERROR(Call(&Stub::AnswerSpeaker, secretary_, answer, &out));
    return out;
  }

  // An announced session opened by the chair (before the lead time, with a reason).
  v1::Session InProgress() {
    auto created = CreateSession(office_, Basic());
    EXPECT_THAT(created, IsOk());
    EXPECT_THAT(Transition(&Stub::AnnounceSession, office_, created->name()), IsOk());
    auto opened = Open(chair_, created->name(), "Thử nghiệm");
    EXPECT_THAT(opened, IsOk());
    return opened.value_or(v1::Session());
  }

  std::string SessionId(const std::string& name) { return name.substr(name.rfind('/') + 1); }

  db::ConnectionPool pool_{{testing::SessionsPgUri(), 4}};
  db::TenantDirectory directory_{pool_};
  rpc::Authenticator authenticator_{
      *auth::TokenVerifier::Hs256(testing::TokenSecret(), "dialogue-local"), directory_};
  SessionStore store_{pool_};
  LiveSessions live_{store_, testing::SessionsPgUri()};
  SessionService service_{
      store_, authenticator_,
      Upstreams{StackChannel("DIALOGUE_PLANNING_ADDR"), StackChannel("DIALOGUE_INTAKE_ADDR")},
      &live_};
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<Stub> stub_;
  testing::Province province_;
  std::string a_, b_, office_, chair_, secretary_, plan_;
};

// Issue 19: delegates chosen in each residential group (seed 003: 10-15 each) are counted
// over all the commune's groups when the conference is for the whole commune.
TEST_F(SessionsTest, APerHamletGroupOfAWholeCommuneConferenceCountsEveryHamlet) {
  v1::Session s = Basic();
  s.set_plan(
      testing::PublishedPlan(a_, [](v1::Plan& p) { p.mutable_conferences(0)->clear_hamlets(); }));
  auto created = CreateSession(office_, s);
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->hamlets_size(), 0);
  ASSERT_EQ(created->groups_size(), 1);
  EXPECT_EQ(created->groups(0).expected(), 30);  // 15 in each of the commune's 2 hamlets
}

TEST_F(SessionsTest, AFullConferenceFromRegistrationToApprovedMinutes) {
  // A round of opinions in intake, for step 3.
  auto intake = v1::IntakeService::NewStub(StackChannel("DIALOGUE_INTAKE_ADDR"));
  const std::string front = TokenAs("front-a", a_, {Role::kGovernmentOffice, Role::kFront});
  v1::CreateRoundRequest round_request;
  round_request.set_parent("tenants/" + a_);
  round_request.mutable_round()->set_title("Đợt lấy ý kiến năm 2027");
  round_request.mutable_round()->set_answer_due_date("2027-04-10");
  v1::Round round;
  ASSERT_THAT(testing::CallWith(*intake, &v1::IntakeService::Stub::CreateRound, front,
                                round_request, &round),
              IsOk());
  std::vector<std::string> opinions;
  std::vector<std::string> receipts;
  for (const char* text : {"Đề nghị sửa đường liên thôn An Sơn", "Đề nghị lắp đèn chiếu sáng"}) {
    v1::CreateOpinionRequest create;
    create.set_parent("tenants/" + a_);
    create.mutable_opinion()->set_round(round.name());
    create.mutable_opinion()->set_hamlet("an-son");
    create.mutable_opinion()->set_channel(v1::SURVEY_FORM);
    create.mutable_opinion()->set_text(text);
    create.mutable_opinion()->mutable_submitter()->set_name("Trần Văn Cường");
    v1::Opinion opinion;
    ASSERT_THAT(testing::CallWith(*intake, &v1::IntakeService::Stub::CreateOpinion, front, create,
                                  &opinion),
                IsOk());
    opinions.push_back(opinion.name());
    receipts.push_back(opinion.receipt_code());
  }

  // Created from the plan's conference: venue and groups come from the plan.
  v1::Session basic = Basic();
  basic.set_round(round.name());
  auto created = CreateSession(office_, basic);
  ASSERT_THAT(created, IsOk());
  const std::string name = created->name();
  EXPECT_EQ(created->state(), v1::SESSION_SCHEDULED);
  EXPECT_EQ(created->venue(), "Hội trường UBND xã");
  ASSERT_EQ(created->groups_size(), 1);
  EXPECT_EQ(created->groups(0).name(), "Đại biểu Nhân dân");
  EXPECT_EQ(created->groups(0).expected(), 15);  // per hamlet, one hamlet
  ASSERT_EQ(created->agenda_size(), 7);
  EXPECT_EQ(created->agenda(2).limit_minutes(), 20);
  EXPECT_EQ(created->current_step(), 0);

  // Announced: SessionAnnounced is in the outbox, in the same commit.
  auto announced = Transition(&Stub::AnnounceSession, office_, name);
  ASSERT_THAT(announced, IsOk());
  EXPECT_EQ(announced->state(), v1::SESSION_ANNOUNCED);
  const std::string today = calendar::FormatDate(calendar::TodayInVietnam(absl::Now()));
  EXPECT_EQ(announced->announce_date(), today);
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM sessions.outbox WHERE tenant_id = '", a_,
                               "' AND event_type = 'dialogue.v1.SessionAnnounced'")),
            1);

  // Citizens register online, without an account; a written question at the venue goes
  // through the staff; the public cannot register one.
  auto first = Register(name, "", "Trần Văn Cường", false, "reg-1");
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->position(), 1);
  auto again = Register(name, "", "Trần Văn Cường", false, "reg-1");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->name(), first->name());  // the same request stores nothing twice
  auto second = Register(name, "", "Phạm Thị Dung");
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(Register(name, "", "Hoàng Văn Em", true),
              StatusIs(StatusCode::kInvalidArgument, "WRITTEN_AT_VENUE"));
  // A receipt code names the opinion sent earlier: it must be one of this commune's.
  v1::RegisterSpeakerRequest with_code;
  with_code.set_parent(name);
  with_code.mutable_speaker()->set_full_name("Lê Văn Giang");
  with_code.mutable_speaker()->set_receipt_code("ZZZZ-ZZZZ-ZZZZ");
  v1::Speaker coded;
  EXPECT_THAT(Call(&Stub::RegisterSpeaker, "", with_code, &coded),
              StatusIs(StatusCode::kInvalidArgument, "RECEIPT_CODE_UNKNOWN"));
  // A U is never in a code: refused here by the rule intake reads codes with.
  with_code.mutable_speaker()->set_receipt_code("UUUU-UUUU-UUUU");
  EXPECT_THAT(Call(&Stub::RegisterSpeaker, "", with_code, &coded),
              StatusIs(StatusCode::kInvalidArgument, "RECEIPT_CODE_INVALID"));
  with_code.mutable_speaker()->set_receipt_code(receipts[1]);
  ASSERT_THAT(Call(&Stub::RegisterSpeaker, "", with_code, &coded), IsOk());
  EXPECT_EQ(coded.receipt_code(), receipts[1]);
  auto written = Register(name, secretary_, "Hoàng Văn Em", true);
  ASSERT_THAT(written, IsOk());
  EXPECT_EQ(written->position(), 4);

  // Attendance at the door: named check-ins (twice is harmless) and a head count.
  v1::RecordAttendanceRequest attendance;
  attendance.set_name(name + "/attendance");
  for (const char* person : {"Trần Văn Cường", "Phạm Thị Dung", "Trần Văn Cường"}) {
    v1::Delegate* d = attendance.add_check_ins();
    d->set_full_name(person);
    d->set_group("Đại biểu Nhân dân");
  }
  v1::Attendance present;
  ASSERT_THAT(Call(&Stub::RecordAttendance, secretary_, attendance, &present), IsOk());
  EXPECT_EQ(present.delegates_size(), 2);
  EXPECT_EQ(present.present(), 2);
  attendance.clear_check_ins();
  v1::GroupCount* count = attendance.add_counts();
  count->set_group("Đại biểu Nhân dân");
  count->set_present(12);
  ASSERT_THAT(Call(&Stub::RecordAttendance, secretary_, attendance, &present), IsOk());
  EXPECT_EQ(present.present(), 12);
  EXPECT_EQ(present.expected(), 15);
  count->set_group("Khách mời");
  EXPECT_THAT(Call(&Stub::RecordAttendance, secretary_, attendance, &present),
              StatusIs(StatusCode::kInvalidArgument, "GROUP_UNKNOWN"));

  // Opening before the lead time: refused without a reason, refused to the secretary,
  // allowed to the chair with a reason, which is recorded.
  EXPECT_THAT(Open(chair_, name, ""),
              StatusIs(StatusCode::kFailedPrecondition, "LEAD_TIME_NOT_PASSED"));
  EXPECT_THAT(Open(secretary_, name, "Lũ sắp về"),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  auto opened = Open(chair_, name, "Lũ sắp về, họp sớm theo đề nghị của Nhân dân");
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->state(), v1::SESSION_IN_PROGRESS);
  EXPECT_EQ(opened->current_step(), 1);
  EXPECT_EQ(opened->open_override_reason(), "Lũ sắp về, họp sớm theo đề nghị của Nhân dân");
  EXPECT_TRUE(opened->agenda(0).has_start_time());

  // Speakers are not called before the statements step; steps go in order.
  EXPECT_THAT(CallSpeaker(first->name()),
              StatusIs(StatusCode::kFailedPrecondition, "NOT_SPEAKING_TIME"));
  EXPECT_THAT(Advance(name, 3), StatusIs(StatusCode::kFailedPrecondition, "STEP_OUT_OF_ORDER"));
  ASSERT_THAT(Advance(name, 2), IsOk());
  ASSERT_THAT(Advance(name, 3), IsOk());

  // Step 3: intake's synthesis report, and the items answered in the room.
  v1::GetPreCollectedOpinionsRequest pre;
  pre.set_session(name);
  v1::PreCollectedOpinions report;
  ASSERT_THAT(Call(&Stub::GetPreCollectedOpinions, office_, pre, &report), IsOk());
  EXPECT_EQ(report.report().received(), 2);
  EXPECT_EQ(report.report().items_list_size(), 2);
  v1::MarkOpinionsAnsweredRequest mark;
  mark.set_name(name);
  mark.add_opinions(opinions[0]);
  v1::Session marked;
  ASSERT_THAT(Call(&Stub::MarkOpinionsAnswered, secretary_, mark, &marked), IsOk());
  mark.add_opinions(opinions[0]);  // again: recorded once
  ASSERT_THAT(Call(&Stub::MarkOpinionsAnswered, secretary_, mark, &marked), IsOk());
  EXPECT_THAT(marked.opinions_answered(), ::testing::ElementsAre(opinions[0]));
  ASSERT_THAT(Call(&Stub::GetPreCollectedOpinions, office_, pre, &report), IsOk());
  EXPECT_THAT(report.answered_in_room(), ::testing::ElementsAre(opinions[0]));

  ASSERT_THAT(Advance(name, 4), IsOk());
  // The chair takes the written question first, with a reason.
  v1::MoveSpeakerRequest move;
  move.set_name(written->name());
  move.set_position(1);
  move.set_reason("Câu hỏi bằng văn bản về cùng nội dung");
  v1::Speaker moved;
  ASSERT_THAT(Call(&Stub::MoveSpeaker, chair_, move, &moved), IsOk());
  EXPECT_EQ(moved.position(), 1);
  v1::ListSpeakersRequest list;
  list.set_parent(name);
  v1::ListSpeakersResponse queue;
  ASSERT_THAT(Call(&Stub::ListSpeakers, office_, list, &queue), IsOk());
  ASSERT_EQ(queue.speakers_size(), 4);
  EXPECT_EQ(queue.speakers(0).full_name(), "Hoàng Văn Em");
  EXPECT_EQ(queue.speakers(1).full_name(), "Trần Văn Cường");
  EXPECT_EQ(queue.speakers(3).position(), 4);

  // An answer to someone who has not had the floor is refused, nothing recorded.
  EXPECT_THAT(Answer(first->name(), "Chủ tịch UBND xã"),
              StatusIs(StatusCode::kFailedPrecondition, "SPEAKER_NOT_CALLED"));
  auto speaking = CallSpeaker(written->name());
  ASSERT_THAT(speaking, IsOk());
  EXPECT_EQ(speaking->state(), v1::SPEAKER_SPEAKING);
  EXPECT_THAT(CallSpeaker(written->name()),
              StatusIs(StatusCode::kFailedPrecondition, "SPEAKER_ALREADY_CALLED"));
  v1::RecordStatementRequest statement;
  statement.set_name(written->name());
  statement.set_summary("Đường liên thôn An Sơn xuống cấp, mùa mưa lầy lội");
  v1::Speaker out;
  ASSERT_THAT(Call(&Stub::RecordStatement, secretary_, statement, &out), IsOk());
  v1::RecordFollowUpRequest follow;
  follow.set_name(written->name());
  follow.set_summary("Đề nghị làm rõ thời gian");
  follow.set_satisfaction(v1::NOT_SATISFIED);
  EXPECT_THAT(Call(&Stub::RecordFollowUp, secretary_, follow, &out),
              StatusIs(StatusCode::kFailedPrecondition, "NOT_ANSWERED"));
  ASSERT_THAT(Answer(written->name(), "Trưởng phòng Kinh tế"), IsOk());
  ASSERT_THAT(Call(&Stub::RecordFollowUp, secretary_, follow, &out), IsOk());
  EXPECT_EQ(out.satisfaction(), v1::NOT_SATISFIED);
  ASSERT_EQ(out.answers_size(), 1);
  // The next speaker: the one before is done.
  ASSERT_THAT(CallSpeaker(first->name()), IsOk());
  ASSERT_THAT(Call(&Stub::ListSpeakers, office_, list, &queue), IsOk());
  EXPECT_EQ(queue.speakers(0).full_name(), "Phạm Thị Dung");  // still waiting
  EXPECT_EQ(queue.speakers(1).full_name(), "Lê Văn Giang");
  EXPECT_EQ(queue.speakers(2).state(), v1::SPEAKER_DONE);
  EXPECT_EQ(queue.speakers(3).state(), v1::SPEAKER_SPEAKING);
  ASSERT_THAT(Answer(first->name(), "Chủ tịch UBND xã"), IsOk());

  // Concluding before the last step, or with an unresolved item lacking its agency, is
  // refused and changes nothing.
  v1::ConcludeSessionRequest conclude;
  conclude.set_name(name);
  v1::ConclusionItem* road = conclude.add_items();
  road->set_summary("Sửa đường liên thôn An Sơn");
  road->set_outcome(v1::OUTCOME_UNRESOLVED);
  road->set_action("Khảo sát, lập dự toán, trình HĐND xã");
  road->set_due_date("2027-06-30");
  road->add_opinions(opinions[0]);
  v1::ConclusionItem* light = conclude.add_items();
  light->set_summary("Lắp đèn chiếu sáng");
  light->set_outcome(v1::OUTCOME_RESOLVED_ON_SPOT);
  light->add_opinions(opinions[1]);
  light->add_opinions(opinions[0]);
  v1::Session concluded;
  EXPECT_THAT(Call(&Stub::ConcludeSession, chair_, conclude, &concluded),
              StatusIs(StatusCode::kFailedPrecondition, "CONCLUSION_STEP_NOT_REACHED"));
  for (int step = 5; step <= 7; ++step) ASSERT_THAT(Advance(name, step), IsOk());
  EXPECT_THAT(Call(&Stub::ConcludeSession, chair_, conclude, &concluded),
              StatusIs(StatusCode::kInvalidArgument, "AGENCY_REQUIRED"));
  EXPECT_THAT(Call(&Stub::ConcludeSession, secretary_, conclude, &concluded),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  v1::GetSessionRequest get;
  get.set_name(name);
  v1::Session unchanged;
  ASSERT_THAT(Call(&Stub::GetSession, office_, get, &unchanged), IsOk());
  EXPECT_EQ(unchanged.state(), v1::SESSION_IN_PROGRESS);
  EXPECT_EQ(unchanged.conclusion_size(), 0);

  road->set_agency("Phòng Kinh tế");
  conclude.set_complex(true);
  ASSERT_THAT(Call(&Stub::ConcludeSession, chair_, conclude, &concluded), IsOk());
  EXPECT_EQ(concluded.state(), v1::SESSION_CONCLUDED);
  EXPECT_TRUE(concluded.complex());
  ASSERT_EQ(concluded.conclusion_size(), 2);
  EXPECT_EQ(concluded.conclusion(0).id(), "1");
  EXPECT_TRUE(concluded.agenda(6).has_end_time());
  // SessionConcluded with every item, in the outbox of the same commit.
  auto event = testing::OutboxEvent("sessions", a_, "SessionConcluded");
  ASSERT_THAT(event.status(), IsOk());
  v1::SessionConcluded event_payload;
  ASSERT_TRUE(event->payload().UnpackTo(&event_payload));
  EXPECT_EQ(event_payload.session(), name);
  EXPECT_TRUE(event_payload.complex());
  ASSERT_EQ(event_payload.items_size(), 2);
  EXPECT_EQ(event_payload.items(0).agency(), "Phòng Kinh tế");
  EXPECT_EQ(event_payload.items(0).due_date(), "2027-06-30");
  EXPECT_EQ(event_payload.items(0).opinions(0), opinions[0]);
  // Answered in the room: marked at step 3, then resolved on the spot; each once.
  EXPECT_THAT(event_payload.opinions_answered(), ::testing::ElementsAre(opinions[0], opinions[1]));
  // Whoever had the floor is done.
  ASSERT_THAT(Call(&Stub::ListSpeakers, office_, list, &queue), IsOk());
  EXPECT_EQ(queue.speakers(3).state(), v1::SPEAKER_DONE);

  // The minutes: drawn from the record; the public cannot see the draft.
  v1::GetMinutesRequest get_minutes;
  get_minutes.set_name(name + "/minutes");
  v1::Minutes minutes;
  EXPECT_THAT(Call(&Stub::GetMinutes, "", get_minutes, &minutes),
              StatusIs(StatusCode::kNotFound, "MINUTES_NOT_FOUND"));
  ASSERT_THAT(Call(&Stub::GetMinutes, secretary_, get_minutes, &minutes), IsOk());
  EXPECT_EQ(minutes.state(), v1::MINUTES_DRAFT);
  for (const char* expected :
       {"BIÊN BẢN", "Đại biểu Nhân dân: 12/15", "Ông/bà Hoàng Văn Em",
        "Trả lời (Trưởng phòng Kinh tế)", "chưa thỏa đáng", "Lũ sắp về", "Giao: Phòng Kinh tế",
        "Thời hạn: 30/06/2027", "Số người đăng ký chưa được phát biểu: 2",
        "được trả lời tại hội nghị: 1"}) {
    EXPECT_THAT(minutes.text(), HasSubstr(expected));
  }

  // The draft prints for the office, marked as a draft; to the public it does not exist.
  v1::RenderMinutesRequest render;
  render.set_name(get_minutes.name());
  v1::HttpBody printed;
  EXPECT_THAT(Call(&Stub::RenderMinutes, "", render, &printed),
              StatusIs(StatusCode::kNotFound, "MINUTES_NOT_FOUND"));
  ASSERT_THAT(Call(&Stub::RenderMinutes, secretary_, render, &printed), IsOk());
  EXPECT_EQ(printed.content_type(), "text/html; charset=utf-8");
  EXPECT_THAT(printed.data(), HasSubstr("Dự thảo: biên bản chưa được"));
  EXPECT_THAT(printed.data(), HasSubstr("Ông/bà Hoàng Văn Em"));
  render.set_format("pdf");
  EXPECT_THAT(Call(&Stub::RenderMinutes, secretary_, render, &printed),
              StatusIs(StatusCode::kInvalidArgument, "FORMAT_INVALID"));

  // The secretary edits; the chair approves; an edit withdraws that approval.
  v1::UpdateMinutesRequest edit;
  edit.mutable_minutes()->set_name(minutes.name());
  edit.mutable_minutes()->set_text(minutes.text() + "Biên bản lập thành 02 bản.\n");
  edit.mutable_minutes()->set_etag(minutes.etag());
  EXPECT_THAT(Call(&Stub::UpdateMinutes, chair_, edit, &minutes),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  ASSERT_THAT(Call(&Stub::UpdateMinutes, secretary_, edit, &minutes), IsOk());
  EXPECT_THAT(Call(&Stub::UpdateMinutes, secretary_, edit, &minutes),
              StatusIs(StatusCode::kAborted, "ETAG_MISMATCH"));  // the etag read before
  v1::ApproveMinutesRequest approve;
  approve.set_name(minutes.name());
  approve.set_etag(minutes.etag());
  ASSERT_THAT(Call(&Stub::ApproveMinutes, chair_, approve, &minutes), IsOk());
  EXPECT_EQ(minutes.approvals_size(), 1);
  approve.set_etag(minutes.etag());
  EXPECT_THAT(Call(&Stub::ApproveMinutes, chair_, approve, &minutes),
              StatusIs(StatusCode::kFailedPrecondition, "ALREADY_APPROVED"));
  ASSERT_THAT(Call(&Stub::ApproveMinutes, secretary_, approve, &minutes), IsOk());
  EXPECT_EQ(minutes.state(), v1::MINUTES_APPROVED);
  EXPECT_EQ(minutes.content_hash(), ContentHash(minutes.text()));
  EXPECT_THAT(minutes.text(), HasSubstr("Biên bản lập thành 02 bản."));
  ASSERT_THAT(Call(&Stub::GetSession, office_, get, &unchanged), IsOk());
  EXPECT_EQ(unchanged.state(), v1::SESSION_CLOSED);

  // Approved minutes never change; anyone can read them and their hash.
  const std::string approved_text = minutes.text();
  edit.mutable_minutes()->set_text("Sửa sau khi duyệt");
  edit.mutable_minutes()->clear_etag();
  EXPECT_THAT(Call(&Stub::UpdateMinutes, secretary_, edit, &minutes),
              StatusIs(StatusCode::kFailedPrecondition, "MINUTES_APPROVED"));
  v1::Minutes public_copy;
  ASSERT_THAT(Call(&Stub::GetMinutes, "", get_minutes, &public_copy), IsOk());
  EXPECT_EQ(public_copy.text(), approved_text);
  EXPECT_EQ(public_copy.content_hash(), ContentHash(approved_text));

  // Printed, with the secretary's edit and the hash below; the .docx is the file kept at
  // approval, its SHA-256 the one the minutes show.
  render.set_format("html");
  ASSERT_THAT(Call(&Stub::RenderMinutes, "", render, &printed), IsOk());
  EXPECT_THAT(printed.data(), HasSubstr("Biên bản lập thành 02 bản."));
  EXPECT_THAT(printed.data(), HasSubstr(public_copy.content_hash()));
  EXPECT_THAT(printed.data(), Not(HasSubstr("Dự thảo")));
  render.set_format("docx");
  ASSERT_THAT(Call(&Stub::RenderMinutes, "", render, &printed), IsOk());
  EXPECT_EQ(printed.filename(), absl::StrCat("van-ban-bien-ban-", SessionId(name), ".docx"));
  ASSERT_FALSE(public_copy.document_hash().empty());
  EXPECT_EQ(ContentHash(printed.data()), public_copy.document_hash());
  // Not even the administrator changes them in the database.
  const std::string where =
      absl::StrCat(" WHERE tenant_id = '", a_, "' AND session_id = '", SessionId(name), "'");
  EXPECT_ANY_THROW(AdminQuery("UPDATE sessions.minutes SET document = NULL" + where));
  EXPECT_ANY_THROW(AdminQuery("DELETE FROM sessions.minutes" + where));
  EXPECT_EQ(AdminQuery("SELECT document_hash FROM sessions.minutes" + where),
            public_copy.document_hash());
  v1::HttpBody reprinted;
  ASSERT_THAT(Call(&Stub::RenderMinutes, "", render, &reprinted), IsOk());
  EXPECT_EQ(reprinted.data(), printed.data());
}

TEST_F(SessionsTest, HamletsAreNamedAsTheCommuneNamesThem) {
  AdminQuery(absl::StrCat(
      "UPDATE tenancy.tenants SET hamlets = '[{\"id\":\"an-son\",\"displayName\":\"Thôn "
      "An Sơn\"},{\"id\":\"to-3\",\"displayName\":\"Tổ dân phố 3\"}]' WHERE id = '",
      a_, "'"));
  v1::Session s = Basic();
  s.add_hamlets("an-son");
  s.add_hamlets("to-3");
  auto created = CreateSession(office_, s);
  ASSERT_THAT(created, IsOk());
  EXPECT_THAT(created->hamlet_names(), ::testing::ElementsAre("Thôn An Sơn", "Tổ dân phố 3"));
  ASSERT_THAT(Transition(&Stub::AnnounceSession, office_, created->name()), IsOk());
  // The calendar file and the event the notices are drafted from carry the names.
  v1::ExportSessionsCalendarRequest ics;
  ics.set_parent("tenants/" + a_);
  v1::HttpBody body;
  ASSERT_THAT(Call(&Stub::ExportSessionsCalendar, office_, ics, &body), IsOk());
  EXPECT_THAT(body.data(), HasSubstr("Thôn An Sơn"));
  EXPECT_THAT(body.data(), Not(HasSubstr("an-son")));
  auto event = testing::OutboxEvent("sessions", a_, "SessionAnnounced");
  ASSERT_THAT(event.status(), IsOk());
  v1::SessionAnnounced announced;
  ASSERT_TRUE(event->payload().UnpackTo(&announced));
  EXPECT_THAT(announced.hamlet_names(), ::testing::ElementsAre("Thôn An Sơn", "Tổ dân phố 3"));
}

TEST_F(SessionsTest, AConferenceHeldEarlierIsRecordedAfterTheFactWithAReason) {
  // Held on its planned date, entered a week later (issue 19, item 1).
  const std::string held = calendar::FormatDate(calendar::TodayInVietnam(absl::Now()) - 7);
  v1::Session s = Basic();
  s.set_date(held);
  auto created = CreateSession(office_, s);
  ASSERT_THAT(created, IsOk());
  // Without a reason, announcing a past date is still refused, and nothing changes.
  EXPECT_THAT(Transition(&Stub::AnnounceSession, office_, created->name()),
              StatusIs(StatusCode::kFailedPrecondition, "DATE_PASSED"));
  v1::AnnounceSessionRequest announce;
  announce.set_name(created->name());
  announce.set_after_the_fact_reason(std::string(400, 'x'));
  v1::Session out;
  EXPECT_THAT(Call(&Stub::AnnounceSession, office_, announce, &out),
              StatusIs(StatusCode::kInvalidArgument));
  announce.set_after_the_fact_reason("Hội nghị đã họp ngày dự kiến; nhập lại vào hệ thống");
  ASSERT_THAT(Call(&Stub::AnnounceSession, office_, announce, &out), IsOk());
  EXPECT_EQ(out.state(), v1::SESSION_ANNOUNCED);
  EXPECT_EQ(out.after_the_fact_reason(), announce.after_the_fact_reason());
  for (const auto& w : out.warnings()) {
    EXPECT_THAT(w, Not(HasSubstr("Chủ tịch quyết định")));  // only the plan's window may be said
  }
  // It opens at once, by anyone who runs sessions: the lead time is long past.
  auto opened = Open(secretary_, created->name(), "");
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->state(), v1::SESSION_IN_PROGRESS);
  // The reason is not for a session still ahead.
  auto ahead = CreateSession(office_, Basic());
  ASSERT_THAT(ahead, IsOk());
  announce.set_name(ahead->name());
  EXPECT_THAT(Call(&Stub::AnnounceSession, office_, announce, &out),
              StatusIs(StatusCode::kInvalidArgument, "DATE_NOT_PASSED"));
  // Announced two days ahead, it says (in the clerks' language) that opening on its date
  // needs the chair.
  v1::Session soon = Basic();
  soon.set_date(calendar::FormatDate(calendar::TodayInVietnam(absl::Now()) + 2));
  auto close = CreateSession(office_, soon);
  ASSERT_THAT(close, IsOk());
  auto warned = Transition(&Stub::AnnounceSession, office_, close->name());
  ASSERT_THAT(warned, IsOk());
  EXPECT_THAT(warned->warnings(), Contains(HasSubstr("Thông báo trước hội nghị 2 ngày")));
  EXPECT_THAT(warned->warnings(), Contains(HasSubstr("cần Chủ tịch quyết định")));
  // Once the chair has opened it, the warning has done its work and is gone.
  auto early = Open(chair_, close->name(), "Họp sớm theo đề nghị của Nhân dân");
  ASSERT_THAT(early, IsOk());
  EXPECT_THAT(early->warnings(), Not(Contains(HasSubstr("cần Chủ tịch quyết định"))));
}

TEST_F(SessionsTest, WarningsFollowTheDateAsItChanges) {
  v1::Session s = Basic();
  s.set_date("2027-05-15");  // the plan's window is 20-30/04/2027
  auto created = CreateSession(office_, s);
  ASSERT_THAT(created, IsOk());
  ASSERT_EQ(created->warnings_size(), 1);
  EXPECT_THAT(created->warnings(0), HasSubstr("Ngày 15/05/2027 nằm ngoài thời gian kế hoạch"));

  // Moved into the window: the warning about the old date goes.
  v1::UpdateSessionRequest update;
  update.mutable_session()->set_name(created->name());
  update.mutable_session()->set_date("2027-04-24");
  update.mutable_update_mask()->add_paths("date");
  v1::Session moved;
  ASSERT_THAT(Call(&Stub::UpdateSession, office_, update, &moved), IsOk());
  EXPECT_EQ(moved.warnings_size(), 0) << moved.warnings(0);

  // Out of it again: the warning names the new date, once.
  update.mutable_session()->set_date("2027-05-02");
  ASSERT_THAT(Call(&Stub::UpdateSession, office_, update, &moved), IsOk());
  ASSERT_EQ(moved.warnings_size(), 1);
  EXPECT_THAT(moved.warnings(0), HasSubstr("Ngày 02/05/2027 nằm ngoài thời gian kế hoạch"));
}

TEST_F(SessionsTest, MovingToTheNextStepEndsTheSpeakersTurn) {
  v1::Session session = InProgress();
  int statements = 0;
  for (const auto& step : session.agenda()) {
    if (step.kind() == v1::STEP_STATEMENTS) statements = step.number();
  }
  ASSERT_GT(statements, 1);
  ASSERT_LT(statements, session.agenda_size());
  for (int step = 2; step <= statements; ++step) ASSERT_THAT(Advance(session.name(), step), IsOk());
  auto speaker = Register(session.name(), "", "Trần Văn Cường");
  ASSERT_THAT(speaker, IsOk());
  ASSERT_THAT(CallSpeaker(speaker->name()), IsOk());

  ASSERT_THAT(Advance(session.name(), statements + 1), IsOk());
  v1::ListSpeakersRequest list;
  list.set_parent(session.name());
  v1::ListSpeakersResponse speakers;
  ASSERT_THAT(Call(&Stub::ListSpeakers, office_, list, &speakers), IsOk());
  ASSERT_EQ(speakers.speakers_size(), 1);
  EXPECT_EQ(speakers.speakers(0).state(), v1::SPEAKER_DONE);
  EXPECT_TRUE(speakers.speakers(0).has_end_time());
  // The answers given afterwards are still recorded for the one who spoke.
  EXPECT_THAT(Answer(speaker->name(), "Chủ tịch UBND xã"), IsOk());
}

TEST_F(SessionsTest, BadInputIsRefusedAndChangesNothing) {
  auto count_sessions = [&](const std::string& tenant) {
    return Count(
        absl::StrCat("SELECT count(*) FROM sessions.sessions WHERE tenant_id = '", tenant, "'"));
  };
  // Another commune's staff, a plan that is not there, one of another commune, a
  // conference the plan does not have, a malformed date, a missing date.
  EXPECT_THAT(CreateSession(TokenAs("office-b", b_, {Role::kGovernmentOffice}), Basic()),
              StatusIs(StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
  v1::Session s = Basic();
  s.set_plan(absl::StrCat("tenants/", a_, "/plans/", common::NewUuid()));
  EXPECT_THAT(CreateSession(office_, s), StatusIs(StatusCode::kInvalidArgument, "PLAN_NOT_FOUND"));
  s = Basic();
  s.set_plan(testing::PublishedPlan(b_));
  EXPECT_THAT(CreateSession(office_, s),
              StatusIs(StatusCode::kInvalidArgument, "PLAN_OF_ANOTHER_TENANT"));
  s = Basic();
  s.set_round(absl::StrCat("tenants/", b_, "/rounds/", common::NewUuid()));
  EXPECT_THAT(CreateSession(office_, s),
              StatusIs(StatusCode::kInvalidArgument, "ROUND_OF_ANOTHER_TENANT"));
  s = Basic();
  s.set_conference_id("9");
  EXPECT_THAT(CreateSession(office_, s),
              StatusIs(StatusCode::kInvalidArgument, "CONFERENCE_NOT_IN_PLAN"));
  s = Basic();
  s.set_date("24/04/2027");
  EXPECT_THAT(CreateSession(office_, s), StatusIs(StatusCode::kInvalidArgument, "DATE_INVALID"));
  s = Basic();
  s.set_start_time("8h");
  EXPECT_THAT(CreateSession(office_, s), StatusIs(StatusCode::kInvalidArgument, "TIME_INVALID"));
  s = Basic();
  s.clear_date();  // the plan's window is ten days: no default day
  EXPECT_THAT(CreateSession(office_, s), StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
  EXPECT_THAT(CreateSession(TokenAs("dept", a_, {Role::kDepartment}), Basic()),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  EXPECT_EQ(count_sessions(a_), 0);

  // A date outside the plan's window is allowed, with a warning.
  s = Basic();
  s.set_date("2027-05-15");
  auto created = CreateSession(office_, s);
  ASSERT_THAT(created, IsOk());
  ASSERT_EQ(created->warnings_size(), 1);
  EXPECT_THAT(created->warnings(0), HasSubstr("nằm ngoài thời gian kế hoạch"));
  const std::string name = created->name();

  // Wrong state: opened before it is announced; a cancelled one announced.
  EXPECT_THAT(Open(chair_, name, "x"), StatusIs(StatusCode::kFailedPrecondition, "SESSION_STATE"));
  EXPECT_THAT(Register(name, "", "Trần Văn Cường"),
              StatusIs(StatusCode::kFailedPrecondition, "SESSION_STATE"));
  // Postponed: it must be announced again before it opens.
  ASSERT_THAT(Transition(&Stub::AnnounceSession, office_, name), IsOk());
  v1::PostponeSessionRequest postpone;
  postpone.set_name(name);
  postpone.set_new_date("2027-05-20");
  v1::Session out;
  EXPECT_THAT(Call(&Stub::PostponeSession, office_, postpone, &out),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_REQUIRED"));  // no reason
  postpone.set_reason("Trùng lịch bầu cử");
  ASSERT_THAT(Call(&Stub::PostponeSession, office_, postpone, &out), IsOk());
  EXPECT_EQ(out.state(), v1::SESSION_POSTPONED);
  EXPECT_EQ(out.date(), "2027-05-20");
  EXPECT_TRUE(out.announce_date().empty());
  EXPECT_THAT(Open(chair_, name, "x"), StatusIs(StatusCode::kFailedPrecondition, "SESSION_STATE"));
  v1::CancelSessionRequest cancel;
  cancel.set_name(name);
  cancel.set_reason("Thiên tai");
  ASSERT_THAT(Call(&Stub::CancelSession, office_, cancel, &out), IsOk());
  EXPECT_THAT(Transition(&Stub::AnnounceSession, office_, name),
              StatusIs(StatusCode::kFailedPrecondition, "SESSION_STATE"));
  // A stale etag.
  v1::UpdateSessionRequest update;
  update.mutable_session()->set_name(name);
  update.mutable_session()->set_etag("1");
  update.mutable_session()->set_venue("Nhà văn hóa thôn");
  update.mutable_update_mask()->add_paths("venue");
  EXPECT_THAT(Call(&Stub::UpdateSession, office_, update, &out),
              StatusIs(StatusCode::kAborted, "ETAG_MISMATCH"));
  update.mutable_session()->clear_etag();
  EXPECT_THAT(Call(&Stub::UpdateSession, office_, update, &out),
              StatusIs(StatusCode::kFailedPrecondition, "SESSION_STATE"));
  update.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(Call(&Stub::UpdateSession, office_, update, &out),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_NOT_EDITABLE"));
  v1::GetSessionRequest get;
  get.set_name(name);
  ASSERT_THAT(Call(&Stub::GetSession, office_, get, &out), IsOk());
  EXPECT_EQ(out.state(), v1::SESSION_CANCELLED);
  EXPECT_EQ(out.cancel_reason(), "Thiên tai");
  EXPECT_EQ(out.venue(), "Hội trường UBND xã");

  // Commune B reads nothing of A's, even by its exact name.
  EXPECT_THAT(
      Call(&Stub::GetSession, TokenAs("office-b", b_, {Role::kGovernmentOffice}), get, &out),
      StatusIs(StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
  get.set_name(absl::StrCat("tenants/", a_, "/sessions/not-a-uuid"));
  EXPECT_THAT(Call(&Stub::GetSession, office_, get, &out), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(SessionsTest, TwoWatchersSeeTheLiveViewChange) {
  v1::Session session = InProgress();
  const std::string name = session.name();
  auto speaker = Register(name, "", "Trần Văn Cường");
  ASSERT_THAT(speaker, IsOk());

  // One screen without an account, one of the office; each collects what it is sent.
  struct Watcher {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::SessionLiveView>> reader;
    std::vector<v1::SessionLiveView> views;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (const std::string& token : {std::string(), office_}) {
    auto w = std::make_unique<Watcher>();
    if (!token.empty()) w->context.AddMetadata("authorization", "Bearer " + token);
    w->context.set_deadline(std::chrono::system_clock::now() + 30s);
    v1::WatchSessionRequest watch;
    watch.set_name(name);
    w->reader = stub_->WatchSession(&w->context, watch);
    Watcher* raw = w.get();
    w->thread = std::thread([raw] {
      v1::SessionLiveView view;
      while (raw->reader->Read(&view)) raw->views.push_back(view);
    });
    watchers.push_back(std::move(w));
  }
  std::this_thread::sleep_for(300ms);
  for (int step = 2; step <= 4; ++step) ASSERT_THAT(Advance(name, step), IsOk());
  ASSERT_THAT(CallSpeaker(speaker->name()), IsOk());
  // Both see step 4 and the speaker on the floor, within a few seconds.
  auto seen = [&](const Watcher& w) {
    for (const auto& v : w.views) {
      if (v.current_step().number() == 4 && v.speaking().full_name() == "Trần Văn Cường") {
        return true;
      }
    }
    return false;
  };
  auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until && !(seen(*watchers[0]) && seen(*watchers[1]))) {
    std::this_thread::sleep_for(50ms);
  }
  for (auto& w : watchers) {
    w->context.TryCancel();
    w->thread.join();
  }
  for (auto& w : watchers) {
    EXPECT_TRUE(seen(*w));
    ASSERT_FALSE(w->views.empty());
    EXPECT_EQ(w->views.front().current_step().number(), 1);
    EXPECT_EQ(w->views.front().queue_size(), 1);
    EXPECT_EQ(w->views.front().step_count(), 7);
  }

  // A session not yet announced is not shown to the public.
  auto scheduled = CreateSession(office_, Basic());
  ASSERT_THAT(scheduled, IsOk());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  v1::WatchSessionRequest watch;
  watch.set_name(scheduled->name());
  auto reader = stub_->WatchSession(&context, watch);
  v1::SessionLiveView view;
  EXPECT_FALSE(reader->Read(&view));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(SessionsTest, TheCalendarAndTheAgendaTemplate) {
  // The commune's own agenda: five steps, the report limited to 15 minutes.
  v1::UpdateAgendaTemplateRequest update;
  v1::AgendaTemplate* agenda = update.mutable_agenda_template();
  agenda->set_name(absl::StrCat("tenants/", a_, "/agendaTemplate"));
  agenda->set_speaker_limit_minutes(3);
  const v1::StepKind kinds[] = {v1::STEP_OPENING, v1::STEP_REPORT, v1::STEP_STATEMENTS,
                                v1::STEP_ANSWERS, v1::STEP_CONCLUSION};
  for (int i = 0; i < 5; ++i) {
    v1::AgendaStep* step = agenda->add_steps();
    step->set_number(i + 1);
    step->set_kind(kinds[i]);
    step->set_title(absl::StrCat("Bước ", i + 1));
    if (kinds[i] == v1::STEP_REPORT) step->set_limit_minutes(15);
  }
  v1::AgendaTemplate stored;
  EXPECT_THAT(Call(&Stub::UpdateAgendaTemplate, secretary_, update, &stored),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  agenda->mutable_steps(4)->set_kind(v1::STEP_OTHER);
  EXPECT_THAT(Call(&Stub::UpdateAgendaTemplate, office_, update, &stored),
              StatusIs(StatusCode::kInvalidArgument, "CONCLUSION_STEP_REQUIRED"));
  agenda->mutable_steps(4)->set_kind(v1::STEP_CONCLUSION);
  ASSERT_THAT(Call(&Stub::UpdateAgendaTemplate, office_, update, &stored), IsOk());
  EXPECT_TRUE(stored.customized());
  auto created = CreateSession(office_, Basic());
  ASSERT_THAT(created, IsOk());
  ASSERT_EQ(created->agenda_size(), 5);
  EXPECT_EQ(created->agenda(1).limit_minutes(), 15);
  EXPECT_EQ(created->speaker_limit_minutes(), 3);
  // B's template is still the standard one.
  v1::GetAgendaTemplateRequest get;
  get.set_name(absl::StrCat("tenants/", b_, "/agendaTemplate"));
  ASSERT_THAT(
      Call(&Stub::GetAgendaTemplate, TokenAs("b", b_, {Role::kGovernmentOffice}), get, &stored),
      IsOk());
  EXPECT_FALSE(stored.customized());
  EXPECT_EQ(stored.steps_size(), 7);

  // The calendar: one event per session, as text/calendar.
  ASSERT_THAT(Transition(&Stub::AnnounceSession, office_, created->name()), IsOk());
  v1::ExportSessionsCalendarRequest ics;
  ics.set_parent("tenants/" + a_);
  v1::HttpBody body;
  ASSERT_THAT(Call(&Stub::ExportSessionsCalendar, office_, ics, &body), IsOk());
  EXPECT_EQ(body.content_type(), "text/calendar; charset=utf-8");
  EXPECT_THAT(body.data(), HasSubstr(absl::StrCat("UID:", SessionId(created->name()), "@", a_)));
  EXPECT_THAT(body.data(), HasSubstr("DTSTART:20270424T010000Z"));
  EXPECT_THAT(body.data(), HasSubstr("STATUS:CONFIRMED"));

  // Citizens get the calendar and the list without an account, but only of sessions announced
  // to them: one still being organised stays out, and so do the clerks' warnings.
  v1::Session later = Basic();
  later.set_date("2027-04-25");
  auto scheduled = CreateSession(office_, later);
  ASSERT_THAT(scheduled, IsOk());
  ASSERT_THAT(Call(&Stub::ExportSessionsCalendar, office_, ics, &body), IsOk());
  EXPECT_THAT(body.data(), HasSubstr(absl::StrCat("UID:", SessionId(scheduled->name()))));
  ASSERT_THAT(Call(&Stub::ExportSessionsCalendar, "", ics, &body), IsOk());
  EXPECT_THAT(body.data(), HasSubstr(absl::StrCat("UID:", SessionId(created->name()), "@", a_)));
  // The same SEQUENCE as the office's file, so a change reaches citizens' calendars too.
  v1::HttpBody office_body;
  ASSERT_THAT(Call(&Stub::ExportSessionsCalendar, office_, ics, &office_body), IsOk());
  auto sequence_of = [&](const std::string& data) {
    size_t at = data.find(absl::StrCat("UID:", SessionId(created->name())));
    at = data.find("SEQUENCE:", at);
    return at == std::string::npos ? std::string() : data.substr(at, data.find('\r', at) - at);
  };
  EXPECT_EQ(sequence_of(body.data()), sequence_of(office_body.data()));
  EXPECT_NE(sequence_of(body.data()), "SEQUENCE:0");
  EXPECT_THAT(body.data(), Not(HasSubstr(SessionId(scheduled->name()))));
  v1::ListSessionsRequest list;
  list.set_parent("tenants/" + a_);
  v1::ListSessionsResponse listed;
  ASSERT_THAT(Call(&Stub::ListSessions, "", list, &listed), IsOk());
  ASSERT_EQ(listed.sessions_size(), 1);
  EXPECT_EQ(listed.sessions(0).name(), created->name());
  EXPECT_TRUE(listed.sessions(0).etag().empty());
  ASSERT_THAT(Call(&Stub::ListSessions, office_, list, &listed), IsOk());
  EXPECT_EQ(listed.sessions_size(), 2);
  // A token that is sent must still be good.
  EXPECT_THAT(Call(&Stub::ExportSessionsCalendar, "not-a-token", ics, &body),
              StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(SessionsTest, RowLevelSecurityIsolatesEveryTable) {
  v1::Session session = InProgress();
  ASSERT_THAT(Register(session.name(), "", "Trần Văn Cường"), IsOk());
  v1::RecordAttendanceRequest attendance;
  attendance.set_name(session.name() + "/attendance");
  v1::Delegate* d = attendance.add_check_ins();
  d->set_full_name("Phạm Thị Dung");
  d->set_group("Đại biểu Nhân dân");
  v1::Attendance present;
  ASSERT_THAT(Call(&Stub::RecordAttendance, secretary_, attendance, &present), IsOk());
  v1::UpdateAgendaTemplateRequest update;
  *update.mutable_agenda_template() = DefaultAgendaTemplate();
  update.mutable_agenda_template()->set_name(absl::StrCat("tenants/", a_, "/agendaTemplate"));
  v1::AgendaTemplate stored;
  ASSERT_THAT(Call(&Stub::UpdateAgendaTemplate, office_, update, &stored), IsOk());
  for (int step = 2; step <= 7; ++step) ASSERT_THAT(Advance(session.name(), step), IsOk());
  v1::ConcludeSessionRequest conclude;
  conclude.set_name(session.name());
  conclude.add_items()->set_summary("Tiếp thu ý kiến về môi trường");
  conclude.mutable_items(0)->set_outcome(v1::OUTCOME_ACCEPTED);
  v1::Session concluded;
  ASSERT_THAT(Call(&Stub::ConcludeSession, chair_, conclude, &concluded), IsOk());

  const std::string id = SessionId(session.name());
  // As the sessions role, scoped to commune B: none of A's rows, in any table, and no
  // write into A's.
  pqxx::connection conn(testing::SessionsPgUri());
  for (const char* table :
       {"sessions", "delegates", "speakers", "minutes", "agenda_templates", "outbox"}) {
    pqxx::work txn(conn);
    txn.exec_params("SELECT set_config('app.tenant_id', $1, true)", b_);
    auto rows = txn.exec(absl::StrCat("SELECT count(*) FROM sessions.", table,
                                      " WHERE tenant_id = ", txn.quote(a_)));
    EXPECT_EQ(rows[0][0].as<int>(), 0) << table;
    txn.abort();
    // As A, the rows are there: the check above could fail.
    pqxx::work own(conn);
    own.exec_params("SELECT set_config('app.tenant_id', $1, true)", a_);
    auto mine = own.exec(absl::StrCat("SELECT count(*) FROM sessions.", table,
                                      " WHERE tenant_id = ", own.quote(a_)));
    EXPECT_GT(mine[0][0].as<int>(), 0) << table;
    own.abort();
  }
  {
    pqxx::work txn(conn);
    txn.exec_params("SELECT set_config('app.tenant_id', $1, true)", b_);
    EXPECT_THROW(txn.exec_params("INSERT INTO sessions.speakers (tenant_id, session_id, rank,"
                                 " full_name) VALUES ($1, $2::uuid, 9, 'x')",
                                 a_, id),
                 pqxx::sql_error);
  }
  {
    pqxx::work txn(conn);
    txn.exec_params("SELECT set_config('app.tenant_id', $1, true)", b_);
    auto updated = txn.exec_params(
        "UPDATE sessions.minutes SET text = 'x' WHERE tenant_id = $1 AND session_id = $2::uuid", a_,
        id);
    EXPECT_EQ(updated.affected_rows(), 0u);
  }
  // A province reader of the province reads A's session; writing stays refused.
  const std::string reader = Token("", {Role::kProvince}, province_.id);
  v1::GetSessionRequest get;
  get.set_name(session.name());
  v1::Session seen;
  ASSERT_THAT(Call(&Stub::GetSession, reader, get, &seen), IsOk());
  EXPECT_EQ(seen.state(), v1::SESSION_CONCLUDED);
  v1::CancelSessionRequest cancel;
  cancel.set_name(session.name());
  cancel.set_reason("x");
  EXPECT_THAT(Call(&Stub::CancelSession, reader, cancel, &seen),
              StatusIs(StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace dialogue::sessions
