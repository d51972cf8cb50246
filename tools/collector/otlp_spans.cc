#include "otlp_spans.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>
#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dialogue::collector {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

const Value* Field(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? nullptr : &it->second;
}

std::string Text(const Struct& s, const std::string& name) {
  const Value* v = Field(s, name);
  if (v == nullptr) return "";
  if (v->has_string_value()) return v->string_value();
  if (v->has_number_value()) return absl::StrCat(static_cast<int64_t>(v->number_value()));
  if (v->has_bool_value()) return v->bool_value() ? "true" : "false";
  return "";
}

std::vector<const Struct*> List(const Struct& s, const std::string& name) {
  std::vector<const Struct*> out;
  const Value* v = Field(s, name);
  if (v == nullptr || !v->has_list_value()) return out;
  for (const Value& item : v->list_value().values()) {
    if (item.has_struct_value()) out.push_back(&item.struct_value());
  }
  return out;
}

// An AnyValue ({"stringValue": ...} or intValue, boolValue, doubleValue) as text.
std::string AnyValueText(const Struct& value) {
  for (const char* key : {"stringValue", "intValue", "boolValue", "doubleValue"}) {
    if (Field(value, key) != nullptr) return Text(value, key);
  }
  return "";
}

std::map<std::string, std::string> Attributes(const Struct& s) {
  std::map<std::string, std::string> out;
  for (const Struct* kv : List(s, "attributes")) {
    const Value* value = Field(*kv, "value");
    out[Text(*kv, "key")] =
        value != nullptr && value->has_struct_value() ? AnyValueText(value->struct_value()) : "";
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<CollectedSpan>> ParseOtlpJson(const std::string& json) {
  Struct root;
  if (!google::protobuf::util::JsonStringToMessage(json, &root).ok()) {
    return absl::InvalidArgumentError("not OTLP JSON");
  }
  std::vector<CollectedSpan> spans;
  for (const Struct* resource_spans : List(root, "resourceSpans")) {
    std::string service;
    const Value* resource = Field(*resource_spans, "resource");
    if (resource != nullptr && resource->has_struct_value()) {
      service = Attributes(resource->struct_value())["service.name"];
    }
    for (const Struct* scope_spans : List(*resource_spans, "scopeSpans")) {
      for (const Struct* s : List(*scope_spans, "spans")) {
        CollectedSpan span;
        span.service = service;
        span.trace_id = Text(*s, "traceId");
        span.span_id = Text(*s, "spanId");
        span.parent_span_id = Text(*s, "parentSpanId");
        span.name = Text(*s, "name");
        (void)absl::SimpleAtoi(Text(*s, "kind"), &span.kind);
        (void)absl::SimpleAtoi(Text(*s, "startTimeUnixNano"), &span.start_unix_nanos);
        (void)absl::SimpleAtoi(Text(*s, "endTimeUnixNano"), &span.end_unix_nanos);
        span.attributes = Attributes(*s);
        const Value* status = Field(*s, "status");
        span.error = status != nullptr && status->has_struct_value() &&
                     Text(status->struct_value(), "code") == "2";
        spans.push_back(std::move(span));
      }
    }
  }
  return spans;
}

std::vector<CollectedSpan> ReadCollectedSpans(const std::string& path) {
  std::vector<CollectedSpan> spans;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto parsed = ParseOtlpJson(line);
    if (!parsed.ok()) continue;
    for (auto& span : *parsed) spans.push_back(std::move(span));
  }
  return spans;
}

std::string FormatTrace(const std::vector<CollectedSpan>& spans, const std::string& trace_id) {
  std::vector<const CollectedSpan*> mine;
  for (const auto& span : spans) {
    if (span.trace_id == trace_id) mine.push_back(&span);
  }
  std::sort(mine.begin(), mine.end(), [](const CollectedSpan* a, const CollectedSpan* b) {
    return a->start_unix_nanos < b->start_unix_nanos;
  });
  std::string out;
  std::function<void(const std::string&, int)> print = [&](const std::string& parent, int depth) {
    for (const CollectedSpan* span : mine) {
      bool is_root = parent.empty() && (span->parent_span_id.empty() ||
                                        std::none_of(mine.begin(), mine.end(), [&](auto* other) {
                                          return other->span_id == span->parent_span_id;
                                        }));
      if (parent.empty() ? !is_root : span->parent_span_id != parent) continue;
      absl::StrAppendFormat(&out, "%*s%-12s %-50s %9.3f ms%s", depth * 2, "", span->service,
                            span->name, (span->end_unix_nanos - span->start_unix_nanos) / 1e6,
                            span->error ? "  ERROR" : "");
      for (const auto& [key, value] : span->attributes) {
        absl::StrAppend(&out, "  ", key, "=", value);
      }
      out += "\n";
      print(span->span_id, depth + 1);
    }
  };
  print("", 0);
  return out;
}

}  // namespace dialogue::collector
