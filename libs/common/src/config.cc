#include "dialogue/common/config.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace dialogue::common {

absl::StatusOr<Config> Config::FromArgs(int argc, const char* const* argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      config.args_.emplace_back(arg);
      continue;
    }
    if (arg.empty()) return absl::InvalidArgumentError("empty flag name '--'");
    auto eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      config.flags_[std::string(arg.substr(0, eq))] = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc && absl::string_view(argv[i + 1]).substr(0, 2) != "--") {
      config.flags_[std::string(arg)] = argv[++i];
    } else {
      config.flags_[std::string(arg)] = "true";
    }
  }
  return config;
}

std::string Config::EnvName(absl::string_view name) {
  return absl::StrCat("DIALOGUE_", absl::AsciiStrToUpper(absl::StrReplaceAll(name, {{"-", "_"}})));
}

const std::string* Config::Find(absl::string_view name) const {
  if (auto it = flags_.find(name); it != flags_.end()) return &it->second;
  if (const char* env = std::getenv(EnvName(name).c_str()); env != nullptr) {
    env_value_ = env;
    return &env_value_;
  }
  return nullptr;
}

bool Config::Has(absl::string_view name) const { return Find(name) != nullptr; }

std::string Config::String(absl::string_view name, absl::string_view fallback,
                           absl::string_view help) {
  documented_[std::string(name)] =
      absl::StrCat(help, help.empty() ? "" : " ", "(default: \"", fallback, "\")");
  const std::string* value = Find(name);
  return value != nullptr ? *value : std::string(fallback);
}

absl::StatusOr<int> Config::Int(absl::string_view name, int fallback, absl::string_view help) {
  std::string text = String(name, absl::StrCat(fallback), help);
  int value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " (or ", EnvName(name),
                                                   ") must be a whole number, got \"", text, "\""));
  }
  return value;
}

bool Config::Bool(absl::string_view name, bool fallback, absl::string_view help) {
  std::string text = absl::AsciiStrToLower(String(name, fallback ? "true" : "false", help));
  return text == "true" || text == "1" || text == "yes" || text == "on";
}

std::string Config::Usage() const {
  std::string out;
  for (const auto& [name, help] : documented_) {
    absl::StrAppend(&out, "  --", name, " / ", EnvName(name), "\n      ", help, "\n");
  }
  return out;
}

}  // namespace dialogue::common
