#include "intake_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/common/names.h"
#include "dialogue/common/receipt_code.h"
#include "dialogue/documents/document.h"

namespace dialogue::intake {
namespace {

using auth::Access;

constexpr absl::string_view kParent = "tenants/{tenant}";
constexpr absl::string_view kOpinionPattern = "tenants/{tenant}/opinions/{opinion:uuid}";
constexpr absl::string_view kRoundPattern = "tenants/{tenant}/rounds/{round:uuid}";
constexpr absl::string_view kReceiptsPattern = "tenants/{tenant}/receipts";
constexpr absl::string_view kRequestPattern = "tenants/{tenant}/dialogueRequests/{request:uuid}";
constexpr int kMaxImportRows = 20000;
constexpr int kMaxShortText = 200;

// Personal data is for the commune's own staff; province readers see the rest.
bool SeesPersonalData(const auth::Principal& principal, const std::string& tenant) {
  return principal.IsStaffOf(tenant) || principal.Has(auth::Role::kAdmin);
}

void Redact(const auth::Principal& principal, const std::string& tenant, v1::Opinion& opinion) {
  if (!SeesPersonalData(principal, tenant)) opinion.clear_submitter();
}

// The id of a resource of `tenant` named in a request field, or INVALID_ARGUMENT naming it.
absl::StatusOr<std::string> IdIn(const std::string& tenant, const std::string& name,
                                 absl::string_view pattern, absl::string_view key,
                                 absl::string_view field) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, pattern, field));
  if (parsed["tenant"] != tenant) {
    return common::InvalidField(field, "OTHER_TENANT",
                                absl::StrCat(name, " does not belong to tenants/", tenant));
  }
  return parsed[std::string(key)];
}

bool Listed(const std::vector<std::string>& hamlets, const std::string& hamlet) {
  return hamlets.empty() ? !hamlet.empty()
                         : std::find(hamlets.begin(), hamlets.end(), hamlet) != hamlets.end();
}

absl::Status UnknownHamlet(absl::string_view field, const std::string& hamlet) {
  return common::InvalidField(field, "HAMLET_UNKNOWN",
                              absl::StrCat("'", hamlet, "' is not a hamlet of this commune"));
}

}  // namespace

absl::StatusOr<IntakeService::Target> IntakeService::Authorize(const rpc::RequestContext& request,
                                                               const std::string& name,
                                                               absl::string_view pattern,
                                                               absl::string_view field,
                                                               OpinionAction action) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, pattern, field));
  rpc::NoteAuditTarget(name);
  Target target;
  for (const auto& [key, value] : parsed) {
    if (key == "tenant") {
      target.tenant = value;
    } else {
      target.id = value;
    }
  }
  ASSIGN_OR_RETURN(target.scope,
                   auth_.ScopeFor(request.principal, target.tenant,
                                  action == OpinionAction::kRead ? Access::kRead : Access::kWrite));
  RETURN_IF_ERROR(CheckRole(request.principal, action));
  return target;
}

absl::StatusOr<IntakeService::Target> IntakeService::PublicTarget(const std::string& name,
                                                                  absl::string_view pattern,
                                                                  absl::string_view field) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, pattern, field));
  Target target;
  for (const auto& [key, value] : parsed) {
    if (key == "tenant") {
      target.tenant = value;
    } else {
      target.id = value;
    }
  }
  target.scope = db::TenantScope::Of(target.tenant);
  RETURN_IF_ERROR(store_.Tenant(target.scope, target.tenant).status());
  return target;
}

absl::StatusOr<IntakeService::Target> IntakeService::ReadTarget(const rpc::RequestContext& request,
                                                                const std::string& name,
                                                                absl::string_view pattern,
                                                                absl::string_view field,
                                                                OpinionAction action, bool* full) {
  *full = false;
  if (!request.principal.roles.empty()) {
    auto target = Authorize(request, name, pattern, field, action);
    if (target.ok() || target.status().code() != absl::StatusCode::kPermissionDenied) {
      *full = target.ok();
      return target;
    }
  }
  return PublicTarget(name, pattern, field);
}

