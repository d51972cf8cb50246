// The rules of a conference, apart from storage: who may do what, the state machine, the
// agenda and its clock, the speakers' queue, the conclusion, the minutes' text and hash,
// the live view's warnings and the iCalendar export. Pure functions; unit tested.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "dialogue/auth/principal.h"
#include "dialogue/documents/document.h"
#include "dialogue/v1/planning.pb.h"
#include "dialogue/v1/sessions.pb.h"

namespace dialogue::sessions {

namespace v1 = ::dialogue::v1;

// A session's title when none is given: its conference's own, else "Hội nghị đối thoại
// (lần N) năm Y" by its place among the plan's conferences (never the plan's title, which
// would name every conference of the year alike).
std::string DefaultTitle(const v1::Plan& plan, const v1::PlannedConference& conference);

// The names of the session's hamlets for documents and calendars (their ids for a session
// stored before the names were kept).
std::vector<std::string> HamletNames(const v1::Session& s);

inline constexpr int kDefaultSpeakerLimitMinutes = 5;
inline constexpr int kDefaultDurationMinutes = 180;
inline constexpr int kMaxShortChars = 300;
inline constexpr int kMaxTextChars = 10000;
inline constexpr int kMaxMinutesChars = 200000;

enum class SessionAction {
  kRead,
  kOrganise,        // create, update, announce, postpone, cancel; the agenda template
  kRun,             // open, advance the agenda, call and move speakers
  kRecord,          // attendance, registrations, statements, answers, opinions answered
  kConclude,        // the chair's conclusion, and opening before the lead time
  kEditMinutes,     // the secretary
  kApproveMinutes,  // the chair and the secretary
};

// The clerks' warnings, in Vietnamese, derived from the session as it now is: a date outside
// the plan's window, and an announcement shorter than the lead time (before the chair's
// override).
void DeriveWarnings(v1::Session& s);

// PERMISSION_DENIED (ROLE_FORBIDDEN) unless one of the principal's roles allows `action`.
absl::Status CheckRole(const auth::Principal& principal, SessionAction action);

// What may be done to a session, by state.
enum class SessionEvent {
  kUpdate,
  kAnnounce,
  kOpen,
  kPostpone,
  kCancel,
  kAdvance,
  kRegisterSpeaker,  // before or during the conference
  kRecordAttendance,
  kRun,  // calling speakers, statements, answers, opinions answered
  kConclude,
  kApproveMinutes,
};

// FAILED_PRECONDITION (SESSION_STATE) naming the state and what was asked.
absl::Status CheckTransition(v1::SessionState from, SessionEvent event);

// The standard order of seed 004 §3.2, the report limited to 20 minutes (seed 000).
v1::AgendaTemplate DefaultAgendaTemplate();
// Steps numbered 1..n, each with a kind and a title, exactly one conclusion step, last.
absl::Status CheckAgendaTemplate(const v1::AgendaTemplate& agenda);

// The fields a clerk gives; `prefix` is prepended to field names ("session.").
absl::Status CheckSession(const v1::Session& session, absl::string_view prefix);

// The first day the session may be opened: its announcement plus `lead_days`.
absl::CivilDay EarliestOpenDay(absl::CivilDay announced, int lead_days);
// Before that day only the chair may open it, with a reason.
absl::Status CheckOpen(absl::CivilDay today, absl::CivilDay earliest,
                       absl::string_view override_reason, bool by_chair);

// Starts the agenda's first step (open).
void StartAgenda(v1::Session& session, absl::Time now);
// Ends the current step and starts `step`, which must be the next. INVALID_ARGUMENT or
// FAILED_PRECONDITION (STEP_OUT_OF_ORDER) otherwise, the session unchanged.
absl::Status AdvanceAgenda(v1::Session& session, int step, absl::Time now);
// The step under way, or null before the opening.
const v1::AgendaStep* CurrentStep(const v1::Session& session);
// Speakers are called, and statements and answers recorded, during the statements,
// answers and follow-up steps. FAILED_PRECONDITION (NOT_SPEAKING_TIME) otherwise.
absl::Status CheckSpeakingTime(const v1::Session& session);

// Checks and completes the conclusion: ids given to items without one ("1", "2", ...);
// an unresolved item needs its agency, what must be done and a due date on or after the
// conference.
absl::Status CheckConclusion(std::vector<v1::ConclusionItem>& items, absl::CivilDay held);

// The opinions answered in the room: those marked at step 3, then those linked to items
// resolved on the spot; each once, in that order.
google::protobuf::RepeatedPtrField<std::string> OpinionsAnsweredInRoom(const v1::Session& session);

// A queue rank between two neighbours (either may be absent).
double RankBetween(const double* before, const double* after);

// The speaker record fields a clerk gives.
absl::Status CheckSpeaker(const v1::Speaker& speaker, absl::string_view prefix);

// The minutes (biên bản) as a document, drawn from what was recorded: issued in the
// People's Committee's name, signed by the secretary and the chair.
documents::Document MinutesDocument(const v1::Session& session, absl::string_view commune,
                                    const v1::Attendance& attendance,
                                    const std::vector<v1::Speaker>& speakers);
// Its text (documents::Text): what is approved and hashed.
std::string MinutesText(const v1::Session& session, absl::string_view commune,
                        const v1::Attendance& attendance, const std::vector<v1::Speaker>& speakers);
// "sha256:" and the lowercase hex SHA-256 of the text's bytes.
std::string ContentHash(absl::string_view text);
// The minutes as they read now, to print or file: the frame of MinutesDocument (header,
// date, title, signatures) around the body of `minutes.text` as the secretary edited it,
// and below, the content hash of approved minutes or the word that they are a draft.
documents::Document MinutesAsWritten(const v1::Session& session, absl::string_view commune,
                                     const v1::Minutes& minutes);

// Fills the clock (step and speaker elapsed) and the warnings of a view for `now`.
void RefreshLiveView(v1::SessionLiveView& view, absl::Time now);

// An iCalendar (RFC 5545) file of the sessions; `now` stamps it.
std::string SessionsCalendar(const std::vector<v1::Session>& sessions, absl::string_view commune,
                             absl::Time now);

}  // namespace dialogue::sessions
