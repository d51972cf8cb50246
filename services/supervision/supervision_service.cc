#include "supervision_service.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/common/receipt_code.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"
#include "dialogue/documents/document.h"

namespace dialogue::supervision {
namespace {

using auth::Access;

constexpr char kParent[] = "tenants/{tenant}";
constexpr char kCommitmentPattern[] = "tenants/{tenant}/commitments/{commitment:uuid}";
constexpr char kReceiptPattern[] = "tenants/{tenant}/receipts/{code:id}";
constexpr char kPublicCommitmentPattern[] =
    "tenants/{tenant}/receipts/{code:id}/commitments/{commitment:uuid}";
constexpr char kProvincePattern[] = "provinces/{province}";
constexpr char kDistrictPattern[] = "tenants/{tenant}";
constexpr absl::Duration kUpstreamTimeout = absl::Seconds(5);
constexpr int kMaxPageSize = 1000;

// A List's page: `size` items (0: 100; at most kMaxPageSize) from the offset `token` gives.
struct Page {
  int size = 100;
  int offset = 0;
};
absl::StatusOr<Page> PageOf(int size, const std::string& token) {
  Page page;
  if (size < 0) {
    return common::InvalidField("page_size", "PAGE_SIZE_INVALID",
                                "the page size cannot be negative");
  }
  if (size > 0) page.size = std::min(size, kMaxPageSize);
  if (!token.empty() && (!absl::SimpleAtoi(token, &page.offset) || page.offset < 0)) {
    return common::InvalidField("page_token", "PAGE_TOKEN_INVALID",
                                "use the next_page_token of the previous page");
  }
  return page;
}

absl::CivilDay Today() { return calendar::TodayInVietnam(absl::Now()); }

absl::StatusOr<int> Year(int year, absl::CivilDay today) {
  if (year == 0) return static_cast<int>(today.year());
  if (year < 2000 || year > 2100) {
    return common::InvalidField("year", "YEAR_INVALID", "the year must be between 2000 and 2100");
  }
  return year;
}

// Communes an upper level reads, with the scope that reads them all and writes none.
absl::StatusOr<std::pair<std::vector<std::string>, db::TenantScope>> ReadingAll(
    absl::StatusOr<std::vector<std::string>> tenants) {
  if (!tenants.ok()) return tenants.status();
  db::TenantScope scope;
  scope.read_tenants = *tenants;
  return std::make_pair(*std::move(tenants), std::move(scope));
}

}  // namespace

SupervisionService::SupervisionService(SupervisionStore& store, rpc::Authenticator& authenticator,
                                       db::TenantDirectory& directory,
                                       std::shared_ptr<grpc::Channel> intake)
    : store_(store), auth_(authenticator), directory_(directory) {
  if (intake) intake_ = v1::IntakeService::NewStub(intake);
}

absl::StatusOr<SupervisionService::Target> SupervisionService::Authorize(
    const rpc::RequestContext& request, const std::string& name, absl::string_view pattern,
    absl::string_view field, SupervisionAction action) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, pattern, field));
  rpc::NoteAuditTarget(name);
  Target target;
  target.tenant = parsed["tenant"];
  if (auto it = parsed.find("commitment"); it != parsed.end()) target.id = it->second;
  ASSIGN_OR_RETURN(
      target.scope,
      auth_.ScopeFor(request.principal, target.tenant,
                     action == SupervisionAction::kRead ? Access::kRead : Access::kWrite));
  RETURN_IF_ERROR(CheckRole(request.principal, action));
  return target;
}

absl::StatusOr<SupervisionService::Target> SupervisionService::AuthorizeRead(
    const rpc::RequestContext& request, const std::string& name, absl::string_view pattern,
    absl::string_view field, bool* full) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, pattern, field));
  Target target;
  target.tenant = parsed["tenant"];
  if (auto it = parsed.find("commitment"); it != parsed.end()) target.id = it->second;
  ASSIGN_OR_RETURN(target.scope, auth_.PublicScopeFor(request.principal, target.tenant, full));
  if (*full && !CheckRole(request.principal, SupervisionAction::kRead).ok()) *full = false;
  return target;
}

