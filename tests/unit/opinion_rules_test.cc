// The intake rules without I/O: normalisation, suggestions, states, receipt codes, CSV
// and the row checks of an import; what a petitioner is told, and on which channel.
#include "opinion_rules.h"

#include <set>

#include "dialogue/v1/notices.pb.h"
#include "dialogue/v1/supervision.pb.h"
#include "test_support.h"

namespace dialogue::intake {
namespace {

using absl::StatusCode;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Normalize, DropsVietnameseMarksCaseAndPunctuation) {
  EXPECT_EQ(Normalize("Đường  BÊ-TÔNG hóa!"), "duong be tong hoa");
  EXPECT_EQ(Normalize("Giấy chứng nhận quyền sử dụng đất"), "giay chung nhan quyen su dung dat");
  EXPECT_EQ(Normalize("Ỷ, ỹ; Ự ữ"), "y y u u");
  // Decomposed input (a letter followed by combining marks) normalises the same way.
  EXPECT_EQ(Normalize("Đe\xCC\x82\xCC\x80 nghi\xCC\xA3"), "de nghi");
  EXPECT_EQ(Normalize("  "), "");
}

TEST(Utf8, CountsCodePointsAndRejectsMalformedInput) {
  EXPECT_EQ(Utf8Length("Xã"), 2);
  EXPECT_EQ(Utf8Length("\xC3"), -1);          // cut short
  EXPECT_EQ(Utf8Length("\xC0\xAF"), -1);      // overlong
  EXPECT_EQ(Utf8Length("\xED\xA0\x80"), -1);  // a surrogate
  EXPECT_THAT(CheckText("text", "\xFF", 10),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_NOT_UTF8"));
  EXPECT_THAT(CheckText("text", std::string("a\0b", 3), 10),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_HAS_NUL"));
  EXPECT_THAT(CheckText("text", " \n", 10),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_REQUIRED"));
  EXPECT_THAT(CheckText("text", std::string(11, 'a'), 10),
              StatusIs(StatusCode::kInvalidArgument, "TEXT_TOO_LONG"));
  // Ten Vietnamese letters are ten characters, though more bytes.
  EXPECT_THAT(CheckText("text", "ăăăăăăăăăă", 10), IsOk());
  EXPECT_THAT(CheckText("note", "", 10, /*required=*/false), IsOk());
}

TEST(Suggest, PicksTheTopicWhoseKeywordsMatchMost) {
  const auto& topics = DefaultTopics();
  EXPECT_EQ(Suggest(Normalize("Đề nghị bê tông hóa đường giao thông thôn 3"), topics).topic,
            "nong-thon-moi");
  EXPECT_EQ(Suggest(Normalize("Việc cấp giấy chứng nhận quyền sử dụng đất còn chậm"), topics).topic,
            "dat-dai");
  EXPECT_EQ(Suggest(Normalize("Tài khoản định danh VNeID bị lỗi"), topics).topic, "chuyen-doi-so");
  EXPECT_EQ(Suggest(Normalize("Xin cảm ơn"), topics).topic, "");
  // Keywords are whole words: "cap" (theft) does not match inside "capital".
  EXPECT_EQ(Suggest("capital", topics).topic, "");
}

// Issue 19, item 12: a text written with its marks is read with them.
TEST(Suggest, ReadsTheMarksOfATextWrittenWithThem) {
  const auto& topics = DefaultTopics();
  EXPECT_EQ(Suggest("Đề nghị sửa lại mái chợ thôn 2", topics).topic, "kinh-te");
  EXPECT_NE(Suggest("Xe chở cát chạy quá nhanh qua thôn", topics).topic, "kinh-te");
  // Typed without marks, the bare letters match as before.
  EXPECT_EQ(Suggest("de nghi sua lai mai cho thon 2", topics).topic, "kinh-te");
  // Decomposed input ("chợ" as c h o + horn + dot below) reads as precomposed does.
  EXPECT_EQ(Suggest("Đề nghị sửa lại mái cho\xCC\x9B\xCC\xA3 thôn 2", topics).topic, "kinh-te");
  // "cắp" (theft) is not "cấp" (to issue).
  EXPECT_EQ(Suggest("Chậm cấp phép xây nhà", topics).topic, "");
  EXPECT_EQ(Suggest("Nạn trộm cắp", topics).topic, "an-ninh-quoc-phong");
  // Either place of the tone: "hoá" and "hóa".
  EXPECT_EQ(Suggest("Nhà văn hoá thôn 3 dột", topics).topic, "nong-thon-moi");
  EXPECT_EQ(Suggest("Nhà văn hóa thôn 3 dột", topics).topic, "nong-thon-moi");
  // A tenant's keyword given without marks matches on the bare letters.
  v1::Topic coffee;
  coffee.set_id("ca-phe");
  coffee.add_keywords("ca phe");
  EXPECT_EQ(Suggest("Giá cà phê xuống thấp", {coffee}).topic, "ca-phe");
}

TEST(FoldTones, MovesTheToneToTheEndOfEachWordAndKeepsTheShape) {
  bool marked = false;
  EXPECT_EQ(FoldTones("Chợ", &marked), "chơ5");
  EXPECT_TRUE(marked);
  EXPECT_EQ(FoldTones("chở", &marked), "chơ3");
  EXPECT_EQ(FoldTones("hoá", &marked), FoldTones("hóa", &marked));
  EXPECT_EQ(FoldTones("ĐƯỜNG  bê-tông!", &marked), "đương1 bê tông");
  EXPECT_EQ(FoldTones("cho\xCC\x9B\xCC\xA3 a\xCC\x86\xCC\x81", &marked), "chơ5 ă2");
  marked = false;
  EXPECT_EQ(FoldTones("VNeID, Đề án 06", &marked), "vneid đê1 an2 06");
  marked = false;
  EXPECT_EQ(FoldTones("VNeID 06", &marked), "vneid 06");
  EXPECT_FALSE(marked);
}

TEST(Suggest, NoticesOnePersonsOwnMatter) {
  const auto& topics = DefaultTopics();
  EXPECT_TRUE(Suggest(Normalize("Thửa đất của gia đình tôi chưa được cấp sổ"), topics).individual);
  EXPECT_FALSE(Suggest(Normalize("Đường thôn 3 ngập khi mưa"), topics).individual);
}

TEST(Topics, DefaultsFollowTheDomainAndTenantListsAreChecked) {
  std::set<std::string> ids;
  for (const auto& t : DefaultTopics()) ids.insert(t.id());
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_TRUE(ids.count("dat-dai") && ids.count("thu-tuc-hanh-chinh") && ids.count("khac"));
  EXPECT_THAT(ValidateTopics(DefaultTopics()), IsOk());
  EXPECT_THAT(ValidateTopics({}), StatusIs(StatusCode::kInvalidArgument, "TOPICS_REQUIRED"));
  v1::Topic bad;
  bad.set_id("Đất");
  bad.set_display_name("Đất");
  EXPECT_THAT(ValidateTopics({bad}), StatusIs(StatusCode::kInvalidArgument, "TOPIC_ID_INVALID"));
  v1::Topic good;
  good.set_id("dat");
  good.set_display_name("Đất đai");
  EXPECT_THAT(ValidateTopics({good, good}),
              StatusIs(StatusCode::kInvalidArgument, "TOPIC_REPEATED"));
}

TEST(States, FollowTheAnswerWorkflow) {
  EXPECT_EQ(*NextState(v1::RECEIVED, OpinionAction::kClassify), v1::CLASSIFIED);
  EXPECT_EQ(*NextState(v1::RECEIVED, OpinionAction::kClassify, true), v1::ROUTED_ELSEWHERE);
  EXPECT_EQ(*NextState(v1::CLASSIFIED, OpinionAction::kAssign), v1::ASSIGNED);
  EXPECT_EQ(*NextState(v1::ASSIGNED, OpinionAction::kDraftAnswer), v1::ANSWER_DRAFTED);
  EXPECT_EQ(*NextState(v1::ANSWER_DRAFTED, OpinionAction::kReturnAnswer), v1::ASSIGNED);
  EXPECT_EQ(*NextState(v1::ANSWER_DRAFTED, OpinionAction::kApproveAnswer), v1::ANSWER_APPROVED);
  EXPECT_EQ(*NextState(v1::ANSWER_APPROVED, OpinionAction::kMarkAnswered), v1::ANSWERED);
  auto refused = NextState(v1::RECEIVED, OpinionAction::kApproveAnswer);
  EXPECT_THAT(refused, StatusIs(StatusCode::kFailedPrecondition, "INVALID_OPINION_STATE"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("ANSWER_DRAFTED"));
  EXPECT_THAT(NextState(v1::MERGED, OpinionAction::kAssign),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(NextState(v1::ANSWERED, OpinionAction::kClassify),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST(Roles, DepartmentsDraftAndTheOfficeApproves) {
  auth::Principal department{"d", "t", "", {auth::Role::kDepartment}};
  auth::Principal office{"o", "t", "", {auth::Role::kGovernmentOffice}};
  auth::Principal citizen{"c", "t", "", {auth::Role::kCitizen}};
  EXPECT_THAT(CheckRole(department, OpinionAction::kDraftAnswer), IsOk());
  EXPECT_THAT(CheckRole(department, OpinionAction::kApproveAnswer),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  EXPECT_THAT(CheckRole(office, OpinionAction::kApproveAnswer), IsOk());
  EXPECT_THAT(CheckRole(citizen, OpinionAction::kRead), StatusIs(StatusCode::kPermissionDenied));
}

TEST(Csv, ReadsQuotedFieldsAndNamedColumns) {
  auto rows = ParseCsv(
      "\xEF\xBB\xBFtext,hamlet,channel\r\n"
      "\"Đường, cống \"\"xuống cấp\"\"\nthôn 2\",thon-2,written_petition\r\n"
      "Hỏi về BHYT,thon-1,\n");
  ASSERT_THAT(rows, IsOk());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].text(), "Đường, cống \"xuống cấp\"\nthôn 2");
  EXPECT_EQ((*rows)[0].hamlet(), "thon-2");
  EXPECT_EQ((*rows)[0].channel(), v1::WRITTEN_PETITION);
  EXPECT_EQ((*rows)[1].channel(), v1::CHANNEL_UNSPECIFIED);
  EXPECT_THAT(ParseCsv("name,content\nx,y\n"),
              StatusIs(StatusCode::kInvalidArgument, "CSV_HEADER_INVALID"));
  EXPECT_THAT(ParseCsv("hamlet,text\nx,\"open"),
              StatusIs(StatusCode::kInvalidArgument, "CSV_INVALID"));
}

TEST(ImportRows, ReportBadRowsByNumberAndKeyGoodOnesStably) {
  std::vector<v1::OpinionRow> rows(4);
  rows[0].set_hamlet("thon-1");
  rows[0].set_text("Đề nghị sửa đường");
  rows[1].set_hamlet("thon-9");
  rows[1].set_text("Không rõ thôn");
  rows[2] = rows[0];  // the same form from another household
  rows[3].set_hamlet("thon-1");
  rows[3].set_text("\xFF");
  std::vector<v1::RowError> errors;
  auto good = CheckRows(rows, "r1", {"thon-1", "thon-2"}, DefaultTopics(), &errors);
  ASSERT_EQ(good.size(), 2u);
  EXPECT_EQ(good[0].fields.channel(), v1::SURVEY_FORM);
  EXPECT_NE(good[0].key, good[1].key);  // identical rows stay two opinions
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].row(), 2);
  EXPECT_EQ(errors[0].reason(), "HAMLET_UNKNOWN");
  EXPECT_EQ(errors[1].row(), 4);
  EXPECT_EQ(errors[1].reason(), "TEXT_NOT_UTF8");
  // The same file again gives the same keys, so a re-import stores nothing twice.
  std::vector<v1::RowError> again_errors;
  auto again = CheckRows(rows, "r1", {"thon-1", "thon-2"}, DefaultTopics(), &again_errors);
  EXPECT_EQ(again[0].key, good[0].key);
  EXPECT_EQ(again[1].key, good[1].key);
  // Another round, other keys.
  auto other = CheckRows(rows, "r2", {"thon-1", "thon-2"}, DefaultTopics(), &again_errors);
  EXPECT_NE(other[0].key, good[0].key);
}

TEST(Voters, AreOneWhateverTheSpelling) {
  EXPECT_EQ(VoterKey("Nguyễn Văn An", "thon-1", "0912 345 678"),
            VoterKey("nguyen van  an", "thon-1", "0912-345-678"));
  EXPECT_NE(VoterKey("Nguyễn Văn An", "thon-1", "0912345678"),
            VoterKey("Nguyễn Văn An", "thon-2", "0912345678"));
  EXPECT_EQ(DialogueThreshold(1234, 10), 124);  // 10% rounded up
  EXPECT_EQ(DialogueThreshold(1000, 0), 100);   // the default share
  EXPECT_EQ(DialogueThreshold(0, 10), 0);       // voters unknown
}

TEST(RoundDates, ComeFromThePlanAndFollowTheDayTheConferenceIsHeld) {
  v1::Plan plan;
  plan.set_name("tenants/t/plans/p");
  auto* conference = plan.add_conferences();
  conference->set_id("q2");
  conference->set_window_start_date("2026-06-01");
  conference->set_window_end_date("2026-06-30");
  auto* collect = plan.add_tasks();
  collect->set_kind(v1::OPINION_COLLECTION);
  collect->set_resolved_due_date("2026-05-20");
  auto* answer = plan.add_tasks();
  answer->set_kind(v1::ANSWER_DRAFTING);
  answer->set_resolved_due_date("2026-05-28");

  auto dates = RoundDatesFromPlan(plan, "q2");
  ASSERT_THAT(dates.status(), IsOk());
  EXPECT_EQ(dates->opinion_deadline, "2026-05-20");
  EXPECT_EQ(dates->answer_due, "2026-05-28");
  EXPECT_EQ(dates->conference_opens, "2026-06-01");  // not held yet: the window opens

  conference->set_session_date("2026-06-12");
  dates = RoundDatesFromPlan(plan, "q2");
  ASSERT_THAT(dates.status(), IsOk());
  EXPECT_EQ(dates->conference_opens, "2026-06-12");  // held: its own day

  EXPECT_THAT(RoundDatesFromPlan(plan, "q3").status(),
              StatusIs(StatusCode::kInvalidArgument, "CONFERENCE_NOT_IN_PLAN"));
}

v1::Submitter Reach(const std::string& contact, v1::ReplyVia via = v1::REPLY_VIA_UNSPECIFIED) {
  v1::Submitter s;
  s.set_contact(contact);
  s.set_reply_via(via);
  return s;
}

TEST(Replies, GoWhereThePetitionerSaidOrWhereTheContactLeads) {
  EXPECT_EQ(EffectiveReplyVia(Reach("0912 345 678")), v1::REPLY_SMS);
  EXPECT_EQ(EffectiveReplyVia(Reach("+84 912.345.678")), v1::REPLY_SMS);
  EXPECT_EQ(EffectiveReplyVia(Reach("lan.nguyen@gmail.com")), v1::REPLY_EMAIL);
  EXPECT_EQ(EffectiveReplyVia(Reach("Xóm 3, thôn An Sơn")), v1::REPLY_NONE);  // by post only
  EXPECT_EQ(EffectiveReplyVia(Reach("")), v1::REPLY_NONE);
  EXPECT_EQ(EffectiveReplyVia(Reach("12345")), v1::REPLY_NONE);  // too short for a phone
  EXPECT_EQ(EffectiveReplyVia(Reach("0912345678", v1::REPLY_ZALO)), v1::REPLY_ZALO);
  EXPECT_EQ(EffectiveReplyVia(Reach("0912345678", v1::REPLY_NONE)), v1::REPLY_NONE);
  EXPECT_EQ(ReplyChannel(v1::REPLY_SMS), v1::VIA_SMS);
  EXPECT_EQ(ReplyChannel(v1::REPLY_ZALO), v1::VIA_ZALO);
  EXPECT_EQ(ReplyChannel(v1::REPLY_EMAIL), v1::VIA_EMAIL);
  EXPECT_EQ(ReplyChannel(v1::REPLY_NONE), 0);

  EXPECT_THAT(CheckReplyVia(Reach("0912345678", v1::REPLY_ZALO), ""), IsOk());
  EXPECT_THAT(CheckReplyVia(Reach("Xóm 3", v1::REPLY_NONE), ""), IsOk());
  EXPECT_THAT(CheckReplyVia(Reach("lan@gmail.com", v1::REPLY_SMS), "opinion."),
              StatusIs(StatusCode::kInvalidArgument, "CONTACT_INVALID"));
  EXPECT_THAT(CheckReplyVia(Reach("0912345678", v1::REPLY_EMAIL), ""),
              StatusIs(StatusCode::kInvalidArgument, "CONTACT_INVALID"));
  EXPECT_THAT(CheckReplyVia(Reach("lan@", v1::REPLY_EMAIL), ""),
              StatusIs(StatusCode::kInvalidArgument, "CONTACT_INVALID"));
  EXPECT_THAT(CheckReplyVia(Reach("0912345678", static_cast<v1::ReplyVia>(9)), ""),
              StatusIs(StatusCode::kInvalidArgument, "REPLY_VIA_INVALID"));
}

TEST(Replies, SayWhatBecameOfTheOpinionAndNothingToWhomCannotBeReached) {
  Petitioner p{"tenants/t/opinions/1", "K7M-2QX-9PA", Reach("0912 345 678")};
  auto [title, text] = AnswerText(p.receipt_code, "Xã sẽ lắp 12 đèn trong quý III.");
  auto m = MessageTo(p, "t", title, text);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->channel(), v1::VIA_SMS);
  EXPECT_EQ(m->contact(), "0912 345 678");
  EXPECT_EQ(m->follow_path(), "/xa/t/theo-doi/K7M-2QX-9PA");
  EXPECT_EQ(m->text(),
            "Ý kiến, kiến nghị mã K7M-2QX-9PA đã có câu trả lời: Xã sẽ lắp 12 đèn trong quý III.");
  EXPECT_FALSE(MessageTo({"o", "C", Reach("Xóm 3")}, "t", title, text).has_value());
  EXPECT_FALSE(MessageTo({"o", "C", Reach("0912345678", v1::REPLY_NONE)}, "t", title, text));
  EXPECT_FALSE(MessageTo(p, "t", title, "").has_value());

  EXPECT_EQ(AnsweredAtConferenceText("C", absl::CivilDay(2026, 5, 8)).second,
            "Ý kiến, kiến nghị mã C đã được trả lời trực tiếp tại hội nghị đối thoại ngày "
            "08/05/2026.");

  v1::CommitmentChanged change;
  change.set_summary("Đèn đường thôn An Sơn");
  change.set_agency("Phòng Kinh tế");
  change.set_action("lắp 12 đèn");
  change.set_due_date("2026-09-30");
  change.set_conference_date("2026-05-08");
  change.set_kind(v1::CHANGE_CREATED);
  change.set_to_state(v1::COMMITMENT_ASSIGNED);
  EXPECT_EQ(CommitmentText("C", change).second,
            "Kiến nghị mã C (Đèn đường thôn An Sơn): hội nghị đối thoại ngày 08/05/2026 kết luận "
            "giao Phòng Kinh tế lắp 12 đèn, hạn 30/09/2026.");
  change.set_kind(v1::CHANGE_PROGRESS);
  change.set_from_state(v1::COMMITMENT_IN_PROGRESS);
  change.set_to_state(v1::COMMITMENT_RESOLVED);
  change.set_date("2026-09-12");
  change.set_note("Đã lắp xong 12 đèn.");
  EXPECT_THAT(CommitmentText("C", change).second,
              HasSubstr("đã giải quyết ngày 12/09/2026. Đã lắp xong 12 đèn."));
  change.set_to_state(v1::COMMITMENT_CANNOT_RESOLVE);
  EXPECT_THAT(CommitmentText("C", change).second, HasSubstr("không thể giải quyết"));
  change.set_kind(v1::CHANGE_UPPER_ANSWER);
  change.set_from_state(v1::COMMITMENT_ESCALATED);
  change.set_to_state(v1::COMMITMENT_ESCALATED);
  change.set_due_date("2027-06-30");
  change.set_note("Tỉnh đưa vào kế hoạch vốn năm 2027.");
  EXPECT_EQ(CommitmentText("C", change).second,
            "Kiến nghị mã C (Đèn đường thôn An Sơn): cấp trên trả lời: Tỉnh đưa vào kế hoạch "
            "vốn năm 2027, hạn 30/06/2027.");
  change.set_kind(v1::CHANGE_FEEDBACK);  // the petitioner's own: nothing to tell them
  EXPECT_EQ(CommitmentText("C", change).second, "");
  change.set_kind(v1::CHANGE_PROGRESS);
  change.set_from_state(v1::COMMITMENT_CANNOT_RESOLVE);  // no move: nothing new
  change.set_to_state(v1::COMMITMENT_CANNOT_RESOLVE);
  EXPECT_EQ(CommitmentText("C", change).second, "");
}

// Issue 20: Báo cáo tổng hợp ý kiến, kiến nghị in the decree's layout, every count of the
// report in it, and a name left for the office where no signer is given.
TEST(SynthesisDocument, SaysHowOpinionsCameHowTheyDivideAndWhatWasAnswered) {
  v1::SynthesisReport report;
  report.set_title("Đợt lấy ý kiến năm 2026");
  report.set_received(5);
  report.set_items(3);
  report.set_routed_elsewhere(1);
  report.set_received_late(2);
  report.set_opinion_deadline_date("2026-04-05");
  auto count = [](auto* counts, const std::string& key, const std::string& label, int n) {
    v1::Count* c = counts->Add();
    c->set_key(key);
    c->set_label(label);
    c->set_opinions(n);
  };
  count(report.mutable_by_channel(), "SURVEY_FORM", "", 4);
  count(report.mutable_by_channel(), "HOTLINE", "", 1);
  count(report.mutable_by_channel(), "WEB", "", 0);
  count(report.mutable_by_topic(), "dat-dai", "Đất đai", 3);
  count(report.mutable_by_topic(), "", "", 2);
  count(report.mutable_by_hamlet(), "thon-dong", "Thôn Đông", 5);
  count(report.mutable_by_state(), "ANSWERED", "", 5);
  v1::SynthesisItem* item = report.add_items_list();
  item->set_text("Đề nghị sửa đường trục thôn Đông");
  item->set_topic_name("Giao thông");
  item->set_hamlet_name("Thôn Đông");
  item->set_supporter_count(3);
  item->set_department("Phòng Kinh tế");
  item->set_answer("Xã đưa vào kế hoạch đầu tư năm 2027.");
  report.add_items_list()->set_text("Hỏi về bảo hiểm y tế");

  const documents::Document d = SynthesisDocument(report, "Xã Bắc Thanh Miện", "2026-04-22", "");
  EXPECT_EQ(d.issuing_body, "Ủy ban nhân dân Xã Bắc Thanh Miện");
  EXPECT_EQ(d.place, "Bắc Thanh Miện");
  EXPECT_EQ(d.date, "2026-04-22");
  EXPECT_EQ(d.type, "Báo cáo");
  EXPECT_EQ(d.abstract, "Tổng hợp ý kiến, kiến nghị của Nhân dân: Đợt lấy ý kiến năm 2026");
  ASSERT_EQ(d.parts.size(), 3u);
  EXPECT_EQ(d.parts[0].heading, "I. TÌNH HÌNH TIẾP NHẬN Ý KIẾN, KIẾN NGHỊ");
  EXPECT_THAT(d.parts[0].paragraphs,
              ElementsAre("Tổng số ý kiến, kiến nghị đã tiếp nhận: 5. Trong đó 2 ý kiến nhận sau "
                          "hạn thu phiếu ngày 05/04/2026.",
                          "Theo hình thức tiếp nhận: phiếu hỏi, phiếu góp ý 4; đường dây nóng 1.",
                          HasSubstr("còn 3 nội dung được tổng hợp tại Phần III. Có 1 ý kiến")));
  EXPECT_THAT(d.parts[1].paragraphs, ElementsAre("Theo lĩnh vực: Đất đai 3; chưa phân loại 2.",
                                                 "Theo thôn, tổ dân phố: Thôn Đông 5.",
                                                 "Theo kết quả giải quyết: đã trả lời 5."));
  EXPECT_THAT(d.parts[2].paragraphs,
              ElementsAre("1. (Giao thông, Thôn Đông) Đề nghị sửa đường trục thôn Đông (3 người "
                          "cùng kiến nghị)",
                          "Cơ quan giải quyết: Phòng Kinh tế. Trả lời: Xã đưa vào kế hoạch đầu tư "
                          "năm 2027.",
                          "2. Hỏi về bảo hiểm y tế",
                          "Cơ quan giải quyết: chưa giao. Trả lời: chưa có nội dung trả lời được "
                          "duyệt."));
  EXPECT_EQ(d.signature.authority, "TM. Ủy ban nhân dân");
  EXPECT_EQ(d.signature.title, "Chủ tịch");
  EXPECT_EQ(d.signature.name, "");
  EXPECT_THAT(d.recipients, ::testing::Contains("Lưu: VT"));

  const documents::Document signed_by =
      SynthesisDocument(v1::SynthesisReport(), "Xã Bắc Thanh Miện", "2026-04-22",
                        "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nTrần Thị Bình");
  EXPECT_EQ(signed_by.signature.name, "Trần Thị Bình");
  EXPECT_EQ(signed_by.parts[2].paragraphs,
            std::vector<std::string>{"Đợt lấy ý kiến chưa có nội dung nào để tổng hợp."});
}

}  // namespace
}  // namespace dialogue::intake
