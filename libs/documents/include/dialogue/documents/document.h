// An administrative document (văn bản hành chính) as the commune issues it: one model,
// three forms. The layout follows Decree 30/2020/NĐ-CP (Appendix I) for the People's
// Committee and the Party's own rules (Hướng dẫn 36-HD/VPTW) for a Party committee:
//
//   issuing body (and its parent)       national motto (or the Party's name)
//   number and symbol                   place and date
//                 TYPE (KẾ HOẠCH, THÔNG BÁO, ...)
//                 abstract
//   body: numbered parts of paragraphs
//   recipients                          signature block: authority, title, name
//
// Text() is what the loudspeaker script and the feeds quote, Html() the print page (A4,
// the decree's margins), Docx() the file an office edits before signing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dialogue::documents {

enum class Layout {
  kState,  // People's Committee and other state bodies: Decree 30/2020/NĐ-CP
  kParty,  // a Party committee: the Party's header, motto and symbols
};

struct Signature {
  // quyền hạn: "TM. ỦY BAN NHÂN DÂN", "T/M BAN THƯỜNG VỤ"; lines apart by "\n" where one
  // signs for another ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"); may be empty
  std::string authority;
  std::string title;  // chức vụ: "CHỦ TỊCH", "BÍ THƯ"
  std::string name;   // họ tên: "Nguyễn Văn A"
};

struct Part {
  std::string heading;                  // "I. MỤC ĐÍCH, YÊU CẦU"; may be empty
  std::vector<std::string> paragraphs;  // each a paragraph of the body
};

struct Document {
  Layout layout = Layout::kState;
  // The issuing body's parent (cơ quan chủ quản), e.g. "ĐẢNG BỘ HUYỆN TÂN YÊN"; may be empty.
  std::string parent_body;
  std::string issuing_body;  // "ỦY BAN NHÂN DÂN XÃ BẮC THANH MIỆN" (written in any case)
  std::string number;        // "31/TB-UBND"; empty: left blank for the office to fill in
  std::string place;         // địa danh: "Bắc Thanh Miện"
  std::string date;          // YYYY-MM-DD; empty: left blank
  std::string type;          // tên loại: "THÔNG BÁO", "KẾ HOẠCH"; empty for none
  std::string abstract;  // trích yếu: "Kết luận của Chủ tịch UBND xã tại hội nghị ..."
  std::vector<Part> parts;
  std::vector<std::string> recipients;  // nơi nhận, each without its "-" and ";"
  Signature signature;
  // A second signer on the left, where the recipients would be (the minutes: the secretary
  // beside the chair). When it has a title, the document has no "Nơi nhận".
  Signature left_signature;
  // Printed below everything, e.g. the minutes' hash "SHA-256: …"; may be empty.
  std::string footer;
};

// Vietnamese upper case of UTF-8 text ("Ủy ban nhân dân xã" -> "ỦY BAN NHÂN DÂN XÃ").
std::string Upper(absl::string_view text);

// The date line: "Bắc Thanh Miện, ngày 08 tháng 5 năm 2026", the day below 10 and the
// months 1 and 2 with a leading zero (Decree 30, Appendix I); blanks where unknown.
std::string DateLine(const Document& document);
// "Số: 31/TB-UBND" (the Party writes "Số 05-KH/ĐU"); blanks for an unnumbered draft.
std::string NumberLine(const Document& document);
// The first line of the motto block: the national motto or the Party's name.
std::string MottoTitle(Layout layout);
std::string MottoSubtitle(Layout layout);  // "Độc lập - Tự do - Hạnh phúc"; Party: empty

// The place of the date line from a unit's name: "Xã Bắc Thanh Miện" -> "Bắc Thanh Miện"
// (Decree 30: the unit's own name, without "xã", "phường", "thị trấn", ...).
std::string PlaceOf(absl::string_view unit_name);
// A signer written as lines, authority first: "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn A",
// or "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nTrần Văn B". The last line is the
// name, unless it is a title in capitals with no name yet: the second of two lines, or below
// a line signing on another's behalf ("KT. CHỦ TỊCH"). The line before the name is the title,
// every line above it the authority. One line is the name.
Signature ParseSigner(absl::string_view text);
// The People's Committee's chair signing on its behalf, the name left for the office to
// write: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH".
Signature ChairSignature();
// ParseSigner(signer), or the chair's block when nothing was typed.
Signature SignerOrChair(absl::string_view signer);
// The most a signer typed for a document may hold, in characters.
inline constexpr int kMaxSignerChars = 300;
// The paragraphs of typed text: one per non-empty line, trimmed.
std::vector<std::string> Paragraphs(absl::string_view text);

// `text` with &, <, >, " and ' as entities, for XML and HTML alike; control characters other
// than tab and newline (which XML 1.0 cannot hold) dropped.
std::string Escape(absl::string_view text);

// A file name for the document, without extension, ASCII only: "van-ban-31-TB-UBND" from
// its number, "van-ban-<fallback>" when it has none yet.
std::string FileName(const Document& document, absl::string_view fallback);

// Plain UTF-8 text in the layout's order, lines separated by "\n".
std::string Text(const Document& document);
// The body of a document's text as an office edited it (the minutes): `text` without the
// head and foot that Text() prints for `frame` (where they are unchanged; lines written
// after the foot are body too), in parts at its blank lines, a block's first line its
// heading when it is in capitals. For a document
// without a footer, PartsOfText(d, Text(d)) gives back d.parts (headings in capitals, no
// blank paragraphs).
std::vector<Part> PartsOfText(const Document& frame, absl::string_view text);
// A whole HTML page with a print stylesheet (A4, Decree 30's margins, Times New Roman).
std::string Html(const Document& document);
// A WordprocessingML package (.docx): A4, Times New Roman, the decree's margins and
// sizes, the header as a borderless two-column table. INTERNAL when the zip fails.
absl::StatusOr<std::string> Docx(const Document& document);

// One of the three forms, as a route sends it.
struct Rendered {
  std::string content_type;
  std::string data;
  std::string filename;  // only for the file to save (docx)
};
// `format` "html" (also when empty), "docx" or "text"; INVALID_ARGUMENT "FORMAT_INVALID" for
// anything else. `fallback_name` names the file of a document without a number yet.
absl::StatusOr<Rendered> Render(const Document& document, absl::string_view format,
                                absl::string_view fallback_name);
// Render() into a route's answer: any message with content_type, data and filename (the
// API's HttpBody).
template <typename Body>
absl::Status RenderInto(const Document& document, absl::string_view format,
                        absl::string_view fallback_name, Body* body) {
  absl::StatusOr<Rendered> rendered = Render(document, format, fallback_name);
  if (!rendered.ok()) return rendered.status();
  body->set_content_type(std::move(rendered->content_type));
  body->set_data(std::move(rendered->data));
  body->set_filename(std::move(rendered->filename));
  return absl::OkStatus();
}

}  // namespace dialogue::documents
