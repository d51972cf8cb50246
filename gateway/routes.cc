#include "routes.h"

#include <google/protobuf/descriptor_database.h>

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dialogue/common/status.h"
#include "dialogue/v1/common.pb.h"
#include "google/api/annotations.pb.h"

namespace dialogue::gateway {
namespace {

absl::Status AddRule(const google::protobuf::MethodDescriptor* method, const std::string& program,
                     const google::api::HttpRule& rule, int binding, std::vector<Route>* routes) {
  Route route;
  route.binding = binding;
  std::string path;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      route.http_method = "GET", path = rule.get();
      break;
    case google::api::HttpRule::kPost:
      route.http_method = "POST", path = rule.post();
      break;
    case google::api::HttpRule::kPatch:
      route.http_method = "PATCH", path = rule.patch();
      break;
    case google::api::HttpRule::kPut:
      route.http_method = "PUT", path = rule.put();
      break;
    case google::api::HttpRule::kDelete:
      route.http_method = "DELETE", path = rule.delete_();
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(method->full_name(), ": unsupported http rule"));
  }
  auto parsed = PathTemplate::Parse(path);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": ", parsed.status().message()));
  }
  route.path = *std::move(parsed);
  route.body = rule.body();
  if (!route.body.empty() && route.body != "*" &&
      method->input_type()->FindFieldByName(route.body) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": body field '", route.body, "' does not exist"));
  }
  route.method = method;
  route.grpc_path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
  route.program = program;
  route.is_public = method->options().GetExtension(dialogue::v1::public_route);
  routes->push_back(std::move(route));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RouteTable> RouteTable::FromServices(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  for (const auto* service : services) {
    std::string program = service->options().GetExtension(dialogue::v1::program);
    for (int m = 0; m < service->method_count(); ++m) {
      const auto* method = service->method(m);
      if (!method->options().HasExtension(google::api::http)) continue;
      if (program.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(service->full_name(), " has HTTP routes but no (dialogue.v1.program)"));
      }
      const auto& rule = method->options().GetExtension(google::api::http);
      RETURN_IF_ERROR(AddRule(method, program, rule, 0, &table.routes_));
      for (int b = 0; b < rule.additional_bindings_size(); ++b) {
        RETURN_IF_ERROR(
            AddRule(method, program, rule.additional_bindings(b), b + 1, &table.routes_));
      }
    }
  }
  // More specific templates first, so "/v1/calendar:convert" wins over "/v1/{name=*}".
  std::stable_sort(table.routes_.begin(), table.routes_.end(), [](const Route& a, const Route& b) {
    return a.path.literal_count() > b.path.literal_count();
  });
  return table;
}

absl::StatusOr<RouteTable> RouteTable::FromGeneratedPool(const std::string& file_prefix) {
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const auto& name : files) {
    if (!absl::StartsWith(name, file_prefix)) continue;
    const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) services.push_back(file->service(s));
  }
  if (services.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no services found in '", file_prefix,
                                                      "*' files: is the contract linked in?"));
  }
  return FromServices(services);
}

RouteTable::Result RouteTable::Match(absl::string_view http_method, absl::string_view path,
                                     const Route** route,
                                     std::vector<std::pair<std::string, std::string>>* bindings,
                                     std::string* allowed) const {
  std::vector<std::string> segments;
  std::string verb;
  if (!SplitPath(path, &segments, &verb).ok()) return Result::kNotFound;
  std::set<std::string> methods;
  for (const Route& r : routes_) {
    std::vector<std::pair<std::string, std::string>> found;
    if (!r.path.Match(segments, verb, &found)) continue;
    if (r.http_method == http_method) {
      *route = &r;
      *bindings = std::move(found);
      return Result::kFound;
    }
    methods.insert(r.http_method);
  }
  if (methods.empty()) return Result::kNotFound;
  *allowed = absl::StrJoin(methods, ", ");
  return Result::kMethodNotAllowed;
}

std::vector<std::string> RouteTable::Programs() const {
  std::set<std::string> programs;
  for (const auto& r : routes_) programs.insert(r.program);
  return {programs.begin(), programs.end()};
}

}  // namespace dialogue::gateway
