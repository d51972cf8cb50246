// Reading spans back from OTLP/HTTP JSON requests, as the local collector stores them (one
// request per line): for `dialoguectl traces show` and the tests that follow a trace.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dialogue::collector {

struct CollectedSpan {
  std::string service;  // the resource's service.name
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // "" for a root
  std::string name;
  int kind = 0;  // OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  int64_t start_unix_nanos = 0;
  int64_t end_unix_nanos = 0;
  std::map<std::string, std::string> attributes;  // every value as text
  bool error = false;
};

// The spans of one OTLP JSON request body.
absl::StatusOr<std::vector<CollectedSpan>> ParseOtlpJson(const std::string& json);

// The spans of every line of `path` (lines that do not parse are skipped).
std::vector<CollectedSpan> ReadCollectedSpans(const std::string& path);

// The spans of `trace_id` as an indented tree, children under parents in start order, each
// line "service  name  duration  key=value ...".
std::string FormatTrace(const std::vector<CollectedSpan>& spans, const std::string& trace_id);

}  // namespace dialogue::collector
