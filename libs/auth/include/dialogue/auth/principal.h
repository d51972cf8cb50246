// Who is calling: the roles of domain.md, the principal a token carries, and the rule
// that decides whether a principal may read or change a tenant's data.
#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace dialogue::auth {

enum class Role {
  kPartyOffice,       // Văn phòng Đảng ủy
  kGovernmentOffice,  // Văn phòng HĐND-UBND
  kFront,             // Ủy ban MTTQ
  kDepartment,        // phòng, ban chuyên môn
  kChair,             // chủ trì: Bí thư / Chủ tịch
  kSecretary,         // thư ký
  kHamletLead,        // trưởng thôn
  kCitizen,           // nhân dân
  kProvince,          // cấp trên: reads every commune of its province
  kAdmin,             // platform operator: tenants and provinces
};

absl::optional<Role> ParseRole(absl::string_view name);
absl::string_view RoleName(Role role);

struct Principal {
  std::string subject;
  std::string tenant;    // tenant id for commune staff and citizens, e.g. "dien-chau"
  std::string province;  // province id for province readers
  std::set<Role> roles;
  std::string department = "";  // the department a kDepartment principal answers for

  bool Has(Role role) const { return roles.count(role) > 0; }
  bool HasAny(std::initializer_list<Role> any) const;
  bool IsStaffOf(absl::string_view tenant_id) const;
};

enum class Access { kRead, kWrite };

// May `principal` read or change data of `tenant_id`, whose province is `tenant_province`?
// Staff act on their own tenant; province readers read the tenants of their province;
// administrators do anything. The refusal is PERMISSION_DENIED and names both sides, and
// it comes before any lookup of the resource, so ids of other tenants cannot be probed.
absl::Status Authorize(const Principal& principal, absl::string_view tenant_id,
                       absl::string_view tenant_province, Access access);

}  // namespace dialogue::auth
