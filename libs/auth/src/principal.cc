#include "dialogue/auth/principal.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dialogue/common/status.h"

namespace dialogue::auth {
namespace {

constexpr std::array<std::pair<Role, absl::string_view>, 10> kRoleNames = {{
    {Role::kPartyOffice, "party_office"},
    {Role::kGovernmentOffice, "government_office"},
    {Role::kFront, "front"},
    {Role::kDepartment, "department"},
    {Role::kChair, "chair"},
    {Role::kSecretary, "secretary"},
    {Role::kHamletLead, "hamlet_lead"},
    {Role::kCitizen, "citizen"},
    {Role::kProvince, "province"},
    {Role::kAdmin, "admin"},
}};

}  // namespace

absl::optional<Role> ParseRole(absl::string_view name) {
  for (const auto& [role, role_name] : kRoleNames) {
    if (role_name == name) return role;
  }
  return absl::nullopt;
}

absl::string_view RoleName(Role role) {
  for (const auto& [r, role_name] : kRoleNames) {
    if (r == role) return role_name;
  }
  return "unknown";
}

bool Principal::HasAny(std::initializer_list<Role> any) const {
  for (Role role : any) {
    if (Has(role)) return true;
  }
  return false;
}

bool Principal::IsStaffOf(absl::string_view tenant_id) const {
  return !tenant.empty() && tenant == tenant_id &&
         HasAny({Role::kPartyOffice, Role::kGovernmentOffice, Role::kFront, Role::kDepartment,
                 Role::kChair, Role::kSecretary, Role::kHamletLead});
}

absl::Status Authorize(const Principal& principal, absl::string_view tenant_id,
                       absl::string_view tenant_province, Access access) {
  if (principal.Has(Role::kAdmin)) return absl::OkStatus();
  if (principal.IsStaffOf(tenant_id)) return absl::OkStatus();
  if (principal.Has(Role::kProvince) && !principal.province.empty() &&
      principal.province == tenant_province) {
    if (access == Access::kRead) return absl::OkStatus();
    return common::Error(absl::StatusCode::kPermissionDenied, "PROVINCE_READ_ONLY",
                         absl::StrCat("province readers of '", principal.province,
                                      "' may read commune '", tenant_id, "' but not change it"));
  }
  if (!principal.tenant.empty() && principal.tenant == tenant_id) {
    return common::Error(absl::StatusCode::kPermissionDenied, "STAFF_ONLY",
                         absl::StrCat("this is the staff's data of commune '", tenant_id,
                                      "'; the token holds no staff role there"));
  }
  std::string who = !principal.tenant.empty() ? absl::StrCat("commune '", principal.tenant, "'")
                    : !principal.province.empty()
                        ? absl::StrCat("province '", principal.province, "'")
                        : std::string("no commune");
  return common::Error(absl::StatusCode::kPermissionDenied, "TENANT_FORBIDDEN",
                       absl::StrCat("the token is for ", who, " and cannot ",
                                    access == Access::kRead ? "read" : "change",
                                    " data of commune '", tenant_id, "'"));
}

}  // namespace dialogue::auth
