#include "session_rules.h"

#include <google/protobuf/util/time_util.h>
#include <openssl/sha.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/common/receipt_code.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"

namespace dialogue::sessions {

std::string DefaultTitle(const v1::Plan& plan, const v1::PlannedConference& conference) {
  if (!conference.title().empty()) return conference.title();
  std::string title = "Hội nghị đối thoại";
  if (plan.conferences_size() > 1) {
    for (int i = 0; i < plan.conferences_size(); ++i) {
      if (plan.conferences(i).id() == conference.id()) absl::StrAppend(&title, " lần ", i + 1);
    }
  }
  if (plan.year() > 0) absl::StrAppend(&title, " năm ", plan.year());
  return title;
}

std::vector<std::string> HamletNames(const v1::Session& s) {
  if (s.hamlet_names_size() == s.hamlets_size()) {
    return {s.hamlet_names().begin(), s.hamlet_names().end()};
  }
  return {s.hamlets().begin(), s.hamlets().end()};  // named before names were kept
}
namespace {

using auth::Role;
using google::protobuf::util::TimeUtil;

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

bool IsSet(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

const absl::TimeZone& Vietnam() {
  static const absl::TimeZone zone = absl::FixedTimeZone(7 * 3600);
  return zone;
}

std::string LocalClock(const google::protobuf::Timestamp& t) {
  return IsSet(t) ? absl::FormatTime("%H:%M", ToTime(t), Vietnam()) : std::string("--:--");
}

std::string StateWord(v1::SessionState state) {
  switch (state) {
    case v1::SESSION_SCHEDULED:
      return "scheduled";
    case v1::SESSION_ANNOUNCED:
      return "announced";
    case v1::SESSION_IN_PROGRESS:
      return "in progress";
    case v1::SESSION_CONCLUDED:
      return "concluded";
    case v1::SESSION_CLOSED:
      return "closed";
    case v1::SESSION_POSTPONED:
      return "postponed";
    case v1::SESSION_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

std::string EventWords(SessionEvent event) {
  switch (event) {
    case SessionEvent::kUpdate:
      return "changed (only a scheduled or postponed one can)";
    case SessionEvent::kAnnounce:
      return "announced (only a scheduled or postponed one can)";
    case SessionEvent::kOpen:
      return "opened (only an announced one can)";
    case SessionEvent::kPostpone:
      return "postponed (only a scheduled or announced one can)";
    case SessionEvent::kCancel:
      return "cancelled (only one not yet held can)";
    case SessionEvent::kAdvance:
      return "moved to another step (only one in progress can)";
    case SessionEvent::kRegisterSpeaker:
      return "take speakers (only an announced one or one in progress can)";
    case SessionEvent::kRecordAttendance:
      return "record attendance (only an announced one or one in progress can)";
    case SessionEvent::kRun:
      return "record what is said (only one in progress can)";
    case SessionEvent::kConclude:
      return "concluded (only one in progress can)";
    case SessionEvent::kApproveMinutes:
      return "have its minutes changed or approved (only a concluded one can)";
  }
  return "changed";
}

// "ngày 24 tháng 4 năm 2026"
std::string VietnameseDate(const std::string& date) {
  auto day = calendar::ParseDate(date);
  if (!day.ok()) return date;
  return absl::StrFormat("ngày %d tháng %d năm %d", day->day(), day->month(), day->year());
}

// RFC 5545 §3.3.11: backslash, semicolon, comma and newline escaped.
std::string IcsText(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == ';' || c == ',') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out.push_back(c);
    }
  }
  return out;
}

// RFC 5545 §3.1: lines of at most 75 octets, continued after CRLF and a space, never
// inside a UTF-8 sequence.
void IcsLine(std::string& out, absl::string_view line) {
  size_t limit = 75;
  while (line.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.data(), cut);
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = 74;  // the leading space counts
  }
  out.append(line.data(), line.size());
  out += "\r\n";
}

std::string IcsUtc(absl::Time t) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone());
}

}  // namespace

