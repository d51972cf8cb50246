// A plan (Kế hoạch) as the document its issuer signs: the Party's layout for a Party
// committee's plan (seeds 000, 001, 002), Decree 30/2020's for a People's Committee's.
#pragma once

#include <string>

#include "dialogue/documents/document.h"
#include "dialogue/v1/planning.pb.h"

namespace dialogue::planning {

namespace v1 = ::dialogue::v1;

// Whether a Party committee issues the plan: by its issuing body, or by its authority's
// name where an upper level's board is the Party's ("Ban Thường vụ Huyện ủy").
bool IssuedByParty(const v1::Plan& plan);

// The plan's document: bases, purposes and requirements, content (topics, form, hosts,
// participants, each conference's time and place), the tasks with their units and dates,
// the distribution and the signer. `commune` is the tenant's display name, `upper_unit` the
// display name of the level above it ("Huyện Tân Yên", "Tỉnh Nghệ An"): a Party committee's
// plan is headed by that level's Party organization ("ĐẢNG BỘ HUYỆN TÂN YÊN"); empty for none.
documents::Document PlanDocument(const v1::Plan& plan, const std::string& commune,
                                 const std::string& upper_unit);

}  // namespace dialogue::planning
