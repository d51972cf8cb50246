#include "dialogue/common/text.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "dialogue/common/status.h"
#include "google/protobuf/message.h"

namespace dialogue::common {

int32_t NextCodePoint(absl::string_view text, size_t* i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(*i);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || *i + len > text.size()) return -1;
  int32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = byte(*i + k);
    if ((cc >> 6) != 0x2) return -1;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  *i += len;
  return cp;
}

void AppendUtf8(std::string& out, int32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

int Utf8Length(absl::string_view text) {
  int n = 0;
  for (size_t i = 0; i < text.size(); ++n) {
    if (NextCodePoint(text, &i) < 0) return -1;
  }
  return n;
}

namespace {

absl::Status HasNul(absl::string_view field) {
  return InvalidField(field, "TEXT_HAS_NUL", "the text holds a NUL character");
}

absl::Status CheckString(const std::string& field, absl::string_view text) {
  if (Utf8Length(text) < 0) {
    return InvalidField(field, "TEXT_NOT_UTF8", "the text is not valid UTF-8");
  }
  if (text.find('\0') != absl::string_view::npos) return HasNul(field);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckStrings(const google::protobuf::Message& message, absl::string_view prefix) {
  using google::protobuf::FieldDescriptor;
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  std::string scratch;
  for (const FieldDescriptor* field : fields) {
    const std::string path =
        prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    const bool text = field->type() == FieldDescriptor::TYPE_STRING;
    const bool nested = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (!text && !nested) continue;
    if (!field->is_repeated()) {
      RETURN_IF_ERROR(
          text ? CheckString(path, reflection->GetStringReference(message, field, &scratch))
               : CheckStrings(reflection->GetMessage(message, field), path));
      continue;
    }
    for (int i = 0, n = reflection->FieldSize(message, field); i < n; ++i) {
      const std::string item = absl::StrCat(path, "[", i, "]");
      RETURN_IF_ERROR(text ? CheckString(item, reflection->GetRepeatedStringReference(
                                                   message, field, i, &scratch))
                           : CheckStrings(reflection->GetRepeatedMessage(message, field, i), item));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view field, absl::string_view text, int max_chars,
                       bool required) {
  int length = Utf8Length(text);
  if (length < 0) return InvalidField(field, "TEXT_NOT_UTF8", "the text is not valid UTF-8");
  if (text.find('\0') != absl::string_view::npos) return HasNul(field);
  if (required && absl::StripAsciiWhitespace(text).empty()) {
    return InvalidField(field, "TEXT_REQUIRED", absl::StrCat(field, " must not be empty"));
  }
  if (length > max_chars) {
    return InvalidField(
        field, "TEXT_TOO_LONG",
        absl::StrCat(field, " has ", length, " characters; at most ", max_chars, " are kept"));
  }
  return absl::OkStatus();
}

}  // namespace dialogue::common