void DeriveWarnings(v1::Session& s) {
  s.clear_warnings();
  if ((!s.window_start_date().empty() && s.date() < s.window_start_date()) ||
      (!s.window_end_date().empty() && s.date() > s.window_end_date())) {
    s.add_warnings(absl::StrCat("Ngày ", calendar::WrittenDate(s.date()),
                                " nằm ngoài thời gian kế hoạch định cho hội nghị (",
                                calendar::WrittenDate(s.window_start_date()), " đến ",
                                calendar::WrittenDate(s.window_end_date()), ")."));
  }
  auto announced = calendar::ParseDate(s.announce_date());
  auto held = calendar::ParseDate(s.date());
  if (s.state() == v1::SESSION_ANNOUNCED && s.after_the_fact_reason().empty() && announced.ok() &&
      held.ok() && s.date() < s.earliest_open_date()) {
    s.add_warnings(absl::StrCat(
        "Thông báo trước hội nghị ", *held - *announced, " ngày; hội nghị được khai mạc từ ngày ",
        calendar::WrittenDate(s.earliest_open_date()), ", khai mạc ngày ",
        calendar::WrittenDate(s.date()), " cần Chủ tịch quyết định, có ghi lý do."));
  }
}

absl::Status CheckRole(const auth::Principal& principal, SessionAction action) {
  if (principal.Has(Role::kAdmin)) return absl::OkStatus();
  bool allowed = false;
  switch (action) {
    case SessionAction::kRead:
      allowed = principal.HasAny({Role::kPartyOffice, Role::kGovernmentOffice, Role::kFront,
                                  Role::kDepartment, Role::kChair, Role::kSecretary,
                                  Role::kHamletLead, Role::kProvince});
      break;
    case SessionAction::kOrganise:
      allowed = principal.HasAny(
          {Role::kPartyOffice, Role::kGovernmentOffice, Role::kFront, Role::kChair});
      break;
    case SessionAction::kRun:
      allowed = principal.HasAny({Role::kChair, Role::kSecretary, Role::kGovernmentOffice});
      break;
    case SessionAction::kRecord:
      allowed =
          principal.HasAny({Role::kChair, Role::kSecretary, Role::kGovernmentOffice, Role::kFront});
      break;
    case SessionAction::kConclude:
      allowed = principal.Has(Role::kChair);
      break;
    case SessionAction::kEditMinutes:
      allowed = principal.Has(Role::kSecretary);
      break;
    case SessionAction::kApproveMinutes:
      allowed = principal.HasAny({Role::kChair, Role::kSecretary});
      break;
  }
  if (allowed) return absl::OkStatus();
  return common::Error(absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN",
                       "your roles do not allow this on sessions");
}

absl::Status CheckTransition(v1::SessionState from, SessionEvent event) {
  using S = v1::SessionState;
  std::set<S> allowed;
  switch (event) {
    case SessionEvent::kUpdate:
    case SessionEvent::kAnnounce:
      allowed = {v1::SESSION_SCHEDULED, v1::SESSION_POSTPONED};
      break;
    case SessionEvent::kOpen:
      allowed = {v1::SESSION_ANNOUNCED};
      break;
    case SessionEvent::kPostpone:
      allowed = {v1::SESSION_SCHEDULED, v1::SESSION_ANNOUNCED};
      break;
    case SessionEvent::kCancel:
      allowed = {v1::SESSION_SCHEDULED, v1::SESSION_ANNOUNCED, v1::SESSION_POSTPONED};
      break;
    case SessionEvent::kAdvance:
    case SessionEvent::kRun:
    case SessionEvent::kConclude:
      allowed = {v1::SESSION_IN_PROGRESS};
      break;
    case SessionEvent::kRegisterSpeaker:
    case SessionEvent::kRecordAttendance:
      allowed = {v1::SESSION_ANNOUNCED, v1::SESSION_IN_PROGRESS};
      break;
    case SessionEvent::kApproveMinutes:
      allowed = {v1::SESSION_CONCLUDED};
      break;
  }
  if (allowed.count(from)) return absl::OkStatus();
  return common::Error(
      absl::StatusCode::kFailedPrecondition, "SESSION_STATE",
      absl::StrCat("the session is ", StateWord(from), "; it cannot be ", EventWords(event)));
}