absl::StatusOr<v1::OpinionStatus> SupervisionService::Receipt(grpc::ServerContext* context,
                                                              const rpc::RequestContext& request,
                                                              const std::string& tenant,
                                                              absl::string_view typed,
                                                              absl::string_view field) {
  ASSIGN_OR_RETURN(common::ReceiptCode code, common::ReceiptCode::Parse(typed, field));
  if (!intake_) return rpc::UpstreamMissing("the intake service");
  v1::FollowOpinionRequest follow;
  follow.set_name(absl::StrCat("tenants/", tenant, "/receipts/", code.text()));
  v1::OpinionStatus status;
  grpc::Status got = rpc::CallOnBehalf(
      *context, request, kUpstreamTimeout, "dialogue.v1.IntakeService/FollowOpinion",
      [&](grpc::ClientContext* call) { return intake_->FollowOpinion(call, follow, &status); });
  if (!got.ok()) return rpc::UpstreamStatus(got, "the intake service");
  return status;
}

grpc::Status SupervisionService::GetCommitment(grpc::ServerContext* context,
                                               const v1::GetCommitmentRequest* request,
                                               v1::Commitment* response) {
  return rpc::Serve(
      context, auth_, "GetCommitment", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kCommitmentPattern, "name",
                                                  SupervisionAction::kRead));
        ASSIGN_OR_RETURN(absl::CivilDay as_of, ParseDay(request->as_of(), "as_of", Today()));
        ASSIGN_OR_RETURN(*response, store_.Get(target.scope, target.tenant, target.id, as_of));
        return absl::OkStatus();
      });
}

grpc::Status SupervisionService::ListCommitments(grpc::ServerContext* context,
                                                 const v1::ListCommitmentsRequest* request,
                                                 v1::ListCommitmentsResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ListCommitments", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool full = false;
        ASSIGN_OR_RETURN(Target target,
                         AuthorizeRead(rc, request->parent(), kParent, "parent", &full));
        ASSIGN_OR_RETURN(absl::CivilDay as_of, ParseDay(request->as_of(), "as_of", Today()));
        CommitmentFilter filter;
        filter.state = request->state();
        filter.agency = request->agency();
        filter.session = request->session();
        filter.overdue_only = request->overdue_only();
        if (request->year() != 0) {
          ASSIGN_OR_RETURN(filter.year, Year(request->year(), as_of));
        }
        ASSIGN_OR_RETURN(Page asked, PageOf(request->page_size(), request->page_token()));
        filter.page_size = asked.size;
        filter.offset = asked.offset;
        ASSIGN_OR_RETURN(auto page, store_.List(target.scope, target.tenant, filter, as_of));
        for (auto& c : page.first) {
          if (!full) {  // the people see what was promised and how it went, not the files
            c.clear_opinions();
            c.clear_etag();
          }
          *response->add_commitments() = std::move(c);
        }
        if (page.second) {
          response->set_next_page_token(absl::StrCat(filter.offset + response->commitments_size()));
        }
        return absl::OkStatus();
      });
}

grpc::Status SupervisionService::ListCommitmentHistory(
    grpc::ServerContext* context, const v1::ListCommitmentHistoryRequest* request,
    v1::ListCommitmentHistoryResponse* response) {
  return rpc::Serve(
      context, auth_, "ListCommitmentHistory", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kCommitmentPattern, "name",
                                                  SupervisionAction::kRead));
        ASSIGN_OR_RETURN(auto changes, store_.History(target.scope, target.tenant, target.id));
        for (auto& change : changes) *response->add_changes() = std::move(change);
        return absl::OkStatus();
      });
}

