// Spans: a timed piece of a trace with its attributes (OpenTelemetry's data model), handed
// to the exporter when they end. A span records only while the exporter runs and its
// trace is sampled; otherwise it is inert and costs a context and nothing more.
//
// The span a thread works for is its active span (ActiveScope): database transactions and
// calls made on the request's behalf become its children without being handed it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "dialogue/telemetry/trace_context.h"

namespace dialogue::telemetry {

// OTLP's SpanKind numbers.
enum class SpanKind { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };

using AttributeValue = std::variant<std::string, int64_t, bool>;

// What an ended span hands to the exporter.
struct SpanData {
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  TraceContext context;
  int64_t start_unix_nanos = 0;
  int64_t end_unix_nanos = 0;
  std::vector<std::pair<std::string, AttributeValue>> attributes;
  bool error = false;  // OTLP status ERROR; otherwise UNSET
  std::string error_message;
};

class Span {
 public:
  Span() = default;  // records nothing, has no context
  // Starts now as the span of `context` (its ids are this span's own).
  Span(std::string name, SpanKind kind, TraceContext context);
  ~Span() { End(); }
  Span(Span&&) noexcept = default;
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  const TraceContext& context() const { return context_; }
  bool recording() const { return data_ != nullptr; }

  // Attributes (OpenTelemetry semantic-convention names). Never personal data: names,
  // texts, phone numbers and tokens stay out of spans.
  Span& Set(absl::string_view key, absl::string_view value);
  Span& Set(absl::string_view key, const char* value) { return Set(key, absl::string_view(value)); }
  Span& Set(absl::string_view key, int64_t value);
  Span& Set(absl::string_view key, int value) { return Set(key, static_cast<int64_t>(value)); }
  Span& SetBool(absl::string_view key, bool value);
  // Whether an attribute `key` was set (false when not recording).
  bool Has(absl::string_view key) const;
  // A better name, once it is known (the HTTP route, after matching).
  void Rename(std::string name);
  // Marks the span failed (status ERROR) with a short reason.
  void SetError(absl::string_view message);
  // Ends the span and hands it to the exporter; later calls do nothing.
  void End();

 private:
  TraceContext context_;
  std::unique_ptr<SpanData> data_;  // null when not recording
};

// Whether spans record at all now (an exporter runs): work that only feeds spans can be
// skipped when not.
bool Recording();

// A new span under `parent` (same trace, its own span id).
Span StartSpan(std::string name, SpanKind kind, const TraceContext& parent);

// The span this thread works for, or null; ActiveSpan is null too when the thread works
// for a context without a span object of its own.
const TraceContext* ActiveTrace();
Span* ActiveSpan();

// A new span under the thread's active span; inert when the thread works for none, so
// that background polling (relays, sweeps) does not start a trace per pass.
Span StartActiveChild(std::string name, SpanKind kind);

// Makes `span` (or a bare context) the thread's active span for the scope, restoring the
// one before at its end.
class ActiveScope {
 public:
  explicit ActiveScope(Span& span);
  explicit ActiveScope(const TraceContext& context);
  ~ActiveScope();
  ActiveScope(const ActiveScope&) = delete;
  ActiveScope& operator=(const ActiveScope&) = delete;

 private:
  const TraceContext* saved_context_;
  Span* saved_span_;
};

}  // namespace dialogue::telemetry