v1::AgendaTemplate DefaultAgendaTemplate() {
  struct Standard {
    v1::StepKind kind;
    const char* title;
    int limit;
  };
  static const Standard kSteps[] = {
      {v1::STEP_OPENING,
       "Giới thiệu đại biểu, thành phần, chương trình, nội quy; giới thiệu chủ trì, cử thư ký; "
       "đăng ký phát biểu",
       0},
      {v1::STEP_PURPOSE, "Người chủ trì thông báo mục đích, yêu cầu, chương trình, nội dung", 0},
      {v1::STEP_REPORT,
       "Trình bày báo cáo trả lời các ý kiến, kiến nghị đã thu thập, tổng hợp trước hội nghị", 20},
      {v1::STEP_STATEMENTS, "Nhân dân phát biểu ý kiến", 0},
      {v1::STEP_ANSWERS,
       "Người chủ trì trả lời hoặc yêu cầu lãnh đạo cơ quan, đơn vị báo cáo, giải trình", 0},
      {v1::STEP_FOLLOW_UP, "Nhân dân tiếp tục trao đổi, phát biểu (nếu chưa thỏa đáng)", 0},
      {v1::STEP_CONCLUSION, "Người chủ trì kết luận", 0},
  };
  v1::AgendaTemplate agenda;
  int number = 0;
  for (const Standard& s : kSteps) {
    v1::AgendaStep* step = agenda.add_steps();
    step->set_number(++number);
    step->set_kind(s.kind);
    step->set_title(s.title);
    step->set_limit_minutes(s.limit);
  }
  agenda.set_speaker_limit_minutes(kDefaultSpeakerLimitMinutes);
  return agenda;
}

absl::Status CheckAgendaTemplate(const v1::AgendaTemplate& agenda) {
  if (agenda.steps_size() > 30) {
    return common::InvalidField("agenda_template.steps", "TOO_MANY_STEPS",
                                "an agenda has at most 30 steps");
  }
  if (agenda.speaker_limit_minutes() < 0 || agenda.speaker_limit_minutes() > 60) {
    return common::InvalidField("agenda_template.speaker_limit_minutes", "LIMIT_INVALID",
                                "a speaker's limit is between 0 (the default) and 60 minutes");
  }
  int conclusions = 0;
  for (int i = 0; i < agenda.steps_size(); ++i) {
    const v1::AgendaStep& step = agenda.steps(i);
    const std::string at = absl::StrCat("agenda_template.steps[", i, "]");
    if (step.number() != i + 1) {
      return common::InvalidField(absl::StrCat(at, ".number"), "STEP_NUMBER_INVALID",
                                  absl::StrCat("steps are numbered 1, 2, ... in order; this one "
                                               "should be ",
                                               i + 1));
    }
    if (step.kind() == v1::STEP_KIND_UNSPECIFIED || !v1::StepKind_IsValid(step.kind())) {
      return common::InvalidField(absl::StrCat(at, ".kind"), "STEP_KIND_REQUIRED",
                                  "say what the step is for");
    }
    RETURN_IF_ERROR(common::CheckText(absl::StrCat(at, ".title"), step.title(), kMaxShortChars));
    if (step.limit_minutes() < 0 || step.limit_minutes() > 600) {
      return common::InvalidField(absl::StrCat(at, ".limit_minutes"), "LIMIT_INVALID",
                                  "a step's limit is between 0 (none) and 600 minutes");
    }
    if (step.kind() == v1::STEP_CONCLUSION) {
      ++conclusions;
      if (i != agenda.steps_size() - 1) {
        return common::InvalidField(absl::StrCat(at, ".kind"), "CONCLUSION_NOT_LAST",
                                    "the chair's conclusion is the last step");
      }
    }
  }
  if (!agenda.steps().empty() && conclusions != 1) {
    return common::InvalidField("agenda_template.steps", "CONCLUSION_STEP_REQUIRED",
                                "the agenda ends with one STEP_CONCLUSION");
  }
  return absl::OkStatus();
}

