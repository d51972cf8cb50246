#include "notice_rules.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"

namespace dialogue::notices {
namespace {

using auth::Role;
using common::CheckText;
using common::InvalidField;

bool IsPublicChannel(v1::NoticeChannel channel) {
  return channel == v1::VIA_WEB || channel == v1::VIA_LOUDSPEAKER || channel == v1::VIA_IN_APP;
}

bool ValidAirTime(const std::string& text) {
  absl::Time t;
  std::string err;
  return text.size() == 16 && absl::ParseTime("%Y-%m-%dT%H:%M", text, &t, &err);
}

v1::Recipient Group(const std::string& name) {
  v1::Recipient r;
  r.set_name(name);
  return r;
}

// Who leads a hamlet, by what the commune calls it: "Thôn An Sơn" -> "Trưởng thôn An Sơn",
// "Tổ dân phố 3" -> "Tổ trưởng tổ dân phố 3".
std::string HamletHead(const std::string& hamlet) {
  static const std::pair<const char*, const char*> kHeads[] = {
      {"Thôn ", "Trưởng thôn "},       {"Xóm ", "Trưởng xóm "},
      {"Bản ", "Trưởng bản "},         {"Ấp ", "Trưởng ấp "},
      {"Khu phố ", "Trưởng khu phố "}, {"Tổ dân phố ", "Tổ trưởng tổ dân phố "}};
  for (const auto& [kind, head] : kHeads) {
    if (absl::StartsWith(hamlet, kind)) {
      return absl::StrCat(head, hamlet.substr(std::string_view(kind).size()));
    }
  }
  return absl::StrCat("Trưởng thôn ", hamlet);
}

std::string DayMonthYear(const std::string& date) {
  auto day = calendar::ParseDate(date);
  if (!day.ok()) return "ngày … tháng … năm …";
  return absl::StrCat("ngày ", day->day(), " tháng ", day->month(), " năm ", day->year());
}

}  // namespace

absl::Status CheckRole(const auth::Principal& principal, NoticeAction action) {
  if (principal.Has(Role::kAdmin)) return absl::OkStatus();
  bool allowed = false;
  switch (action) {
    case NoticeAction::kRead:
      allowed =
          principal.HasAny({Role::kPartyOffice, Role::kGovernmentOffice, Role::kFront,
                            Role::kDepartment, Role::kChair, Role::kSecretary, Role::kProvince});
      break;
    case NoticeAction::kWrite:
      allowed = principal.HasAny(
          {Role::kPartyOffice, Role::kGovernmentOffice, Role::kChair, Role::kSecretary});
      break;
    case NoticeAction::kIssue:
      allowed = principal.HasAny({Role::kPartyOffice, Role::kGovernmentOffice, Role::kChair});
      break;
    case NoticeAction::kManageWebhooks:
      allowed = principal.HasAny({Role::kGovernmentOffice});
      break;
  }
  if (allowed) return absl::OkStatus();
  return common::Error(absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN",
                       "your roles do not allow this on notices");
}

bool IsPersonalChannel(v1::NoticeChannel channel) {
  return channel == v1::VIA_ZALO || channel == v1::VIA_SMS || channel == v1::VIA_EMAIL;
}

absl::Status CheckNotice(const v1::Notice& notice, absl::string_view prefix) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, name); };
  if (notice.kind() == v1::NOTICE_KIND_UNSPECIFIED || !v1::NoticeKind_IsValid(notice.kind())) {
    return InvalidField(field("kind"), "KIND_REQUIRED",
                        "say which kind of notice: ANNOUNCEMENT, INVITATION, CONCLUSION, "
                        "REMINDER, PETITION_REPLY or GENERAL");
  }
  RETURN_IF_ERROR(CheckText(field("title"), notice.title(), kMaxTitleChars));
  RETURN_IF_ERROR(CheckText(field("body"), notice.body(), kMaxBodyChars, false));
  RETURN_IF_ERROR(CheckText(field("place"), notice.place(), kMaxShortChars, false));
  RETURN_IF_ERROR(CheckText(field("signer"), notice.signer(), kMaxShortChars, false));
  if (notice.recipients_size() > kMaxRecipients) {
    return InvalidField(field("recipients"), "TOO_MANY_RECIPIENTS",
                        absl::StrCat("at most ", kMaxRecipients, " recipients"));
  }
  for (int i = 0; i < notice.recipients_size(); ++i) {
    const v1::Recipient& r = notice.recipients(i);
    const std::string at = absl::StrCat(prefix, "recipients[", i, "].");
    RETURN_IF_ERROR(CheckText(at + "name", r.name(), kMaxShortChars));
    RETURN_IF_ERROR(CheckText(at + "contact", r.contact(), kMaxShortChars, false));
    for (int c : r.channels()) {
      auto channel = static_cast<v1::NoticeChannel>(c);
      if (!IsPersonalChannel(channel)) {
        return InvalidField(
            at + "channels", "CHANNEL_NOT_PERSONAL",
            "a recipient is reached by VIA_ZALO, VIA_SMS or VIA_EMAIL; VIA_WEB, VIA_LOUDSPEAKER "
            "and VIA_IN_APP are the notice's own channels");
      }
      if (r.contact().empty()) {
        return InvalidField(at + "contact", "CONTACT_REQUIRED",
                            absl::StrCat(r.name(), " has channels but no contact to reach"));
      }
    }
  }
  for (int c : notice.channels()) {
    if (!IsPublicChannel(static_cast<v1::NoticeChannel>(c))) {
      return InvalidField(
          field("channels"), "CHANNEL_NOT_PUBLIC",
          "a notice's channels are VIA_WEB, VIA_LOUDSPEAKER and VIA_IN_APP; Zalo, SMS and "
          "e-mail go to recipients");
    }
  }
  if (notice.air_times_size() > kMaxAirTimes) {
    return InvalidField(field("air_times"), "TOO_MANY_AIR_TIMES",
                        absl::StrCat("at most ", kMaxAirTimes, " air times"));
  }
  for (const auto& t : notice.air_times()) {
    if (!ValidAirTime(t)) {
      return InvalidField(field("air_times"), "AIR_TIME_INVALID",
                          absl::StrCat("'", t, "' is not a local time as YYYY-MM-DDTHH:MM"));
    }
    // Both are local "YYYY-MM-DDTHH:MM", so they compare as text.
    if (!notice.conference_time().empty() && t >= notice.conference_time()) {
      return InvalidField(
          field("air_times"), "AIR_TIME_AFTER_CONFERENCE",
          absl::StrCat("the loudspeaker would read it at ", t, ", once the conference has begun (",
                       notice.conference_time(), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIssuable(const v1::Notice& notice) {
  if (notice.document_number().empty()) {
    return InvalidField("document_number", "NUMBER_REQUIRED",
                        "a notice is issued with its number and symbol (số, ký hiệu)");
  }
  if (notice.signer().empty()) {
    return InvalidField("signer", "SIGNER_REQUIRED", "a notice is issued with its signer");
  }
  bool loudspeaker = std::count(notice.channels().begin(), notice.channels().end(),
                                static_cast<int>(v1::VIA_LOUDSPEAKER)) > 0;
  if (loudspeaker && notice.air_times().empty()) {
    return InvalidField("air_times", "AIR_TIMES_REQUIRED",
                        "the loudspeaker reads a notice at its air times: give at least one");
  }
  // A conclusion is announced after the conference, never before it.
  auto held = calendar::ParseDate(notice.conference_date());
  auto issued = calendar::ParseDate(notice.issue_date());
  if (held.ok() && issued.ok()) {
    RETURN_IF_ERROR(
        calendar::CheckNotBeforeConference("issue_date", "the conclusion notice", *issued, *held));
  }
  return absl::OkStatus();
}

documents::Document NoticeDocument(const v1::Notice& notice, const std::string& commune) {
  documents::Document d;
  d.issuing_body = absl::StrCat("Ủy ban nhân dân ", commune);
  d.number = notice.document_number();
  d.place = notice.place().empty() ? documents::PlaceOf(commune) : notice.place();
  d.date = notice.issue_date();
  d.type = notice.kind() == v1::NOTICE_INVITATION ? "Giấy mời" : "Thông báo";
  d.abstract = notice.title();
  d.parts.push_back({"", documents::Paragraphs(notice.body())});
  for (const auto& r : notice.recipients()) d.recipients.push_back(r.name());
  d.signature = documents::ParseSigner(notice.signer());
  return d;
}

std::string DocumentText(const v1::Notice& notice, const std::string& commune) {
  return documents::Text(NoticeDocument(notice, commune));
}

v1::PublishedNotice ToPublished(const v1::Notice& notice, const std::string& commune) {
  v1::PublishedNotice p;
  p.set_name(notice.name());
  p.set_kind(notice.kind());
  p.set_title(notice.title());
  p.set_document_number(notice.document_number());
  p.set_issue_date(notice.issue_date());
  p.set_document_text(DocumentText(notice, commune));
  *p.mutable_issue_time() = notice.issue_time();
  for (int channel : notice.channels()) {
    if (channel != v1::VIA_LOUDSPEAKER) continue;
    p.set_broadcast_script(BroadcastScript(notice, commune));
    p.mutable_air_times()->CopyFrom(notice.air_times());
  }
  return p;
}

std::string BroadcastScript(const v1::Notice& notice, const std::string& commune) {
  return absl::StrCat("Kính thưa toàn thể nhân dân!\n", "Sau đây là thông báo của Ủy ban nhân dân",
                      commune.empty() ? "" : " " + commune, ": ", notice.title(), ".\n\n",
                      notice.body(),
                      "\n\nĐề nghị các thôn, tổ dân phố và toàn thể nhân dân biết, thực hiện. "
                      "Xin trân trọng cảm ơn!\n");
}

namespace {

std::string Rfc3339(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

}  // namespace

std::string AtomFeed(const std::string& tenant, const std::string& commune,
                     const std::vector<v1::Notice>& notices, absl::Time now) {
  google::protobuf::Timestamp updated;
  updated.set_seconds(absl::ToUnixSeconds(now));
  if (!notices.empty()) updated = notices.front().issue_time();
  std::string out =
      absl::StrCat("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
                   "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
                   "  <id>urn:dialogue:tenants:", documents::Escape(tenant), ":notices</id>\n",
                   "  <title>Thông báo – ", documents::Escape(commune), "</title>\n", "  <updated>",
                   Rfc3339(updated), "</updated>\n", "  <author><name>", documents::Escape(commune),
                   "</name></author>\n");
  for (const auto& n : notices) {
    absl::StrAppend(
        &out, "  <entry>\n    <id>urn:dialogue:", documents::Escape(n.name()), "</id>\n",
        "    <title>", documents::Escape(n.document_number()), " ", documents::Escape(n.title()),
        "</title>\n", "    <updated>", Rfc3339(n.issue_time()), "</updated>\n",
        // The document itself: the print page, and the file to save.
        "    <link rel=\"alternate\" type=\"text/html\" href=\"/v1/", documents::Escape(n.name()),
        ":render?format=html\"/>\n",
        "    <link rel=\"enclosure\" type=\"application/"
        "vnd.openxmlformats-officedocument.wordprocessingml.document\" href=\"/v1/",
        documents::Escape(n.name()), ":render?format=docx\"/>\n", "    <content type=\"text\">",
        documents::Escape(DocumentText(n, commune)), "</content>\n  </entry>\n");
  }
  out += "</feed>\n";
  return out;
}

namespace {

struct TemplateDefault {
  v1::NoticeKind kind;
  const char* id;
  const char* title;
  const char* body;
  std::vector<std::string> placeholders;
};

const std::vector<TemplateDefault>& Defaults() {
  static const auto* defaults = new std::vector<TemplateDefault>{
      {v1::NOTICE_ANNOUNCEMENT,
       "announcement",
       "Về việc tổ chức hội nghị đối thoại: {{title}}",
       "Ủy ban nhân dân {{commune}} tổ chức hội nghị đối thoại với Nhân dân như sau:\n"
       "1. Thời gian: {{time}}, {{date}}.\n"
       "2. Địa điểm: {{venue}}.\n"
       "3. Thành phần: {{groups}}.\n"
       "4. Nội dung: Nhân dân phản ánh, kiến nghị; lãnh đạo xã trả lời, giải trình.\n"
       "Chủ trì: {{chair}}.",
       {"title", "date", "time", "venue", "groups", "chair", "commune"}},
      {v1::NOTICE_INVITATION,
       "invitation",
       "Mời dự hội nghị đối thoại: {{title}}",
       "Ủy ban nhân dân {{commune}} trân trọng kính mời đến dự hội nghị đối thoại.\n"
       "Thời gian: {{time}}, {{date}}.\n"
       "Địa điểm: {{venue}}.",
       {"title", "date", "time", "venue", "groups", "chair", "commune"}},
      {v1::NOTICE_CONCLUSION,
       "conclusion",
       "Kết luận của Chủ tịch Ủy ban nhân dân tại hội nghị đối thoại {{date}}: {{title}}",
       "Ý kiến kết luận đối với từng nội dung:\n{{items}}",
       {"title", "date", "items", "commune"}},
  };
  return *defaults;
}

const TemplateDefault* DefaultOf(v1::NoticeKind kind) {
  for (const auto& d : Defaults()) {
    if (d.kind == kind) return &d;
  }
  return nullptr;
}

// The values a session gives an announcement's or invitation's template.
std::map<std::string, std::string> SessionValues(const v1::SessionAnnounced& session,
                                                 const std::string& commune) {
  return {{"title", session.title()},
          {"date", DayMonthYear(session.date())},
          {"time", session.start_time().empty() ? "(giờ sẽ báo sau)" : session.start_time()},
          {"venue", session.venue()},
          {"groups", session.invited().empty()
                         ? "đại diện Nhân dân các thôn"
                         : absl::StrJoin(session.invited(), "; ",
                                         [](std::string* out, const v1::InvitedGroup& g) {
                                           absl::StrAppend(out, g.name());
                                         })},
          {"chair", session.chair().empty() ? "Chủ tịch Ủy ban nhân dân" : session.chair()},
          {"commune", commune}};
}

}  // namespace

const std::vector<v1::NoticeKind>& TemplateKinds() {
  static const auto* kinds = new std::vector<v1::NoticeKind>{
      v1::NOTICE_ANNOUNCEMENT, v1::NOTICE_INVITATION, v1::NOTICE_CONCLUSION};
  return *kinds;
}

std::string TemplateId(v1::NoticeKind kind) {
  const TemplateDefault* d = DefaultOf(kind);
  return d == nullptr ? "" : d->id;
}

v1::NoticeTemplate DefaultTemplate(v1::NoticeKind kind) {
  v1::NoticeTemplate t;
  const TemplateDefault* d = DefaultOf(kind);
  if (d == nullptr) return t;
  t.set_kind(kind);
  t.set_title(d->title);
  t.set_body(d->body);
  for (const auto& p : d->placeholders) t.add_placeholders(p);
  return t;
}

absl::Status CheckTemplate(const v1::NoticeTemplate& t, v1::NoticeKind kind) {
  RETURN_IF_ERROR(CheckText("notice_template.title", t.title(), kMaxTitleChars, false));
  RETURN_IF_ERROR(CheckText("notice_template.body", t.body(), kMaxBodyChars, false));
  const TemplateDefault* d = DefaultOf(kind);
  for (const auto& [field, text] : {std::make_pair("notice_template.title", &t.title()),
                                    std::make_pair("notice_template.body", &t.body())}) {
    for (size_t at = text->find("{{"); at != std::string::npos; at = text->find("{{", at + 2)) {
      size_t end = text->find("}}", at);
      if (end == std::string::npos) {
        return InvalidField(field, "PLACEHOLDER_UNCLOSED", "a '{{' has no '}}'");
      }
      std::string name = text->substr(at + 2, end - at - 2);
      if (d == nullptr || std::find(d->placeholders.begin(), d->placeholders.end(), name) ==
                              d->placeholders.end()) {
        return InvalidField(
            field, "PLACEHOLDER_UNKNOWN",
            absl::StrCat("{{", name, "}} is not a placeholder of this kind; it may use ",
                         d == nullptr ? "none" : absl::StrJoin(d->placeholders, ", ")));
      }
    }
  }
  return absl::OkStatus();
}

std::string Render(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t from = 0;
  for (size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", from)) {
    size_t end = text.find("}}", at);
    if (end == std::string::npos) break;
    out.append(text, from, at - from);
    auto it = values.find(text.substr(at + 2, end - at - 2));
    out += it == values.end() ? "…" : it->second;
    from = end + 2;
  }
  out.append(text, from, std::string::npos);
  return out;
}

v1::Notice AnnouncementDraft(const v1::SessionAnnounced& session, const v1::TenantRules& rules,
                             const calendar::WorkingDayCalendar& days, absl::CivilDay today,
                             const v1::NoticeTemplate& text, const std::string& commune) {
  const auto values = SessionValues(session, commune);
  v1::Notice n;
  n.set_kind(v1::NOTICE_ANNOUNCEMENT);
  n.set_session(session.session());
  n.set_title(Render(text.title(), values));
  n.set_body(Render(text.body(), values));
  n.add_channels(v1::VIA_WEB);
  n.add_channels(v1::VIA_LOUDSPEAKER);
  n.add_channels(v1::VIA_IN_APP);
  for (int i = 0; i < session.hamlets_size(); ++i) {
    *n.add_recipients() = Group(HamletHead(session.hamlet_names_size() == session.hamlets_size()
                                               ? session.hamlet_names(i)
                                               : session.hamlets(i)));
  }
  auto conference = calendar::ParseDate(session.date());
  if (!conference.ok()) {
    n.add_warnings(absl::StrCat("the session's date '", session.date(), "' is not a date"));
    return n;
  }
  auto due = calendar::ComputeDueDate(days, rules, v1::DEADLINE_ANNOUNCEMENT, *conference);
  if (due.ok()) {
    n.set_due_date(due->due_date());
    n.set_due_explanation(due->explanation());
    const int lead = static_cast<int>(*conference - today);
    if (lead < 0) {
      // Entered after the fact (issue 19, item 1): the draft is for the record only.
      n.add_warnings(absl::StrCat("the conference was held ", -lead,
                                  " days before this draft (recorded after the fact); "
                                  "issue it only to complete the record"));
    } else if (lead < due->days()) {
      n.add_warnings(absl::StrCat("the conference is ", lead, " days away; the rule asks for ",
                                  due->days(), " days between the announcement and it"));
    }
  }
  // The morning and the afternoon broadcast of the day after, those before the conference.
  n.set_conference_time(absl::StrCat(
      session.date(), "T", session.start_time().empty() ? "00:00" : session.start_time()));
  for (const char* hour : {"T06:30", "T17:00"}) {
    std::string at = absl::StrCat(calendar::FormatDate(today + 1), hour);
    if (at < n.conference_time()) n.add_air_times(std::move(at));
  }
  if (n.air_times().empty() && *conference >= today) {
    n.add_warnings(
        "no loudspeaker air time is left before the conference; set one, or read "
        "the announcement by other means");
  }
  return n;
}

v1::Notice InvitationDraft(const v1::SessionAnnounced& session, const v1::TenantRules& rules,
                           const calendar::WorkingDayCalendar& days, const v1::NoticeTemplate& text,
                           const std::string& commune) {
  const auto values = SessionValues(session, commune);
  v1::Notice n;
  n.set_kind(v1::NOTICE_INVITATION);
  n.set_session(session.session());
  n.set_title(Render(text.title(), values));
  n.set_body(Render(text.body(), values));
  for (const auto& g : session.invited()) {
    *n.add_recipients() =
        Group(g.expected() > 0 ? absl::StrCat(g.name(), " (", g.expected(), " người)") : g.name());
  }
  n.add_channels(v1::VIA_IN_APP);
  if (auto conference = calendar::ParseDate(session.date()); conference.ok()) {
    auto due = calendar::ComputeDueDate(days, rules, v1::DEADLINE_ANNOUNCEMENT, *conference);
    if (due.ok()) {
      n.set_due_date(due->due_date());
      n.set_due_explanation(due->explanation());
    }
  }
  return n;
}

absl::StatusOr<v1::Notice> ConclusionDraft(const v1::SessionConcluded& session,
                                           const v1::TenantRules& rules,
                                           const calendar::WorkingDayCalendar& days,
                                           const v1::NoticeTemplate& text,
                                           const std::string& commune) {
  ASSIGN_OR_RETURN(absl::CivilDay conference, calendar::ParseDate(session.date()));
  ASSIGN_OR_RETURN(v1::DueDate due, calendar::ComputeDueDate(
                                        days, rules,
                                        session.complex() ? v1::DEADLINE_CONCLUSION_NOTICE_EXTENDED
                                                          : v1::DEADLINE_CONCLUSION_NOTICE,
                                        conference));
  std::string items;
  std::set<std::string> agencies;
  int petitions = 0;
  int k = 0;
  for (const auto& item : session.items()) {
    absl::StrAppend(&items, ++k, ". ", item.summary(), "\n   ");
    // Who acts, what and by when. A commune assigns ("Giao") its own units; what is beyond
    // its authority it asks of the upper level ("Đề nghị"), which sets its own time.
    std::string task;
    if (!item.agency().empty() || !item.action().empty()) {
      std::string agency = item.agency().empty() ? "(chưa rõ cơ quan)" : item.agency();
      std::string action(absl::StripSuffix(item.action(), "."));
      std::string by = item.due_date().empty() ? "" : DayMonthYear(item.due_date());
      task = item.beyond_commune()
                 ? absl::StrCat("Đề nghị ", agency, ": ", action, ".",
                                by.empty() ? "" : absl::StrCat(" Đề nghị trả lời trước ", by, "."))
                 : absl::StrCat("Giao ", agency, ": ", action, ".",
                                by.empty() ? "" : absl::StrCat(" Thời hạn: ", by, "."));
    }
    switch (item.outcome()) {
      case v1::OUTCOME_ACCEPTED:
        absl::StrAppend(&items, "Tiếp thu.", task.empty() ? "" : " ", task);
        break;
      case v1::OUTCOME_RESOLVED_ON_SPOT:
        absl::StrAppend(&items, "Đã giải quyết tại hội nghị.");
        break;
      default:
        absl::StrAppend(&items, task.empty() ? "Chưa rõ cơ quan giải quyết." : task);
    }
    absl::StrAppend(&items, "\n");
    if (!item.agency().empty()) agencies.insert(item.agency());
    petitions += item.opinions_size();
  }
  const std::map<std::string, std::string> values = {{"title", session.title()},
                                                     {"date", DayMonthYear(session.date())},
                                                     {"items", items},
                                                     {"commune", commune}};
  v1::Notice n;
  n.set_kind(v1::NOTICE_CONCLUSION);
  n.set_session(session.session());
  n.set_conference_date(session.date());
  n.set_due_date(due.due_date());
  n.set_due_explanation(due.explanation());
  n.set_title(Render(text.title(), values));
  n.set_body(Render(text.body(), values));
  for (const auto& a : agencies) *n.add_recipients() = Group(a);
  *n.add_recipients() = Group("Ban Xây dựng Đảng");
  *n.add_recipients() = Group("Ủy ban Mặt trận Tổ quốc Việt Nam");
  if (petitions > 0) {
    *n.add_recipients() = Group(absl::StrCat("Người có kiến nghị (", petitions, " ý kiến)"));
  }
  n.add_channels(v1::VIA_WEB);
  n.add_channels(v1::VIA_IN_APP);
  if (session.complex()) {
    n.add_warnings("complex items: the extended deadline for the conclusion notice applies");
  }
  // The notice is how the results go public, and the law counts that in calendar days: the
  // day is shown with the draft and a notice issued after it is marked late.
  ASSIGN_OR_RETURN(
      v1::DueDate results,
      calendar::ComputeDueDate(days, rules, v1::DEADLINE_RESULTS_PUBLICATION, conference));
  n.set_results_due_date(results.due_date());
  return n;
}

absl::StatusOr<RequiredDialogue> RequiredDialogueNotices(const v1::DialogueRequired& required,
                                                         const v1::TenantRules& rules,
                                                         const calendar::WorkingDayCalendar& days,
                                                         absl::CivilDay today,
                                                         const std::string& commune) {
  ASSIGN_OR_RETURN(v1::DueDate due,
                   calendar::ComputeDueDate(days, rules, v1::DEADLINE_REQUIRED_DIALOGUE, today));
  std::string matters;
  for (const auto& m : required.matters()) absl::StrAppend(&matters, "- ", m, "\n");
  const std::string asked =
      required.voter_count() > 0
          ? absl::StrCat(required.requests(), " cử tri (ngưỡng ", required.threshold(),
                         " trên tổng số ", required.voter_count(), " cử tri)")
          : absl::StrCat(required.requests(), " cử tri (ngưỡng ", required.threshold(), ")");
  RequiredDialogue out;
  v1::Notice& n = out.draft;
  n.set_kind(v1::NOTICE_GENERAL);
  n.set_title("Thông báo về việc tổ chức hội nghị đối thoại theo đề nghị của cử tri");
  n.set_body(absl::StrCat(
      "Ủy ban nhân dân ", commune, " đã nhận đề nghị tổ chức hội nghị đối thoại của ", asked,
      ", đủ số cử tri mà pháp luật quy định (Điều 43 Luật Tổ chức chính quyền địa phương năm "
      "2025).\nNội dung cử tri đề nghị đối thoại:\n",
      matters.empty() ? "- (cử tri không ghi nội dung)\n" : matters,
      "Hội nghị đối thoại sẽ được tổ chức trước ", DayMonthYear(due.due_date()),
      "; thời gian, địa điểm cụ thể sẽ được thông báo trên hệ thống truyền thanh",
      " và trang thông tin của xã."));
  *n.add_recipients() =
      Group(absl::StrCat("Cử tri đã đề nghị tổ chức đối thoại (", required.requests(), " người)"));
  *n.add_recipients() = Group("Trưởng thôn, Tổ trưởng tổ dân phố");
  *n.add_recipients() = Group("Ban Thường trực Ủy ban MTTQ Việt Nam xã");
  n.add_channels(v1::VIA_WEB);
  n.add_channels(v1::VIA_IN_APP);
  n.set_due_date(due.due_date());
  n.set_due_explanation(due.explanation());

  v1::Notice& r = out.reminder;
  r.set_kind(v1::NOTICE_REMINDER);
  r.set_title("Cử tri đề nghị tổ chức hội nghị đối thoại: lập kế hoạch và thông báo");
  r.set_body(absl::StrCat(
      "Đã có ", asked, " đề nghị tổ chức hội nghị đối thoại. Hạn tổ chức hội nghị: ",
      DayMonthYear(due.due_date()), " (", due.explanation(), ").\nNội dung cử tri đề nghị:\n",
      matters, "Dự thảo thông báo cho cử tri đang chờ ban hành."));
  r.add_recipients()->set_name("Chủ tịch UBND xã");
  r.add_recipients()->set_name("Văn phòng HĐND - UBND xã");
  r.add_recipients()->set_name("Ban Thường trực Ủy ban MTTQ Việt Nam xã");
  r.set_issue_date(calendar::FormatDate(today));
  return out;
}

void NoteLateResults(v1::Notice& notice) {
  if (notice.results_due_date().empty() || notice.issue_date() <= notice.results_due_date()) {
    return;
  }
  auto due = calendar::ParseDate(notice.results_due_date());
  auto issued = calendar::ParseDate(notice.issue_date());
  if (!due.ok() || !issued.ok()) return;
  notice.add_warnings(
      absl::StrFormat("issued %d days after the results were due to be public (%02d/%02d/%04d)",
                      *issued - *due, due->day(), due->month(), due->year()));
}

std::string SignWebhook(const std::string& secret, const std::string& timestamp,
                        const std::string& body) {
  std::string message = absl::StrCat(timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), static_cast<size_t>(length)));
}

absl::Duration RetryDelay(int attempts, absl::Duration base) {
  absl::Duration delay = base;
  for (int i = 1; i < attempts && delay < absl::Hours(1); ++i) delay *= 2;
  return std::min(delay, absl::Hours(1));
}

}  // namespace dialogue::notices
