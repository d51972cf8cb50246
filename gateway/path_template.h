// google.api.http path templates: "/v1/{name=tenants/*/plans/*}:approve" parsed once and
// matched against request paths, binding variables to request field paths.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dialogue::gateway {

class PathTemplate {
 public:
  // Template = "/" Segment { "/" Segment } [ ":" Verb ];
  // Segment = "*" | "**" | LITERAL | "{" FieldPath [ "=" Segment { "/" Segment } ] "}".
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // Matches decoded path segments and the custom verb ("" for none); on success appends
  // (field path, value) for each variable, the value being its segments joined by '/'.
  bool Match(const std::vector<std::string>& segments, absl::string_view verb,
             std::vector<std::pair<std::string, std::string>>* bindings) const;

  // The path for OpenAPI: variables become named parameters ("/v1/tenants/{tenant}/plans/{plan}").
  std::string OpenApiPath() const;
  // Parameter names OpenApiPath() uses, each with the field path it fills.
  std::vector<std::pair<std::string, std::string>> OpenApiParameters() const;

  const std::string& text() const { return text_; }
  const std::string& verb() const { return verb_; }
  int literal_count() const;  // for ordering: more literal templates match first

 private:
  enum class Kind { kLiteral, kStar, kDoubleStar };
  struct Segment {
    Kind kind;
    std::string literal;
  };
  struct Variable {
    std::string field_path;
    size_t begin;  // segment range [begin, end)
    size_t end;
  };
  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::string verb_;
};

// Splits a request path into %-decoded segments and a custom verb (after the last ':' of
// the last segment). INVALID_ARGUMENT for a malformed escape.
absl::Status SplitPath(absl::string_view path, std::vector<std::string>* segments,
                       std::string* verb);

}  // namespace dialogue::gateway