absl::Status CheckSession(const v1::Session& s, absl::string_view prefix) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, name); };
  RETURN_IF_ERROR(common::CheckText(field("title"), s.title(), kMaxShortChars));
  if (!calendar::ParseDate(s.date()).ok()) {
    return common::InvalidField(field("date"), "DATE_INVALID",
                                absl::StrCat("'", s.date(), "' is not a date as YYYY-MM-DD"));
  }
  if (!s.start_time().empty()) {
    int h = -1, m = -1;
    std::vector<std::string> parts = absl::StrSplit(s.start_time(), ':');
    if (parts.size() != 2 || parts[0].size() != 2 || parts[1].size() != 2 ||
        !absl::SimpleAtoi(parts[0], &h) || !absl::SimpleAtoi(parts[1], &m) || h < 0 || h > 23 ||
        m < 0 || m > 59) {
      return common::InvalidField(field("start_time"), "TIME_INVALID",
                                  absl::StrCat("'", s.start_time(), "' is not a time as HH:MM"));
    }
  }
  if (s.duration_minutes() < 0 || s.duration_minutes() > 24 * 60) {
    return common::InvalidField(field("duration_minutes"), "DURATION_INVALID",
                                "a conference lasts between 0 (the default, 3 hours) and 24 hours");
  }
  RETURN_IF_ERROR(common::CheckText(field("venue"), s.venue(), kMaxShortChars));
  RETURN_IF_ERROR(common::CheckText(field("chair"), s.chair(), kMaxShortChars, false));
  RETURN_IF_ERROR(common::CheckText(field("secretary"), s.secretary(), kMaxShortChars, false));
  if (s.hamlets_size() > 200) {
    return common::InvalidField(field("hamlets"), "TOO_MANY", "at most 200 hamlets");
  }
  for (int i = 0; i < s.hamlets_size(); ++i) {
    RETURN_IF_ERROR(common::CheckText(field(absl::StrCat("hamlets[", i, "]")), s.hamlets(i), 100));
  }
  if (s.groups_size() > 50) {
    return common::InvalidField(field("groups"), "TOO_MANY", "at most 50 participant groups");
  }
  std::set<std::string> names;
  for (int i = 0; i < s.groups_size(); ++i) {
    const std::string at = field(absl::StrCat("groups[", i, "]"));
    RETURN_IF_ERROR(
        common::CheckText(absl::StrCat(at, ".name"), s.groups(i).name(), kMaxShortChars));
    if (!names.insert(s.groups(i).name()).second) {
      return common::InvalidField(absl::StrCat(at, ".name"), "GROUP_DUPLICATE",
                                  absl::StrCat("'", s.groups(i).name(), "' is named twice"));
    }
    if (s.groups(i).expected() < 0 || s.groups(i).expected() > 100000) {
      return common::InvalidField(absl::StrCat(at, ".expected"), "COUNT_INVALID",
                                  "expected is between 0 and 100000");
    }
  }
  if (!s.round().empty()) {
    RETURN_IF_ERROR(
        common::ParseName(s.round(), "tenants/{tenant}/rounds/{round:uuid}", field("round"))
            .status());
  }
  return absl::OkStatus();
}

absl::CivilDay EarliestOpenDay(absl::CivilDay announced, int lead_days) {
  return announced + lead_days;
}

absl::Status CheckOpen(absl::CivilDay today, absl::CivilDay earliest,
                       absl::string_view override_reason, bool by_chair) {
  if (today >= earliest) return absl::OkStatus();
  if (override_reason.empty()) {
    return common::Error(
        absl::StatusCode::kFailedPrecondition, "LEAD_TIME_NOT_PASSED",
        absl::StrCat("the announcement's lead time runs until ", calendar::FormatDate(earliest),
                     "; the chair may open earlier with an override_reason"));
  }
  if (!by_chair) {
    return common::Error(absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN",
                         "only the chair may open a session before its lead time has passed");
  }
  return common::CheckText("override_reason", override_reason, kMaxShortChars);
}

void StartAgenda(v1::Session& session, absl::Time now) {
  session.set_current_step(0);
  if (session.agenda_size() == 0) return;
  session.set_current_step(1);
  *session.mutable_agenda(0)->mutable_start_time() = ToProto(now);
}

const v1::AgendaStep* CurrentStep(const v1::Session& session) {
  int k = session.current_step();
  if (k < 1 || k > session.agenda_size()) return nullptr;
  return &session.agenda(k - 1);
}

absl::Status AdvanceAgenda(v1::Session& session, int step, absl::Time now) {
  const int current = session.current_step();
  if (step < 1 || step > session.agenda_size()) {
    return common::InvalidField(
        "step", "STEP_INVALID",
        absl::StrCat("the agenda has steps 1 to ", session.agenda_size(), "; ", step, " is none"));
  }
  if (step != current + 1) {
    return common::Error(
        absl::StatusCode::kFailedPrecondition, "STEP_OUT_OF_ORDER",
        absl::StrCat("step ", current, " is under way; the next is ", current + 1, ", not ", step));
  }
  if (current >= 1) *session.mutable_agenda(current - 1)->mutable_end_time() = ToProto(now);
  *session.mutable_agenda(step - 1)->mutable_start_time() = ToProto(now);
  session.set_current_step(step);
  return absl::OkStatus();
}

