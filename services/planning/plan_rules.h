// The rules of a plan (Kế hoạch), free of I/O: what a valid plan looks like, which
// transitions each state allows and to whom, due dates of preparation tasks, and how
// next year's copy is made.
#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "dialogue/auth/principal.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/v1/planning.pb.h"

namespace dialogue::planning {

namespace v1 = ::dialogue::v1;

using calendar::FormatDate;
using calendar::ParseDate;
using calendar::TodayInVietnam;

// What validation needs to know about the tenant.
struct TenantFacts {
  int announcement_lead_days = 7;
  std::set<std::string> hamlet_ids;  // empty: the tenant lists none, so any id is accepted
  // The communes an upper level hosts dialogues with ("tenants/cao-xa"); empty for a commune.
  std::set<std::string> child_tenants;
};

// Every problem of the plan at once, each naming its field and rule (google.rpc.BadRequest),
// so a clerk fixes the whole form in one go. Fields are paths like "conferences[1].venue".
absl::Status ValidatePlan(const v1::Plan& plan, const TenantFacts& tenant);

// What publication needs beyond a valid draft: number, date and signer of the document.
absl::Status ValidateForPublication(const v1::Plan& plan);

// Sets resolved_due_date on every task: fixed, or relative to its conference's date,
// which is the date of the session announced for it once there is one (session_date),
// else the first day of its window. The plan must be valid.
void ResolveTaskDueDates(v1::Plan& plan);

// A session was announced for conference `conference_id` on `date`: the conference
// records it and the tasks counted from it are dated again. False when the plan has no
// such conference.
bool RecordSession(v1::Plan& plan, absl::string_view conference_id, const std::string& session,
                   const std::string& date);

// The conference a session holds, if the plan records one (empty otherwise).
std::string ConferenceOfSession(const v1::Plan& plan, absl::string_view session);

// The platform saw work done for conference `conference_id` (an announcement issued, the
// conference held): every task of one of `kinds` that belongs to it and is not done yet is
// marked done, with `note` saying what showed it. A task belongs to the conference when
// its due date counts from it, or, dated fixed, when the plan foresees that one conference
// only. Returns how many tasks it marked.
int CompleteTasksByWork(v1::Plan& plan, absl::string_view conference_id,
                        const std::set<v1::TaskKind>& kinds, const std::string& note);

// A revision, or an edit of one, keeps the sessions its conferences recorded: copies
// `session` and `session_date` from `from` to the conferences of `to` with the same id.
void KeepSessionLinks(const v1::Plan& from, v1::Plan& to);

enum class PlanAction {
  kRead,
  kCreate,
  kUpdate,
  kDelete,
  kApprove,
  kPublish,
  kClose,
  kCancel,
  kRevise,
  kCopy,
  kCompleteTask,
};

absl::string_view ActionName(PlanAction action);

// May a principal with these roles do `action` at all? (Which tenant is checked apart.)
absl::Status CheckRole(const auth::Principal& principal, PlanAction action);

// The state a plan in `from` moves to by `action`, or FAILED_PRECONDITION saying why not
// and what is allowed instead. Actions that leave the state as it is return `from`.
absl::StatusOr<v1::PlanState> NextState(v1::PlanState from, PlanAction action);

// The plan's own fields that only the server sets (name, state, etag, times, revision
// links); they live in table columns, not in the stored document.
bool IsServerField(absl::string_view top_level_field);
void ClearServerFields(v1::Plan& plan);

// Everything a client may not set: the server fields, each task's computed due date and
// done flag and note, and each conference's session and its date.
void ClearOutputOnly(v1::Plan& plan);

// Next year's draft: every date moved by (target_year - year) years, tasks kept and not
// done, document number and date cleared. A 29 February becomes 28 February.
absl::Status PrepareCopy(v1::Plan& plan, int target_year);

}  // namespace dialogue::planning