grpc::Status SupervisionService::Change(
    grpc::ServerContext* context, absl::string_view method, const std::string& name,
    const std::string& etag, SupervisionAction action,
    const std::function<absl::Status(absl::CivilDay, v1::Commitment&, v1::CommitmentChange&)>&
        change,
    v1::Commitment* response) {
  return rpc::Serve(context, auth_, method, [&](const rpc::RequestContext& rc) -> absl::Status {
    ASSIGN_OR_RETURN(Target target, Authorize(rc, name, kCommitmentPattern, "name", action));
    const absl::CivilDay today = Today();
    ASSIGN_OR_RETURN(*response, store_.Update(target.scope, target.tenant, target.id, etag,
                                              rc.principal.subject, rc.trace.Traceparent(), today,
                                              [&](v1::Commitment& c, v1::CommitmentChange& d) {
                                                return change(today, c, d);
                                              }));
    return absl::OkStatus();
  });
}

grpc::Status SupervisionService::RecordProgress(grpc::ServerContext* context,
                                                const v1::RecordProgressRequest* request,
                                                v1::Commitment* response) {
  return Change(
      context, "RecordProgress", request->name(), request->etag(), ActionFor(request->state()),
      [&](absl::CivilDay today, v1::Commitment& c, v1::CommitmentChange& change) -> absl::Status {
        ASSIGN_OR_RETURN(absl::CivilDay day, ParseDay(request->date(), "date", today));
        return ApplyProgress(c, *request, day, today, change);
      },
      response);
}

grpc::Status SupervisionService::RecordCheck(grpc::ServerContext* context,
                                             const v1::RecordCheckRequest* request,
                                             v1::Commitment* response) {
  return Change(
      context, "RecordCheck", request->name(), request->etag(), SupervisionAction::kCheck,
      [&](absl::CivilDay today, v1::Commitment& c, v1::CommitmentChange& change) {
        return ApplyCheck(c, *request, today, change);
      },
      response);
}

grpc::Status SupervisionService::FollowCommitments(grpc::ServerContext* context,
                                                   const v1::FollowCommitmentsRequest* request,
                                                   v1::FollowCommitmentsResponse* response) {
  return rpc::ServePublic(
      context, auth_, "FollowCommitments", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(auto parsed,
                         common::ParseName(request->parent(), kReceiptPattern, "parent"));
        const std::string& tenant = parsed["tenant"];
        ASSIGN_OR_RETURN(v1::OpinionStatus receipt,
                         Receipt(context, rc, tenant, parsed["code"], "parent"));
        response->set_receipt_code(receipt.receipt_code());
        ASSIGN_OR_RETURN(auto commitments,
                         store_.ForOpinion(db::TenantScope::Of(tenant), tenant, receipt.opinion(),
                                           receipt.receipt_code(), Today()));
        for (auto& c : commitments) *response->add_commitments() = std::move(c);
        return absl::OkStatus();
      });
}

