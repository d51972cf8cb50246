#include "dialogue/documents/document.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/text.h"
#include "layout.h"

namespace dialogue::documents {
namespace {

int32_t UpperCodePoint(int32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 0x20;  // à, â, é, ô, ...
  // Latin Extended-A pairs (upper even, lower odd): ă, đ, ĩ, ũ among them.
  if (((c >= 0x100 && c <= 0x12F) || (c >= 0x14A && c <= 0x177)) && c % 2 == 1) return c - 1;
  if (c == 0x1A1 || c == 0x1B0) return c - 1;  // ơ, ư
  // Latin Extended Additional: every Vietnamese letter with a tone mark (ạ ... ỹ).
  if (c >= 0x1EA0 && c <= 0x1EF9 && c % 2 == 1) return c - 1;
  return c;
}

}  // namespace

std::string Escape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters have no place in XML 1.0: dropped, tab and newline kept.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out.push_back(c);
    }
  }
  return out;
}

std::string Upper(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t at = i;
    int32_t c = common::NextCodePoint(text, &i);
    if (c < 0) {  // not UTF-8: copy the byte as it is
      out.push_back(text[at]);
      i = at + 1;
      continue;
    }
    common::AppendUtf8(out, UpperCodePoint(c));
  }
  return out;
}

std::string PlaceOf(absl::string_view unit_name) {
  unit_name = absl::StripAsciiWhitespace(unit_name);
  for (absl::string_view prefix :
       {"Xã ", "Phường ", "Thị trấn ", "Đặc khu ", "Huyện ", "Thị xã ", "Thành phố ", "Tỉnh ",
        "xã ", "phường ", "thị trấn ", "huyện ", "tỉnh "}) {
    if (absl::ConsumePrefix(&unit_name, prefix)) break;
  }
  return std::string(unit_name);
}

namespace {

bool InCapitals(absl::string_view line) { return Upper(line) == line; }

// A line that signs for someone else (Decree 30, Appendix I: thay mặt, ký thay, thừa lệnh,
// thừa ủy quyền, quyền; the Party writes T/M, K/T, T/L).
bool SignsOnBehalf(absl::string_view line) {
  for (absl::string_view prefix : {"TM.", "KT.", "TL.", "TUQ.", "Q.", "T/M", "K/T", "T/L"}) {
    if (absl::StartsWith(Upper(line), prefix)) return true;
  }
  return false;
}

}  // namespace

Signature ParseSigner(absl::string_view text) {
  std::vector<std::string> lines = Paragraphs(text);
  Signature out;
  if (lines.empty()) return out;
  // The last line is the name, unless it is a title in capitals: the second of two lines, or
  // below a line that signs on someone's behalf ("KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH").
  const size_t n = lines.size();
  const bool named =
      n == 1 || !InCapitals(lines[n - 1]) || (n >= 3 && !SignsOnBehalf(lines[n - 2]));
  if (named) {
    out.name = std::move(lines.back());
    lines.pop_back();
  }
  if (lines.empty()) return out;
  out.title = std::move(lines.back());
  lines.pop_back();
  out.authority = absl::StrJoin(lines, "\n");
  return out;
}

Signature ChairSignature() { return {"TM. Ủy ban nhân dân", "Chủ tịch", ""}; }

Signature SignerOrChair(absl::string_view signer) {
  return signer.empty() ? ChairSignature() : ParseSigner(signer);
}

std::vector<std::string> Paragraphs(absl::string_view text) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) out.emplace_back(line);
  }
  return out;
}

std::string FileName(const Document& document, absl::string_view fallback) {
  std::string slug;
  for (size_t i = 0; i < document.number.size(); ++i) {
    unsigned char c = document.number[i];
    if (absl::ascii_isalnum(c) || c == '-') {
      slug.push_back(static_cast<char>(c));
    } else if (c == '/' || c == ' ') {
      slug.push_back('-');
    } else if (c == 0xC4 && i + 1 < document.number.size() &&
               (document.number[i + 1] == '\x90' || document.number[i + 1] == '\x91')) {
      slug.push_back(document.number[++i] == '\x90' ? 'D' : 'd');  // Đ, đ
    }
  }
  std::string out;
  for (char c : slug.empty() ? std::string(fallback) : slug) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
        ((c == '-' || c == '_') && !out.empty() && out.back() != '-')) {
      out.push_back(c);
    }
  }
  return absl::StrCat("van-ban-", out.empty() ? "moi" : out);
}

std::string DateLine(const Document& document) {
  std::string place = document.place.empty() ? "……" : document.place;
  auto day = calendar::ParseDate(document.date);
  if (!day.ok()) return absl::StrCat(place, ", ngày … tháng … năm ……");
  // Decree 30, Appendix I, II.5(b): a day below 10 and the months 1 and 2 take a zero.
  std::string month =
      day->month() <= 2 ? absl::StrFormat("%02d", day->month()) : absl::StrCat(day->month());
  return absl::StrFormat("%s, ngày %02d tháng %s năm %d", place, day->day(), month, day->year());
}

