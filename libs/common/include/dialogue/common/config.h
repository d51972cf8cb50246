// Configuration from command-line flags and environment variables with defaults.
// A flag `--pg-uri=X` wins over `DIALOGUE_PG_URI=X`, which wins over the default.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dialogue::common {

class Config {
 public:
  // Reads `--name=value` and `--name value` flags; bare `--name` means "true".
  static absl::StatusOr<Config> FromArgs(int argc, const char* const* argv);

  // Each getter also records the option and its default for Usage().
  std::string String(absl::string_view name, absl::string_view fallback,
                     absl::string_view help = "");
  absl::StatusOr<int> Int(absl::string_view name, int fallback, absl::string_view help = "");
  bool Bool(absl::string_view name, bool fallback, absl::string_view help = "");
  bool Has(absl::string_view name) const;

  // Positional arguments, in order.
  const std::vector<std::string>& Args() const { return args_; }

  // The options asked for so far, with their environment variable and default.
  std::string Usage() const;

  // "pg-uri" -> "DIALOGUE_PG_URI".
  static std::string EnvName(absl::string_view name);

 private:
  const std::string* Find(absl::string_view name) const;

  std::map<std::string, std::string, std::less<>> flags_;
  std::vector<std::string> args_;
  std::map<std::string, std::string, std::less<>> documented_;
  mutable std::string env_value_;
};

}  // namespace dialogue::common