absl::StatusOr<v1::Opinion> IntakeService::StoreNew(const Target& target,
                                                    const rpc::RequestContext& request,
                                                    v1::Opinion opinion, const std::string& round,
                                                    const std::string& request_id,
                                                    absl::string_view prefix) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, name); };
  RETURN_IF_ERROR(CheckText(field("text"), opinion.text(), kMaxTextChars));
  RETURN_IF_ERROR(
      CheckText(field("submitter.name"), opinion.submitter().name(), kMaxShortText, false));
  RETURN_IF_ERROR(
      CheckText(field("submitter.contact"), opinion.submitter().contact(), kMaxShortText, false));
  RETURN_IF_ERROR(CheckReplyVia(opinion.submitter(), prefix));
  if (opinion.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(opinion.channel())) {
    return common::InvalidField(field("channel"), "CHANNEL_REQUIRED",
                                "say how the opinion came in (SURVEY_FORM, HOTLINE, ...)");
  }
  if (request_id.size() > kMaxShortText) {
    return common::InvalidField("request_id", "REQUEST_ID_TOO_LONG",
                                "a request_id has at most 200 characters");
  }
  ASSIGN_OR_RETURN(std::string round_id,
                   IdIn(target.tenant, round, kRoundPattern, "round", field("round")));
  ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
  if (!Listed(tenant.hamlets, opinion.hamlet())) {
    return UnknownHamlet(field("hamlet"), opinion.hamlet());
  }
  ASSIGN_OR_RETURN(auto topics, store_.Topics(target.scope, target.tenant));

  NewOpinion item;
  item.id = common::NewUuid();
  item.round_id = round_id;
  item.normalized = Normalize(opinion.text());
  Suggestion suggestion = Suggest(opinion.text(), topics.first);
  item.created_by = request.principal.subject;
  item.request_id = request_id;
  opinion.set_receipt_code(common::ReceiptCode::New().text());
  opinion.set_suggested_topic(suggestion.topic);
  opinion.set_suggested_individual(suggestion.individual);
  v1::OpinionReceived received;
  received.set_opinion(OpinionName(target.tenant, item.id));
  received.set_round(RoundName(target.tenant, round_id));
  received.set_channel(opinion.channel());
  received.set_hamlet(opinion.hamlet());
  received.set_suggested_topic(suggestion.topic);
  item.event = rpc::NewEvent(request, target.tenant, "intake", received);
  item.opinion = std::move(opinion);
  return creates_.Create(target.scope, target.tenant, std::move(item));
}

absl::StatusOr<PlanRoundDates> IntakeService::PlanDates(const grpc::ServerContext& context,
                                                        const rpc::RequestContext& request,
                                                        const v1::Round& round) {
  if (planning_ == nullptr) return rpc::UpstreamMissing("the planning service");
  v1::GetPlanRequest get;
  get.set_name(round.plan());
  v1::Plan plan;
  grpc::Status got = rpc::CallOnBehalf(
      context, request, absl::Seconds(5), "dialogue.v1.PlanningService/GetPlan",
      [&](grpc::ClientContext* call) { return planning_->GetPlan(call, get, &plan); });
  if (got.error_code() == grpc::StatusCode::NOT_FOUND) {
    return common::InvalidField("round.plan", "PLAN_NOT_FOUND",
                                absl::StrCat("there is no plan ", round.plan()));
  }
  if (!got.ok()) return rpc::UpstreamStatus(got, "the planning service");
  return RoundDatesFromPlan(plan, round.conference_id());
}

grpc::Status IntakeService::CreateRound(grpc::ServerContext* context,
                                        const v1::CreateRoundRequest* request,
                                        v1::Round* response) {
  return rpc::Serve(
      context, auth_, "CreateRound", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->parent(), kParent, "parent",
                                                  OpinionAction::kAssign));
        v1::Round round = request->round();
        RETURN_IF_ERROR(CheckText("round.title", round.title(), 500));
        RETURN_IF_ERROR(CheckText("round.conference_id", round.conference_id(), 100, false));
        RETURN_IF_ERROR(CheckText("request_id", request->request_id(), 100, false));
        std::string conference_opens;
        if (!round.plan().empty()) {
          RETURN_IF_ERROR(IdIn(target.tenant, round.plan(), "tenants/{tenant}/plans/{plan:uuid}",
                               "plan", "round.plan")
                              .status());
          if (round.conference_id().empty()) {
            return common::InvalidField("round.conference_id", "FIELD_REQUIRED",
                                        "name the plan's conference the round collects for");
          }
          // The plan's dates, unless the round gives its own.
          ASSIGN_OR_RETURN(PlanRoundDates dates, PlanDates(*context, rc, round));
          if (round.opinion_deadline_date().empty()) {
            round.set_opinion_deadline_date(dates.opinion_deadline);
          }
          if (round.answer_due_date().empty()) round.set_answer_due_date(dates.answer_due);
          conference_opens = dates.conference_opens;
        }
        RETURN_IF_ERROR(CheckRoundDates(round, conference_opens));
        ASSIGN_OR_RETURN(*response, store_.CreateRound(target.scope, target.tenant, round,
                                                       request->request_id()));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::UpdateRound(grpc::ServerContext* context,
                                        const v1::UpdateRoundRequest* request,
                                        v1::Round* response) {
  return rpc::Serve(
      context, auth_, "UpdateRound", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->round().name(), kRoundPattern,
                                                  "round.name", OpinionAction::kAssign));
        const v1::Round& in = request->round();
        std::set<std::string> paths(request->update_mask().paths().begin(),
                                    request->update_mask().paths().end());
        static const std::set<std::string> kWritable = {"title", "opinion_deadline_date",
                                                        "answer_due_date"};
        if (paths.empty()) paths = kWritable;
        for (const auto& path : paths) {
          if (kWritable.count(path) == 0) {
            return common::InvalidField(
                "update_mask", "FIELD_NOT_UPDATABLE",
                absl::StrCat("'", path, "' cannot be changed; a round changes its title, ",
                             "opinion_deadline_date and answer_due_date"));
          }
        }
        ASSIGN_OR_RETURN(v1::Round round, store_.GetRound(target.scope, target.tenant, target.id));
        if (paths.count("title")) {
          RETURN_IF_ERROR(CheckText("round.title", in.title(), 500));
          round.set_title(in.title());
        }
        if (paths.count("opinion_deadline_date")) {
          round.set_opinion_deadline_date(in.opinion_deadline_date());
        }
        if (paths.count("answer_due_date")) round.set_answer_due_date(in.answer_due_date());
        // The plan is asked only when a date moves: a new title needs nothing from it.
        std::string conference_opens;
        if (!round.plan().empty() &&
            (paths.count("opinion_deadline_date") > 0 || paths.count("answer_due_date") > 0)) {
          ASSIGN_OR_RETURN(PlanRoundDates dates, PlanDates(*context, rc, round));
          conference_opens = dates.conference_opens;
        }
        RETURN_IF_ERROR(CheckRoundDates(round, conference_opens));
        ASSIGN_OR_RETURN(*response,
                         store_.UpdateRound(target.scope, target.tenant, target.id, round));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::DeleteRound(grpc::ServerContext* context,
                                        const v1::DeleteRoundRequest* request,
                                        v1::DeleteRoundResponse*) {
  return rpc::Serve(context, auth_, "DeleteRound",
                    [&](const rpc::RequestContext& rc) -> absl::Status {
                      ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kRoundPattern,
                                                                "name", OpinionAction::kAssign));
                      return store_.DeleteRound(target.scope, target.tenant, target.id);
                    });
}

