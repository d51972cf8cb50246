// The .docx form: a WordprocessingML package (ECMA-376) of five parts, zipped by libzip.
// Sizes are in half-points (w:sz 28 = 14 pt) and lengths in twentieths of a point.
#include <zip.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dialogue/common/status.h"
#include "dialogue/documents/document.h"
#include "layout.h"

namespace dialogue::documents {
namespace {

// A4 and Decree 30's margins: top and bottom 20 mm, left 30 mm, right 15 mm.
constexpr int kPageWidth = 11906, kPageHeight = 16838;
constexpr int kTop = 1134, kBottom = 1134, kLeft = 1701, kRight = 851;
constexpr int kTextWidth = kPageWidth - kLeft - kRight;

constexpr const char* kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>)";

constexpr const char* kPackageRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>)";

constexpr const char* kDocumentRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>)";

// Times New Roman 14 pt in Vietnamese for everything; named styles for the parts an office
// restyles (the body text, the headings of parts, the recipients).
constexpr const char* kStyles =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="BodyText"><w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="0" w:after="120" w:line="288" w:lineRule="auto"/><w:ind w:firstLine="567"/><w:jc w:val="both"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="120"/><w:ind w:firstLine="567"/><w:jc w:val="both"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>)";

struct Run {
  bool bold = false;
  bool italic = false;
  bool underline = false;
  int size = 28;  // half-points
};

enum class Align { kStart, kCenter, kBoth };

struct Para {
  std::string style;  // empty: Normal
  Align align = Align::kCenter;
  Run run;
  int after = 0;        // spacing after, twips
  int before = 0;       // spacing before, twips
  bool rule = false;    // a short line under (issuing body, motto, abstract)
  int rule_indent = 0;  // the line's indent on each side, twips
};

std::string Paragraph(absl::string_view text, const Para& p) {
  std::string ppr;
  if (!p.style.empty()) absl::StrAppend(&ppr, "<w:pStyle w:val=\"", p.style, "\"/>");
  if (p.rule) {
    absl::StrAppend(&ppr,
                    "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" "
                    "w:color=\"000000\"/></w:pBdr>");
  }
  if (p.before > 0 || p.after > 0) {
    absl::StrAppend(&ppr, "<w:spacing w:before=\"", p.before, "\" w:after=\"", p.after, "\"/>");
  }
  if (p.rule_indent > 0) {
    absl::StrAppend(&ppr, "<w:ind w:left=\"", p.rule_indent, "\" w:right=\"", p.rule_indent,
                    "\"/>");
  }
  if (p.style.empty()) {
    absl::StrAppend(&ppr, "<w:jc w:val=\"",
                    p.align == Align::kCenter ? "center"
                    : p.align == Align::kBoth ? "both"
                                              : "left",
                    "\"/>");
  }
  std::string rpr;
  if (p.run.bold) rpr += "<w:b/>";
  if (p.run.italic) rpr += "<w:i/>";
  if (p.run.underline) rpr += "<w:u w:val=\"single\"/>";
  if (p.run.size != 28) {
    absl::StrAppend(&rpr, "<w:sz w:val=\"", p.run.size, "\"/><w:szCs w:val=\"", p.run.size, "\"/>");
  }
  std::string out = absl::StrCat("<w:p><w:pPr>", ppr, "</w:pPr>");
  if (!text.empty()) {
    // A "\n" in the text is a line break within the paragraph (the issuing body's two lines).
    std::string runs;
    for (absl::string_view piece : absl::StrSplit(text, '\n')) {
      if (!runs.empty()) runs += "<w:br/>";
      absl::StrAppend(&runs, "<w:t xml:space=\"preserve\">", Escape(piece), "</w:t>");
    }
    absl::StrAppend(&out, "<w:r>", rpr.empty() ? "" : absl::StrCat("<w:rPr>", rpr, "</w:rPr>"),
                    runs, "</w:r>");
  }
  absl::StrAppend(&out, "</w:p>");
  return out;
}

// A thin line under a centred block: an empty paragraph with a bottom border, narrowed by
// its indents to a fraction of the cell.
std::string Rule(int indent, int after = 0) {
  Para p;
  p.rule = true;
  p.rule_indent = indent;
  p.run.size = 4;
  p.after = after;
  return Paragraph("", p);
}

