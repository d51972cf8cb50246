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
// the distribution and the signer. `commune` is the tenant's display name.
documents::Document PlanDocument(const v1::Plan& plan, const std::string& commune);

}  // namespace dialogue::planning