absl::Status CheckSpeakingTime(const v1::Session& session) {
  RETURN_IF_ERROR(CheckTransition(session.state(), SessionEvent::kRun));
  const v1::AgendaStep* step = CurrentStep(session);
  if (step != nullptr && (step->kind() == v1::STEP_STATEMENTS || step->kind() == v1::STEP_ANSWERS ||
                          step->kind() == v1::STEP_FOLLOW_UP)) {
    return absl::OkStatus();
  }
  return common::Error(
      absl::StatusCode::kFailedPrecondition, "NOT_SPEAKING_TIME",
      absl::StrCat("citizens speak during the statements, answers and follow-up steps; step ",
                   session.current_step(), " is under way"));
}

absl::Status CheckConclusion(std::vector<v1::ConclusionItem>& items, absl::CivilDay held) {
  if (items.empty()) {
    return common::InvalidField("items", "CONCLUSION_EMPTY",
                                "a conclusion has at least one item (what was accepted, resolved "
                                "or left to an agency)");
  }
  if (items.size() > 500) return common::InvalidField("items", "TOO_MANY", "at most 500 items");
  std::set<std::string> ids;
  for (size_t i = 0; i < items.size(); ++i) {
    v1::ConclusionItem& item = items[i];
    const std::string at = absl::StrCat("items[", i, "]");
    if (item.id().empty()) item.set_id(absl::StrCat(i + 1));
    if (!common::IsShortId(item.id())) {
      return common::InvalidField(absl::StrCat(at, ".id"), "ID_INVALID",
                                  "an item id is letters, digits, '-' or '_', 1-63 long");
    }
    if (!ids.insert(item.id()).second) {
      return common::InvalidField(absl::StrCat(at, ".id"), "ID_DUPLICATE",
                                  absl::StrCat("item id '", item.id(), "' is used twice"));
    }
    RETURN_IF_ERROR(common::CheckText(absl::StrCat(at, ".summary"), item.summary(), kMaxTextChars));
    if (item.outcome() == v1::CONCLUSION_OUTCOME_UNSPECIFIED ||
        !v1::ConclusionOutcome_IsValid(item.outcome())) {
      return common::InvalidField(absl::StrCat(at, ".outcome"), "OUTCOME_REQUIRED",
                                  "say whether the item was accepted, resolved on the spot or "
                                  "left unresolved");
    }
    RETURN_IF_ERROR(
        common::CheckText(absl::StrCat(at, ".agency"), item.agency(), kMaxShortChars, false));
    RETURN_IF_ERROR(
        common::CheckText(absl::StrCat(at, ".action"), item.action(), kMaxTextChars, false));
    if (item.outcome() == v1::OUTCOME_UNRESOLVED) {
      if (item.agency().empty()) {
        return common::InvalidField(absl::StrCat(at, ".agency"), "AGENCY_REQUIRED",
                                    "an unresolved item names the agency that must act (a "
                                    "department, or the upper level)");
      }
      if (item.action().empty()) {
        return common::InvalidField(absl::StrCat(at, ".action"), "ACTION_REQUIRED",
                                    "an unresolved item says what must be done");
      }
      if (item.due_date().empty()) {
        return common::InvalidField(absl::StrCat(at, ".due_date"), "DUE_DATE_REQUIRED",
                                    "an unresolved item has a due date");
      }
    }
    if (!item.due_date().empty()) {
      auto due = calendar::ParseDate(item.due_date());
      if (!due.ok()) {
        return common::InvalidField(
            absl::StrCat(at, ".due_date"), "DATE_INVALID",
            absl::StrCat("'", item.due_date(), "' is not a date as YYYY-MM-DD"));
      }
      if (*due < held) {
        return common::InvalidField(
            absl::StrCat(at, ".due_date"), "DUE_BEFORE_CONFERENCE",
            absl::StrCat("the due date ", item.due_date(), " is before the conference, ",
                         calendar::FormatDate(held)));
      }
    }
    if (item.opinions_size() > 1000) {
      return common::InvalidField(absl::StrCat(at, ".opinions"), "TOO_MANY",
                                  "at most 1000 opinions per item");
    }
    for (int k = 0; k < item.opinions_size(); ++k) {
      RETURN_IF_ERROR(common::ParseName(item.opinions(k),
                                        "tenants/{tenant}/opinions/{opinion:uuid}",
                                        absl::StrCat(at, ".opinions[", k, "]"))
                          .status());
    }
  }
  return absl::OkStatus();
}

double RankBetween(const double* before, const double* after) {
  if (before == nullptr && after == nullptr) return 1.0;
  if (before == nullptr) return *after - 1.0;
  if (after == nullptr) return *before + 1.0;
  return (*before + *after) / 2.0;
}

