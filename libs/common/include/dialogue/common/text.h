// Text that people typed: UTF-8 decoding and the checks every service applies to it.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace dialogue::common {

// Decodes one code point at text[*i] and advances *i; -1 (and *i unchanged) for a
// malformed sequence: overlong forms, surrogates and values past Unicode included.
int32_t NextCodePoint(absl::string_view text, size_t* i);

// Appends code point `c` (0 to 0x10FFFF) to `out` as UTF-8.
void AppendUtf8(std::string& out, int32_t c);

// Code points in `text`, or -1 when it is not valid UTF-8.
int Utf8Length(absl::string_view text);

// INVALID_ARGUMENT naming `field` when `text` is empty (if required), invalid UTF-8, holds
// a NUL or is longer than `max_chars` characters.
absl::Status CheckText(absl::string_view field, absl::string_view text, int max_chars,
                       bool required = true);

// INVALID_ARGUMENT naming the first string field of `message` (at any depth, by its path
// from `prefix`: "plan.conferences[0].venue") that is not valid UTF-8 (TEXT_NOT_UTF8) or
// holds a NUL (TEXT_HAS_NUL, which PostgreSQL's text cannot store). Bytes fields may hold
// anything. For what arrives from outside before it reaches a service.
absl::Status CheckStrings(const google::protobuf::Message& message, absl::string_view prefix = "");

}  // namespace dialogue::common
