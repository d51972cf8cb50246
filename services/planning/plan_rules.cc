#include "plan_rules.h"

#include <map>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dialogue/common/names.h"
#include "dialogue/common/status.h"

namespace dialogue::planning {
namespace {

using auth::Role;

struct Violation {
  std::string field;
  std::string reason;
  std::string message;
};

absl::Status ToStatus(const std::vector<Violation>& violations) {
  if (violations.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const auto& v : violations) lines.push_back(absl::StrCat(v.field, ": ", v.message));
  std::string message = violations.size() == 1
                            ? lines.front()
                            : absl::StrCat("the plan has ", violations.size(),
                                           " problems: ", absl::StrJoin(lines, "; "));
  absl::Status status =
      common::Error(absl::StatusCode::kInvalidArgument, violations.front().reason, message);
  for (const auto& v : violations) common::AddFieldViolation(status, v.field, v.message);
  return status;
}

class Checker {
 public:
  void Add(std::string field, std::string reason, std::string message) {
    violations_.push_back({std::move(field), std::move(reason), std::move(message)});
  }
  // Parses an optional date field; records a violation when it is set and malformed.
  absl::optional<absl::CivilDay> Date(const std::string& field, const std::string& value,
                                      bool required) {
    if (value.empty()) {
      if (required) Add(field, "DATE_REQUIRED", "a date (YYYY-MM-DD) is required");
      return absl::nullopt;
    }
    auto day = ParseDate(value);
    if (!day.ok()) {
      Add(field, "DATE_INVALID", std::string(day.status().message()));
      return absl::nullopt;
    }
    return *day;
  }
  absl::Status Result() const { return ToStatus(violations_); }