absl::Status CheckSpeaker(const v1::Speaker& speaker, absl::string_view prefix) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, name); };
  RETURN_IF_ERROR(common::CheckText(field("full_name"), speaker.full_name(), 200));
  RETURN_IF_ERROR(common::CheckText(field("hamlet"), speaker.hamlet(), 100, false));
  RETURN_IF_ERROR(common::CheckText(field("topic"), speaker.topic(), kMaxShortChars, false));
  if (!speaker.receipt_code().empty()) {
    RETURN_IF_ERROR(
        common::ReceiptCode::Parse(speaker.receipt_code(), field("receipt_code")).status());
  }
  return absl::OkStatus();
}

google::protobuf::RepeatedPtrField<std::string> OpinionsAnsweredInRoom(const v1::Session& session) {
  google::protobuf::RepeatedPtrField<std::string> out;
  std::set<std::string> seen;
  for (const std::string& opinion : session.opinions_answered()) {
    if (seen.insert(opinion).second) *out.Add() = opinion;
  }
  for (const v1::ConclusionItem& item : session.conclusion()) {
    if (item.outcome() != v1::OUTCOME_RESOLVED_ON_SPOT) continue;
    for (const std::string& opinion : item.opinions()) {
      if (seen.insert(opinion).second) *out.Add() = opinion;
    }
  }
  return out;
}

namespace {

// What the minutes are framed by: issued in the People's Committee's name, dated the day of
// the conference, signed by the secretary (left) and the chair.
documents::Document MinutesFrame(const v1::Session& session, absl::string_view commune) {
  documents::Document d;
  d.issuing_body = absl::StrCat("Ủy ban nhân dân ", commune);
  d.place = documents::PlaceOf(commune);
  d.date = session.date();
  d.type = "Biên bản";
  d.abstract = absl::StrCat("Hội nghị đối thoại: ", session.title());
  d.left_signature = {"", "Thư ký", session.secretary()};
  d.signature = {"", "Chủ trì", session.chair()};
  return d;
}

}  // namespace

