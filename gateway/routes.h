// The gateway's routes, derived from the contract: every method of every dialogue.v1
// service with a google.api.http option (and its additional_bindings), which program
// hosts it, and whether citizens may call it without an account.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "path_template.h"

namespace dialogue::gateway {

struct Route {
  std::string http_method;  // GET, POST, PATCH, PUT, DELETE
  PathTemplate path;
  std::string body;  // "" (none), "*" (the whole request), or a request field's name
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_path;   // "/dialogue.v1.PlanningService/GetPlan"
  std::string program;     // from (dialogue.v1.program)
  bool is_public = false;  // (dialogue.v1.public_route)
  int binding = 0;         // 0: the method's own rule; n: its n-th additional binding
};

class RouteTable {
 public:
  // Every service in files whose name starts with `file_prefix` in the generated pool.
  static absl::StatusOr<RouteTable> FromGeneratedPool(const std::string& file_prefix = "dialogue/");
  static absl::StatusOr<RouteTable> FromServices(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  enum class Result { kFound, kNotFound, kMethodNotAllowed };
  // On kFound sets *route and appends the path variables; on kMethodNotAllowed sets
  // *allowed to the methods the path accepts ("GET, POST").
  Result Match(absl::string_view http_method, absl::string_view path, const Route** route,
               std::vector<std::pair<std::string, std::string>>* bindings,
               std::string* allowed) const;

  const std::vector<Route>& routes() const { return routes_; }
  // The programs the routes need, e.g. {"planning"}.
  std::vector<std::string> Programs() const;

 private:
  std::vector<Route> routes_;
};

}  // namespace dialogue::gateway
