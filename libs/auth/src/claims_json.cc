#include "claims_json.h"

#include <cstdlib>

namespace dialogue::auth::internal {
namespace {

class Parser {
 public:
  explicit Parser(absl::string_view s) : s_(s) {}

  // The whole input must be one object; nested objects are parsed by the same code and
  // need not end the input.
  bool Document(std::map<std::string, ClaimValue>* out) { return Object(out, 0) && End(); }

 private:
  bool Object(std::map<std::string, ClaimValue>* out, int depth) {
    if (depth > 16) return false;
    Space();
    if (!Eat('{')) return false;
    Space();
    if (Eat('}')) return true;
    for (;;) {
      std::string key;
      Space();
      if (!String(&key)) return false;
      Space();
      if (!Eat(':')) return false;
      Space();
      ClaimValue value;
      if (!Value(&value, depth)) return false;
      (*out)[key] = std::move(value);
      Space();
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
    }
  }

  bool End() {
    Space();
    return i_ == s_.size();
  }
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Literal(absl::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  static void Utf8(unsigned cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xc0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xe0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  bool Hex4(unsigned* cp) {
    if (i_ + 4 > s_.size()) return false;
    *cp = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      *cp <<= 4;
      if (c >= '0' && c <= '9')
        *cp |= c - '0';
      else if (c >= 'a' && c <= 'f')
        *cp |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        *cp |= c - 'A' + 10;
      else
        return false;
    }
    return true;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          *out += e;
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          unsigned cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xd800 && cp < 0xdc00) {  // a surrogate pair
            unsigned low;
            if (!Eat('\\') || !Eat('u') || !Hex4(&low) || low < 0xdc00 || low > 0xdfff)
              return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          Utf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool Number(double* out) {
    size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.' || s_[i_] == 'e' ||
                              s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-')) {
      ++i_;
    }
    if (i_ == start) return false;
    std::string text(s_.substr(start, i_ - start));
    char* end = nullptr;
    *out = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size();
  }
  bool Value(ClaimValue* v, int depth) {
    if (depth > 16 || i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '"') {
      v->kind = ClaimValue::Kind::kString;
      return String(&v->text);
    }
    if (c == 't' || c == 'f') {
      v->kind = ClaimValue::Kind::kBool;
      v->number = c == 't';
      return Literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      v->kind = ClaimValue::Kind::kNull;
      return Literal("null");
    }
    if (c == '[') {
      ++i_;
      v->kind = ClaimValue::Kind::kStrings;
      Space();
      if (Eat(']')) return true;
      for (;;) {
        Space();
        ClaimValue item;
        if (!Value(&item, depth + 1)) return false;
        if (item.kind == ClaimValue::Kind::kString) {
          v->strings.push_back(std::move(item.text));
        } else {
          v->kind = ClaimValue::Kind::kOther;
        }
        Space();
        if (Eat(']')) return true;
        if (!Eat(',')) return false;
      }
    }
    if (c == '{') {  // a nested object: checked, kept as "other"
      std::map<std::string, ClaimValue> nested;
      v->kind = ClaimValue::Kind::kOther;
      return Object(&nested, depth + 1);
    }
    v->kind = ClaimValue::Kind::kNumber;
    return Number(&v->number);
  }

  absl::string_view s_;
  size_t i_ = 0;
};

}  // namespace

bool ParseClaims(absl::string_view json, std::map<std::string, ClaimValue>* out) {
  return Parser(json).Document(out);
}

}  // namespace dialogue::auth::internal
