#include "dialogue/telemetry/exporter.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"
#include "dialogue/telemetry/http_post.h"

namespace dialogue::telemetry {
namespace {

// The one exporter of the process. Spans are queued under a mutex (a push is a pointer
// move); the thread takes a whole batch at a time.
class Exporter {
 public:
  static Exporter& Get() {
    static Exporter* exporter = new Exporter();  // never destroyed: spans may end late
    return *exporter;
  }

  bool recording() const { return recording_.load(std::memory_order_relaxed); }

  void Start(ExportOptions options) {
    std::lock_guard<std::mutex> lock(mu_);
    options_ = std::move(options);
    stopping_ = false;
    recording_ = true;
    thread_ = std::thread([this] { Run(); });
  }

  void Stop() {
    recording_ = false;
    Flush();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void Enqueue(std::unique_ptr<SpanData> span) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!recording() || queue_.size() >= options_.max_queue) {
        ++dropped_;
        return;
      }
      queue_.push_back(std::move(span));
      if (queue_.size() < options_.max_batch) return;
    }
    wake_.notify_one();
  }

  void Flush() {
    std::unique_lock<std::mutex> lock(mu_);
    flush_requested_ = true;
    wake_.notify_all();
    flushed_.wait_for(lock, options_.timeout * 2,
                      [&] { return (queue_.empty() && in_flight_ == 0) || !thread_.joinable(); });
  }

  ExportStats Stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return ExportStats{exported_, dropped_, queue_.size() + in_flight_};
  }

 private:
  void Run() {
    JsonPost post;
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      wake_.wait_for(lock, options_.interval, [&] {
        return stopping_ || queue_.size() >= options_.max_batch || flush_requested_;
      });
      if (queue_.empty()) {
        flush_requested_ = false;
        flushed_.notify_all();
        if (stopping_) break;
        continue;
      }
      std::vector<SpanData> batch;
      batch.reserve(std::min(queue_.size(), options_.max_batch));
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(*queue_.front()));
        queue_.pop_front();
      }
      in_flight_ = batch.size();
      ExportOptions options = options_;
      lock.unlock();
      bool sent = Post(post, options, EncodeOtlpJson(options.resource, batch));
      lock.lock();
      in_flight_ = 0;
      (sent ? exported_ : dropped_) += batch.size();
      if (queue_.empty()) {
        flush_requested_ = false;
        flushed_.notify_all();
      }
    }
  }

  bool Post(JsonPost& post, const ExportOptions& options, const std::string& body) {
    std::vector<std::string> headers;
    for (const auto& [key, value] : options.headers)
      headers.push_back(absl::StrCat(key, ": ", value));
    absl::StatusOr<int> status =
        post.Send(options.endpoint, headers, body, absl::FromChrono(options.timeout));
    bool ok = status.ok() && *status >= 200 && *status < 300;
    if (!ok && !warned_) {
      // Once: a collector that is down must not fill the logs as well.
      warned_ = true;
      common::Log(common::LogLevel::kWarning, "spans cannot be exported; dropping them",
                  {{"endpoint", options.endpoint},
                   {"error", status.ok() ? absl::StrCat("HTTP ", *status)
                                         : std::string(status.status().message())}});
    }
    return ok;
  }

  std::atomic<bool> recording_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  ExportOptions options_;
  std::deque<std::unique_ptr<SpanData>> queue_;
  size_t in_flight_ = 0;
  uint64_t exported_ = 0;
  uint64_t dropped_ = 0;
  bool flush_requested_ = false;
  bool stopping_ = false;
  bool warned_ = false;  // only touched by the export thread
  std::thread thread_;
};

void AppendAttribute(std::string& out, absl::string_view key, const AttributeValue& value) {
  out += "{\"key\":\"";
  common::AppendJsonEscaped(out, key);
  out += "\",\"value\":{";
  if (const auto* s = std::get_if<std::string>(&value)) {
    out += "\"stringValue\":\"";
    common::AppendJsonEscaped(out, *s);
    out += "\"}}";
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    absl::StrAppend(&out, "\"intValue\":\"", *i, "\"}}");
  } else {
    out += std::get<bool>(value) ? "\"boolValue\":true}}" : "\"boolValue\":false}}";
  }
}

// "k1=v1,k2=v2" (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS), values
// percent-decoded as the specification says.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> KeyValueList(
    absl::string_view variable, absl::string_view text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    size_t eq = item.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(variable, ": '", item, "' is not key=value"));
    }
    std::string value;
    absl::string_view raw = absl::StripAsciiWhitespace(item.substr(eq + 1));
    for (size_t i = 0; i < raw.size(); ++i) {
      int byte = 0;
      if (raw[i] == '%' && i + 2 < raw.size() && absl::SimpleHexAtoi(raw.substr(i + 1, 2), &byte)) {
        value += static_cast<char>(byte);
        i += 2;
      } else {
        value += raw[i];
      }
    }
    pairs.emplace_back(std::string(absl::StripAsciiWhitespace(item.substr(0, eq))), value);
  }
  return pairs;
}

}  // namespace

namespace internal {
bool Recording() { return Exporter::Get().recording(); }
void Enqueue(std::unique_ptr<SpanData> span) { Exporter::Get().Enqueue(std::move(span)); }
}  // namespace internal