grpc::Status SupervisionService::GiveFeedback(grpc::ServerContext* context,
                                              const v1::GiveFeedbackRequest* request,
                                              v1::PublicCommitment* response) {
  return rpc::ServePublic(
      context, auth_, "GiveFeedback", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(auto parsed,
                         common::ParseName(request->name(), kPublicCommitmentPattern, "name"));
        RETURN_IF_ERROR(common::CheckText("comment", request->comment(), 2000, false));
        if (request->request_reopen() && request->satisfied()) {
          return common::InvalidField("request_reopen", "REOPEN_WHEN_SATISFIED",
                                      "ask to reopen only a result that did not satisfy you");
        }
        const std::string& tenant = parsed["tenant"];
        ASSIGN_OR_RETURN(v1::OpinionStatus receipt,
                         Receipt(context, rc, tenant, parsed["code"], "name"));
        ASSIGN_OR_RETURN(*response, store_.Feedback(db::TenantScope::Of(tenant), tenant,
                                                    parsed["commitment"], receipt.opinion(),
                                                    receipt.receipt_code(), *request, Today()));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::CommuneReport> SupervisionService::Commune(const rpc::RequestContext& request,
                                                              const std::string& tenant,
                                                              int year_asked,
                                                              const std::string& as_of_asked) {
  ASSIGN_OR_RETURN(Target target,
                   Authorize(request, tenant, kParent, "tenant", SupervisionAction::kRead));
  ASSIGN_OR_RETURN(absl::CivilDay as_of, ParseDay(as_of_asked, "as_of", Today()));
  ASSIGN_OR_RETURN(int year, Year(year_asked, as_of));
  return store_.CommuneReport(target.scope, target.tenant, year, as_of);
}

grpc::Status SupervisionService::GetCommuneReport(grpc::ServerContext* context,
                                                  const v1::GetCommuneReportRequest* request,
                                                  v1::CommuneReport* response) {
  return rpc::Serve(
      context, auth_, "GetCommuneReport", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(*response,
                         Commune(rc, request->tenant(), request->year(), request->as_of()));
        return absl::OkStatus();
      });
}

grpc::Status SupervisionService::RenderCommuneReport(grpc::ServerContext* context,
                                                     const v1::RenderCommuneReportRequest* request,
                                                     v1::HttpBody* response) {
  return rpc::Serve(
      context, auth_, "RenderCommuneReport", [&](const rpc::RequestContext& rc) -> absl::Status {
        RETURN_IF_ERROR(
            common::CheckText("signer", request->signer(), documents::kMaxSignerChars, false));
        ASSIGN_OR_RETURN(v1::CommuneReport report,
                         Commune(rc, request->tenant(), request->year(), request->as_of()));
        return documents::RenderInto(CommuneReportDocument(report, request->signer()),
                                     request->format(),
                                     absl::StrCat("bao-cao-ket-qua-", report.year()), response);
      });
}

absl::StatusOr<std::pair<std::vector<std::string>, db::TenantScope>>
SupervisionService::ProvinceCommunes(const rpc::RequestContext& request, const std::string& name,
                                     absl::string_view field) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, kProvincePattern, field));
  const std::string& province = parsed["province"];
  RETURN_IF_ERROR(CheckUpperLevel(request.principal, province, ""));
  return ReadingAll(directory_.TenantsOf(province));
}

absl::StatusOr<std::pair<std::vector<std::string>, db::TenantScope>>
SupervisionService::DistrictCommunes(const rpc::RequestContext& request, const std::string& name) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, kDistrictPattern, "district"));
  const std::string& district = parsed["tenant"];
  RETURN_IF_ERROR(CheckDistrictStaff(request.principal, district));
  return ReadingAll(directory_.ChildrenOf(district));
}

absl::StatusOr<v1::ProvinceReport> SupervisionService::Province(
    const rpc::RequestContext& request, const v1::GetProvinceReportRequest& in) {
  ASSIGN_OR_RETURN(auto communes, ProvinceCommunes(request, in.province(), "province"));
  ASSIGN_OR_RETURN(absl::CivilDay as_of, ParseDay(in.as_of(), "as_of", Today()));
  ASSIGN_OR_RETURN(int year, Year(in.year(), as_of));
  ASSIGN_OR_RETURN(v1::ProvinceReport report,
                   store_.ProvinceReport(communes.second, communes.first, year, as_of));
  report.set_province(in.province());
  ASSIGN_OR_RETURN(
      std::string name,
      store_.ProvinceName(std::string(absl::StripPrefix(in.province(), "provinces/"))));
  report.set_display_name(std::move(name));
  return report;
}

grpc::Status SupervisionService::GetProvinceReport(grpc::ServerContext* context,
                                                   const v1::GetProvinceReportRequest* request,
                                                   v1::ProvinceReport* response) {
  return rpc::Serve(context, auth_, "GetProvinceReport",
                    [&](const rpc::RequestContext& rc) -> absl::Status {
                      ASSIGN_OR_RETURN(*response, Province(rc, *request));
                      return absl::OkStatus();
                    });
}

grpc::Status SupervisionService::ExportProvinceReport(grpc::ServerContext* context,
                                                      const v1::GetProvinceReportRequest* request,
                                                      v1::HttpBody* response) {
  return rpc::Serve(context, auth_, "ExportProvinceReport",
                    [&](const rpc::RequestContext& rc) -> absl::Status {
                      ASSIGN_OR_RETURN(v1::ProvinceReport report, Province(rc, *request));
                      response->set_content_type("text/csv; charset=utf-8");
                      response->set_data(ProvinceCsv(report));
                      return absl::OkStatus();
                    });
}

