#include "session_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"
#include "dialogue/events/outbox.h"

namespace dialogue::sessions {
namespace {

using auth::Access;
using google::protobuf::util::TimeUtil;

constexpr char kParent[] = "tenants/{tenant}";
constexpr char kSessionPattern[] = "tenants/{tenant}/sessions/{session:uuid}";
constexpr char kAttendancePattern[] = "tenants/{tenant}/sessions/{session:uuid}/attendance";
constexpr char kSpeakerPattern[] =
    "tenants/{tenant}/sessions/{session:uuid}/speakers/{speaker:uuid}";
constexpr char kMinutesPattern[] = "tenants/{tenant}/sessions/{session:uuid}/minutes";
constexpr char kTemplatePattern[] = "tenants/{tenant}/agendaTemplate";
constexpr char kOutbox[] = "sessions.outbox";
constexpr absl::Duration kUpstreamTimeout = absl::Seconds(5);
// The live view is sent again this often even without a change, for its clock.
constexpr absl::Duration kLiveRefresh = absl::Seconds(5);

google::protobuf::Timestamp Now() {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
}

absl::CivilDay Today() { return calendar::TodayInVietnam(absl::Now()); }

int LeadDays(const TenantInfo& tenant) {
  return tenant.rules.announcement_lead_days() > 0 ? tenant.rules.announcement_lead_days() : 7;
}

const std::set<std::string>& EditableFields() {
  static const auto* fields = new std::set<std::string>{
      "title",     "date",   "start_time", "duration_minutes", "venue", "hamlets", "chair",
      "secretary", "groups", "round",      "complex"};
  return *fields;
}

absl::Status Required(absl::string_view field, absl::string_view what) {
  return common::InvalidField(field, "FIELD_REQUIRED", what);
}

// The session's fields, and its round (when named) of the session's own commune.
absl::Status CheckSessionOf(const std::string& tenant, const v1::Session& s) {
  RETURN_IF_ERROR(CheckSession(s, "session."));
  if (!s.round().empty() &&
      !absl::StartsWith(s.round(), absl::StrCat("tenants/", tenant, "/rounds/"))) {
    return common::InvalidField("session.round", "ROUND_OF_ANOTHER_TENANT",
                                "the round of opinions must be the commune's own");
  }
  return absl::OkStatus();
}

// The names of the session's hamlets, as the commune lists them now.
void NameHamlets(v1::Session& s, const TenantInfo& commune) {
  s.clear_hamlet_names();
  for (const auto& id : s.hamlets()) s.add_hamlet_names(commune.HamletName(id));
}

// A session the people may know of: announced (or further along).
bool IsPublic(const v1::Session& s) {
  return s.state() != v1::SESSION_SCHEDULED && s.state() != v1::SESSION_STATE_UNSPECIFIED;
}

// What the people see of a session: nothing until it is announced, and never the clerks'
// warnings or the etag they update with. False when the session is not public yet.
bool PublicView(v1::Session& s) {
  if (!IsPublic(s)) return false;
  s.clear_warnings();
  s.clear_etag();
  s.clear_open_override_reason();
  return true;
}

}  // namespace

SessionService::SessionService(SessionStore& store, rpc::Authenticator& authenticator,
                               Upstreams upstreams, LiveSessions* live)
    : store_(store), auth_(authenticator), live_(live) {
  if (upstreams.planning) planning_ = v1::PlanningService::NewStub(upstreams.planning);
  if (upstreams.intake) intake_ = v1::IntakeService::NewStub(upstreams.intake);
}

absl::StatusOr<SessionService::Target> SessionService::Authorize(const rpc::RequestContext& request,
                                                                 const std::string& name,
                                                                 absl::string_view pattern,
                                                                 absl::string_view field,
                                                                 SessionAction action) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, pattern, field));
  rpc::NoteAuditTarget(name);
  Target target;
  target.tenant = parsed["tenant"];
  if (auto it = parsed.find("session"); it != parsed.end()) target.session = it->second;
  if (auto it = parsed.find("speaker"); it != parsed.end()) target.speaker = it->second;
  ASSIGN_OR_RETURN(target.scope,
                   auth_.ScopeFor(request.principal, target.tenant,
                                  action == SessionAction::kRead ? Access::kRead : Access::kWrite));
  RETURN_IF_ERROR(CheckRole(request.principal, action));
  return target;
}

absl::StatusOr<SessionService::Target> SessionService::AuthorizePublic(
    const rpc::RequestContext& request, const std::string& name, absl::string_view pattern,
    absl::string_view field, SessionAction action, bool* as_staff) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, pattern, field));
  *as_staff =
      CheckRole(request.principal, action).ok() &&
      (request.principal.IsStaffOf(parsed["tenant"]) || request.principal.Has(auth::Role::kAdmin) ||
       request.principal.Has(auth::Role::kProvince));
  if (*as_staff) return Authorize(request, name, pattern, field, action);
  Target target;
  target.tenant = parsed["tenant"];
  if (auto it = parsed.find("session"); it != parsed.end()) target.session = it->second;
  target.scope = db::TenantScope::Of(target.tenant);
  return target;
}

grpc::Status SessionService::Change(
    grpc::ServerContext* context, absl::string_view method, const std::string& name,
    const std::string& etag, SessionAction action,
    const std::function<absl::Status(const rpc::RequestContext&, const Target&,
                                     pqxx::dbtransaction&, v1::Session&)>& change,
    v1::Session* response) {
  return rpc::Serve(context, auth_, method, [&](const rpc::RequestContext& rc) -> absl::Status {
    ASSIGN_OR_RETURN(Target target, Authorize(rc, name, kSessionPattern, "name", action));
    ASSIGN_OR_RETURN(*response, store_.Update(target.scope, target.tenant, target.session, etag,
                                              [&](pqxx::dbtransaction& txn, v1::Session& s) {
                                                return change(rc, target, txn, s);
                                              }));
    return absl::OkStatus();
  });
}

