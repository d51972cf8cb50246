// An OpenAPI 3 document and a readable HTML page, generated from the route table at
// start-up, so the published API is always the contract's.
#pragma once

#include <string>

#include "routes.h"

namespace dialogue::gateway {

std::string OpenApiJson(const RouteTable& routes);
std::string ApiPageHtml(const RouteTable& routes);

}  // namespace dialogue::gateway
