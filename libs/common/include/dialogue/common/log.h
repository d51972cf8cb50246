// Structured logs: one JSON object per line on stderr, with the trace id and tenant of
// the request being served (set once per request with ScopedLogContext).
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dialogue::common {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

using LogField = std::pair<absl::string_view, std::string>;

void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields = {});

// Messages below this level are dropped. Default: kInfo.
void SetMinLogLevel(LogLevel level);

// Sets the trace id and tenant that Log adds, for the current thread and scope.
class ScopedLogContext {
 public:
  ScopedLogContext(std::string trace_id, std::string tenant);
  ~ScopedLogContext();
  ScopedLogContext(const ScopedLogContext&) = delete;
  ScopedLogContext& operator=(const ScopedLogContext&) = delete;

  static void SetTenant(std::string tenant);

 private:
  std::string saved_trace_id_;
  std::string saved_tenant_;
};

// Logs why a program cannot start and returns its exit code (1): `return StartupFailed(s);`
int StartupFailed(const absl::Status& status);

// Escapes a string for a JSON string literal (without the quotes).
std::string JsonEscape(absl::string_view text);
// The same, appended to `out` (no string of its own: for encoders on a hot path).
void AppendJsonEscaped(std::string& out, absl::string_view text);

}  // namespace dialogue::common