grpc::Status SessionService::ChangeSpeaker(grpc::ServerContext* context, absl::string_view method,
                                           const std::string& name, SessionAction action,
                                           SessionStore::SpeakerOp op, int position,
                                           const SessionStore::SpeakerChange& change,
                                           v1::Speaker* response) {
  return rpc::Serve(context, auth_, method, [&](const rpc::RequestContext& rc) -> absl::Status {
    ASSIGN_OR_RETURN(Target target, Authorize(rc, name, kSpeakerPattern, "name", action));
    ASSIGN_OR_RETURN(*response, store_.UpdateSpeaker(target.scope, target.tenant, target.session,
                                                     target.speaker, op, position, change));
    return absl::OkStatus();
  });
}

grpc::Status SessionService::CreateSession(grpc::ServerContext* context,
                                           const v1::CreateSessionRequest* request,
                                           v1::Session* response) {
  return rpc::Serve(
      context, auth_, "CreateSession", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->parent(), kParent, "parent",
                                                  SessionAction::kOrganise));
        const v1::Session& in = request->session();
        if (in.plan().empty()) return Required("session.plan", "name the plan of the session");
        ASSIGN_OR_RETURN(
            auto plan_name,
            common::ParseName(in.plan(), "tenants/{tenant}/plans/{plan:uuid}", "session.plan"));
        if (plan_name["tenant"] != target.tenant) {
          return common::InvalidField("session.plan", "PLAN_OF_ANOTHER_TENANT",
                                      "the plan must be the commune's own");
        }
        if (!common::IsShortId(in.conference_id())) {
          return common::InvalidField("session.conference_id", "CONFERENCE_ID_INVALID",
                                      "name the plan's conference by its id, e.g. \"1\"");
        }
        RETURN_IF_ERROR(common::CheckText("request_id", request->request_id(), 100, false));
        if (planning_ == nullptr) {
          return rpc::UpstreamMissing("the planning service");
        }
        // The plan's conference, read on the caller's behalf.
        v1::GetPlanRequest get;
        get.set_name(in.plan());
        v1::Plan plan;
        grpc::Status got = rpc::CallOnBehalf(
            *context, rc, kUpstreamTimeout, "dialogue.v1.PlanningService/GetPlan",
            [&](grpc::ClientContext* call) { return planning_->GetPlan(call, get, &plan); });
        if (got.error_code() == grpc::StatusCode::NOT_FOUND) {
          return common::InvalidField("session.plan", "PLAN_NOT_FOUND",
                                      absl::StrCat("there is no plan ", in.plan()));
        }
        if (!got.ok()) return rpc::UpstreamStatus(got, "the planning service");
        if (plan.state() != v1::PUBLISHED) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "PLAN_NOT_PUBLISHED",
                               absl::StrCat("sessions are held under a published plan; ", in.plan(),
                                            " is ", v1::PlanState_Name(plan.state())));
        }
        const v1::PlannedConference* conference = nullptr;
        for (const auto& c : plan.conferences()) {
          if (c.id() == in.conference_id()) conference = &c;
        }
        if (conference == nullptr) {
          return common::InvalidField(
              "session.conference_id", "CONFERENCE_NOT_IN_PLAN",
              absl::StrCat("the plan has no conference '", in.conference_id(), "'"));
        }
        v1::Session s;
        s.set_plan(in.plan());
        s.set_conference_id(in.conference_id());
        s.set_title(!in.title().empty() ? in.title() : DefaultTitle(plan, *conference));
        s.set_date(in.date());
        if (s.date().empty() && conference->window_start_date() == conference->window_end_date()) {
          s.set_date(conference->window_start_date());
        }
        s.set_start_time(in.start_time());
        s.set_duration_minutes(in.duration_minutes());
        s.set_venue(!in.venue().empty() ? in.venue() : conference->venue());
        ASSIGN_OR_RETURN(TenantInfo commune, store_.Tenant(target.scope, target.tenant));
        *s.mutable_hamlets() = in.hamlets_size() > 0 ? in.hamlets() : conference->hamlets();
        s.set_chair(in.chair());
        s.set_secretary(in.secretary());
        if (in.groups_size() > 0) {
          for (const auto& g : in.groups()) {
            v1::SessionGroup* group = s.add_groups();
            group->set_name(g.name());
            group->set_expected(g.expected());
          }
        } else {
          // A group chosen per hamlet (seed 003: 10-15 delegates of each residential group)
          // counts the session's hamlets, or all the commune's when it is for the whole of it.
          const int hamlets = std::max<int>(
              1, s.hamlets_size() > 0 ? s.hamlets_size() : commune.hamlet_names.size());
          for (const auto& g : plan.participant_groups()) {
            v1::SessionGroup* group = s.add_groups();
            group->set_name(g.description());
            const int each = g.expected_max() > 0 ? g.expected_max() : g.expected_min();
            group->set_expected(g.per_hamlet() ? each * hamlets : each);
          }
        }
        s.set_round(in.round());
        s.set_complex(in.complex());
        if (s.date().empty()) return Required("session.date", "give the date, as YYYY-MM-DD");
        RETURN_IF_ERROR(CheckSessionOf(target.tenant, s));
        s.set_window_start_date(conference->window_start_date());
        s.set_window_end_date(conference->window_end_date());
        DeriveWarnings(s);  // a date outside the plan's window is allowed, and said
        NameHamlets(s, commune);
        ASSIGN_OR_RETURN(*response,
                         store_.Create(target.scope, target.tenant, s, request->request_id()));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::GetSession(grpc::ServerContext* context,
                                        const v1::GetSessionRequest* request,
                                        v1::Session* response) {
  return rpc::Serve(
      context, auth_, "GetSession", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kSessionPattern, "name",
                                                  SessionAction::kRead));
        ASSIGN_OR_RETURN(*response, store_.Get(target.scope, target.tenant, target.session));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::ListSessions(grpc::ServerContext* context,
                                          const v1::ListSessionsRequest* request,
                                          v1::ListSessionsResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ListSessions", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool staff = false;
        ASSIGN_OR_RETURN(Target target, AuthorizePublic(rc, request->parent(), kParent, "parent",
                                                        SessionAction::kRead, &staff));
        SessionFilter filter;
        filter.state = request->state();
        filter.year = request->year();
        filter.plan = request->plan();
        ASSIGN_OR_RETURN(auto sessions, store_.List(target.scope, target.tenant, filter));
        for (auto& s : sessions) {
          if (!staff && !PublicView(s)) continue;
          *response->add_sessions() = std::move(s);
        }
        return absl::OkStatus();
      });
}