std::string Table(int left_width, const std::string& left, const std::string& right) {
  const int right_width = kTextWidth - left_width;
  return absl::StrCat("<w:tbl><w:tblPr><w:tblW w:w=\"", kTextWidth,
                      "\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblBorders>"
                      "<w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/>"
                      "<w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/>"
                      "</w:tblBorders></w:tblPr><w:tblGrid><w:gridCol w:w=\"",
                      left_width, "\"/><w:gridCol w:w=\"", right_width,
                      "\"/></w:tblGrid><w:tr><w:tc><w:tcPr><w:tcW w:w=\"", left_width,
                      "\" w:type=\"dxa\"/></w:tcPr>", left, "</w:tc><w:tc><w:tcPr><w:tcW w:w=\"",
                      right_width, "\" w:type=\"dxa\"/></w:tcPr>", right, "</w:tc></w:tr></w:tbl>");
}

std::string DocumentXml(const Document& d) {
  const bool party = d.layout == Layout::kParty;
  const int left_width = 3685;  // 6.5 cm: the issuing body's column
  // The header: issuing body, number | motto, date line.
  std::string left;
  Para caps;
  caps.run.size = 26;
  if (!d.parent_body.empty()) absl::StrAppend(&left, Paragraph(Upper(d.parent_body), caps));
  Para issuer = caps;
  issuer.run.bold = true;
  absl::StrAppend(&left, Paragraph(IssuerLines(d.issuing_body), issuer));
  absl::StrAppend(&left, party ? Paragraph("*", issuer) : Rule(left_width / 3));
  Para number = caps;
  number.before = 60;
  absl::StrAppend(&left, Paragraph(NumberLine(d), number));

  std::string right;
  Para motto = caps;
  motto.run.size = 24;  // 12 pt: the motto on one line beside the issuing body
  motto.run.bold = true;
  motto.run.underline = party;
  absl::StrAppend(&right, Paragraph(MottoTitle(d.layout), motto));
  if (!MottoSubtitle(d.layout).empty()) {
    Para subtitle;
    subtitle.run.bold = true;
    absl::StrAppend(&right, Paragraph(MottoSubtitle(d.layout), subtitle), Rule(1250));
  }
  Para date;
  date.run.italic = true;
  date.before = 60;
  absl::StrAppend(&right, Paragraph(DateLine(d), date));

  std::string body = Table(left_width, left, right);
  Para title;
  title.style = "Title";
  if (!d.type.empty()) {
    Para type = title;
    type.before = 360;
    absl::StrAppend(&body, Paragraph(Upper(d.type), type));
  }
  if (!d.abstract.empty()) {
    absl::StrAppend(&body, Paragraph(d.abstract, title), Rule(kTextWidth * 3 / 8, 240));
  }
  Para heading;
  heading.style = "Heading2";
  Para text;
  text.style = "BodyText";
  for (const Part& part : d.parts) {
    if (!part.heading.empty()) absl::StrAppend(&body, Paragraph(part.heading, heading));
    for (const std::string& paragraph : part.paragraphs) {
      absl::StrAppend(&body, Paragraph(paragraph, text));
    }
  }
  // The foot: recipients | signature block.
  Para to;
  to.align = Align::kStart;
  to.run.size = 22;
  Para to_title = to;
  to_title.run = {true, true, party, 24};
  to_title.before = 240;
  auto sign = [](const Signature& s) {
    std::string out;
    Para block;
    block.run.bold = true;
    block.before = 240;
    for (const std::string& authority : AuthorityLines(s)) {
      absl::StrAppend(&out, Paragraph(Upper(authority), block));
      block.before = 0;
    }
    absl::StrAppend(&out, Paragraph(Upper(s.title), block));
    Para name;
    name.run.bold = true;
    name.before = 1440;  // room for the signature and the seal
    absl::StrAppend(&out, Paragraph(s.name.empty() ? "(chữ ký, họ và tên)" : s.name, name));
    return out;
  };
  std::string foot;
  if (HasLeftSignature(d)) {
    foot = sign(d.left_signature);
  } else {
    foot = Paragraph("Nơi nhận:", to_title);
    for (const std::string& line : RecipientLines(d)) absl::StrAppend(&foot, Paragraph(line, to));
  }
  absl::StrAppend(&body, Table(kTextWidth / 2, foot, sign(d.signature)));
  if (!d.footer.empty()) {
    Para footer;
    footer.align = Align::kStart;
    footer.run.italic = true;
    footer.run.size = 20;
    footer.before = 360;
    absl::StrAppend(&body, Paragraph(d.footer, footer));
  }
  return absl::StrCat(
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      "\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:body>",
      body, "<w:sectPr><w:pgSz w:w=\"", kPageWidth, "\" w:h=\"", kPageHeight,
      "\"/><w:pgMar w:top=\"", kTop, "\" w:right=\"", kRight, "\" w:bottom=\"", kBottom,
      "\" w:left=\"", kLeft,
      "\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>");
}