documents::Document MinutesDocument(const v1::Session& session, absl::string_view commune,
                                    const v1::Attendance& attendance,
                                    const std::vector<v1::Speaker>& speakers) {
  documents::Document d = MinutesFrame(session, commune);

  documents::Part when{"I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", {}};
  auto& p1 = when.paragraphs;
  p1.push_back(absl::StrCat(
      "Thời gian: ", session.start_time().empty() ? std::string() : session.start_time() + ", ",
      VietnameseDate(session.date()), "."));
  p1.push_back(absl::StrCat("Địa điểm: ", session.venue(), "."));
  if (!session.after_the_fact_reason().empty()) {
    p1.push_back(
        absl::StrCat("Ghi chú: biên bản được lập khi nhập hội nghị vào hệ thống sau ngày "
                     "họp (",
                     session.after_the_fact_reason(), ")."));
  }
  if (session.hamlets_size() > 0) {
    p1.push_back(absl::StrCat("Địa bàn: ", absl::StrJoin(HamletNames(session), ", "), "."));
  }
  p1.push_back(absl::StrCat("Chủ trì: ", session.chair(), "."));
  p1.push_back(absl::StrCat("Thư ký: ", session.secretary(), "."));
  p1.push_back("Thành phần tham dự (có mặt/dự kiến):");
  for (const v1::SessionGroup& g : attendance.groups()) {
    p1.push_back(absl::StrCat("- ", g.name(), ": ", g.present(), "/", g.expected(), ";"));
  }
  p1.push_back(absl::StrCat("Tổng số: ", attendance.present(), "/", attendance.expected(), "."));

  documents::Part course{"II. DIỄN BIẾN HỘI NGHỊ", {}};
  for (const v1::AgendaStep& step : session.agenda()) {
    course.paragraphs.push_back(absl::StrCat(step.number(), ". ", step.title(), " (",
                                             LocalClock(step.start_time()), " - ",
                                             LocalClock(step.end_time()), ")."));
  }
  if (!session.open_override_reason().empty()) {
    course.paragraphs.push_back(absl::StrCat(
        "Khai mạc trước thời hạn thông báo, lý do: ", session.open_override_reason(), "."));
  }

  documents::Part heard{"III. Ý KIẾN PHÁT BIỂU VÀ TRẢ LỜI", {}};
  auto& p3 = heard.paragraphs;
  int n = 0;
  for (const v1::Speaker& s : speakers) {
    if (s.state() == v1::SPEAKER_WAITING) continue;
    std::string who = absl::StrCat(++n, ". Ông/bà ", s.full_name());
    if (!s.hamlet().empty()) absl::StrAppend(&who, " (", s.hamlet(), ")");
    if (!s.topic().empty()) absl::StrAppend(&who, " - ", s.topic());
    if (s.written()) absl::StrAppend(&who, " [ý kiến bằng văn bản]");
    p3.push_back(who);
    if (!s.statement().empty()) p3.push_back(absl::StrCat("Ý kiến: ", s.statement()));
    for (const v1::SpeakerAnswer& a : s.answers()) {
      p3.push_back(absl::StrCat("Trả lời (", a.answered_by(), "): ", a.summary()));
    }
    if (!s.follow_up().empty()) p3.push_back(absl::StrCat("Ý kiến tiếp: ", s.follow_up()));
    if (s.satisfaction() == v1::SATISFIED) p3.push_back("Người phát biểu: thỏa đáng.");
    if (s.satisfaction() == v1::NOT_SATISFIED) p3.push_back("Người phát biểu: chưa thỏa đáng.");
  }
  if (n == 0) p3.push_back("Không có ý kiến phát biểu.");
  int unheard = 0;
  for (const v1::Speaker& s : speakers) unheard += s.state() == v1::SPEAKER_WAITING ? 1 : 0;
  if (unheard > 0)
    p3.push_back(absl::StrCat("Số người đăng ký chưa được phát biểu: ", unheard, "."));
  p3.push_back(absl::StrCat("Ý kiến thu thập trước hội nghị được trả lời tại hội nghị: ",
                            session.opinions_answered_size(), "."));

  documents::Part concluded{"IV. KẾT LUẬN CỦA NGƯỜI CHỦ TRÌ", {}};
  for (const v1::ConclusionItem& item : session.conclusion()) {
    const char* outcome = item.outcome() == v1::OUTCOME_ACCEPTED ? "Tiếp thu"
                          : item.outcome() == v1::OUTCOME_RESOLVED_ON_SPOT
                              ? "Đã giải quyết tại hội nghị"
                              : "Chưa giải quyết";
    std::string line = absl::StrCat(item.id(), ". [", outcome, "] ", item.summary());
    if (!item.agency().empty()) absl::StrAppend(&line, " Giao: ", item.agency(), ".");
    if (!item.action().empty()) absl::StrAppend(&line, " Nội dung: ", item.action(), ".");
    if (!item.due_date().empty())
      absl::StrAppend(&line, " Thời hạn: ", calendar::WrittenDate(item.due_date()), ".");
    concluded.paragraphs.push_back(line);
  }
  const v1::AgendaStep* last =
      session.agenda().empty() ? nullptr : &session.agenda(session.agenda_size() - 1);
  concluded.paragraphs.push_back(absl::StrCat(
      "Hội nghị kết thúc lúc ",
      last != nullptr ? LocalClock(last->end_time()) : std::string("--:--"), " cùng ngày."));
  d.parts = {std::move(when), std::move(course), std::move(heard), std::move(concluded)};
  return d;
}

documents::Document MinutesAsWritten(const v1::Session& session, absl::string_view commune,
                                     const v1::Minutes& minutes) {
  documents::Document d = MinutesFrame(session, commune);
  d.parts = documents::PartsOfText(d, minutes.text());
  d.footer = minutes.state() == v1::MINUTES_APPROVED
                 ? absl::StrCat("Mã kiểm tra (SHA-256) của biên bản đã phê duyệt: ",
                                minutes.content_hash())
                 : "Dự thảo: biên bản chưa được thư ký và chủ trì phê duyệt.";
  return d;
}

std::string MinutesText(const v1::Session& session, absl::string_view commune,
                        const v1::Attendance& attendance,
                        const std::vector<v1::Speaker>& speakers) {
  return documents::Text(MinutesDocument(session, commune, attendance, speakers));
}

std::string ContentHash(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<char*>(digest), sizeof(digest))));
}