grpc::Status SupervisionService::RenderProvinceReport(
    grpc::ServerContext* context, const v1::RenderProvinceReportRequest* request,
    v1::HttpBody* response) {
  return rpc::Serve(
      context, auth_, "RenderProvinceReport", [&](const rpc::RequestContext& rc) -> absl::Status {
        v1::GetProvinceReportRequest asked;
        asked.set_province(request->province());
        asked.set_year(request->year());
        asked.set_as_of(request->as_of());
        RETURN_IF_ERROR(common::CheckText("issuing_body", request->issuing_body(),
                                          documents::kMaxSignerChars, false));
        RETURN_IF_ERROR(
            common::CheckText("signer", request->signer(), documents::kMaxSignerChars, false));
        ASSIGN_OR_RETURN(v1::ProvinceReport report, Province(rc, asked));
        return documents::RenderInto(
            ProvinceReportDocument(report, request->issuing_body(), request->signer()),
            request->format(), absl::StrCat("bao-cao-tong-hop-tinh-", report.year()), response);
      });
}

grpc::Status SupervisionService::ListEscalations(grpc::ServerContext* context,
                                                 const v1::ListEscalationsRequest* request,
                                                 v1::ListEscalationsResponse* response) {
  return rpc::Serve(
      context, auth_, "ListEscalations", [&](const rpc::RequestContext& rc) -> absl::Status {
        if (!request->province().empty() && !request->district().empty()) {
          return common::InvalidField("district", "UPPER_LEVEL_AMBIGUOUS",
                                      "name the province or the district, not both");
        }
        ASSIGN_OR_RETURN(auto communes, request->district().empty()
                                            ? ProvinceCommunes(rc, request->province(), "province")
                                            : DistrictCommunes(rc, request->district()));
        ASSIGN_OR_RETURN(absl::CivilDay as_of, ParseDay(request->as_of(), "as_of", Today()));
        ASSIGN_OR_RETURN(Page asked, PageOf(request->page_size(), request->page_token()));
        ASSIGN_OR_RETURN(auto page, store_.Escalations(communes.second, communes.first,
                                                       request->include_answered(), as_of,
                                                       asked.size, asked.offset));
        for (auto& e : page.first) *response->add_escalations() = std::move(e);
        if (page.second) {
          response->set_next_page_token(absl::StrCat(asked.offset + response->escalations_size()));
        }
        return absl::OkStatus();
      });
}

grpc::Status SupervisionService::AnswerEscalation(grpc::ServerContext* context,
                                                  const v1::AnswerEscalationRequest* request,
                                                  v1::Commitment* response) {
  return rpc::Serve(
      context, auth_, "AnswerEscalation", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(auto parsed,
                         common::ParseName(request->name(), kCommitmentPattern, "name"));
        rpc::NoteAuditTarget(request->name());
        const std::string& tenant = parsed["tenant"];
        // The upper level of the commune, not its staff: checked against the commune's
        // province and district before anything of it is read.
        ASSIGN_OR_RETURN(db::TenantDirectory::Place place, directory_.PlaceOf(tenant));
        RETURN_IF_ERROR(CheckUpperLevel(rc.principal, place.province, place.parent));
        const absl::CivilDay today = Today();
        ASSIGN_OR_RETURN(
            *response, store_.Update(db::TenantScope::Of(tenant), tenant, parsed["commitment"],
                                     request->etag(), rc.principal.subject, rc.trace.Traceparent(),
                                     today, [&](v1::Commitment& c, v1::CommitmentChange& change) {
                                       return ApplyEscalationAnswer(c, request->answer(), today,
                                                                    rc.principal.subject, change);
                                     }));
        return absl::OkStatus();
      });
}

}  // namespace dialogue::supervision
