#include "dialogue/telemetry/span.h"

#include "absl/time/clock.h"
#include "dialogue/telemetry/exporter.h"

namespace dialogue::telemetry {
namespace {

thread_local const TraceContext* active_trace = nullptr;
thread_local Span* active_span = nullptr;

}  // namespace

Span::Span(std::string name, SpanKind kind, TraceContext context) : context_(std::move(context)) {
  if (!context_.sampled || !internal::Recording()) return;
  data_ = std::make_unique<SpanData>();
  data_->name = std::move(name);
  data_->kind = kind;
  data_->attributes.reserve(8);
  data_->start_unix_nanos = absl::GetCurrentTimeNanos();
}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    End();
    context_ = std::move(other.context_);
    data_ = std::move(other.data_);
  }
  return *this;
}

Span& Span::Set(absl::string_view key, absl::string_view value) {
  if (data_) data_->attributes.emplace_back(std::string(key), std::string(value));
  return *this;
}

Span& Span::Set(absl::string_view key, int64_t value) {
  if (data_) data_->attributes.emplace_back(std::string(key), value);
  return *this;
}

Span& Span::SetBool(absl::string_view key, bool value) {
  if (data_) data_->attributes.emplace_back(std::string(key), value);
  return *this;
}

bool Span::Has(absl::string_view key) const {
  if (!data_) return false;
  for (const auto& attribute : data_->attributes) {
    if (attribute.first == key) return true;
  }
  return false;
}

void Span::Rename(std::string name) {
  if (data_) data_->name = std::move(name);
}

void Span::SetError(absl::string_view message) {
  if (!data_) return;
  data_->error = true;
  data_->error_message = std::string(message.substr(0, 256));
}

void Span::End() {
  if (!data_) return;
  data_->end_unix_nanos = absl::GetCurrentTimeNanos();
  data_->context = context_;
  internal::Enqueue(std::move(data_));
}

bool Recording() { return internal::Recording(); }

Span StartSpan(std::string name, SpanKind kind, const TraceContext& parent) {
  return Span(std::move(name), kind, parent.Child());
}

const TraceContext* ActiveTrace() { return active_trace; }

Span* ActiveSpan() { return active_span; }

Span StartActiveChild(std::string name, SpanKind kind) {
  if (active_trace == nullptr) return Span();
  return StartSpan(std::move(name), kind, *active_trace);
}

ActiveScope::ActiveScope(Span& span) : saved_context_(active_trace), saved_span_(active_span) {
  active_trace = &span.context();
  active_span = &span;
}

ActiveScope::ActiveScope(const TraceContext& context)
    : saved_context_(active_trace), saved_span_(active_span) {
  active_trace = &context;
  active_span = nullptr;
}

ActiveScope::~ActiveScope() {
  active_trace = saved_context_;
  active_span = saved_span_;
}

}  // namespace dialogue::telemetry