void RefreshLiveView(v1::SessionLiveView& view, absl::Time now) {
  view.clear_warnings();
  *view.mutable_time() = ToProto(now);
  view.set_step_elapsed_seconds(0);
  if (view.state() == v1::SESSION_IN_PROGRESS && IsSet(view.current_step().start_time())) {
    const v1::AgendaStep& step = view.current_step();
    int64_t elapsed = std::max<int64_t>(0, absl::ToInt64Seconds(now - ToTime(step.start_time())));
    view.set_step_elapsed_seconds(static_cast<int32_t>(elapsed));
    if (step.limit_minutes() > 0 && elapsed > step.limit_minutes() * 60) {
      view.add_warnings(absl::StrFormat("Bước %d quá thời gian: %d/%d phút", step.number(),
                                        (elapsed + 59) / 60, step.limit_minutes()));
    }
  }
  if (view.has_speaking() && IsSet(view.speaking().call_time())) {
    int64_t elapsed =
        std::max<int64_t>(0, absl::ToInt64Seconds(now - ToTime(view.speaking().call_time())));
    view.mutable_speaking()->set_elapsed_seconds(static_cast<int32_t>(elapsed));
    if (view.speaker_limit_minutes() > 0 && elapsed > view.speaker_limit_minutes() * 60) {
      view.add_warnings(absl::StrFormat("Người phát biểu quá thời gian: %d/%d phút",
                                        (elapsed + 59) / 60, view.speaker_limit_minutes()));
    }
  }
}

std::string SessionsCalendar(const std::vector<v1::Session>& sessions, absl::string_view commune,
                             absl::Time now) {
  std::string out;
  IcsLine(out, "BEGIN:VCALENDAR");
  IcsLine(out, "VERSION:2.0");
  IcsLine(out, "PRODID:-//Dialogue platform//Sessions//VI");
  IcsLine(out, "CALSCALE:GREGORIAN");
  IcsLine(out, "METHOD:PUBLISH");
  IcsLine(out,
          absl::StrCat("X-WR-CALNAME:", IcsText(absl::StrCat("Hội nghị đối thoại - ", commune))));
  for (const v1::Session& s : sessions) {
    auto day = calendar::ParseDate(s.date());
    if (!day.ok()) continue;
    std::vector<std::string> parts = absl::StrSplit(s.name(), '/');
    IcsLine(out, "BEGIN:VEVENT");
    IcsLine(out, absl::StrCat("UID:", parts.size() == 4 ? parts[3] : s.name(), "@",
                              parts.size() == 4 ? parts[1] : "", ".dialogue"));
    IcsLine(out, absl::StrCat("DTSTAMP:", IcsUtc(now)));
    if (s.start_time().empty()) {
      IcsLine(out, absl::StrFormat("DTSTART;VALUE=DATE:%04d%02d%02d", day->year(), day->month(),
                                   day->day()));
    } else {
      int h = 0, m = 0;
      (void)absl::SimpleAtoi(s.start_time().substr(0, 2), &h);
      (void)absl::SimpleAtoi(s.start_time().substr(3, 2), &m);
      absl::Time start = absl::FromCivil(
          absl::CivilMinute(day->year(), day->month(), day->day(), h, m), Vietnam());
      int minutes = s.duration_minutes() > 0 ? s.duration_minutes() : kDefaultDurationMinutes;
      IcsLine(out, absl::StrCat("DTSTART:", IcsUtc(start)));
      IcsLine(out, absl::StrCat("DTEND:", IcsUtc(start + absl::Minutes(minutes))));
    }
    int sequence = 0;
    (void)absl::SimpleAtoi(s.etag(), &sequence);
    IcsLine(out, absl::StrCat("SEQUENCE:", sequence));
    IcsLine(out, absl::StrCat("SUMMARY:", IcsText(s.title())));
    IcsLine(out, absl::StrCat("LOCATION:", IcsText(s.venue())));
    std::string description = absl::StrCat("Chủ trì: ", s.chair());
    if (s.hamlets_size() > 0) {
      absl::StrAppend(&description, "\nĐịa bàn: ", absl::StrJoin(HamletNames(s), ", "));
    }
    if (!s.postpone_reason().empty() && s.state() == v1::SESSION_POSTPONED) {
      absl::StrAppend(&description, "\nHoãn: ", s.postpone_reason());
    }
    IcsLine(out, absl::StrCat("DESCRIPTION:", IcsText(description)));
    const char* status =
        s.state() == v1::SESSION_CANCELLED                                           ? "CANCELLED"
        : (s.state() == v1::SESSION_SCHEDULED || s.state() == v1::SESSION_POSTPONED) ? "TENTATIVE"
                                                                                     : "CONFIRMED";
    IcsLine(out, absl::StrCat("STATUS:", status));
    IcsLine(out, "END:VEVENT");
  }
  IcsLine(out, "END:VCALENDAR");
  return out;
}

}  // namespace dialogue::sessions
