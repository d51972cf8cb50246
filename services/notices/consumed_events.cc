#include "consumed_events.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/common/names.h"
#include "dialogue/common/status.h"
#include "notice_rules.h"
#include "store.h"

namespace dialogue::notices {

const std::set<std::string>& ConsumedEventTypes() {
  static const auto* types = new std::set<std::string>{
      v1::SessionAnnounced::descriptor()->full_name(),
      v1::SessionConcluded::descriptor()->full_name(), v1::CommitmentDue::descriptor()->full_name(),
      v1::DialogueRequired::descriptor()->full_name(),
      v1::PetitionerMessage::descriptor()->full_name()};
  return *types;
}

namespace {

// The reminder a CommitmentDue calls for; overdue ones go to the chair and the Front too.
v1::Notice CommitmentReminder(const v1::CommitmentDue& due, absl::CivilDay today) {
  const bool report = due.kind() == v1::DUE_REPORT_SOON || due.kind() == v1::DUE_REPORT_OVERDUE;
  const bool overdue = due.kind() == v1::DUE_REPORT_OVERDUE || due.kind() == v1::DUE_OVERDUE;
  const std::string what = report ? "báo cáo bằng văn bản kết quả thực hiện" : "hoàn thành việc";
  v1::Notice reminder;
  reminder.set_kind(v1::NOTICE_REMINDER);
  reminder.set_title(
      absl::StrCat(overdue ? "Quá hạn: " : "Nhắc việc: ", what, " \"", due.summary(), "\""));
  reminder.set_body(absl::StrCat("Việc \"", due.summary(), "\" (", due.commitment(), ") giao ",
                                 due.agency(), " theo kết luận hội nghị đối thoại. Hạn ", what,
                                 ": ", due.due_date(),
                                 overdue ? absl::StrCat(", đã quá hạn ", due.days(), " ngày.")
                                         : absl::StrCat(", còn ", due.days(), " ngày.")));
  reminder.add_recipients()->set_name(due.agency());
  if (overdue) {
    reminder.add_recipients()->set_name("Chủ tịch UBND xã");
    reminder.add_recipients()->set_name("Ban Thường trực Ủy ban MTTQ Việt Nam xã");
  }
  reminder.set_session(due.session());
  reminder.set_issue_date(calendar::FormatDate(today));
  return reminder;
}

}  // namespace

absl::Status ApplyEvent(pqxx::dbtransaction& txn, const v1::Event& event,
                        calendar::CalendarSource& calendar) {
  absl::string_view tenant = event.tenant();
  absl::ConsumePrefix(&tenant, "tenants/");
  v1::PetitionerMessage message;
  if (event.payload().UnpackTo(&message) && event.type() == message.GetTypeName()) {
    return NoticeStore::QueueMessage(txn, std::string(tenant), message, event.id(),
                                     event.traceparent());
  }
  ASSIGN_OR_RETURN(TenantInfo info, db::ReadCommune(txn, std::string(tenant)));
  // The national calendar and the commune's own days off.
  calendar::WorkingDayCalendar days(calendar.Current(), info.days_off);
  std::vector<v1::Notice> drafts;
  v1::SessionAnnounced announced;
  v1::SessionConcluded concluded;
  v1::CommitmentDue due;
  v1::DialogueRequired required;
  if (event.payload().UnpackTo(&required) && event.type() == required.GetTypeName()) {
    // From the day the threshold was reached (the event's time), not the day it is read.
    const absl::CivilDay asked = calendar::TodayInVietnam(
        event.time().seconds() > 0 ? absl::FromUnixSeconds(event.time().seconds()) : absl::Now());
    ASSIGN_OR_RETURN(RequiredDialogue notices,
                     RequiredDialogueNotices(required, info.rules, days, asked, info.display_name));
    NoticeStore::InsertReminder(txn, std::string(tenant), notices.reminder,
                                absl::StrCat("dialogue-required:", event.id()), common::NewUuid());
    drafts.push_back(std::move(notices.draft));
  } else if (event.payload().UnpackTo(&due) && event.type() == due.GetTypeName()) {
    // Keyed by what it is about, so a sweep that announced it twice reminds once.
    NoticeStore::InsertReminder(
        txn, std::string(tenant), CommitmentReminder(due, calendar::TodayInVietnam(absl::Now())),
        absl::StrCat("commitment:", due.commitment(), ":", v1::CommitmentDueKind_Name(due.kind()),
                     ":", due.due_date()),
        common::NewUuid());
    return absl::OkStatus();
  } else if (event.payload().UnpackTo(&announced) && event.type() == announced.GetTypeName()) {
    // Held before it was entered: the people were told and invited off the platform.
    if (!announced.after_the_fact_reason().empty()) return absl::OkStatus();
    absl::CivilDay today = calendar::TodayInVietnam(absl::Now());
    if (auto day = calendar::ParseDate(announced.announce_date()); day.ok()) today = *day;
    ASSIGN_OR_RETURN(auto announcement,
                     NoticeStore::Template(txn, std::string(tenant), v1::NOTICE_ANNOUNCEMENT));
    drafts.push_back(
        AnnouncementDraft(announced, info.rules, days, today, announcement, info.display_name));
    if (announced.invited_size() > 0) {
      ASSIGN_OR_RETURN(auto invitation,
                       NoticeStore::Template(txn, std::string(tenant), v1::NOTICE_INVITATION));
      drafts.push_back(InvitationDraft(announced, info.rules, days, invitation, info.display_name));
    }
  } else if (event.payload().UnpackTo(&concluded) && event.type() == concluded.GetTypeName()) {
    ASSIGN_OR_RETURN(auto conclusion,
                     NoticeStore::Template(txn, std::string(tenant), v1::NOTICE_CONCLUSION));
    ASSIGN_OR_RETURN(v1::Notice draft,
                     ConclusionDraft(concluded, info.rules, days, conclusion, info.display_name));
    drafts.push_back(std::move(draft));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.id(), " of type ", event.type(), " has no usable payload"));
  }
  for (const v1::Notice& draft : drafts) {
    if (absl::Status valid = CheckNotice(draft, ""); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("the draft from event ", event.id(),
                                                     " is not a valid notice: ", valid.message()));
    }
    RETURN_IF_ERROR(
        NoticeStore::InsertDraft(txn, std::string(tenant), draft, "", event.id()).status());
  }
  return absl::OkStatus();
}

}  // namespace dialogue::notices