grpc::Status SessionService::UpdateSession(grpc::ServerContext* context,
                                           const v1::UpdateSessionRequest* request,
                                           v1::Session* response) {
  const v1::Session& in = request->session();
  return Change(
      context, "UpdateSession", in.name(), in.etag(), SessionAction::kOrganise,
      [&](const rpc::RequestContext&, const Target& target, pqxx::dbtransaction&,
          v1::Session& s) -> absl::Status {
        const auto& paths = request->update_mask().paths();
        if (paths.empty()) {
          return common::InvalidField("update_mask", "UPDATE_MASK_REQUIRED",
                                      "name the fields to change in update_mask");
        }
        for (const auto& path : paths) {
          if (!EditableFields().count(path)) {
            return common::InvalidField(
                "update_mask", "FIELD_NOT_EDITABLE",
                absl::StrCat("'", path,
                             "' cannot be changed; title, date, start_time, duration_minutes, "
                             "venue, hamlets, chair, secretary, groups, round and complex can"));
          }
        }
        RETURN_IF_ERROR(CheckTransition(s.state(), SessionEvent::kUpdate));
        for (const auto& path : paths) {
          if (path == "title") s.set_title(in.title());
          if (path == "date") s.set_date(in.date());
          if (path == "start_time") s.set_start_time(in.start_time());
          if (path == "duration_minutes") s.set_duration_minutes(in.duration_minutes());
          if (path == "venue") s.set_venue(in.venue());
          if (path == "hamlets") *s.mutable_hamlets() = in.hamlets();
          if (path == "chair") s.set_chair(in.chair());
          if (path == "secretary") s.set_secretary(in.secretary());
          if (path == "round") s.set_round(in.round());
          if (path == "complex") s.set_complex(in.complex());
          if (path == "groups") {
            s.clear_groups();
            for (const auto& g : in.groups()) {
              v1::SessionGroup* group = s.add_groups();
              group->set_name(g.name());
              group->set_expected(g.expected());
            }
          }
        }
        RETURN_IF_ERROR(CheckSessionOf(target.tenant, s));
        DeriveWarnings(s);
        ASSIGN_OR_RETURN(TenantInfo commune, store_.Tenant(target.scope, target.tenant));
        NameHamlets(s, commune);
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::AnnounceSession(grpc::ServerContext* context,
                                             const v1::AnnounceSessionRequest* request,
                                             v1::Session* response) {
  return Change(
      context, "AnnounceSession", request->name(), request->etag(), SessionAction::kOrganise,
      [&](const rpc::RequestContext& rc, const Target& target, pqxx::dbtransaction& txn,
          v1::Session& s) -> absl::Status {
        RETURN_IF_ERROR(CheckTransition(s.state(), SessionEvent::kAnnounce));
        const absl::CivilDay today = Today();
        ASSIGN_OR_RETURN(absl::CivilDay held, calendar::ParseDate(s.date()));
        const std::string& after = request->after_the_fact_reason();
        RETURN_IF_ERROR(common::CheckText("after_the_fact_reason", after, kMaxShortChars, false));
        if (held < today && after.empty()) {
          return common::Error(
              absl::StatusCode::kFailedPrecondition, "DATE_PASSED",
              absl::StrCat("the session's date ", s.date(),
                           " has passed; change it, or record a conference held on it with "
                           "an after_the_fact_reason"));
        }
        if (held >= today && !after.empty()) {
          return common::InvalidField("after_the_fact_reason", "DATE_NOT_PASSED",
                                      "a conference still ahead is announced, not recorded");
        }
        s.set_after_the_fact_reason(after);
        if (s.chair().empty()) {
          return common::InvalidField("session.chair", "CHAIR_REQUIRED",
                                      "name the chair before announcing the session");
        }
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        // A conference recorded after it was held opens at once: its lead time is long past.
        const absl::CivilDay earliest =
            after.empty() ? EarliestOpenDay(today, LeadDays(tenant)) : today;
        s.set_state(v1::SESSION_ANNOUNCED);
        s.set_announce_date(calendar::FormatDate(today));
        s.set_earliest_open_date(calendar::FormatDate(earliest));
        DeriveWarnings(s);
        v1::SessionAnnounced announced;
        announced.set_session(s.name());
        announced.set_title(s.title());
        announced.set_date(s.date());
        announced.set_start_time(s.start_time());
        announced.set_venue(s.venue());
        *announced.mutable_hamlets() = s.hamlets();
        NameHamlets(s, tenant);
        *announced.mutable_hamlet_names() = s.hamlet_names();
        announced.set_announce_date(s.announce_date());
        announced.set_chair(s.chair());
        announced.set_plan(s.plan());
        announced.set_conference_id(s.conference_id());
        announced.set_after_the_fact_reason(s.after_the_fact_reason());
        for (const auto& g : s.groups()) {
          v1::InvitedGroup* invited = announced.add_invited();
          invited->set_name(g.name());
          invited->set_expected(g.expected());
        }
        events::AppendToOutbox(txn, kOutbox, target.tenant,
                               rpc::NewEvent(rc, target.tenant, "sessions", announced));
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::OpenSession(grpc::ServerContext* context,
                                         const v1::OpenSessionRequest* request,
                                         v1::Session* response) {
  return Change(
      context, "OpenSession", request->name(), request->etag(), SessionAction::kRun,
      [&](const rpc::RequestContext& rc, const Target& target, pqxx::dbtransaction&,
          v1::Session& s) -> absl::Status {
        RETURN_IF_ERROR(CheckTransition(s.state(), SessionEvent::kOpen));
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        ASSIGN_OR_RETURN(absl::CivilDay announced, calendar::ParseDate(s.announce_date()));
        const absl::CivilDay earliest = s.after_the_fact_reason().empty()
                                            ? EarliestOpenDay(announced, LeadDays(tenant))
                                            : announced;
        const absl::CivilDay today = Today();
        RETURN_IF_ERROR(CheckOpen(
            today, earliest, request->override_reason(),
            rc.principal.Has(auth::Role::kChair) || rc.principal.Has(auth::Role::kAdmin)));
        if (today < earliest) s.set_open_override_reason(request->override_reason());
        s.set_state(v1::SESSION_IN_PROGRESS);
        DeriveWarnings(s);  // the lead time no longer matters once it is open
        *s.mutable_open_time() = Now();
        StartAgenda(s, absl::Now());
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::PostponeSession(grpc::ServerContext* context,
                                             const v1::PostponeSessionRequest* request,
                                             v1::Session* response) {
  return Change(
      context, "PostponeSession", request->name(), request->etag(), SessionAction::kOrganise,
      [&](const rpc::RequestContext&, const Target&, pqxx::dbtransaction&,
          v1::Session& s) -> absl::Status {
        RETURN_IF_ERROR(common::CheckText("reason", request->reason(), kMaxShortChars));
        RETURN_IF_ERROR(CheckTransition(s.state(), SessionEvent::kPostpone));
        if (!request->new_date().empty()) s.set_date(request->new_date());
        if (!request->new_start_time().empty()) s.set_start_time(request->new_start_time());
        RETURN_IF_ERROR(CheckSession(s, "new_"));
        s.set_state(v1::SESSION_POSTPONED);
        s.set_postpone_reason(request->reason());
        // It must be announced again.
        s.clear_announce_date();
        s.clear_earliest_open_date();
        s.clear_after_the_fact_reason();
        DeriveWarnings(s);
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::CancelSession(grpc::ServerContext* context,
                                           const v1::CancelSessionRequest* request,
                                           v1::Session* response) {
  return Change(
      context, "CancelSession", request->name(), request->etag(), SessionAction::kOrganise,
      [&](const rpc::RequestContext&, const Target&, pqxx::dbtransaction&,
          v1::Session& s) -> absl::Status {
        RETURN_IF_ERROR(common::CheckText("reason", request->reason(), kMaxShortChars));
        RETURN_IF_ERROR(CheckTransition(s.state(), SessionEvent::kCancel));
        s.set_state(v1::SESSION_CANCELLED);
        s.set_cancel_reason(request->reason());
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::AdvanceAgenda(grpc::ServerContext* context,
                                           const v1::AdvanceAgendaRequest* request,
                                           v1::Session* response) {
  return Change(
      context, "AdvanceAgenda", request->name(), "", SessionAction::kRun,
      [&](const rpc::RequestContext&, const Target& target, pqxx::dbtransaction& txn,
          v1::Session& s) -> absl::Status {
        RETURN_IF_ERROR(CheckTransition(s.state(), SessionEvent::kAdvance));
        RETURN_IF_ERROR(sessions::AdvanceAgenda(s, request->step(), absl::Now()));
        // A turn belongs to its step: the floor does not carry over to the next one.
        SessionStore::EndTurn(txn, target.tenant, target.session);
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::RecordAttendance(grpc::ServerContext* context,
                                              const v1::RecordAttendanceRequest* request,
                                              v1::Attendance* response) {
  return rpc::Serve(
      context, auth_, "RecordAttendance", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kAttendancePattern, "name",
                                                  SessionAction::kRecord));
        if (request->check_ins_size() + request->counts_size() == 0) {
          return Required("check_ins", "give check-ins or head counts");
        }
        if (request->check_ins_size() > 1000 || request->counts_size() > 50) {
          return common::InvalidField("check_ins", "TOO_MANY",
                                      "at most 1000 check-ins and 50 counts per call");
        }
        std::vector<v1::Delegate> check_ins;
        for (int i = 0; i < request->check_ins_size(); ++i) {
          const v1::Delegate& d = request->check_ins(i);
          const std::string at = absl::StrCat("check_ins[", i, "]");
          RETURN_IF_ERROR(common::CheckText(absl::StrCat(at, ".full_name"), d.full_name(), 200));
          RETURN_IF_ERROR(common::CheckText(absl::StrCat(at, ".group"), d.group(), kMaxShortChars));
          RETURN_IF_ERROR(common::CheckText(absl::StrCat(at, ".hamlet"), d.hamlet(), 100, false));
          check_ins.push_back(d);
        }
        std::vector<v1::GroupCount> counts;
        for (int i = 0; i < request->counts_size(); ++i) {
          const v1::GroupCount& c = request->counts(i);
          if (c.present() < 0 || c.present() > 100000) {
            return common::InvalidField(absl::StrCat("counts[", i, "].present"), "COUNT_INVALID",
                                        "present is between 0 and 100000");
          }
          counts.push_back(c);
        }
        ASSIGN_OR_RETURN(*response,
                         store_.RecordAttendance(target.scope, target.tenant, target.session,
                                                 check_ins, counts, [](const v1::Session& s) {
                                                   return CheckTransition(
                                                       s.state(), SessionEvent::kRecordAttendance);
                                                 }));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::GetAttendance(grpc::ServerContext* context,
                                           const v1::GetAttendanceRequest* request,
                                           v1::Attendance* response) {
  return rpc::Serve(
      context, auth_, "GetAttendance", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kAttendancePattern, "name",
                                                  SessionAction::kRead));
        ASSIGN_OR_RETURN(*response, store_.Attendance(target.scope, target.tenant, target.session));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::RegisterSpeaker(grpc::ServerContext* context,
                                             const v1::RegisterSpeakerRequest* request,
                                             v1::Speaker* response) {
  return rpc::ServePublic(
      context, auth_, "RegisterSpeaker", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool staff = false;
        ASSIGN_OR_RETURN(Target target, AuthorizePublic(rc, request->parent(), kSessionPattern,
                                                        "parent", SessionAction::kRecord, &staff));
        const v1::Speaker& in = request->speaker();
        RETURN_IF_ERROR(CheckSpeaker(in, "speaker."));
        RETURN_IF_ERROR(common::CheckText("request_id", request->request_id(), 100, false));
        if (in.written() && !staff) {
          return common::InvalidField("speaker.written", "WRITTEN_AT_VENUE",
                                      "written questions are handed in at the venue and "
                                      "registered by its staff");
        }
        v1::Speaker speaker = in;
        if (!in.receipt_code().empty()) {
          // The opinion sent earlier must exist in this commune; its topic is the default.
          if (intake_ == nullptr) {
            return rpc::UpstreamMissing("the intake service");
          }
          v1::FollowOpinionRequest follow;
          follow.set_name(absl::StrCat("tenants/", target.tenant, "/receipts/", in.receipt_code()));
          v1::OpinionStatus opinion;
          grpc::Status got = rpc::CallOnBehalf(
              *context, rc, kUpstreamTimeout, "dialogue.v1.IntakeService/FollowOpinion",
              [&](grpc::ClientContext* call) {
                return intake_->FollowOpinion(call, follow, &opinion);
              });
          if (got.error_code() == grpc::StatusCode::NOT_FOUND) {
            return common::InvalidField(
                "speaker.receipt_code", "RECEIPT_CODE_UNKNOWN",
                absl::StrCat("no opinion of this commune has the receipt code ",
                             in.receipt_code()));
          }
          if (!got.ok()) return rpc::UpstreamStatus(got, "the intake service");
          speaker.set_receipt_code(opinion.receipt_code());
          if (speaker.topic().empty()) speaker.set_topic(opinion.topic());
        }
        ASSIGN_OR_RETURN(*response,
                         store_.Register(target.scope, target.tenant, target.session, speaker,
                                         request->request_id(), [](const v1::Session& s) {
                                           return CheckTransition(s.state(),
                                                                  SessionEvent::kRegisterSpeaker);
                                         }));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::ListSpeakers(grpc::ServerContext* context,
                                          const v1::ListSpeakersRequest* request,
                                          v1::ListSpeakersResponse* response) {
  return rpc::Serve(
      context, auth_, "ListSpeakers", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->parent(), kSessionPattern, "parent",
                                                  SessionAction::kRead));
        ASSIGN_OR_RETURN(auto speakers,
                         store_.Speakers(target.scope, target.tenant, target.session));
        for (auto& s : speakers) *response->add_speakers() = std::move(s);
        return absl::OkStatus();
      });
}

grpc::Status SessionService::MoveSpeaker(grpc::ServerContext* context,
                                         const v1::MoveSpeakerRequest* request,
                                         v1::Speaker* response) {
  if (request->position() < 1) {
    return common::ToGrpcStatus(
        common::InvalidField("position", "POSITION_INVALID", "a place in the queue is 1 or more"));
  }
  return ChangeSpeaker(
      context, "MoveSpeaker", request->name(), SessionAction::kRun, SessionStore::SpeakerOp::kMove,
      request->position(),
      [&](const v1::Session& session, v1::Speaker& speaker) -> absl::Status {
        RETURN_IF_ERROR(common::CheckText("reason", request->reason(), kMaxShortChars));
        RETURN_IF_ERROR(CheckTransition(session.state(), SessionEvent::kRegisterSpeaker));
        if (speaker.state() != v1::SPEAKER_WAITING) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "SPEAKER_NOT_WAITING",
                               "only a speaker still waiting can be moved in the queue");
        }
        speaker.set_move_reason(request->reason());
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::CallSpeaker(grpc::ServerContext* context,
                                         const v1::CallSpeakerRequest* request,
                                         v1::Speaker* response) {
  return ChangeSpeaker(
      context, "CallSpeaker", request->name(), SessionAction::kRun, SessionStore::SpeakerOp::kCall,
      0,
      [&](const v1::Session& session, v1::Speaker& speaker) -> absl::Status {
        RETURN_IF_ERROR(CheckSpeakingTime(session));
        if (speaker.state() != v1::SPEAKER_WAITING) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "SPEAKER_ALREADY_CALLED",
                               absl::StrCat(speaker.full_name(), " was already called"));
        }
        speaker.set_state(v1::SPEAKER_SPEAKING);
        return absl::OkStatus();
      },
      response);
}

namespace {

// Statements and answers are recorded for a speaker who has been given the floor.
absl::Status CheckCalled(const v1::Session& session, const v1::Speaker& speaker) {
  RETURN_IF_ERROR(CheckTransition(session.state(), SessionEvent::kRun));
  if (speaker.state() == v1::SPEAKER_WAITING) {
    return common::Error(
        absl::StatusCode::kFailedPrecondition, "SPEAKER_NOT_CALLED",
        absl::StrCat(speaker.full_name(), " has not been given the floor; call the speaker first"));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status SessionService::RecordStatement(grpc::ServerContext* context,
                                             const v1::RecordStatementRequest* request,
                                             v1::Speaker* response) {
  return ChangeSpeaker(
      context, "RecordStatement", request->name(), SessionAction::kRecord,
      SessionStore::SpeakerOp::kRecord, 0,
      [&](const v1::Session& session, v1::Speaker& speaker) -> absl::Status {
        RETURN_IF_ERROR(common::CheckText("summary", request->summary(), kMaxTextChars));
        RETURN_IF_ERROR(CheckCalled(session, speaker));
        speaker.set_statement(request->summary());
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::AnswerSpeaker(grpc::ServerContext* context,
                                           const v1::AnswerSpeakerRequest* request,
                                           v1::Speaker* response) {
  return ChangeSpeaker(
      context, "AnswerSpeaker", request->name(), SessionAction::kRecord,
      SessionStore::SpeakerOp::kRecord, 0,
      [&](const v1::Session& session, v1::Speaker& speaker) -> absl::Status {
        RETURN_IF_ERROR(common::CheckText("answer.answered_by", request->answer().answered_by(),
                                          kMaxShortChars));
        RETURN_IF_ERROR(
            common::CheckText("answer.summary", request->answer().summary(), kMaxTextChars));
        RETURN_IF_ERROR(CheckCalled(session, speaker));
        if (speaker.answers_size() >= 20) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "TOO_MANY_ANSWERS",
                               "a speaker has at most 20 answers");
        }
        v1::SpeakerAnswer* answer = speaker.add_answers();
        answer->set_answered_by(request->answer().answered_by());
        answer->set_summary(request->answer().summary());
        *answer->mutable_time() = Now();
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::RecordFollowUp(grpc::ServerContext* context,
                                            const v1::RecordFollowUpRequest* request,
                                            v1::Speaker* response) {
  return ChangeSpeaker(
      context, "RecordFollowUp", request->name(), SessionAction::kRecord,
      SessionStore::SpeakerOp::kRecord, 0,
      [&](const v1::Session& session, v1::Speaker& speaker) -> absl::Status {
        RETURN_IF_ERROR(common::CheckText("summary", request->summary(), kMaxTextChars, false));
        if (request->summary().empty() && request->satisfaction() == v1::SATISFACTION_UNSPECIFIED) {
          return Required("summary", "give the follow-up, or whether the answer satisfied");
        }
        if (!v1::Satisfaction_IsValid(request->satisfaction())) {
          return common::InvalidField("satisfaction", "SATISFACTION_INVALID",
                                      "satisfaction is SATISFIED or NOT_SATISFIED");
        }
        RETURN_IF_ERROR(CheckCalled(session, speaker));
        if (speaker.answers_size() == 0) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "NOT_ANSWERED",
                               "a follow-up comes after an answer; record the answer first");
        }
        if (!request->summary().empty()) speaker.set_follow_up(request->summary());
        if (request->satisfaction() != v1::SATISFACTION_UNSPECIFIED) {
          speaker.set_satisfaction(request->satisfaction());
        }
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::GetPreCollectedOpinions(
    grpc::ServerContext* context, const v1::GetPreCollectedOpinionsRequest* request,
    v1::PreCollectedOpinions* response) {
  return rpc::Serve(
      context, auth_, "GetPreCollectedOpinions",
      [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->session(), kSessionPattern,
                                                  "session", SessionAction::kRead));
        ASSIGN_OR_RETURN(v1::Session s, store_.Get(target.scope, target.tenant, target.session));
        if (s.round().empty()) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "NO_ROUND",
                               "the session names no round of opinions; set its round");
        }
        if (intake_ == nullptr) {
          return rpc::UpstreamMissing("the intake service");
        }
        v1::GetSynthesisReportRequest get;
        get.set_round(s.round());
        grpc::Status got = rpc::CallOnBehalf(
            *context, rc, kUpstreamTimeout, "dialogue.v1.IntakeService/GetSynthesisReport",
            [&](grpc::ClientContext* call) {
              return intake_->GetSynthesisReport(call, get, response->mutable_report());
            });
        if (!got.ok()) return rpc::UpstreamStatus(got, "the intake service");
        response->set_session(s.name());
        *response->mutable_answered_in_room() = s.opinions_answered();
        return absl::OkStatus();
      });
}

grpc::Status SessionService::MarkOpinionsAnswered(grpc::ServerContext* context,
                                                  const v1::MarkOpinionsAnsweredRequest* request,
                                                  v1::Session* response) {
  return Change(
      context, "MarkOpinionsAnswered", request->name(), "", SessionAction::kRecord,
      [&](const rpc::RequestContext&, const Target& target, pqxx::dbtransaction&,
          v1::Session& s) -> absl::Status {
        if (request->opinions().empty()) return Required("opinions", "name the opinions answered");
        if (request->opinions_size() > 1000) {
          return common::InvalidField("opinions", "TOO_MANY", "at most 1000 opinions per call");
        }
        for (int i = 0; i < request->opinions_size(); ++i) {
          ASSIGN_OR_RETURN(
              auto parsed,
              common::ParseName(request->opinions(i), "tenants/{tenant}/opinions/{opinion:uuid}",
                                absl::StrCat("opinions[", i, "]")));
          if (parsed["tenant"] != target.tenant) {
            return common::InvalidField(absl::StrCat("opinions[", i, "]"),
                                        "OPINION_OF_ANOTHER_TENANT",
                                        "the opinion must be the commune's own");
          }
        }
        RETURN_IF_ERROR(CheckTransition(s.state(), SessionEvent::kRun));
        std::set<std::string> have(s.opinions_answered().begin(), s.opinions_answered().end());
        for (const auto& opinion : request->opinions()) {
          if (have.insert(opinion).second) s.add_opinions_answered(opinion);
        }
        return absl::OkStatus();
      },
      response);
}

grpc::Status SessionService::ConcludeSession(grpc::ServerContext* context,
                                             const v1::ConcludeSessionRequest* request,
                                             v1::Session* response) {
  return Change(
      context, "ConcludeSession", request->name(), request->etag(), SessionAction::kConclude,
      [&](const rpc::RequestContext& rc, const Target& target, pqxx::dbtransaction& txn,
          v1::Session& s) -> absl::Status {
        RETURN_IF_ERROR(CheckTransition(s.state(), SessionEvent::kConclude));
        const v1::AgendaStep* step = CurrentStep(s);
        if (s.agenda_size() > 0 && (step == nullptr || step->number() != s.agenda_size())) {
          return common::Error(
              absl::StatusCode::kFailedPrecondition, "CONCLUSION_STEP_NOT_REACHED",
              absl::StrCat("the chair concludes at the last step (", s.agenda_size(), "); step ",
                           s.current_step(), " is under way"));
        }
        std::vector<v1::ConclusionItem> items(request->items().begin(), request->items().end());
        ASSIGN_OR_RETURN(absl::CivilDay held, calendar::ParseDate(s.date()));
        RETURN_IF_ERROR(CheckConclusion(items, held));
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        // Items beyond the commune's authority extend the notice's deadline, as complex
        // ones do (seed 004).
        const bool beyond = std::any_of(items.begin(), items.end(),
                                        [](const auto& item) { return item.beyond_commune(); });
        s.clear_conclusion();
        for (auto& item : items) *s.add_conclusion() = std::move(item);
        s.set_complex(s.complex() || request->complex() || beyond);
        if (s.current_step() >= 1) {
          *s.mutable_agenda(s.current_step() - 1)->mutable_end_time() = Now();
        }
        s.set_state(v1::SESSION_CONCLUDED);
        *s.mutable_conclude_time() = Now();
        // Whoever had the floor is done; the minutes are drawn from the record as it is.
        SessionStore::EndTurn(txn, target.tenant, target.session);
        ASSIGN_OR_RETURN(v1::Attendance attendance,
                         SessionStore::Attendance(txn, target.tenant, target.session));
        SessionStore::InsertMinutes(
            txn, target.tenant, target.session,
            MinutesText(s, tenant.display_name, attendance,
                        SessionStore::Speakers(txn, target.tenant, target.session)));
        v1::SessionConcluded concluded;
        concluded.set_session(s.name());
        concluded.set_title(s.title());
        concluded.set_date(s.date());
        concluded.set_complex(s.complex());
        *concluded.mutable_items() = s.conclusion();
        concluded.set_chair(s.chair());
        *concluded.mutable_opinions_answered() = OpinionsAnsweredInRoom(s);
        events::AppendToOutbox(txn, kOutbox, target.tenant,
                               rpc::NewEvent(rc, target.tenant, "sessions", concluded));
        return absl::OkStatus();
      },
      response);
}

absl::StatusOr<v1::Minutes> SessionService::VisibleMinutes(const rpc::RequestContext& request,
                                                           const std::string& name,
                                                           Target* target) {
  bool staff = false;
  ASSIGN_OR_RETURN(*target, AuthorizePublic(request, name, kMinutesPattern, "name",
                                            SessionAction::kRead, &staff));
  ASSIGN_OR_RETURN(v1::Minutes minutes,
                   store_.Minutes(target->scope, target->tenant, target->session));
  if (!staff && minutes.state() != v1::MINUTES_APPROVED) {
    return common::Error(absl::StatusCode::kNotFound, "MINUTES_NOT_FOUND",
                         "these minutes are not approved yet");
  }
  return minutes;
}

grpc::Status SessionService::GetMinutes(grpc::ServerContext* context,
                                        const v1::GetMinutesRequest* request,
                                        v1::Minutes* response) {
  return rpc::ServePublic(
      context, auth_, "GetMinutes", [&](const rpc::RequestContext& rc) -> absl::Status {
        Target target;
        ASSIGN_OR_RETURN(*response, VisibleMinutes(rc, request->name(), &target));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::RenderMinutes(grpc::ServerContext* context,
                                           const v1::RenderMinutesRequest* request,
                                           v1::HttpBody* response) {
  return rpc::ServePublic(
      context, auth_, "RenderMinutes", [&](const rpc::RequestContext& rc) -> absl::Status {
        Target target;
        ASSIGN_OR_RETURN(v1::Minutes minutes, VisibleMinutes(rc, request->name(), &target));
        ASSIGN_OR_RETURN(v1::Session session,
                         store_.Get(target.scope, target.tenant, target.session));
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        const documents::Document document =
            MinutesAsWritten(session, tenant.display_name, minutes);
        const std::string fallback = absl::StrCat("bien-ban-", target.session);
        RETURN_IF_ERROR(documents::RenderInto(document, request->format(), fallback, response));
        // Approved: the file as it was approved, byte for byte.
        if (minutes.state() == v1::MINUTES_APPROVED && request->format() == "docx") {
          ASSIGN_OR_RETURN(std::string kept,
                           store_.MinutesDocument(target.scope, target.tenant, target.session));
          if (!kept.empty()) response->set_data(std::move(kept));
        }
        return absl::OkStatus();
      });
}

grpc::Status SessionService::UpdateMinutes(grpc::ServerContext* context,
                                           const v1::UpdateMinutesRequest* request,
                                           v1::Minutes* response) {
  return rpc::Serve(
      context, auth_, "UpdateMinutes", [&](const rpc::RequestContext& rc) -> absl::Status {
        const v1::Minutes& in = request->minutes();
        ASSIGN_OR_RETURN(Target target, Authorize(rc, in.name(), kMinutesPattern, "minutes.name",
                                                  SessionAction::kEditMinutes));
        RETURN_IF_ERROR(common::CheckText("minutes.text", in.text(), kMaxMinutesChars));
        ASSIGN_OR_RETURN(
            *response, store_.UpdateMinutes(target.scope, target.tenant, target.session, in.etag(),
                                            [&](v1::Minutes& m) {
                                              if (m.text() != in.text()) {
                                                m.set_text(in.text());
                                                m.clear_approvals();
                                              }
                                              return absl::OkStatus();
                                            }));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::ApproveMinutes(grpc::ServerContext* context,
                                            const v1::ApproveMinutesRequest* request,
                                            v1::Minutes* response) {
  return rpc::Serve(
      context, auth_, "ApproveMinutes", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kMinutesPattern, "name",
                                                  SessionAction::kApproveMinutes));
        // What frames the file kept at approval; a concluded session no longer changes.
        ASSIGN_OR_RETURN(v1::Session session,
                         store_.Get(target.scope, target.tenant, target.session));
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        ASSIGN_OR_RETURN(
            *response,
            store_.UpdateMinutes(
                target.scope, target.tenant, target.session, request->etag(),
                [&](v1::Minutes& m) -> absl::Status {
                  std::set<std::string> given;
                  for (const auto& a : m.approvals()) {
                    given.insert(a.capacity());
                    if (a.subject() == rc.principal.subject) {
                      return common::Error(
                          absl::StatusCode::kFailedPrecondition, "ALREADY_APPROVED",
                          absl::StrCat("you approved these minutes as ", a.capacity(),
                                       "; the chair and the secretary approve them each"));
                    }
                  }
                  std::string capacity;
                  if (rc.principal.Has(auth::Role::kChair) && !given.count("chair")) {
                    capacity = "chair";
                  } else if (rc.principal.Has(auth::Role::kSecretary) &&
                             !given.count("secretary")) {
                    capacity = "secretary";
                  }
                  if (capacity.empty()) {
                    return common::Error(absl::StatusCode::kFailedPrecondition, "ALREADY_APPROVED",
                                         "the minutes already have the approval your role gives");
                  }
                  v1::MinutesApproval* approval = m.add_approvals();
                  approval->set_capacity(capacity);
                  approval->set_subject(rc.principal.subject);
                  *approval->mutable_time() = Now();
                  if (m.approvals_size() == 2) m.set_state(v1::MINUTES_APPROVED);
                  return absl::OkStatus();
                },
                [&](const v1::Minutes& approved) {
                  return documents::Docx(MinutesAsWritten(session, tenant.display_name, approved));
                }));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::WatchSession(grpc::ServerContext* context,
                                          const v1::WatchSessionRequest* request,
                                          grpc::ServerWriter<v1::SessionLiveView>* writer) {
  return rpc::ServePublic(
      context, auth_, "WatchSession", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool staff = false;
        ASSIGN_OR_RETURN(Target target, AuthorizePublic(rc, request->name(), kSessionPattern,
                                                        "name", SessionAction::kRead, &staff));
        if (live_ == nullptr) return absl::UnavailableError("the live view is not running");
        auto subscription = live_->Subscribe(target.tenant, target.session);
        ASSIGN_OR_RETURN(v1::SessionLiveView view,
                         store_.LiveView(target.scope, target.tenant, target.session));
        if (!staff && (view.state() == v1::SESSION_SCHEDULED)) {
          return common::Error(absl::StatusCode::kNotFound, "SESSION_NOT_FOUND",
                               "this session has not been announced");
        }
        RefreshLiveView(view, absl::Now());
        if (!writer->Write(view)) return absl::OkStatus();
        absl::Time sent = absl::Now();
        // Until the viewer leaves or the server stops: every change at once, and the
        // clock (with its warnings) every few seconds or as soon as a warning appears.
        while (!context->IsCancelled()) {
          bool changed = subscription->Next(&view, std::chrono::milliseconds(500));
          const size_t warnings = view.warnings_size();
          RefreshLiveView(view, absl::Now());
          if (!changed && static_cast<size_t>(view.warnings_size()) == warnings &&
              absl::Now() - sent < kLiveRefresh) {
            continue;
          }
          if (!writer->Write(view)) break;
          sent = absl::Now();
        }
        return absl::OkStatus();
      });
}

grpc::Status SessionService::ExportSessionsCalendar(
    grpc::ServerContext* context, const v1::ExportSessionsCalendarRequest* request,
    v1::HttpBody* response) {
  return rpc::ServePublic(
      context, auth_, "ExportSessionsCalendar", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool staff = false;
        ASSIGN_OR_RETURN(Target target, AuthorizePublic(rc, request->parent(), kParent, "parent",
                                                        SessionAction::kRead, &staff));
        ASSIGN_OR_RETURN(auto sessions, store_.List(target.scope, target.tenant, {}));
        // The announced ones only; their etags stay, as the events' SEQUENCE numbers.
        if (!staff) {
          sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                        [](const v1::Session& s) { return !IsPublic(s); }),
                         sessions.end());
        }
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        response->set_content_type("text/calendar; charset=utf-8");
        response->set_data(SessionsCalendar(sessions, tenant.display_name, absl::Now()));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::GetAgendaTemplate(grpc::ServerContext* context,
                                               const v1::GetAgendaTemplateRequest* request,
                                               v1::AgendaTemplate* response) {
  return rpc::Serve(
      context, auth_, "GetAgendaTemplate", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kTemplatePattern, "name",
                                                  SessionAction::kRead));
        ASSIGN_OR_RETURN(*response, store_.Template(target.scope, target.tenant));
        return absl::OkStatus();
      });
}

grpc::Status SessionService::UpdateAgendaTemplate(grpc::ServerContext* context,
                                                  const v1::UpdateAgendaTemplateRequest* request,
                                                  v1::AgendaTemplate* response) {
  return rpc::Serve(
      context, auth_, "UpdateAgendaTemplate", [&](const rpc::RequestContext& rc) -> absl::Status {
        const v1::AgendaTemplate& in = request->agenda_template();
        ASSIGN_OR_RETURN(Target target,
                         Authorize(rc, in.name(), kTemplatePattern, "agenda_template.name",
                                   SessionAction::kOrganise));
        RETURN_IF_ERROR(CheckAgendaTemplate(in));
        ASSIGN_OR_RETURN(*response, store_.ReplaceTemplate(target.scope, target.tenant, in));
        return absl::OkStatus();
      });
}

}  // namespace dialogue::sessions