std::string EncodeOtlpJson(const std::vector<std::pair<std::string, std::string>>& resource,
                           const std::vector<SpanData>& spans) {
  std::string out = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[";
  for (size_t i = 0; i < resource.size(); ++i) {
    if (i > 0) out += ',';
    AppendAttribute(out, resource[i].first, resource[i].second);
  }
  out += "]},\"scopeSpans\":[{\"scope\":{\"name\":\"dialogue\"},\"spans\":[";
  out.reserve(out.size() + spans.size() * 600);
  for (size_t i = 0; i < spans.size(); ++i) {
    const SpanData& span = spans[i];
    if (i > 0) out += ',';
    out += "{\"traceId\":\"";
    out += span.context.trace_id;
    out += "\",\"spanId\":\"";
    out += span.context.span_id;
    out += '"';
    if (!span.context.parent_span_id.empty()) {
      out += ",\"parentSpanId\":\"";
      out += span.context.parent_span_id;
      out += '"';
    }
    out += ",\"name\":\"";
    common::AppendJsonEscaped(out, span.name);
    absl::StrAppend(&out, "\",\"kind\":", static_cast<int>(span.kind), ",\"startTimeUnixNano\":\"",
                    span.start_unix_nanos, "\",\"endTimeUnixNano\":\"", span.end_unix_nanos,
                    "\",\"attributes\":[");
    for (size_t a = 0; a < span.attributes.size(); ++a) {
      if (a > 0) out += ',';
      AppendAttribute(out, span.attributes[a].first, span.attributes[a].second);
    }
    out += ']';
    if (span.error) {
      out += ",\"status\":{\"code\":2,\"message\":\"";
      common::AppendJsonEscaped(out, span.error_message);
      out += "\"}";
    }
    out += '}';
  }
  out += "]}]}]}";
  return out;
}

absl::StatusOr<ExportOptions> OptionsFromEnvironment(
    const std::string& service_name, const std::function<const char*(const char*)>& getenv) {
  auto env = [&](const char* name) -> std::string {
    const char* value = getenv ? getenv(name) : std::getenv(name);
    return value == nullptr ? std::string() : std::string(absl::StripAsciiWhitespace(value));
  };
  ExportOptions options;
  if (absl::AsciiStrToLower(env("OTEL_SDK_DISABLED")) == "true") return options;
  std::string traces = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  std::string base = env("OTEL_EXPORTER_OTLP_ENDPOINT");
  if (!traces.empty()) {
    options.endpoint = traces;
  } else if (!base.empty()) {
    options.endpoint = absl::StrCat(absl::StripSuffix(base, "/"), "/v1/traces");
  }
  if (!options.endpoint.empty() && !absl::StartsWith(options.endpoint, "http://") &&
      !absl::StartsWith(options.endpoint, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat("OTEL_EXPORTER_OTLP_ENDPOINT: '",
                                                   options.endpoint, "' is not an http(s) URL"));
  }
  auto headers = KeyValueList("OTEL_EXPORTER_OTLP_HEADERS", env("OTEL_EXPORTER_OTLP_HEADERS"));
  if (!headers.ok()) return headers.status();
  options.headers = *std::move(headers);
  std::string timeout = env("OTEL_EXPORTER_OTLP_TIMEOUT");
  if (!timeout.empty()) {
    int ms = 0;
    if (!absl::SimpleAtoi(timeout, &ms) || ms <= 0) {
      return absl::InvalidArgumentError("OTEL_EXPORTER_OTLP_TIMEOUT: milliseconds above 0");
    }
    options.timeout = std::chrono::milliseconds(ms);
  }

  auto resource = KeyValueList("OTEL_RESOURCE_ATTRIBUTES", env("OTEL_RESOURCE_ATTRIBUTES"));
  if (!resource.ok()) return resource.status();
  std::string name = env("OTEL_SERVICE_NAME");
  for (const auto& [key, value] : *resource) {
    if (key == "service.name" && name.empty()) name = value;
  }
  options.resource.emplace_back("service.name", name.empty() ? service_name : name);
  for (auto& [key, value] : *resource) {
    if (key != "service.name") options.resource.emplace_back(key, value);
  }

  std::string sampler = absl::AsciiStrToLower(env("OTEL_TRACES_SAMPLER"));
  std::string arg = env("OTEL_TRACES_SAMPLER_ARG");
  absl::string_view kind = sampler;
  options.sampler.parent_based = sampler.empty() || absl::ConsumePrefix(&kind, "parentbased_");
  if (kind.empty() || kind == "always_on") {
    options.sampler.kind = Sampler::Kind::kAlwaysOn;
  } else if (kind == "always_off") {
    options.sampler.kind = Sampler::Kind::kAlwaysOff;
  } else if (kind == "traceidratio") {
    options.sampler.kind = Sampler::Kind::kTraceIdRatio;
    double ratio = 1.0;
    if (!arg.empty() && (!absl::SimpleAtod(arg, &ratio) || ratio < 0 || ratio > 1)) {
      return absl::InvalidArgumentError("OTEL_TRACES_SAMPLER_ARG: a ratio from 0 to 1");
    }
    options.sampler.ratio = ratio;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "OTEL_TRACES_SAMPLER: '", sampler,
        "' is none of always_on, always_off, traceidratio and their parentbased_ forms"));
  }
  return options;
}

ExportStats Stats() { return Exporter::Get().Stats(); }

Tracing::Tracing(ExportOptions options) {
  SetSampler(options.sampler);
  if (options.endpoint.empty()) return;
  common::Log(common::LogLevel::kInfo, "exporting spans",
              {{"endpoint", options.endpoint},
               {"service", options.resource.empty() ? "" : options.resource[0].second}});
  Exporter::Get().Start(std::move(options));
  started_ = true;
}

Tracing::~Tracing() {
  if (started_) Exporter::Get().Stop();
}

void Tracing::Flush() {
  if (started_) Exporter::Get().Flush();
}

}  // namespace dialogue::telemetry
