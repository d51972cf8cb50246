#include "path_template.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace dialogue::gateway {

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate t;
  t.text_ = std::string(text);
  absl::string_view rest = text;
  if (!absl::ConsumePrefix(&rest, "/")) {
    return absl::InvalidArgumentError(absl::StrCat("template '", text, "' must start with '/'"));
  }
  // A verb follows the last ':' that is outside braces.
  int depth = 0;
  size_t verb_at = absl::string_view::npos;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '{') ++depth;
    if (rest[i] == '}') --depth;
    if (rest[i] == ':' && depth == 0) verb_at = i;
  }
  if (verb_at != absl::string_view::npos) {
    t.verb_ = std::string(rest.substr(verb_at + 1));
    rest = rest.substr(0, verb_at);
  }
  auto add_segment = [&](absl::string_view s) -> absl::Status {
    if (s == "*") {
      t.segments_.push_back({Kind::kStar, ""});
    } else if (s == "**") {
      t.segments_.push_back({Kind::kDoubleStar, ""});
    } else if (s.empty() || absl::StrContains(s, "{") || absl::StrContains(s, "}")) {
      return absl::InvalidArgumentError(
          absl::StrCat("template '", text, "' has a bad segment '", s, "'"));
    } else {
      t.segments_.push_back({Kind::kLiteral, std::string(s)});
    }
    return absl::OkStatus();
  };
  while (!rest.empty()) {
    if (rest.front() == '{') {
      size_t close = rest.find('}');
      if (close == absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("template '", text, "' has an unclosed '{'"));
      }
      absl::string_view inside = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
      std::vector<absl::string_view> parts = absl::StrSplit(inside, absl::MaxSplits('=', 1));
      Variable var{std::string(parts[0]), t.segments_.size(), 0};
      if (parts.size() == 1) {
        t.segments_.push_back({Kind::kStar, ""});
      } else {
        for (absl::string_view s : absl::StrSplit(parts[1], '/')) {
          auto status = add_segment(s);
          if (!status.ok()) return status;
        }
      }
      var.end = t.segments_.size();
      t.variables_.push_back(var);
    } else {
      size_t slash = rest.find('/');
      auto status = add_segment(rest.substr(0, slash));
      if (!status.ok()) return status;
      rest = slash == absl::string_view::npos ? absl::string_view() : rest.substr(slash);
    }
    if (!rest.empty() && !absl::ConsumePrefix(&rest, "/")) {
      return absl::InvalidArgumentError(absl::StrCat("template '", text, "' is malformed"));
    }
  }
  return t;
}

bool PathTemplate::Match(const std::vector<std::string>& segments, absl::string_view verb,
                         std::vector<std::pair<std::string, std::string>>* bindings) const {
  if (verb != verb_) return false;
  // Only a trailing "**" may span several segments (as in Google's templates).
  bool tail = !segments_.empty() && segments_.back().kind == Kind::kDoubleStar;
  if (tail ? segments.size() < segments_.size() - 1 : segments.size() != segments_.size())
    return false;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.kind == Kind::kLiteral && segments[i] != s.literal) return false;
    if (s.kind == Kind::kStar && segments[i].empty()) return false;
  }
  for (const Variable& v : variables_) {
    size_t end = (tail && v.end == segments_.size()) ? segments.size() : v.end;
    std::vector<absl::string_view> parts(segments.begin() + v.begin, segments.begin() + end);
    bindings->emplace_back(v.field_path, absl::StrJoin(parts, "/"));
  }
  return true;
}

int PathTemplate::literal_count() const {
  int n = 0;
  for (const auto& s : segments_) n += s.kind == Kind::kLiteral ? 1 : 0;
  return n;
}

std::vector<std::pair<std::string, std::string>> PathTemplate::OpenApiParameters() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].kind == Kind::kLiteral) continue;
    std::string name = "param";
    if (i > 0 && segments_[i - 1].kind == Kind::kLiteral) {
      name = segments_[i - 1].literal;
      if (absl::EndsWith(name, "s")) name.pop_back();  // tenants -> tenant
    }
    std::string field;
    for (const auto& v : variables_) {
      if (i >= v.begin && i < v.end) field = v.field_path;
    }
    out.emplace_back(name, field);
  }
  return out;
}

std::string PathTemplate::OpenApiPath() const {
  std::vector<std::string> parts;
  auto params = OpenApiParameters();
  size_t p = 0;
  for (const auto& s : segments_) {
    parts.push_back(s.kind == Kind::kLiteral ? s.literal
                                             : absl::StrCat("{", params[p++].first, "}"));
  }
  return absl::StrCat("/", absl::StrJoin(parts, "/"), verb_.empty() ? "" : ":", verb_);
}

absl::Status SplitPath(absl::string_view path, std::vector<std::string>* segments,
                       std::string* verb) {
  absl::string_view rest = path;
  absl::ConsumePrefix(&rest, "/");
  for (absl::string_view raw : absl::StrSplit(rest, '/')) {
    std::string decoded;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%') {
        if (i + 2 >= raw.size() || !absl::ascii_isxdigit(raw[i + 1]) ||
            !absl::ascii_isxdigit(raw[i + 2])) {
          return absl::InvalidArgumentError("the path has a malformed %-escape");
        }
        decoded += static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        decoded += raw[i];
      }
    }
    segments->push_back(std::move(decoded));
  }
  verb->clear();
  if (!segments->empty()) {
    std::string& last = segments->back();
    size_t colon = last.rfind(':');
    if (colon != std::string::npos) {
      *verb = last.substr(colon + 1);
      last.resize(colon);
    }
  }
  return absl::OkStatus();
}

}  // namespace dialogue::gateway
