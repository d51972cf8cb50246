#include "tenant_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dialogue/common/names.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"

namespace dialogue::planning {
namespace {

absl::Status RequireAdmin(const auth::Principal& principal) {
  if (principal.Has(auth::Role::kAdmin)) return absl::OkStatus();
  return common::Error(absl::StatusCode::kPermissionDenied, "ADMIN_ONLY",
                       "only a platform administrator may change provinces and communes");
}

// A new tenant (`whole`) or the fields an update sets: an update that leaves the name alone
// need not send it, but its hamlets, voter count and rules are checked all the same.
absl::Status ValidateTenant(const v1::Tenant& tenant, bool whole = true) {
  if (whole && tenant.display_name().empty()) {
    return common::InvalidField("tenant.display_name", "DISPLAY_NAME_REQUIRED",
                                "give the commune's name, e.g. \"Xã Diễn Châu\"");
  }
  if (tenant.kind() == v1::TENANT_KIND_UNSPECIFIED) {
    return common::InvalidField("tenant.kind", "KIND_REQUIRED",
                                "say whether it is a COMMUNE, WARD, SPECIAL_ZONE, TOWNSHIP "
                                "or DISTRICT");
  }
  if (tenant.voter_count() < 0) {
    return common::InvalidField("tenant.voter_count", "VOTER_COUNT_NEGATIVE", "cannot be negative");
  }
  std::set<std::string> ids;
  for (int i = 0; i < tenant.hamlets_size(); ++i) {
    const auto& hamlet = tenant.hamlets(i);
    const std::string field = absl::StrCat("tenant.hamlets[", i, "]");
    if (!common::IsShortId(hamlet.id()) || !ids.insert(hamlet.id()).second) {
      return common::InvalidField(field + ".id", "HAMLET_ID_INVALID",
                                  "each hamlet needs a distinct short id of letters, digits, '-'");
    }
    RETURN_IF_ERROR(common::CheckText(field + ".display_name", hamlet.display_name(), 200, false));
    RETURN_IF_ERROR(common::CheckText(field + ".area", hamlet.area(), 200, false));
    RETURN_IF_ERROR(common::CheckText(field + ".note", hamlet.note(), 200, false));
    if (!v1::HamletKind_IsValid(hamlet.kind())) {
      return common::InvalidField(field + ".kind", "HAMLET_KIND_INVALID",
                                  "a hamlet is a VILLAGE or a RESIDENTIAL_GROUP");
    }
  }
  const auto& rules = tenant.rules();
  for (int value : {rules.announcement_lead_days(), rules.conclusion_notice_working_days(),
                    rules.conclusion_notice_extended_working_days(),
                    rules.agency_report_working_days(), rules.dialogue_request_threshold_percent(),
                    rules.results_publication_days(), rules.required_dialogue_days()}) {
    if (value < 0 || value > 365) {
      return common::InvalidField("tenant.rules", "RULE_OUT_OF_RANGE",
                                  "each rule is a number of days (or a percent) from 0 to 365");
    }
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status TenantService::CreateProvince(grpc::ServerContext* context,
                                           const v1::CreateProvinceRequest* request,
                                           v1::Province* response) {
  return rpc::Serve(
      context, auth_, "CreateProvince", [&](const rpc::RequestContext& rc) -> absl::Status {
        RETURN_IF_ERROR(RequireAdmin(rc.principal));
        if (!common::IsSlug(request->province_id())) {
          return common::InvalidField("province_id", "ID_INVALID",
                                      "use lower-case letters, digits and '-', e.g. \"nghe-an\"");
        }
        if (request->province().display_name().empty()) {
          return common::InvalidField("province.display_name", "DISPLAY_NAME_REQUIRED",
                                      "give the province's name");
        }
        ASSIGN_OR_RETURN(*response,
                         tenants_.CreateProvince(request->province_id(), request->province()));
        return absl::OkStatus();
      });
}

grpc::Status TenantService::ListProvinces(grpc::ServerContext* context,
                                          const v1::ListProvincesRequest*,
                                          v1::ListProvincesResponse* response) {
  return rpc::Serve(context, auth_, "ListProvinces",
                    [&](const rpc::RequestContext&) -> absl::Status {
                      ASSIGN_OR_RETURN(auto provinces, tenants_.ListProvinces());
                      for (auto& p : provinces) *response->add_provinces() = std::move(p);
                      return absl::OkStatus();
                    });
}

grpc::Status TenantService::CreateTenant(grpc::ServerContext* context,
                                         const v1::CreateTenantRequest* request,
                                         v1::Tenant* response) {
  return rpc::Serve(
      context, auth_, "CreateTenant", [&](const rpc::RequestContext& rc) -> absl::Status {
        RETURN_IF_ERROR(RequireAdmin(rc.principal));
        if (!common::IsSlug(request->tenant_id())) {
          return common::InvalidField("tenant_id", "ID_INVALID",
                                      "use lower-case letters, digits and '-', e.g. \"dien-chau\"");
        }
        RETURN_IF_ERROR(ValidateTenant(request->tenant()));
        rpc::NoteAuditTarget(absl::StrCat("tenants/", request->tenant_id()));
        RETURN_IF_ERROR(common::ParseName(request->tenant().province(), "provinces/{province}",
                                          "tenant.province")
                            .status());
        if (!request->tenant().parent().empty()) {
          if (request->tenant().kind() == v1::DISTRICT) {
            return common::InvalidField("tenant.parent", "DISTRICT_HAS_NO_PARENT",
                                        "a district's upper level is its province; leave parent "
                                        "empty");
          }
          RETURN_IF_ERROR(
              common::ParseName(request->tenant().parent(), "tenants/{tenant}", "tenant.parent")
                  .status());
        }
        auto created = tenants_.CreateTenant(request->tenant_id(), request->tenant());
        if (created.status().code() == absl::StatusCode::kFailedPrecondition) {
          return common::InvalidField("tenant.province", "PROVINCE_NOT_FOUND",
                                      absl::StrCat("there is no ", request->tenant().province()));
        }
        ASSIGN_OR_RETURN(*response, std::move(created));
        directory_.Invalidate();
        return absl::OkStatus();
      });
}

grpc::Status TenantService::GetTenant(grpc::ServerContext* context,
                                      const v1::GetTenantRequest* request, v1::Tenant* response) {
  // Public: what a commune's pages show (its name, hamlets, voter count and rules).
  return rpc::ServePublic(
      context, auth_, "GetTenant", [&](const rpc::RequestContext&) -> absl::Status {
        ASSIGN_OR_RETURN(auto parts,
                         common::ParseName(request->name(), "tenants/{tenant}", "name"));
        ASSIGN_OR_RETURN(*response, tenants_.GetTenant(parts["tenant"]));
        return absl::OkStatus();
      });
}

grpc::Status TenantService::ListTenants(grpc::ServerContext* context,
                                        const v1::ListTenantsRequest* request,
                                        v1::ListTenantsResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ListTenants", [&](const rpc::RequestContext&) -> absl::Status {
        std::string province;
        if (!request->province().empty()) {
          ASSIGN_OR_RETURN(auto parts, common::ParseName(request->province(),
                                                         "provinces/{province}", "province"));
          province = parts["province"];
        }
        std::string after;
        if (!request->page_token().empty() &&
            (!absl::WebSafeBase64Unescape(request->page_token(), &after) ||
             !common::IsSlug(after))) {
          return common::InvalidField("page_token", "PAGE_TOKEN_INVALID",
                                      "the page token is not one this list returned");
        }
        int size = request->page_size() > 0 ? std::min(request->page_size(), 500) : 100;
        ASSIGN_OR_RETURN(auto tenants, tenants_.ListTenants(province, size, after));
        if (static_cast<int>(tenants.size()) > size) {
          tenants.resize(size);
          response->set_next_page_token(absl::WebSafeBase64Escape(
              std::string(absl::StripPrefix(tenants.back().name(), "tenants/"))));
        }
        for (auto& t : tenants) *response->add_tenants() = std::move(t);
        return absl::OkStatus();
      });
}

grpc::Status TenantService::UpdateTenant(grpc::ServerContext* context,
                                         const v1::UpdateTenantRequest* request,
                                         v1::Tenant* response) {
  return rpc::Serve(
      context, auth_, "UpdateTenant", [&](const rpc::RequestContext& rc) -> absl::Status {
        RETURN_IF_ERROR(RequireAdmin(rc.principal));
        RETURN_IF_ERROR(
            common::ParseName(request->tenant().name(), "tenants/{tenant}", "tenant.name")
                .status());
        rpc::NoteAuditTarget(request->tenant().name());
        static const std::set<std::string> kWritable = {"display_name", "hamlets", "voter_count",
                                                        "rules"};
        std::vector<std::string> paths;
        for (const auto& path : request->update_mask().paths()) {
          if (kWritable.count(path.substr(0, path.find('.'))) == 0) {
            return common::InvalidField("update_mask", "UPDATE_MASK_INVALID",
                                        absl::StrCat("'", path,
                                                     "' cannot be updated; use display_name, "
                                                     "hamlets, voter_count or rules"));
          }
          paths.push_back(path);
        }
        v1::Tenant incoming = request->tenant();
        if (incoming.kind() == v1::TENANT_KIND_UNSPECIFIED) incoming.set_kind(v1::COMMUNE);
        RETURN_IF_ERROR(ValidateTenant(
            incoming, paths.empty() || std::count(paths.begin(), paths.end(), "display_name") > 0));
        ASSIGN_OR_RETURN(*response, tenants_.UpdateTenant(incoming, paths));
        directory_.Invalidate();
        return absl::OkStatus();
      });
}

}  // namespace dialogue::planning
