#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dialogue/documents/document.h"
#include "layout.h"

namespace dialogue::documents {
namespace {

// A4 with Decree 30's margins (top and bottom 20 mm, left 30 mm, right 15 mm), Times New
// Roman 14 pt, justified body with a first-line indent; on screen, a page on a grey desk.
constexpr const char* kStyle = R"css(
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
* { box-sizing: border-box; }
body { margin: 0; background: #eee; color: #000;
  font: 14pt/1.3 "Times New Roman", "Liberation Serif", Tinos, serif; }
.page { width: 210mm; max-width: 100%; min-height: 297mm; margin: 1rem auto; background: #fff;
  padding: 20mm 15mm 20mm 30mm; box-shadow: 0 0 4px #999; }
@media print { body { background: none; } .page { width: auto; min-height: 0; margin: 0;
  padding: 0; box-shadow: none; } }
table.head, table.foot { width: 100%; border-collapse: collapse; }
table.head td, table.foot td { vertical-align: top; text-align: center; padding: 0; }
table.head td.body { width: 39%; } table.foot td.to { width: 50%; text-align: left; }
.parent { font-size: 13pt; } .issuer { font-size: 13pt; font-weight: bold; }
.motto { font-size: 12pt; font-weight: bold; white-space: nowrap; }
.subtitle { font-size: 14pt; font-weight: bold; }
.rule { border: 0; border-top: 1px solid #000; margin: 2pt auto 6pt; width: 40%; }
.subtitle + .rule { width: 14em; }
.party .motto { text-decoration: underline; }
.number { font-size: 13pt; margin-top: 4pt; }
.date { font-style: italic; margin-top: 4pt; }
.type { text-align: center; font-size: 14pt; font-weight: bold; margin: 18pt 0 0; }
.abstract { text-align: center; font-weight: bold; margin: 0; }
.abstract + .rule { width: 25%; }
h2 { font-size: 14pt; margin: 6pt 0; }
p.text { text-align: justify; text-indent: 1cm; margin: 0 0 6pt; }
.to { font-size: 11pt; } .to strong { font-size: 12pt; font-style: italic; }
.to p { margin: 0; }
.sign { font-weight: bold; } .sign .name { margin-top: 5em; }
.footer { font-size: 10pt; font-style: italic; margin-top: 18pt; word-break: break-all; }
/* A phone: the header's and the foot's two columns one under the other. */
@media screen and (max-width: 600px) { .page { padding: 8mm 5mm; min-height: 0; }
  body { font-size: 12pt; } table.head td, table.foot td { display: block; width: auto; }
  table.head td.body { width: auto; margin-bottom: 8pt; } table.foot td.to { width: auto; }
  .motto { white-space: normal; } }
)css";

std::string Div(const char* cls, absl::string_view text) {
  return absl::StrCat("<div class=\"", cls, "\">", Escape(text), "</div>");
}

}  // namespace

std::string Html(const Document& d) {
  const bool party = d.layout == Layout::kParty;
  std::string title = d.type.empty() ? d.abstract : absl::StrCat(d.type, " ", d.abstract);
  std::string out = absl::StrCat(
      "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>",
      Escape(title), "</title><style>", kStyle, "</style></head><body><main class=\"page",
      party ? " party" : "", "\">\n<table class=\"head\"><tr><td class=\"body\">");
  if (!d.parent_body.empty()) absl::StrAppend(&out, Div("parent", Upper(d.parent_body)));
  std::string issuer;
  for (absl::string_view line : absl::StrSplit(IssuerLines(d.issuing_body), '\n')) {
    absl::StrAppend(&issuer, issuer.empty() ? "" : "<br>", Escape(line));
  }
  absl::StrAppend(&out, "<div class=\"issuer\">", issuer, "</div>",
                  party ? Div("issuer", "*") : "<hr class=\"rule\">", Div("number", NumberLine(d)),
                  "</td><td>", Div("motto", MottoTitle(d.layout)));
  if (!MottoSubtitle(d.layout).empty()) {
    absl::StrAppend(&out, Div("subtitle", MottoSubtitle(d.layout)), "<hr class=\"rule\">");
  }
  absl::StrAppend(&out, Div("date", DateLine(d)), "</td></tr></table>\n");
  if (!d.type.empty()) absl::StrAppend(&out, "<h1 class=\"type\">", Escape(Upper(d.type)), "</h1>");
  if (!d.abstract.empty()) {
    absl::StrAppend(&out, "<p class=\"abstract\">", Escape(d.abstract), "</p><hr class=\"rule\">");
  }
  for (const Part& part : d.parts) {
    if (!part.heading.empty()) absl::StrAppend(&out, "<h2>", Escape(part.heading), "</h2>");
    for (const std::string& paragraph : part.paragraphs) {
      absl::StrAppend(&out, "<p class=\"text\">", Escape(paragraph), "</p>");
    }
  }
  auto sign = [&](const Signature& s) {
    std::string block;
    for (const std::string& authority : AuthorityLines(s)) {
      absl::StrAppend(&block, Div("", Upper(authority)));
    }
    absl::StrAppend(&block, Div("", Upper(s.title)),
                    Div("name", s.name.empty() ? "(chữ ký, họ và tên)" : s.name));
    return block;
  };
  absl::StrAppend(&out, "\n<table class=\"foot\"><tr>");
  if (HasLeftSignature(d)) {
    absl::StrAppend(&out, "<td class=\"sign\">", sign(d.left_signature), "</td>");
  } else {
    absl::StrAppend(&out, "<td class=\"to\"><strong>Nơi nhận:</strong>");
    for (const std::string& line : RecipientLines(d)) {
      absl::StrAppend(&out, "<p>", Escape(line), "</p>");
    }
    absl::StrAppend(&out, "</td>");
  }
  absl::StrAppend(&out, "<td class=\"sign\">", sign(d.signature), "</td></tr></table>\n");
  if (!d.footer.empty()) absl::StrAppend(&out, Div("footer", d.footer));
  absl::StrAppend(&out, "</main></body></html>\n");
  return out;
}

}  // namespace dialogue::documents