grpc::Status IntakeService::GetRound(grpc::ServerContext* context,
                                     const v1::GetRoundRequest* request, v1::Round* response) {
  return rpc::Serve(context, auth_, "GetRound", [&](const rpc::RequestContext& rc) -> absl::Status {
    ASSIGN_OR_RETURN(Target target,
                     Authorize(rc, request->name(), kRoundPattern, "name", OpinionAction::kRead));
    ASSIGN_OR_RETURN(*response, store_.GetRound(target.scope, target.tenant, target.id));
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::ListRounds(grpc::ServerContext* context,
                                       const v1::ListRoundsRequest* request,
                                       v1::ListRoundsResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ListRounds", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool full = false;
        ASSIGN_OR_RETURN(Target target, ReadTarget(rc, request->parent(), kParent, "parent",
                                                   OpinionAction::kRead, &full));
        ASSIGN_OR_RETURN(auto rounds, store_.ListRounds(target.scope, target.tenant));
        for (auto& r : rounds) *response->add_rounds() = std::move(r);
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::CreateOpinion(grpc::ServerContext* context,
                                          const v1::CreateOpinionRequest* request,
                                          v1::Opinion* response) {
  return rpc::Serve(
      context, auth_, "CreateOpinion", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->parent(), kParent, "parent",
                                                  OpinionAction::kReceive));
        // Only what a clerk records; everything else is the server's.
        v1::Opinion opinion;
        opinion.set_hamlet(request->opinion().hamlet());
        opinion.set_channel(request->opinion().channel());
        opinion.set_text(request->opinion().text());
        *opinion.mutable_submitter() = request->opinion().submitter();
        ASSIGN_OR_RETURN(*response,
                         StoreNew(target, rc, std::move(opinion), request->opinion().round(),
                                  request->request_id(), "opinion."));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::SubmitOpinion(grpc::ServerContext* context,
                                          const v1::SubmitOpinionRequest* request,
                                          v1::OpinionReceipt* response) {
  return rpc::ServePublic(
      context, auth_, "SubmitOpinion", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, PublicTarget(request->parent(), kParent, "parent"));
        v1::Opinion opinion;
        opinion.set_hamlet(request->hamlet());
        opinion.set_channel(v1::WEB);
        opinion.set_text(request->text());
        *opinion.mutable_submitter() = request->submitter();
        ASSIGN_OR_RETURN(v1::Opinion stored, StoreNew(target, rc, std::move(opinion),
                                                      request->round(), request->request_id(), ""));
        response->set_receipt_code(stored.receipt_code());
        response->set_follow_url_path(
            absl::StrCat("/v1/tenants/", target.tenant, "/receipts/", stored.receipt_code()));
        response->set_state(stored.state());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::ImportOpinionsResponse> IntakeService::Import(
    const rpc::RequestContext& rc, const v1::ImportOpinionsRequest& import, bool csv) {
  ASSIGN_OR_RETURN(Target target,
                   Authorize(rc, import.parent(), kParent, "parent", OpinionAction::kReceive));
  ASSIGN_OR_RETURN(std::string round_id,
                   IdIn(target.tenant, import.round(), kRoundPattern, "round", "round"));
  std::vector<v1::OpinionRow> rows;
  if (csv) {
    if (import.rows_size() > 0) {
      return common::InvalidField("rows", "ROWS_WITH_CSV", "send the rows or the CSV, not both");
    }
    if (Utf8Length(import.csv()) < 0) {
      return common::InvalidField("csv", "TEXT_NOT_UTF8", "the file is not UTF-8 text");
    }
    ASSIGN_OR_RETURN(rows, ParseCsv(import.csv()));
  } else {
    if (!import.csv().empty()) {
      return common::InvalidField("csv", "CSV_ON_ROWS_ROUTE",
                                  "CSV goes to ImportOpinionsCsv (opinions:importCsv)");
    }
    rows.assign(import.rows().begin(), import.rows().end());
  }
  if (rows.empty())
    return common::InvalidField("rows", "ROWS_REQUIRED", "there is nothing to import");
  if (rows.size() > static_cast<size_t>(kMaxImportRows)) {
    return common::InvalidField(
        "rows", "TOO_MANY_ROWS",
        absl::StrCat(rows.size(), " rows; send at most ", kMaxImportRows, " per call"));
  }
  ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
  ASSIGN_OR_RETURN(auto topics, store_.Topics(target.scope, target.tenant));
  v1::ImportOpinionsResponse response;
  std::vector<v1::RowError> errors;
  std::vector<ImportRow> good = CheckRows(rows, round_id, tenant.hamlets, topics.first, &errors);
  for (auto& e : errors) *response.add_errors() = std::move(e);
  if (good.empty()) return response;
  ASSIGN_OR_RETURN(ImportResult result,
                   store_.Import(target.scope, target.tenant, round_id, good, rc.principal.subject,
                                 [&](int stored) {
                                   v1::OpinionsImported imported;
                                   imported.set_round(RoundName(target.tenant, round_id));
                                   imported.set_stored(stored);
                                   return rpc::NewEvent(rc, target.tenant, "intake", imported);
                                 }));
  response.set_stored(result.stored);
  response.set_already_stored(result.already_stored);
  for (const ImportRow& row : good) {
    auto code = result.receipt_codes.find(row.key);
    if (code == result.receipt_codes.end()) continue;
    v1::ImportedRow* imported = response.add_receipts();
    imported->set_row(row.row);
    imported->set_receipt_code(code->second);
  }
  return response;
}

grpc::Status IntakeService::ImportOpinions(grpc::ServerContext* context,
                                           const v1::ImportOpinionsRequest* request,
                                           v1::ImportOpinionsResponse* response) {
  return rpc::Serve(context, auth_, "ImportOpinions",
                    [&](const rpc::RequestContext& rc) -> absl::Status {
                      ASSIGN_OR_RETURN(*response, Import(rc, *request, /*csv=*/false));
                      return absl::OkStatus();
                    });
}

grpc::Status IntakeService::ImportOpinionsCsv(grpc::ServerContext* context,
                                              const v1::ImportOpinionsRequest* request,
                                              v1::ImportOpinionsResponse* response) {
  return rpc::Serve(context, auth_, "ImportOpinionsCsv",
                    [&](const rpc::RequestContext& rc) -> absl::Status {
                      ASSIGN_OR_RETURN(*response, Import(rc, *request, /*csv=*/true));
                      return absl::OkStatus();
                    });
}

grpc::Status IntakeService::GetOpinion(grpc::ServerContext* context,
                                       const v1::GetOpinionRequest* request,
                                       v1::Opinion* response) {
  return rpc::Serve(
      context, auth_, "GetOpinion", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kOpinionPattern, "name",
                                                  OpinionAction::kRead));
        ASSIGN_OR_RETURN(*response, store_.GetOpinion(target.scope, target.tenant, target.id));
        RETURN_IF_ERROR(CheckDepartment(rc.principal, *response));
        Redact(rc.principal, target.tenant, *response);
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::ListOpinions(grpc::ServerContext* context,
                                         const v1::ListOpinionsRequest* request,
                                         v1::ListOpinionsResponse* response) {
  return rpc::Serve(
      context, auth_, "ListOpinions", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target,
                         Authorize(rc, request->parent(), kParent, "parent", OpinionAction::kRead));
        if (request->page_size() < 0) {
          return common::InvalidField("page_size", "PAGE_SIZE_NEGATIVE",
                                      "page_size cannot be negative");
        }
        RETURN_IF_ERROR(CheckText("text", request->text(), 500, false));
        ASSIGN_OR_RETURN(OpinionFilter filter,
                         ParseOpinionFilter(target.tenant, request->filter()));
        filter.text = Normalize(request->text());
        ASSIGN_OR_RETURN(filter.department, BoundDepartment(rc.principal, filter.department));
        ASSIGN_OR_RETURN(OpinionPage page,
                         store_.ListOpinions(target.scope, target.tenant, filter,
                                             request->page_size(), request->page_token()));
        for (auto& o : page.opinions) {
          Redact(rc.principal, target.tenant, o);
          *response->add_opinions() = std::move(o);
        }
        response->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::FollowOpinion(grpc::ServerContext* context,
                                          const v1::FollowOpinionRequest* request,
                                          v1::OpinionStatus* response) {
  return rpc::ServePublic(
      context, auth_, "FollowOpinion", [&](const rpc::RequestContext&) -> absl::Status {
        // The code as the citizen typed it: any case, with or without dashes.
        const std::string& name = request->name();
        const size_t slash = name.rfind('/');
        ASSIGN_OR_RETURN(Target target,
                         PublicTarget(name.substr(0, slash == std::string::npos ? 0 : slash),
                                      kReceiptsPattern, "name"));
        ASSIGN_OR_RETURN(common::ReceiptCode code,
                         common::ReceiptCode::Parse(name.substr(slash + 1), "name"));
        ASSIGN_OR_RETURN(*response, store_.Follow(target.scope, target.tenant, code.text()));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::ClassifyOpinion(grpc::ServerContext* context,
                                            const v1::ClassifyOpinionRequest* request,
                                            v1::Opinion* response) {
  return rpc::Serve(
      context, auth_, "ClassifyOpinion", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kOpinionPattern, "name",
                                                  OpinionAction::kClassify));
        ASSIGN_OR_RETURN(auto topics, store_.Topics(target.scope, target.tenant));
        bool known = std::any_of(topics.first.begin(), topics.first.end(),
                                 [&](const v1::Topic& t) { return t.id() == request->topic(); });
        if (!request->individual_matter() || !request->topic().empty()) {
          if (!known) {
            return common::InvalidField(
                "topic", "TOPIC_UNKNOWN",
                absl::StrCat("'", request->topic(), "' is not one of this commune's topics"));
          }
        }
        if (request->individual_matter()) {
          RETURN_IF_ERROR(CheckText("routed_to", request->routed_to(), kMaxShortText));
          RETURN_IF_ERROR(CheckText("route_reason", request->route_reason(), 2000));
        }
        ASSIGN_OR_RETURN(
            *response,
            store_.Mutate(
                target.scope, target.tenant, target.id, request->etag(),
                [&](v1::Opinion& o, OpinionEffects& effects) -> absl::Status {
                  ASSIGN_OR_RETURN(
                      v1::OpinionState next,
                      NextState(o.state(), OpinionAction::kClassify, request->individual_matter()));
                  o.set_state(next);
                  o.set_topic(request->topic());
                  o.set_routed_to(request->individual_matter() ? request->routed_to() : "");
                  o.set_route_reason(request->individual_matter() ? request->route_reason() : "");
                  effects.actor = rc.principal.subject;
                  effects.note =
                      request->individual_matter()
                          ? absl::StrCat("to ", request->routed_to(), ": ", request->route_reason())
                          : absl::StrCat("topic ", request->topic());
                  return absl::OkStatus();
                }));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::FindDuplicates(grpc::ServerContext* context,
                                           const v1::FindDuplicatesRequest* request,
                                           v1::FindDuplicatesResponse* response) {
  return rpc::Serve(
      context, auth_, "FindDuplicates", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kOpinionPattern, "name",
                                                  OpinionAction::kRead));
        if (DepartmentOnly(rc.principal)) {  // duplicates span departments: the office's work
          return common::Error(absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN",
                               "a department does not look for duplicates; the office does");
        }
        if (request->limit() < 0 || request->limit() > 50) {
          return common::InvalidField("limit", "LIMIT_OUT_OF_RANGE", "limit is between 1 and 50");
        }
        ASSIGN_OR_RETURN(auto candidates,
                         store_.FindDuplicates(target.scope, target.tenant, target.id,
                                               request->limit() == 0 ? 10 : request->limit()));
        for (auto& c : candidates) {
          Redact(rc.principal, target.tenant, *c.mutable_opinion());
          *response->add_candidates() = std::move(c);
        }
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::MergeOpinions(grpc::ServerContext* context,
                                          const v1::MergeOpinionsRequest* request,
                                          v1::Opinion* response) {
  return rpc::Serve(
      context, auth_, "MergeOpinions", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kOpinionPattern, "name",
                                                  OpinionAction::kMerge));
        if (request->sources().empty() || request->sources_size() > 100) {
          return common::InvalidField("sources", "SOURCES_REQUIRED",
                                      "name 1 to 100 opinions to merge into this one");
        }
        std::set<std::string> ids;
        for (int i = 0; i < request->sources_size(); ++i) {
          std::string field = absl::StrCat("sources[", i, "]");
          ASSIGN_OR_RETURN(std::string id, IdIn(target.tenant, request->sources(i), kOpinionPattern,
                                                "opinion", field));
          if (id == target.id || !ids.insert(id).second) {
            return common::InvalidField(field, "SOURCE_REPEATED",
                                        "each opinion is named once, and not the one merged into");
          }
        }
        ASSIGN_OR_RETURN(*response, store_.Merge(target.scope, target.tenant, target.id,
                                                 std::vector<std::string>(ids.begin(), ids.end()),
                                                 rc.principal.subject));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::UnmergeOpinion(grpc::ServerContext* context,
                                           const v1::TransitionOpinionRequest* request,
                                           v1::Opinion* response) {
  return rpc::Serve(
      context, auth_, "UnmergeOpinion", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kOpinionPattern, "name",
                                                  OpinionAction::kMerge));
        RETURN_IF_ERROR(CheckText("note", request->note(), 2000, false));
        ASSIGN_OR_RETURN(*response, store_.Unmerge(target.scope, target.tenant, target.id,
                                                   rc.principal.subject, request->note()));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::AssignOpinion(grpc::ServerContext* context,
                                          const v1::AssignOpinionRequest* request,
                                          v1::Opinion* response) {
  return rpc::Serve(
      context, auth_, "AssignOpinion", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kOpinionPattern, "name",
                                                  OpinionAction::kAssign));
        RETURN_IF_ERROR(CheckText("department", request->department(), kMaxShortText));
        std::string due = request->answer_due_date();
        if (!due.empty()) {
          if (!calendar::ParseDate(due).ok()) {
            return common::InvalidField("answer_due_date", "DATE_INVALID",
                                        absl::StrCat("'", due, "' is not a date as YYYY-MM-DD"));
          }
        } else if (request->working_days() != 0) {
          if (request->working_days() < 1 || request->working_days() > 250) {
            return common::InvalidField("working_days", "WORKING_DAYS_OUT_OF_RANGE",
                                        "working_days is between 1 and 250");
          }
          // Counted on the national calendar and the commune's own days off.
          ASSIGN_OR_RETURN(TenantInfo commune, store_.Tenant(target.scope, target.tenant));
          calendar::WorkingDayCalendar days(calendar_.Current(), commune.days_off);
          ASSIGN_OR_RETURN(
              absl::CivilDay day,
              days.AddWorkingDays(calendar::TodayInVietnam(absl::Now()), request->working_days()));
          due = calendar::FormatDate(day);
        }
        if (due.empty()) {
          // The round's answer date, when the plan set one.
          ASSIGN_OR_RETURN(v1::Opinion current,
                           store_.GetOpinion(target.scope, target.tenant, target.id));
          const std::string& round = current.round();
          auto found =
              store_.GetRound(target.scope, target.tenant, round.substr(round.rfind('/') + 1));
          if (found.ok()) due = found->answer_due_date();
        }
        ASSIGN_OR_RETURN(
            *response,
            store_.Mutate(target.scope, target.tenant, target.id, request->etag(),
                          [&](v1::Opinion& o, OpinionEffects& effects) -> absl::Status {
                            ASSIGN_OR_RETURN(v1::OpinionState next,
                                             NextState(o.state(), OpinionAction::kAssign));
                            if (due.empty()) {
                              return common::InvalidField(
                                  "answer_due_date", "DUE_DATE_REQUIRED",
                                  "give answer_due_date or working_days; the round sets no date");
                            }
                            o.set_state(next);
                            o.set_department(request->department());
                            o.set_answer_due_date(due);
                            effects.actor = rc.principal.subject;
                            effects.note = absl::StrCat(request->department(), ", due ", due);
                            v1::OpinionAssigned assigned;
                            assigned.set_opinion(o.name());
                            assigned.set_department(request->department());
                            assigned.set_answer_due_date(due);
                            effects.events.push_back(
                                rpc::NewEvent(rc, target.tenant, "intake", assigned));
                            return absl::OkStatus();
                          }));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::DraftAnswer(grpc::ServerContext* context,
                                        const v1::DraftAnswerRequest* request,
                                        v1::Opinion* response) {
  return rpc::Serve(
      context, auth_, "DraftAnswer", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kOpinionPattern, "name",
                                                  OpinionAction::kDraftAnswer));
        RETURN_IF_ERROR(CheckText("answer", request->answer(), kMaxTextChars));
        ASSIGN_OR_RETURN(
            *response, store_.Mutate(target.scope, target.tenant, target.id, request->etag(),
                                     [&](v1::Opinion& o, OpinionEffects& effects) -> absl::Status {
                                       RETURN_IF_ERROR(CheckDepartment(rc.principal, o));
                                       ASSIGN_OR_RETURN(
                                           v1::OpinionState next,
                                           NextState(o.state(), OpinionAction::kDraftAnswer));
                                       o.set_state(next);
                                       o.set_answer(request->answer());
                                       effects.actor = rc.principal.subject;
                                       return absl::OkStatus();
                                     }));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::Transition(grpc::ServerContext* context,
                                       const v1::TransitionOpinionRequest* request,
                                       v1::Opinion* response, OpinionAction action,
                                       absl::string_view method) {
  return rpc::Serve(context, auth_, method, [&](const rpc::RequestContext& rc) -> absl::Status {
    ASSIGN_OR_RETURN(Target target,
                     Authorize(rc, request->name(), kOpinionPattern, "name", action));
    RETURN_IF_ERROR(CheckText("note", request->note(), 2000,
                              /*required=*/action == OpinionAction::kReturnAnswer));
    ASSIGN_OR_RETURN(*response,
                     store_.Mutate(target.scope, target.tenant, target.id, request->etag(),
                                   [&](v1::Opinion& o, OpinionEffects& effects) -> absl::Status {
                                     ASSIGN_OR_RETURN(v1::OpinionState next,
                                                      NextState(o.state(), action));
                                     o.set_state(next);
                                     effects.actor = rc.principal.subject;
                                     effects.note = request->note();
                                     if (action == OpinionAction::kReturnAnswer) {
                                       o.set_return_note(request->note());
                                     } else if (action == OpinionAction::kApproveAnswer) {
                                       o.clear_return_note();
                                       v1::AnswerApproved approved;
                                       approved.set_opinion(o.name());
                                       approved.set_round(o.round());
                                       effects.events.push_back(
                                           rpc::NewEvent(rc, target.tenant, "intake", approved));
                                       effects.tell = [answer = o.answer()](const Petitioner& p) {
                                         return AnswerText(p.receipt_code, answer);
                                       };
                                       effects.traceparent = rc.trace.Traceparent();
                                     }
                                     return absl::OkStatus();
                                   }));
    return absl::OkStatus();
  });
}

grpc::Status IntakeService::ApproveAnswer(grpc::ServerContext* context,
                                          const v1::TransitionOpinionRequest* request,
                                          v1::Opinion* response) {
  return Transition(context, request, response, OpinionAction::kApproveAnswer, "ApproveAnswer");
}

grpc::Status IntakeService::ReturnAnswer(grpc::ServerContext* context,
                                         const v1::TransitionOpinionRequest* request,
                                         v1::Opinion* response) {
  return Transition(context, request, response, OpinionAction::kReturnAnswer, "ReturnAnswer");
}

grpc::Status IntakeService::MarkAnswered(grpc::ServerContext* context,
                                         const v1::TransitionOpinionRequest* request,
                                         v1::Opinion* response) {
  return Transition(context, request, response, OpinionAction::kMarkAnswered, "MarkAnswered");
}

grpc::Status IntakeService::ListOpinionHistory(grpc::ServerContext* context,
                                               const v1::ListOpinionHistoryRequest* request,
                                               v1::ListOpinionHistoryResponse* response) {
  return rpc::Serve(
      context, auth_, "ListOpinionHistory", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kOpinionPattern, "name",
                                                  OpinionAction::kRead));
        if (DepartmentOnly(rc.principal)) {
          ASSIGN_OR_RETURN(auto opinion, store_.GetOpinion(target.scope, target.tenant, target.id));
          RETURN_IF_ERROR(CheckDepartment(rc.principal, opinion));
        }
        ASSIGN_OR_RETURN(auto entries, store_.History(target.scope, target.tenant, target.id));
        for (auto& e : entries) *response->add_entries() = std::move(e);
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::ListTopics(grpc::ServerContext* context,
                                       const v1::ListTopicsRequest* request,
                                       v1::ListTopicsResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ListTopics", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool full = false;
        ASSIGN_OR_RETURN(Target target, ReadTarget(rc, request->parent(), kParent, "parent",
                                                   OpinionAction::kRead, &full));
        ASSIGN_OR_RETURN(auto topics, store_.Topics(target.scope, target.tenant));
        for (auto& t : topics.first) *response->add_topics() = std::move(t);
        response->set_defaults(topics.second);
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::ReplaceTopics(grpc::ServerContext* context,
                                          const v1::ReplaceTopicsRequest* request,
                                          v1::ListTopicsResponse* response) {
  return rpc::Serve(
      context, auth_, "ReplaceTopics", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->parent(), kParent, "parent",
                                                  OpinionAction::kManageTopics));
        std::vector<v1::Topic> topics(request->topics().begin(), request->topics().end());
        RETURN_IF_ERROR(ValidateTopics(topics));
        RETURN_IF_ERROR(store_.ReplaceTopics(target.scope, target.tenant, topics));
        ASSIGN_OR_RETURN(auto stored, store_.Topics(target.scope, target.tenant));
        for (auto& t : stored.first) *response->add_topics() = std::move(t);
        response->set_defaults(stored.second);
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::RequestDialogue(grpc::ServerContext* context,
                                            const v1::RequestDialogueRequest* request,
                                            v1::DialogueRequest* response) {
  return rpc::ServePublic(
      context, auth_, "RequestDialogue", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, PublicTarget(request->parent(), kParent, "parent"));
        const v1::DialogueRequest& r = request->request();
        RETURN_IF_ERROR(CheckText("request.voter_name", r.voter_name(), kMaxShortText));
        RETURN_IF_ERROR(CheckText("request.contact", r.contact(), kMaxShortText));
        RETURN_IF_ERROR(CheckText("request.matter", r.matter(), 2000));
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        if (!Listed(tenant.hamlets, r.hamlet())) return UnknownHamlet("request.hamlet", r.hamlet());
        int threshold = DialogueThreshold(tenant.voter_count, tenant.threshold_percent);
        ASSIGN_OR_RETURN(*response,
                         store_.RequestDialogue(target.scope, target.tenant, r,
                                                VoterKey(r.voter_name(), r.hamlet(), r.contact()),
                                                threshold, [&](v1::DialogueRequired required) {
                                                  required.set_voter_count(tenant.voter_count);
                                                  return rpc::NewEvent(rc, target.tenant, "intake",
                                                                       required);
                                                }));
        response->clear_contact();  // a public answer carries nothing personal
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::ListDialogueRequests(grpc::ServerContext* context,
                                                 const v1::ListDialogueRequestsRequest* request,
                                                 v1::ListDialogueRequestsResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ListDialogueRequests", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool full = false;
        ASSIGN_OR_RETURN(Target target, ReadTarget(rc, request->parent(), kParent, "parent",
                                                   OpinionAction::kManageRequests, &full));
        ASSIGN_OR_RETURN(*response, store_.ListDialogueRequests(target.scope, target.tenant));
        if (!full) response->clear_requests();  // the public sees the count, not who asked
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        response->set_threshold(DialogueThreshold(tenant.voter_count, tenant.threshold_percent));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::RejectDialogueRequest(grpc::ServerContext* context,
                                                  const v1::RejectDialogueRequestRequest* request,
                                                  v1::DialogueRequest* response) {
  return rpc::Serve(
      context, auth_, "RejectDialogueRequest", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kRequestPattern, "name",
                                                  OpinionAction::kManageRequests));
        RETURN_IF_ERROR(CheckText("reason", request->reason(), 2000));
        ASSIGN_OR_RETURN(*response, store_.RejectDialogueRequest(target.scope, target.tenant,
                                                                 target.id, request->reason()));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::SynthesisReport> IntakeService::NamedSynthesis(const Target& target,
                                                                  const TenantInfo& tenant) {
  ASSIGN_OR_RETURN(v1::SynthesisReport report,
                   store_.Synthesis(target.scope, target.tenant, target.id));
  // Names where the rows hold ids: the commune's topics and hamlets.
  ASSIGN_OR_RETURN(auto topics, store_.Topics(target.scope, target.tenant));
  std::map<std::string, std::string> topic_names;
  for (const auto& t : topics.first) topic_names[t.id()] = t.display_name();
  auto name_of = [](const std::map<std::string, std::string>& names, const std::string& id) {
    auto it = names.find(id);
    return it == names.end() ? std::string() : it->second;
  };
  for (auto& c : *report.mutable_by_topic()) c.set_label(name_of(topic_names, c.key()));
  for (auto& c : *report.mutable_by_hamlet()) c.set_label(name_of(tenant.hamlet_names, c.key()));
  for (auto& item : *report.mutable_items_list()) {
    item.set_topic_name(name_of(topic_names, item.topic()));
    item.set_hamlet_name(name_of(tenant.hamlet_names, item.hamlet()));
  }
  return report;
}

grpc::Status IntakeService::GetSynthesisReport(grpc::ServerContext* context,
                                               const v1::GetSynthesisReportRequest* request,
                                               v1::SynthesisReport* response) {
  return rpc::Serve(
      context, auth_, "GetSynthesisReport", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->round(), kRoundPattern, "round",
                                                  OpinionAction::kRead));
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        ASSIGN_OR_RETURN(*response, NamedSynthesis(target, tenant));
        return absl::OkStatus();
      });
}

grpc::Status IntakeService::RenderSynthesisReport(grpc::ServerContext* context,
                                                  const v1::RenderSynthesisReportRequest* request,
                                                  v1::HttpBody* response) {
  return rpc::Serve(
      context, auth_, "RenderSynthesisReport", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->round(), kRoundPattern, "round",
                                                  OpinionAction::kRead));
        RETURN_IF_ERROR(CheckText("signer", request->signer(), documents::kMaxSignerChars, false));
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
        ASSIGN_OR_RETURN(v1::SynthesisReport report, NamedSynthesis(target, tenant));
        const std::string today = calendar::FormatDate(calendar::TodayInVietnam(absl::Now()));
        return documents::RenderInto(
            SynthesisDocument(report, tenant.display_name, today, request->signer()),
            request->format(), absl::StrCat("bao-cao-tong-hop-", target.id), response);
      });
}

}  // namespace dialogue::intake
