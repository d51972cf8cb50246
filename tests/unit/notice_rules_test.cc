// The rules of notices without a server: checks, roles, layout, drafts from sessions'
// events on the calendar, webhook signatures and retry delays.
#include "notice_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/common/status.h"

namespace dialogue::notices {
namespace {

using auth::Role;
using ::testing::HasSubstr;
using ::testing::Not;

v1::Notice Valid() {
  v1::Notice n;
  n.set_kind(v1::NOTICE_GENERAL);
  n.set_title("Thông báo lịch tiếp công dân");
  return n;
}

std::string Reason(const absl::Status& s) { return common::ErrorReason(s); }

// The platform's holiday data, as the drafts count working days on it.
std::shared_ptr<const calendar::NationalCalendar> Holidays() {
  static auto* source = [] {
    auto opened = calendar::CalendarSource::Open(
        absl::StrCat(DIALOGUE_SOURCE_DIR, "/libs/calendar/data/vn_holidays.json"));
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? opened->release() : nullptr;  // kept for the whole test program
  }();
  return source->Current();
}

TEST(NoticeRules, RefusesTextThatIsNotUtf8AndNamesTheField) {
  v1::Notice n = Valid();
  n.set_body("ch\xe1\xbb");  // a three-byte sequence cut short
  absl::Status s = CheckNotice(n, "notice.");
  EXPECT_EQ(Reason(s), "TEXT_NOT_UTF8");
  EXPECT_EQ(common::FieldViolations(s).front().substr(0, 11), "notice.body");
  EXPECT_TRUE(CheckNotice(Valid(), "notice.").ok());
}

TEST(NoticeRules, IssuingNeedsANumberASignerAndAirTimesForTheLoudspeaker) {
  v1::Notice n = Valid();
  EXPECT_EQ(Reason(CheckIssuable(n)), "NUMBER_REQUIRED");
  n.set_document_number("3/TB-UBND");
  EXPECT_EQ(Reason(CheckIssuable(n)), "SIGNER_REQUIRED");
  n.set_signer("CHỦ TỊCH");
  n.add_channels(v1::VIA_LOUDSPEAKER);
  EXPECT_EQ(Reason(CheckIssuable(n)), "AIR_TIMES_REQUIRED");
  n.add_air_times("2026-05-04T06:30");
  EXPECT_TRUE(CheckIssuable(n).ok());
}

TEST(NoticeRules, RolesFollowTheOffices) {
  auth::Principal department;
  department.roles = {Role::kDepartment};
  EXPECT_TRUE(CheckRole(department, NoticeAction::kRead).ok());
  EXPECT_FALSE(CheckRole(department, NoticeAction::kWrite).ok());
  auth::Principal secretary;
  secretary.roles = {Role::kSecretary};
  EXPECT_TRUE(CheckRole(secretary, NoticeAction::kWrite).ok());
  EXPECT_FALSE(CheckRole(secretary, NoticeAction::kIssue).ok());
  auth::Principal office;
  office.roles = {Role::kGovernmentOffice};
  EXPECT_TRUE(CheckRole(office, NoticeAction::kManageWebhooks).ok());
}

TEST(NoticeRules, TheLayoutHasEveryPartOfAnAdministrativeDocument) {
  v1::Notice n = Valid();
  n.set_document_number("7/TB-UBND");
  n.set_issue_date("2026-03-09");
  n.set_place("Bắc Thanh Miện");
  n.set_signer("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH");
  n.add_recipients()->set_name("Các thôn");
  std::string text = DocumentText(n, "Xã Bắc Thanh Miện");
  size_t at = 0;
  for (const char* part :
       {"ỦY BAN NHÂN DÂN XÃ BẮC THANH MIỆN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 7/TB-UBND",
        "Bắc Thanh Miện, ngày 09 tháng 3 năm 2026", "THÔNG BÁO", "Thông báo lịch tiếp công dân",
        "Nơi nhận:", "- Các thôn;", "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\n(chữ ký, họ và tên)"}) {
    size_t found = text.find(part, at);
    ASSERT_NE(found, std::string::npos) << part << " missing or out of order in\n" << text;
    at = found;
  }
}

TEST(NoticeRules, TheAtomFeedEscapesWhatItQuotes) {
  v1::Notice n = Valid();
  n.set_name("tenants/xa-a/notices/1");
  n.set_title("Đường & cầu <thôn Đông>");
  n.set_document_number("9/TB");
  n.mutable_issue_time()->set_seconds(1777777777);
  std::string feed = AtomFeed("xa-a", "Xã A", {n}, absl::Now());
  EXPECT_EQ(feed.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed "
                       "xmlns=\"http://www.w3.org/2005/Atom\">",
                       0),
            0u);
  EXPECT_NE(feed.find("<title>9/TB Đường &amp; cầu &lt;thôn Đông&gt;</title>"), std::string::npos);
  EXPECT_EQ(feed.find("<thôn"), std::string::npos);
  EXPECT_NE(feed.find("<id>urn:dialogue:tenants/xa-a/notices/1</id>"), std::string::npos);
  EXPECT_NE(feed.find("<updated>2026-05-03T03:09:37Z</updated>"), std::string::npos);
  EXPECT_NE(feed.find("<link rel=\"alternate\" type=\"text/html\" "
                      "href=\"/v1/tenants/xa-a/notices/1:render?format=html\"/>"),
            std::string::npos);
  EXPECT_NE(feed.find("href=\"/v1/tenants/xa-a/notices/1:render?format=docx\"/>"),
            std::string::npos);
}

TEST(NoticeRules, TemplatesUseOnlyTheirKindsPlaceholders) {
  v1::NoticeTemplate t;
  t.set_title("Giấy mời: {{title}}");
  t.set_body("Thời gian: {{time}}, {{date}}. Nội dung: {{items}}");
  EXPECT_EQ(Reason(CheckTemplate(t, v1::NOTICE_INVITATION)), "PLACEHOLDER_UNKNOWN");
  EXPECT_FALSE(CheckTemplate(t, v1::NOTICE_CONCLUSION).ok()) << "no {{time}} there";
  t.set_body("Thời gian: {{time}, {{date}}");
  EXPECT_EQ(Reason(CheckTemplate(t, v1::NOTICE_INVITATION)), "PLACEHOLDER_UNKNOWN");
  t.set_body("Thời gian: {{time}}, {{date");
  EXPECT_EQ(Reason(CheckTemplate(t, v1::NOTICE_INVITATION)), "PLACEHOLDER_UNCLOSED");
  t.set_body("Thời gian: {{time}}, {{date}}.");
  EXPECT_TRUE(CheckTemplate(t, v1::NOTICE_INVITATION).ok());
  EXPECT_EQ(Render(t.body(), {{"time", "8 giờ"}, {"date", "ngày 5 tháng 5 năm 2026"}}),
            "Thời gian: 8 giờ, ngày 5 tháng 5 năm 2026.");
  EXPECT_EQ(Render("{{a}}{{b}}", {{"a", "{{b}}"}}), "{{b}}…") << "values are not rendered again";
  for (v1::NoticeKind kind : TemplateKinds()) {
    EXPECT_TRUE(CheckTemplate(DefaultTemplate(kind), kind).ok()) << TemplateId(kind);
  }
}

TEST(NoticeRules, WebhookSignaturesAreHmacSha256OfTimestampDotBody) {
  // Computed with: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac bi-mat
  EXPECT_EQ(SignWebhook("bi-mat", "1700000000", R"({"a":1})"),
            "593511271c84f4e1c68d5807a9bf0d58b86455e048a54cca3a0f9a50a3cd6de8");
  EXPECT_NE(SignWebhook("bi-mat", "1700000001", R"({"a":1})"),
            SignWebhook("bi-mat", "1700000000", R"({"a":1})"));
}

TEST(NoticeRules, RetriesWaitTwiceAsLongEachTimeUpToAnHour) {
  EXPECT_EQ(RetryDelay(1, absl::Seconds(30)), absl::Seconds(30));
  EXPECT_EQ(RetryDelay(2, absl::Seconds(30)), absl::Seconds(60));
  EXPECT_EQ(RetryDelay(4, absl::Seconds(30)), absl::Seconds(240));
  EXPECT_EQ(RetryDelay(30, absl::Seconds(30)), absl::Hours(1));
}

TEST(NoticeRules, AConclusionDraftIsDueLaterWhenComplex) {
  calendar::WorkingDayCalendar days(Holidays());
  v1::SessionConcluded concluded;
  concluded.set_date("2026-06-05");
  concluded.add_items()->set_summary("Đèn chiếu sáng");
  v1::TenantRules rules;  // defaults: 10 and 15 working days
  const v1::NoticeTemplate text = DefaultTemplate(v1::NOTICE_CONCLUSION);
  auto plain = ConclusionDraft(concluded, rules, days, text, "Xã A");
  concluded.set_complex(true);
  auto complex = ConclusionDraft(concluded, rules, days, text, "Xã A");
  ASSERT_TRUE(plain.ok() && complex.ok());
  // No holiday in June 2026: two weeks and three weeks of working days.
  EXPECT_EQ(plain->due_date(), "2026-06-19");
  EXPECT_EQ(complex->due_date(), "2026-06-26");
  EXPECT_EQ(complex->warnings_size(), 1);
  // The results are public within 10 calendar days (the law's), or the commune's own count.
  EXPECT_EQ(plain->results_due_date(), "2026-06-15");
  rules.set_results_publication_days(7);
  auto seven = ConclusionDraft(concluded, rules, days, text, "Xã A");
  ASSERT_TRUE(seven.ok());
  EXPECT_EQ(seven->results_due_date(), "2026-06-12");

  // Issued on the day is on time; issued after it says by how much.
  v1::Notice issued = *plain;
  issued.set_issue_date("2026-06-15");
  NoteLateResults(issued);
  EXPECT_EQ(issued.warnings_size(), plain->warnings_size());
  issued.set_issue_date("2026-06-18");
  NoteLateResults(issued);
  ASSERT_EQ(issued.warnings_size(), plain->warnings_size() + 1);
  EXPECT_EQ(issued.warnings(issued.warnings_size() - 1),
            "issued 3 days after the results were due to be public (15/06/2026)");
  concluded.set_date("5/6/2026");
  EXPECT_FALSE(ConclusionDraft(concluded, rules, days, text, "Xã A").ok());
}

TEST(NoticeRules, AConclusionNoticeSaysWhoActsOnEachItemAndAsksTheUpperLevelRatherThanAssigns) {
  calendar::WorkingDayCalendar days(Holidays());
  v1::SessionConcluded concluded;
  concluded.set_date("2026-06-05");
  auto item = [&](const char* summary, v1::ConclusionOutcome outcome, const char* agency,
                  const char* action, const char* due, bool beyond) {
    auto* i = concluded.add_items();
    i->set_summary(summary);
    i->set_outcome(outcome);
    i->set_agency(agency);
    i->set_action(action);
    i->set_due_date(due);
    i->set_beyond_commune(beyond);
  };
  item("Kênh tiêu thôn Đông bị bồi lắng", v1::OUTCOME_ACCEPTED, "Công chức Địa chính - Xây dựng",
       "Lập dự toán nạo vét kênh", "2026-07-15", false);
  item("Tỉnh lộ 392 xuống cấp", v1::OUTCOME_UNRESOLVED, "Sở Xây dựng",
       "Xem xét đưa vào kế hoạch sửa chữa năm 2027.", "2026-09-30", true);
  item("Đèn đường thôn Tây", v1::OUTCOME_UNRESOLVED, "Phòng Kinh tế", "Khảo sát, lắp đặt", "",
       false);
  item("Lịch thu gom rác", v1::OUTCOME_RESOLVED_ON_SPOT, "", "", "", false);
  auto notice = ConclusionDraft(concluded, v1::TenantRules(), days,
                                DefaultTemplate(v1::NOTICE_CONCLUSION), "Xã A");
  ASSERT_TRUE(notice.ok()) << notice.status();
  const std::string& body = notice->body();
  // An accepted item keeps its agency, task and due date.
  EXPECT_THAT(body, HasSubstr("1. Kênh tiêu thôn Đông bị bồi lắng\n   Tiếp thu. Giao Công chức "
                              "Địa chính - Xây dựng: Lập dự toán nạo vét kênh. Thời hạn: ngày "
                              "15 tháng 7 năm 2026."));
  // The upper level is asked, not assigned, and answers by a date the commune asks for.
  EXPECT_THAT(body, HasSubstr("Đề nghị Sở Xây dựng: Xem xét đưa vào kế hoạch sửa chữa năm 2027. "
                              "Đề nghị trả lời trước ngày 30 tháng 9 năm 2026."));
  EXPECT_THAT(body, Not(HasSubstr("Giao Sở Xây dựng")));
  EXPECT_THAT(body, HasSubstr("Giao Phòng Kinh tế: Khảo sát, lắp đặt.\n"));
  EXPECT_THAT(body, HasSubstr("4. Lịch thu gom rác\n   Đã giải quyết tại hội nghị."));
  std::vector<std::string> recipients;
  for (const auto& r : notice->recipients()) recipients.push_back(r.name());
  EXPECT_THAT(recipients, ::testing::IsSupersetOf(
                              {"Công chức Địa chính - Xây dựng", "Sở Xây dựng", "Phòng Kinh tế"}));
}

TEST(NoticeRules, AnAnnouncementIsReadOnTheLoudspeakerBeforeTheConferenceOnly) {
  calendar::WorkingDayCalendar days(Holidays());
  v1::SessionAnnounced session;
  session.set_date("2026-06-06");  // tomorrow, at 07:30: the evening broadcast is too late
  session.set_start_time("07:30");
  const v1::NoticeTemplate text = DefaultTemplate(v1::NOTICE_ANNOUNCEMENT);
  v1::Notice n = AnnouncementDraft(session, {}, days, absl::CivilDay(2026, 6, 5), text, "Xã A");
  EXPECT_EQ(n.conference_time(), "2026-06-06T07:30");
  EXPECT_EQ(n.recipients_size(), 0);
  // The hamlets' heads are addressed by the hamlets' names.
  session.add_hamlets("an-son");
  session.add_hamlets("to-3");
  session.add_hamlet_names("Thôn An Sơn");
  session.add_hamlet_names("Tổ dân phố 3");
  v1::Notice named = AnnouncementDraft(session, {}, days, absl::CivilDay(2026, 6, 5), text, "Xã A");
  ASSERT_EQ(named.recipients_size(), 2);
  EXPECT_EQ(named.recipients(0).name(), "Trưởng thôn An Sơn");
  EXPECT_EQ(named.recipients(1).name(), "Tổ trưởng tổ dân phố 3");
  ASSERT_EQ(n.air_times_size(), 1);
  EXPECT_EQ(n.air_times(0), "2026-06-06T06:30");
  EXPECT_TRUE(CheckNotice(n, "").ok());
  // A clerk's air time after the conference is refused, by name.
  n.add_air_times("2026-06-06T17:00");
  EXPECT_EQ(Reason(CheckNotice(n, "notice.")), "AIR_TIME_AFTER_CONFERENCE");
  // With no broadcast left before it, the draft says so instead of inventing one.
  v1::Notice late = AnnouncementDraft(session, {}, days, absl::CivilDay(2026, 6, 6), text, "Xã A");
  EXPECT_EQ(late.air_times_size(), 0);
  bool said = false;
  for (const auto& w : late.warnings()) said = said || absl::StrContains(w, "air time");
  EXPECT_TRUE(said);
  // A conference entered after the fact is drafted for the record, and says so plainly:
  // not "-14 days away", and no broadcast asked for a day gone by.
  v1::Notice record =
      AnnouncementDraft(session, {}, days, absl::CivilDay(2026, 6, 20), text, "Xã A");
  ASSERT_EQ(record.warnings_size(), 1);
  EXPECT_EQ(record.warnings(0),
            "the conference was held 14 days before this draft (recorded after the fact); "
            "issue it only to complete the record");
  EXPECT_EQ(record.air_times_size(), 0);
}

// Issue 19: a dialogue the voters required becomes the office's work at once, with its day.
TEST(NoticeRules, AnIssueTheVotersRequiredIsDraftedWithTheDayToHoldItBy) {
  calendar::WorkingDayCalendar days(Holidays());
  v1::DialogueRequired required;
  required.set_requests(120);
  required.set_threshold(118);
  required.set_voter_count(1180);
  required.add_matters("Ô nhiễm từ trại lợn thôn Đông");
  v1::TenantRules rules;
  auto notices = RequiredDialogueNotices(required, rules, days, absl::CivilDay(2026, 6, 5), "Xã A");
  ASSERT_TRUE(notices.ok()) << notices.status();
  const v1::Notice& draft = notices->draft;
  EXPECT_EQ(draft.kind(), v1::NOTICE_GENERAL);
  EXPECT_EQ(draft.due_date(), "2026-07-05");  // 30 days, the default
  EXPECT_THAT(draft.body(), HasSubstr("120 cử tri (ngưỡng 118 trên tổng số 1180 cử tri)"));
  EXPECT_THAT(draft.body(), HasSubstr("- Ô nhiễm từ trại lợn thôn Đông\n"));
  EXPECT_THAT(draft.body(), HasSubstr("trước ngày 5 tháng 7 năm 2026"));
  EXPECT_EQ(draft.recipients(0).name(), "Cử tri đã đề nghị tổ chức đối thoại (120 người)");
  EXPECT_TRUE(CheckNotice(draft, "").ok());
  const v1::Notice& reminder = notices->reminder;
  EXPECT_EQ(reminder.kind(), v1::NOTICE_REMINDER);
  EXPECT_EQ(reminder.issue_date(), "2026-06-05");
  EXPECT_THAT(reminder.body(), HasSubstr("Hạn tổ chức hội nghị: ngày 5 tháng 7 năm 2026"));
  // The commune's own count.
  rules.set_required_dialogue_days(45);
  notices = RequiredDialogueNotices(required, rules, days, absl::CivilDay(2026, 6, 5), "Xã A");
  ASSERT_TRUE(notices.ok());
  EXPECT_EQ(notices->draft.due_date(), "2026-07-20");
}

}  // namespace
}  // namespace dialogue::notices