std::string CoreXml(const Document& d) {
  std::string title = d.type.empty() ? d.abstract : absl::StrCat(d.type, " ", d.abstract);
  return absl::StrCat(
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      "\n<cp:coreProperties "
      "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>",
      Escape(title), "</dc:title><dc:creator>", Escape(Upper(d.issuing_body)),
      "</dc:creator><dc:language>vi-VN</dc:language></cp:coreProperties>");
}

absl::Status ZipError(absl::string_view what, zip_error_t* error) {
  return common::Error(absl::StatusCode::kInternal, "DOCX_FAILED",
                       absl::StrCat("cannot ", what, ": ", zip_error_strerror(error)));
}

}  // namespace

absl::StatusOr<std::string> Docx(const Document& document) {
  // The parts, kept alive until the archive is closed (libzip reads them then).
  const std::pair<const char*, std::string> parts[] = {
      {"[Content_Types].xml", kContentTypes},
      {"_rels/.rels", kPackageRels},
      {"word/document.xml", DocumentXml(document)},
      {"word/_rels/document.xml.rels", kDocumentRels},
      {"word/styles.xml", kStyles},
      {"docProps/core.xml", CoreXml(document)},
  };
  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_error_t, void (*)(zip_error_t*)> error_guard(&error, zip_error_fini);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) return ZipError("create the buffer", &error);
  std::unique_ptr<zip_source_t, void (*)(zip_source_t*)> buffer_guard(buffer, zip_source_free);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (archive == nullptr) return ZipError("open the archive", &error);
  zip_source_keep(buffer);  // the archive's close must not free it: its bytes are read after
  for (const auto& [name, content] : parts) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    zip_int64_t index =
        source == nullptr ? -1 : zip_file_add(archive, name, source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      if (source != nullptr) zip_source_free(source);
      absl::Status status = ZipError(absl::StrCat("add ", name), zip_get_error(archive));
      zip_discard(archive);
      return status;
    }
    // A fixed time (1 January 1980, the zip format's first day), so the same document
    // gives the same bytes and its hash can be checked.
    zip_file_set_mtime(archive, index, 315532800 + 43200, 0);
  }
  if (zip_close(archive) != 0) {
    absl::Status status = ZipError("write the archive", zip_get_error(archive));
    zip_discard(archive);
    return status;
  }
  if (zip_source_open(buffer) != 0) return ZipError("read the archive", zip_source_error(buffer));
  zip_source_seek(buffer, 0, SEEK_END);
  zip_int64_t size = zip_source_tell(buffer);
  zip_source_seek(buffer, 0, SEEK_SET);
  std::string out(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  zip_int64_t read = size > 0 ? zip_source_read(buffer, out.data(), out.size()) : 0;
  zip_source_close(buffer);
  if (read != size) return ZipError("read the archive", zip_source_error(buffer));
  return out;
}

absl::StatusOr<Rendered> Render(const Document& document, absl::string_view format,
                                absl::string_view fallback_name) {
  Rendered out;
  if (format == "docx") {
    ASSIGN_OR_RETURN(out.data, Docx(document));
    out.content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    out.filename = FileName(document, fallback_name) + ".docx";
  } else if (format == "text") {
    out.content_type = "text/plain; charset=utf-8";
    out.data = Text(document);
  } else if (format == "html" || format.empty()) {
    out.content_type = "text/html; charset=utf-8";
    out.data = Html(document);
  } else {
    return common::InvalidField("format", "FORMAT_INVALID",
                                "render as html (a print page), docx or text");
  }
  return out;
}

}  // namespace dialogue::documents