std::string NumberLine(const Document& document) {
  if (document.layout == Layout::kParty) {
    return document.number.empty() ? "Số     -" : absl::StrCat("Số ", document.number);
  }
  return document.number.empty() ? "Số:      /" : absl::StrCat("Số: ", document.number);
}

std::string MottoTitle(Layout layout) {
  return layout == Layout::kParty ? "ĐẢNG CỘNG SẢN VIỆT NAM" : "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
}

std::string MottoSubtitle(Layout layout) {
  return layout == Layout::kParty ? "" : "Độc lập - Tự do - Hạnh phúc";
}

std::string IssuerLines(absl::string_view issuing_body) {
  std::string upper = Upper(issuing_body);
  for (absl::string_view organ : {"ỦY BAN NHÂN DÂN ", "HỘI ĐỒNG NHÂN DÂN ", "BAN THƯỜNG VỤ "}) {
    if (absl::StartsWith(upper, organ) && upper.size() > organ.size()) {
      return absl::StrCat(organ.substr(0, organ.size() - 1), "\n", upper.substr(organ.size()));
    }
  }
  return upper;
}

std::vector<std::string> AuthorityLines(const Signature& signature) {
  return absl::StrSplit(signature.authority, '\n', absl::SkipEmpty());
}

bool HasLeftSignature(const Document& document) { return !document.left_signature.title.empty(); }

std::vector<std::string> RecipientLines(const Document& document) {
  std::vector<std::string> items = document.recipients;
  // Every document keeps a copy in the office's archive (Lưu: VT), listed last.
  if (items.empty() || items.back().rfind("Lưu", 0) != 0) items.push_back("Lưu: VT");
  std::vector<std::string> lines;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item = items[i];
    while (!item.empty() && (item.back() == ';' || item.back() == '.' || item.back() == ',')) {
      item.pop_back();
    }
    lines.push_back(absl::StrCat("- ", item, i + 1 == items.size() ? "." : ";"));
  }
  return lines;
}

namespace {

// What Text() prints before the parts: the header, the type and the abstract.
std::string TextHead(const Document& document) {
  std::string out;
  auto line = [&](absl::string_view text) { absl::StrAppend(&out, text, "\n"); };
  if (!document.parent_body.empty()) line(Upper(document.parent_body));
  line(Upper(document.issuing_body));
  if (document.layout == Layout::kParty) line("*");
  line("");
  line(MottoTitle(document.layout));
  if (!MottoSubtitle(document.layout).empty()) line(MottoSubtitle(document.layout));
  line("");
  line(NumberLine(document));
  line(DateLine(document));
  line("");
  if (!document.type.empty()) line(Upper(document.type));
  if (!document.abstract.empty()) line(document.abstract);
  return out;
}

// What Text() prints after the parts: the recipients or second signer, the signature, the
// footer; from its first (empty) line.
std::string TextFoot(const Document& document) {
  std::string out;
  auto line = [&](absl::string_view text) { absl::StrAppend(&out, text, "\n"); };
  auto sign = [&](const Signature& signature) {
    line("");
    for (const std::string& a : AuthorityLines(signature)) line(Upper(a));
    line(Upper(signature.title));
    line("");
    line(signature.name.empty() ? "(chữ ký, họ và tên)" : signature.name);
  };
  if (HasLeftSignature(document)) {
    sign(document.left_signature);
  } else {
    line("");
    line("Nơi nhận:");
    for (const std::string& recipient : RecipientLines(document)) line(recipient);
  }
  sign(document.signature);
  if (!document.footer.empty()) {
    line("");
    line(document.footer);
  }
  return out;
}

// A heading of the body: a line in capitals with at least one letter ("I. MỤC ĐÍCH").
bool IsHeading(absl::string_view line) {
  return Upper(line) == line &&
         std::any_of(line.begin(), line.end(), [](char c) { return absl::ascii_isupper(c); });
}

}  // namespace

std::string Text(const Document& document) {
  std::string out = TextHead(document);
  for (const Part& part : document.parts) {
    absl::StrAppend(&out, "\n");
    if (!part.heading.empty()) absl::StrAppend(&out, part.heading, "\n");
    for (const std::string& paragraph : part.paragraphs) absl::StrAppend(&out, paragraph, "\n");
  }
  absl::StrAppend(&out, TextFoot(document));
  return out;
}

std::vector<Part> PartsOfText(const Document& frame, absl::string_view text) {
  Document bare = frame;
  bare.parts.clear();
  bare.footer.clear();
  absl::ConsumePrefix(&text, TextHead(bare));
  // The signatures where they are; what an office wrote after them is body too.
  std::string body(text);
  const std::string foot = TextFoot(bare);
  if (size_t at = body.rfind(foot); at != std::string::npos) body.replace(at, foot.size(), "\n");
  std::vector<Part> parts;
  bool block_open = false;
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) {
      block_open = false;
      continue;
    }
    if (!block_open) {
      parts.emplace_back();
      block_open = true;
      if (IsHeading(line)) {
        parts.back().heading = std::string(line);
        continue;
      }
    }
    parts.back().paragraphs.emplace_back(line);
  }
  return parts;
}

}  // namespace dialogue::documents