 private:
  std::vector<Violation> violations_;
};

struct ConferenceDays {
  absl::CivilDay start;
  absl::CivilDay end;
};

bool IsDeadlineBeforeConference(v1::TaskKind kind) {
  return kind == v1::OPINION_COLLECTION || kind == v1::ANSWER_DRAFTING ||
         kind == v1::SYNTHESIS_REPORT || kind == v1::ANNOUNCEMENT || kind == v1::INVITATION;
}

}  // namespace

absl::Status ValidatePlan(const v1::Plan& plan, const TenantFacts& tenant) {
  Checker check;
  if (plan.title().empty()) check.Add("title", "TITLE_REQUIRED", "the plan needs a title");
  if (plan.year() < 2000 || plan.year() > 2100) {
    check.Add("year", "YEAR_OUT_OF_RANGE",
              absl::StrCat("the year must be between 2000 and 2100, got ", plan.year()));
  }
  if (plan.issuing_body() == v1::ISSUING_BODY_UNSPECIFIED) {
    check.Add("issuing_body", "ISSUING_BODY_REQUIRED",
              "say whether the Party committee, the People's Committee or an upper level issues "
              "the plan");
  }
  check.Date("issue_date", plan.issue_date(), false);
  auto known_hamlet = [&](const std::string& id) {
    return tenant.hamlet_ids.empty() || tenant.hamlet_ids.count(id) > 0;
  };
  for (int i = 0; i < plan.target_hamlets_size(); ++i) {
    if (!known_hamlet(plan.target_hamlets(i))) {
      check.Add(absl::StrCat("target_hamlets[", i, "]"), "UNKNOWN_HAMLET",
                absl::StrCat("'", plan.target_hamlets(i), "' is not a hamlet of this commune"));
    }
  }
  for (int i = 0; i < plan.participant_groups_size(); ++i) {
    const auto& group = plan.participant_groups(i);
    std::string field = absl::StrCat("participant_groups[", i, "]");
    if (group.description().empty()) {
      check.Add(field + ".description", "DESCRIPTION_REQUIRED", "say who the group is");
    }
    if (group.expected_min() < 0 || group.expected_max() < 0 ||
        (group.expected_max() > 0 && group.expected_min() > group.expected_max())) {
      check.Add(field + ".expected_min", "EXPECTED_COUNT_INVALID",
                absl::StrCat("expected counts must satisfy 0 <= min <= max, got ",
                             group.expected_min(), "-", group.expected_max()));
    }
  }

  std::map<std::string, ConferenceDays> conferences;
  const int lead = tenant.announcement_lead_days;
  for (int i = 0; i < plan.conferences_size(); ++i) {
    const auto& c = plan.conferences(i);
    std::string field = absl::StrCat("conferences[", i, "]");
    if (!common::IsShortId(c.id())) {
      check.Add(field + ".id", "CONFERENCE_ID_INVALID",
                "each conference needs a short id of letters, digits, '-' or '_'");
    } else if (conferences.count(c.id()) > 0) {
      check.Add(field + ".id", "CONFERENCE_ID_DUPLICATE",
                absl::StrCat("conference id '", c.id(), "' is used twice"));
    }
    auto start = check.Date(field + ".window_start_date", c.window_start_date(), true);
    auto end = check.Date(field + ".window_end_date", c.window_end_date(), true);
    for (int h = 0; h < c.hamlets_size(); ++h) {
      if (!known_hamlet(c.hamlets(h))) {
        check.Add(absl::StrCat(field, ".hamlets[", h, "]"), "UNKNOWN_HAMLET",
                  absl::StrCat("'", c.hamlets(h), "' is not a hamlet of this commune"));
      }
    }
    std::set<std::string> communes;
    for (int k = 0; k < c.communes_size(); ++k) {
      const std::string& commune = c.communes(k);
      std::string item = absl::StrCat(field, ".communes[", k, "]");
      if (tenant.child_tenants.count(commune) == 0) {
        check.Add(item, "NOT_A_COMMUNE_OF_THIS_LEVEL",
                  tenant.child_tenants.empty()
                      ? std::string("only an upper level (a district) hosts conferences with "
                                    "other communes; leave communes empty")
                      : absl::StrCat("'", commune.substr(0, 80),
                                     "' is not a commune under this district"));
      } else if (!communes.insert(commune).second) {
        check.Add(item, "COMMUNE_DUPLICATE", absl::StrCat("'", commune, "' is listed twice"));
      }
    }
    if (!start || !end) continue;
    if (*end < *start) {
      check.Add(field + ".window_end_date", "WINDOW_REVERSED",
                absl::StrCat("the window ends on ", FormatDate(*end), " before it starts on ",
                             FormatDate(*start)));
      continue;
    }
    if (start->year() != plan.year() || end->year() != plan.year()) {
      check.Add(field + ".window_start_date", "CONFERENCE_OUTSIDE_PLAN_YEAR",
                absl::StrCat("the conference (", FormatDate(*start), " to ", FormatDate(*end),
                             ") must fall within the plan's year ", plan.year()));
    }
    auto deadline = check.Date(field + ".opinion_deadline_date", c.opinion_deadline_date(), false);
    if (deadline && *deadline >= *start) {
      check.Add(field + ".opinion_deadline_date", "OPINION_DEADLINE_NOT_BEFORE_CONFERENCE",
                absl::StrCat("opinions must be collected before the conference window opens on ",
                             FormatDate(*start), "; the deadline is ", FormatDate(*deadline)));
    }
    auto announce = check.Date(field + ".announce_by_date", c.announce_by_date(), false);
    if (announce && *start - *announce < lead) {
      check.Add(
          field + ".announce_by_date", "ANNOUNCEMENT_LEAD_TIME",
          absl::StrCat("the announcement on ", FormatDate(*announce), " is only ",
                       *start - *announce, " days before the conference opens on ",
                       FormatDate(*start), "; this commune's rule is at least ", lead, " days"));
    }
    if (!c.id().empty()) conferences.emplace(c.id(), ConferenceDays{*start, *end});
  }

  std::set<std::string> task_ids;
  for (int i = 0; i < plan.tasks_size(); ++i) {
    const auto& t = plan.tasks(i);
    std::string field = absl::StrCat("tasks[", i, "]");
    if (!common::IsShortId(t.id())) {
      check.Add(field + ".id", "TASK_ID_INVALID",
                "each task needs a short id of letters, digits, '-' or '_'");
    } else if (!task_ids.insert(t.id()).second) {
      check.Add(field + ".id", "TASK_ID_DUPLICATE",
                absl::StrCat("task id '", t.id(), "' is used twice"));
    }
    if (t.description().empty()) {
      check.Add(field + ".description", "DESCRIPTION_REQUIRED", "say what must be done");
    }
    if (!t.responsible_role().empty() && !auth::ParseRole(t.responsible_role())) {
      check.Add(field + ".responsible_role", "UNKNOWN_ROLE",
                absl::StrCat("'", t.responsible_role(),
                             "' is not a role (party_office, government_office, front, department, "
                             "chair, secretary, hamlet_lead)"));
    }
    // Which conference the task prepares, and its due day.
    absl::optional<absl::CivilDay> due;
    const ConferenceDays* conference = nullptr;
    std::string conference_id;
    if (t.has_relative_due()) {
      auto it = conferences.find(t.relative_due().conference_id());
      if (it == conferences.end()) {
        check.Add(
            field + ".relative_due.conference_id", "UNKNOWN_CONFERENCE",
            absl::StrCat("no valid conference has id '", t.relative_due().conference_id(), "'"));
        continue;
      }
      conference = &it->second;
      conference_id = it->first;
      due = conference->start + t.relative_due().offset_days();
    } else if (t.due_case() == v1::PreparationTask::kDueDate) {
      due = check.Date(field + ".due_date", t.due_date(), true);
      if (!due) continue;
      // A fixed date prepares the first conference that opens on or after it.
      for (const auto& [id, days] : conferences) {
        if (days.start >= *due && (conference == nullptr || days.start < conference->start)) {
          conference = &days;
          conference_id = id;
        }
      }
    } else {
      check.Add(field + ".due_date", "DUE_REQUIRED",
                "give a due date or a due date relative to a conference");
      continue;
    }
    if (due->year() < plan.year() - 1 || due->year() > plan.year() + 1) {
      check.Add(field + ".due_date", "TASK_OUTSIDE_PLAN_YEAR",
                absl::StrCat("the task is due on ", FormatDate(*due), ", far from the plan's year ",
                             plan.year()));
    }
    if (!IsDeadlineBeforeConference(t.kind())) continue;
    if (conference == nullptr || *due >= conference->start) {
      check.Add(field + (t.has_relative_due() ? ".relative_due.offset_days" : ".due_date"),
                "TASK_DUE_AFTER_CONFERENCE",
                conference == nullptr
                    ? absl::StrCat("this preparation task is due on ", FormatDate(*due),
                                   ", after every conference of the plan")
                    : absl::StrCat("this preparation task is due on ", FormatDate(*due),
                                   ", not before conference '", conference_id, "' opens on ",
                                   FormatDate(conference->start)));
    } else if (t.kind() == v1::ANNOUNCEMENT && conference->start - *due < lead) {
      check.Add(field + (t.has_relative_due() ? ".relative_due.offset_days" : ".due_date"),
                "ANNOUNCEMENT_LEAD_TIME",
                absl::StrCat("the announcement is due ", conference->start - *due,
                             " days before conference '", conference_id,
                             "'; this commune's rule is at least ", lead, " days"));
    }
  }
  return check.Result();
}

absl::Status ValidateForPublication(const v1::Plan& plan) {
  Checker check;
  if (plan.document_number().empty()) {
    check.Add("document_number", "DOCUMENT_NUMBER_REQUIRED",
              "a published plan needs its number and symbol, e.g. 12/KH-UBND");
  }
  check.Date("issue_date", plan.issue_date(), true);
  if (plan.signer().full_name().empty()) {
    check.Add("signer.full_name", "SIGNER_REQUIRED", "a published plan needs its signer");
  }
  if (plan.conferences_size() == 0) {
    check.Add("conferences", "CONFERENCE_REQUIRED",
              "a published plan foresees at least one conference");
  }
  return check.Result();
}

void ResolveTaskDueDates(v1::Plan& plan) {
  std::map<std::string, std::string> dates;
  for (const auto& c : plan.conferences()) {
    dates[c.id()] = c.session_date().empty() ? c.window_start_date() : c.session_date();
  }
  for (auto& task : *plan.mutable_tasks()) {
    if (task.due_case() == v1::PreparationTask::kDueDate) {
      task.set_resolved_due_date(task.due_date());
    } else if (task.has_relative_due()) {
      auto day = ParseDate(dates[task.relative_due().conference_id()]);
      task.set_resolved_due_date(day.ok() ? FormatDate(*day + task.relative_due().offset_days())
                                          : "");
    }
  }
}

bool RecordSession(v1::Plan& plan, absl::string_view conference_id, const std::string& session,
                   const std::string& date) {
  for (auto& c : *plan.mutable_conferences()) {
    if (c.id() != conference_id) continue;
    c.set_session(session);
    c.set_session_date(date);
    ResolveTaskDueDates(plan);
    return true;
  }
  return false;
}

std::string ConferenceOfSession(const v1::Plan& plan, absl::string_view session) {
  for (const auto& c : plan.conferences()) {
    if (!session.empty() && c.session() == session) return c.id();
  }
  return "";
}

int CompleteTasksByWork(v1::Plan& plan, absl::string_view conference_id,
                        const std::set<v1::TaskKind>& kinds, const std::string& note) {
  const bool only_conference =
      plan.conferences_size() == 1 && plan.conferences(0).id() == conference_id;
  int marked = 0;
  for (auto& task : *plan.mutable_tasks()) {
    if (task.done() || !kinds.count(task.kind())) continue;
    const bool belongs = task.has_relative_due()
                             ? task.relative_due().conference_id() == conference_id
                             : only_conference;
    if (!belongs) continue;
    task.set_done(true);
    task.set_done_note(note);
    ++marked;
  }
  return marked;
}

void KeepSessionLinks(const v1::Plan& from, v1::Plan& to) {
  for (const auto& old : from.conferences()) {
    if (old.session().empty()) continue;
    for (auto& c : *to.mutable_conferences()) {
      if (c.id() != old.id()) continue;
      c.set_session(old.session());
      c.set_session_date(old.session_date());
    }
  }
}

absl::string_view ActionName(PlanAction action) {
  switch (action) {
    case PlanAction::kRead:
      return "read";
    case PlanAction::kCreate:
      return "create";
    case PlanAction::kUpdate:
      return "update";
    case PlanAction::kDelete:
      return "delete";
    case PlanAction::kApprove:
      return "approve";
    case PlanAction::kPublish:
      return "publish";
    case PlanAction::kClose:
      return "close";
    case PlanAction::kCancel:
      return "cancel";
    case PlanAction::kRevise:
      return "revise";
    case PlanAction::kCopy:
      return "copy";
    case PlanAction::kCompleteTask:
      return "complete a task of";
  }
  return "act on";
}

absl::Status CheckRole(const auth::Principal& principal, PlanAction action) {
  if (principal.Has(Role::kAdmin)) return absl::OkStatus();
  bool allowed = false;
  switch (action) {
    case PlanAction::kRead:
      allowed = principal.HasAny({Role::kPartyOffice, Role::kGovernmentOffice, Role::kFront,
                                  Role::kDepartment, Role::kChair, Role::kSecretary,
                                  Role::kHamletLead, Role::kProvince});
      break;
    case PlanAction::kCreate:
    case PlanAction::kUpdate:
    case PlanAction::kDelete:
    case PlanAction::kPublish:
    case PlanAction::kRevise:
    case PlanAction::kCopy:
      allowed = principal.HasAny({Role::kPartyOffice, Role::kGovernmentOffice});
      break;
    case PlanAction::kApprove:
      allowed = principal.Has(Role::kChair);
      break;
    case PlanAction::kClose:
    case PlanAction::kCancel:
      allowed = principal.HasAny({Role::kChair, Role::kPartyOffice, Role::kGovernmentOffice});
      break;
    case PlanAction::kCompleteTask:
      allowed =
          principal.HasAny({Role::kPartyOffice, Role::kGovernmentOffice, Role::kFront,
                            Role::kDepartment, Role::kChair, Role::kSecretary, Role::kHamletLead});
      break;
  }
  if (allowed) return absl::OkStatus();
  return common::Error(
      absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN",
      absl::StrCat("your roles do not allow you to ", ActionName(action), " a plan"));
}

absl::StatusOr<v1::PlanState> NextState(v1::PlanState from, PlanAction action) {
  auto refuse = [&](absl::string_view allowed) {
    return common::Error(absl::StatusCode::kFailedPrecondition, "INVALID_PLAN_STATE",
                         absl::StrCat("cannot ", ActionName(action), " a plan that is ",
                                      v1::PlanState_Name(from), "; ", allowed));
  };
  switch (action) {
    case PlanAction::kRead:
    case PlanAction::kCreate:
    case PlanAction::kCopy:
      return from;
    case PlanAction::kUpdate:
    case PlanAction::kDelete:
      if (from == v1::DRAFT) return from;
      return refuse(from == v1::PUBLISHED ? "make a new revision of it instead (revise)"
                                          : "only a DRAFT plan can be changed");
    case PlanAction::kApprove:
      if (from == v1::DRAFT) return v1::APPROVED;
      return refuse("only a DRAFT plan can be approved");
    case PlanAction::kPublish:
      if (from == v1::APPROVED) return v1::PUBLISHED;
      return refuse(from == v1::DRAFT ? "it must be approved first"
                                      : "only an APPROVED plan can be published");
    case PlanAction::kClose:
      if (from == v1::PUBLISHED) return v1::CLOSED;
      return refuse("only a PUBLISHED plan can be closed");
    case PlanAction::kCancel:
      if (from == v1::DRAFT || from == v1::APPROVED || from == v1::PUBLISHED) return v1::CANCELLED;
      return refuse("it is already finished");
    case PlanAction::kRevise:
      if (from == v1::PUBLISHED) return from;
      return refuse("only a PUBLISHED plan is revised; a DRAFT is simply edited");
    case PlanAction::kCompleteTask:
      if (from == v1::APPROVED || from == v1::PUBLISHED) return from;
      return refuse("tasks are completed on APPROVED or PUBLISHED plans");
  }
  return refuse("unknown action");
}

namespace {
constexpr absl::string_view kServerFields[] = {
    "name", "state",       "revision",    "revises",      "superseded_by", "cancel_reason",
    "etag", "create_time", "update_time", "approve_time", "publish_time"};
}  // namespace

bool IsServerField(absl::string_view top_level_field) {
  for (absl::string_view f : kServerFields) {
    if (f == top_level_field) return true;
  }
  return false;
}

void ClearServerFields(v1::Plan& plan) {
  for (absl::string_view f : kServerFields) {
    plan.GetReflection()->ClearField(&plan, plan.GetDescriptor()->FindFieldByName(std::string(f)));
  }
}

void ClearOutputOnly(v1::Plan& plan) {
  ClearServerFields(plan);
  for (auto& task : *plan.mutable_tasks()) {
    task.clear_resolved_due_date();
    task.clear_done();
    task.clear_done_note();
  }
  for (auto& c : *plan.mutable_conferences()) {
    c.clear_session();
    c.clear_session_date();
  }
}

absl::Status PrepareCopy(v1::Plan& plan, int target_year) {
  const int shift = target_year - plan.year();
  auto move = [&](std::string* date) -> absl::Status {
    if (date->empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(absl::CivilDay day, ParseDate(*date));
    int d = day.day();
    if (day.month() == 2 && d == 29) d = 28;
    *date = FormatDate(absl::CivilDay(day.year() + shift, day.month(), d));
    return absl::OkStatus();
  };
  ClearOutputOnly(plan);
  plan.set_year(target_year);
  plan.clear_document_number();
  plan.clear_issue_date();
  for (auto& c : *plan.mutable_conferences()) {
    RETURN_IF_ERROR(move(c.mutable_window_start_date()));
    RETURN_IF_ERROR(move(c.mutable_window_end_date()));
    RETURN_IF_ERROR(move(c.mutable_opinion_deadline_date()));
    RETURN_IF_ERROR(move(c.mutable_announce_by_date()));
  }
  for (auto& t : *plan.mutable_tasks()) {
    if (t.due_case() == v1::PreparationTask::kDueDate) RETURN_IF_ERROR(move(t.mutable_due_date()));
  }
  return absl::OkStatus();
}

}  // namespace dialogue::planning
