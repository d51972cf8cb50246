#include "dialogue/common/log.h"

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dialogue::common {
namespace {

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
thread_local std::string current_trace_id;
thread_local std::string current_tenant;

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void AppendJsonEscaped(std::string& out, absl::string_view text) {
  size_t clean = 0;  // the run of characters that need no escape, appended at once
  auto flush = [&](size_t end) {
    out.append(text.data() + clean, end - clean);
    clean = end + 1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    flush(i);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += absl::StrFormat("\\u%04x", c);
    }
  }
  out.append(text.data() + clean, text.size() - clean);
}

std::string JsonEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  AppendJsonEscaped(out, text);
  return out;
}

void SetMinLogLevel(LogLevel level) { min_level = static_cast<int>(level); }

int StartupFailed(const absl::Status& status) {
  Log(LogLevel::kError, "cannot start", {{"error", status.ToString()}});
  return 1;
}

void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < min_level.load(std::memory_order_relaxed)) return;
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()),
      "\",\"level\":\"", LevelName(level), "\",\"msg\":\"");
  AppendJsonEscaped(line, message);
  line += '"';
  if (!current_trace_id.empty()) absl::StrAppend(&line, ",\"trace_id\":\"", current_trace_id, "\"");
  if (!current_tenant.empty()) {
    line += ",\"tenant\":\"";
    AppendJsonEscaped(line, current_tenant);
    line += '"';
  }
  for (const auto& [key, value] : fields) {
    line += ",\"";
    AppendJsonEscaped(line, key);
    line += "\":\"";
    AppendJsonEscaped(line, value);
    line += '"';
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

ScopedLogContext::ScopedLogContext(std::string trace_id, std::string tenant)
    : saved_trace_id_(std::move(current_trace_id)), saved_tenant_(std::move(current_tenant)) {
  current_trace_id = std::move(trace_id);
  current_tenant = std::move(tenant);
}

ScopedLogContext::~ScopedLogContext() {
  current_trace_id = std::move(saved_trace_id_);
  current_tenant = std::move(saved_tenant_);
}

void ScopedLogContext::SetTenant(std::string tenant) { current_tenant = std::move(tenant); }

}  // namespace dialogue::common
