// The document model and its three forms. The .docx is read back by python-docx (Debian's
// python3-docx) and converted to PDF by LibreOffice, as an office would open it.
#include "dialogue/documents/document.h"

#include <google/protobuf/struct.pb.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "plan_document.h"
#include "test_support.h"

namespace dialogue::documents {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;
namespace v1 = ::dialogue::v1;

// A conclusion notice as seed 004's commune issues it.
Document Notice() {
  Document d;
  d.parent_body = "Ủy ban nhân dân tỉnh Hưng Yên";
  d.issuing_body = "Ủy ban nhân dân xã Bắc Thanh Miện";
  d.number = "31/TB-UBND";
  d.place = "Bắc Thanh Miện";
  d.date = "2026-05-08";
  d.type = "Thông báo";
  d.abstract = "Kết luận của Chủ tịch UBND xã tại Hội nghị đối thoại với Nhân dân năm 2026";
  d.parts = {
      {"I. KẾT QUẢ HỘI NGHỊ",
       {"Ngày 05/5/2026, UBND xã tổ chức Hội nghị đối thoại với Nhân dân thôn An Sơn, An Lâu.",
        "Hội nghị đã nghe 12 ý kiến; 7 ý kiến được trả lời trực tiếp tại hội nghị."}},
      {"II. NHỮNG NỘI DUNG GIAO, ĐỀ NGHỊ",
       {"1. Giao Văn phòng HĐND và UBND xã sửa tuyến đường liên thôn, xong trước 30/6/2026.",
        "2. Đề nghị Trung tâm Y tế huyện <cũ> & các đơn vị \"liên quan\" trả lời trước 15/6."}},
  };
  d.recipients = {"Thường trực Đảng ủy, HĐND xã", "Ủy ban MTTQ Việt Nam xã",
                  "Các thôn An Sơn, An Lâu"};
  d.signature = {"TM. Ủy ban nhân dân", "Chủ tịch", "Nguyễn Văn Hùng"};
  return d;
}

std::filesystem::path TempDir() {
  auto dir = std::filesystem::temp_directory_path() / absl::StrCat("documents-test-", getpid());
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path Write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

using testing::Shell;

Struct ReadDocx(const std::filesystem::path& path) { return testing::ReadDocx(path.string()); }

std::vector<std::string> Texts(const ListValue& paragraphs) {
  std::vector<std::string> out;
  for (const Value& p : paragraphs.values()) {
    out.push_back(p.struct_value().fields().at("text").string_value());
  }
  return out;
}

const Struct& Para(const ListValue& paragraphs, int i) {
  return paragraphs.values(i).struct_value();
}

bool Flag(const Struct& paragraph, const char* name) {
  return paragraph.fields().at(name).bool_value();
}

// A table cell's paragraphs: tables[t][row][cell].
const ListValue& Cell(const Struct& docx, int t, int row, int cell) {
  return docx.fields()
      .at("tables")
      .list_value()
      .values(t)
      .list_value()
      .values(row)
      .list_value()
      .values(cell)
      .list_value();
}

TEST(DocumentsTest, UpperCaseKeepsEveryVietnameseLetter) {
  EXPECT_EQ(Upper("Ủy ban nhân dân xã Bắc Thanh Miện"), "ỦY BAN NHÂN DÂN XÃ BẮC THANH MIỆN");
  EXPECT_EQ(Upper("Đảng ủy xã Diễn Châu"), "ĐẢNG ỦY XÃ DIỄN CHÂU");
  EXPECT_EQ(Upper("ưu tiên, ơn, ỹ, ạ, ì, õ, ữ, ặ"), "ƯU TIÊN, ƠN, Ỹ, Ạ, Ì, Õ, Ữ, Ặ");
  EXPECT_EQ(Upper("ALREADY ĐÃ"), "ALREADY ĐÃ");
  EXPECT_EQ(Upper("bad \xFF byte"), "BAD \xFF BYTE");
}

TEST(DocumentsTest, TheDateLineZeroPadsDaysBelowTenAndTheFirstTwoMonths) {
  Document d = Notice();
  EXPECT_EQ(DateLine(d), "Bắc Thanh Miện, ngày 08 tháng 5 năm 2026");
  d.date = "2026-01-15";
  EXPECT_EQ(DateLine(d), "Bắc Thanh Miện, ngày 15 tháng 01 năm 2026");
  d.date = "2026-02-03";
  EXPECT_EQ(DateLine(d), "Bắc Thanh Miện, ngày 03 tháng 02 năm 2026");
  d.date = "2026-12-25";
  EXPECT_EQ(DateLine(d), "Bắc Thanh Miện, ngày 25 tháng 12 năm 2026");
  d.date = "";
  EXPECT_EQ(DateLine(d), "Bắc Thanh Miện, ngày … tháng … năm ……");
}

TEST(DocumentsTest, TheNumberLineFollowsTheLayout) {
  Document d = Notice();
  EXPECT_EQ(NumberLine(d), "Số: 31/TB-UBND");
  d.number = "";
  EXPECT_EQ(NumberLine(d), "Số:      /");
  d.layout = Layout::kParty;
  d.number = "05-KH/ĐU";
  EXPECT_EQ(NumberLine(d), "Số 05-KH/ĐU");
}

TEST(DocumentsTest, PlacesSignersParagraphsAndFileNamesComeFromWhatTheOfficeTyped) {
  EXPECT_EQ(PlaceOf("Xã Bắc Thanh Miện"), "Bắc Thanh Miện");
  EXPECT_EQ(PlaceOf("Phường Hoài Thanh"), "Hoài Thanh");
  EXPECT_EQ(PlaceOf("Thị trấn Cao Thượng"), "Cao Thượng");
  EXPECT_EQ(PlaceOf("Huyện Tân Yên"), "Tân Yên");
  EXPECT_EQ(PlaceOf("Tỉnh Nghệ An"), "Nghệ An");
  EXPECT_EQ(PlaceOf("Diễn Châu"), "Diễn Châu");
  // What the office typed, and the block it makes: authority, title, name.
  const std::vector<std::vector<std::string>> signers = {
      {"TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nNguyễn Văn A\n", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
       "Nguyễn Văn A"},
      {"KT. CHỦ TỊCH\nNguyễn Văn B", "", "KT. CHỦ TỊCH", "Nguyễn Văn B"},
      {"TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", ""},
      // One who signs in the chair's place: every line above the title is the authority.
      {"TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nTrần Văn B",
       "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn B"},
      {"TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH",
       "PHÓ CHỦ TỊCH", ""},
      {"t/m ban thường vụ\nBÍ THƯ\nLê Văn C", "t/m ban thường vụ", "BÍ THƯ", "Lê Văn C"},
      {"Nguyễn Văn A", "", "", "Nguyễn Văn A"},
      {"TM. UBND\nCHỦ TỊCH\nNGUYỄN VĂN A", "TM. UBND", "CHỦ TỊCH", "NGUYỄN VĂN A"},
  };
  for (const auto& row : signers) {
    const Signature signature = ParseSigner(row[0]);
    EXPECT_EQ(signature.authority, row[1]) << row[0];
    EXPECT_EQ(signature.title, row[2]) << row[0];
    EXPECT_EQ(signature.name, row[3]) << row[0];
  }
  EXPECT_EQ(ParseSigner(" \n").title, "");
  // Nothing typed: the chair signs for the People's Committee, the name left blank.
  const Signature chair = SignerOrChair("");
  EXPECT_EQ(Upper(chair.authority), "TM. ỦY BAN NHÂN DÂN");
  EXPECT_EQ(Upper(chair.title), "CHỦ TỊCH");
  EXPECT_EQ(chair.name, "");
  EXPECT_EQ(SignerOrChair("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH").authority, "KT. CHỦ TỊCH");
  EXPECT_EQ(Paragraphs("  Một.\n\n  Hai. \r\n"), (std::vector<std::string>{"Một.", "Hai."}));
  Document d = Notice();
  EXPECT_EQ(FileName(d, "x"), "van-ban-31-TB-UBND");
  d.number = "05-KH/ĐU";
  EXPECT_EQ(FileName(d, "x"), "van-ban-05-KH-DU");
  d.number = "";
  EXPECT_EQ(FileName(d, "3f2a-\"../"), "van-ban-3f2a-");
}

TEST(DocumentsTest, TheTextHasEveryPartInTheDecreesOrder) {
  const std::string text = Text(Notice());
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  const std::vector<std::string> in_order = {
      "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN",
      "ỦY BAN NHÂN DÂN XÃ BẮC THANH MIỆN",
      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "Độc lập - Tự do - Hạnh phúc",
      "Số: 31/TB-UBND",
      "Bắc Thanh Miện, ngày 08 tháng 5 năm 2026",
      "THÔNG BÁO",
      "Kết luận của Chủ tịch UBND xã tại Hội nghị đối thoại với Nhân dân năm 2026",
      "I. KẾT QUẢ HỘI NGHỊ",
      "II. NHỮNG NỘI DUNG GIAO, ĐỀ NGHỊ",
      "Nơi nhận:",
      "- Thường trực Đảng ủy, HĐND xã;",
      "- Các thôn An Sơn, An Lâu;",
      "- Lưu: VT.",
      "TM. ỦY BAN NHÂN DÂN",
      "CHỦ TỊCH",
      "Nguyễn Văn Hùng",
  };
  size_t at = 0;
  for (const std::string& want : in_order) {
    auto found = std::find(lines.begin() + at, lines.end(), want);
    ASSERT_NE(found, lines.end()) << "missing or out of order: " << want << "\n" << text;
    at = found - lines.begin() + 1;
  }
}

// A deputy signing in the chair's place: each line of the authority on its own line, in
// all three forms, the name below.
TEST(DocumentsTest, ADeputysSignatureKeepsEveryLineOfTheAuthority) {
  Document d = Notice();
  d.signature = ParseSigner("TM. Ủy ban nhân dân\nKT. Chủ tịch\nPhó Chủ tịch\nTrần Văn B");
  EXPECT_TRUE(absl::StrContains(
      Text(d), "\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nTrần Văn B\n"))
      << Text(d);
  EXPECT_TRUE(absl::StrContains(
      Html(d), "<div class=\"\">TM. ỦY BAN NHÂN DÂN</div><div class=\"\">KT. CHỦ TỊCH</div>"))
      << Html(d);
  auto bytes = Docx(d);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const auto dir = TempDir();
  const Struct docx = ReadDocx(Write(dir / "deputy.docx", *bytes));
  std::filesystem::remove_all(dir);
  ASSERT_GT(docx.fields_size(), 0);
  EXPECT_EQ(Texts(Cell(docx, 1, 0, 1)),
            (std::vector<std::string>{"TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                                      "Trần Văn B"}));
}

TEST(DocumentsTest, TheBodyOfAnEditedTextComesBackAsParts) {
  const Document d = Notice();
  // Unedited: the parts of the model, the head and foot left out.
  std::vector<Part> parts = PartsOfText(d, Text(d));
  ASSERT_EQ(parts.size(), d.parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ(parts[i].heading, d.parts[i].heading);
    EXPECT_EQ(parts[i].paragraphs, d.parts[i].paragraphs);
  }
  // An office's edit: a paragraph added to a part, a part without a heading appended.
  std::string edited = Text(d);
  const std::string foot = "\nNơi nhận:";
  edited.insert(edited.find(foot), "Biên bản lập thành 02 bản.\n\n  Ghi chú cuối.  \n");
  parts = PartsOfText(d, edited);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].paragraphs.back(), "Biên bản lập thành 02 bản.");
  EXPECT_EQ(parts[2].heading, "");
  EXPECT_EQ(parts[2].paragraphs, std::vector<std::string>{"Ghi chú cuối."});
  // A line written below the signatures: body too, the signatures printed once.
  parts = PartsOfText(d, Text(d) + "Biên bản lập thành 02 bản.\n");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].paragraphs, d.parts[1].paragraphs);
  EXPECT_EQ(parts[2].paragraphs, std::vector<std::string>{"Biên bản lập thành 02 bản."});
  // The head edited too: nothing is lost, it is kept as body text.
  parts = PartsOfText(d, "ỦY BAN NHÂN DÂN XÃ KHÁC\nMột dòng.\n");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].heading, "ỦY BAN NHÂN DÂN XÃ KHÁC");
  EXPECT_EQ(parts[0].paragraphs, std::vector<std::string>{"Một dòng."});
}

TEST(DocumentsTest, APartyCommitteesDocumentHasThePartysHeader) {
  Document d = Notice();
  d.layout = Layout::kParty;
  d.parent_body = "Đảng bộ huyện Tân Yên";
  d.issuing_body = "Huyện ủy Tân Yên";
  d.number = "12-KH/HU";
  d.signature = {"T/M Ban Thường vụ", "Bí thư", "Lâm Thị Hương Thành"};
  const std::string text = Text(d);
  EXPECT_TRUE(absl::StrContains(text, "ĐẢNG BỘ HUYỆN TÂN YÊN\nHUYỆN ỦY TÂN YÊN\n*\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "ĐẢNG CỘNG SẢN VIỆT NAM\n\nSố 12-KH/HU\n")) << text;
  EXPECT_FALSE(absl::StrContains(text, "Độc lập - Tự do - Hạnh phúc"));
  EXPECT_TRUE(absl::StrContains(text, "T/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nLâm Thị Hương Thành")) << text;
}

TEST(DocumentsTest, TheHtmlIsAnA4PageWithTheDecreesMarginsAndEscapesText) {
  const std::string html = Html(Notice());
  EXPECT_TRUE(absl::StrContains(html, "@page { size: A4; margin: 20mm 15mm 20mm 30mm; }"));
  EXPECT_TRUE(absl::StrContains(html, "Times New Roman"));
  EXPECT_TRUE(
      absl::StrContains(html, "<div class=\"issuer\">ỦY BAN NHÂN DÂN<br>XÃ BẮC THANH MIỆN"));
  EXPECT_TRUE(absl::StrContains(html, "<h1 class=\"type\">THÔNG BÁO</h1>"));
  EXPECT_TRUE(absl::StrContains(html, "huyện &lt;cũ&gt; &amp; các đơn vị &quot;liên quan&quot;"));
  EXPECT_FALSE(absl::StrContains(html, "<cũ>"));
  EXPECT_TRUE(absl::StrContains(html, "<p>- Lưu: VT.</p>"));
}

TEST(DocumentsTest, TheDocxOpensInPythonDocxWithEveryPartOfTheModel) {
  const Document d = Notice();
  auto bytes = Docx(d);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto again = Docx(d);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*bytes, *again) << "the same document gives the same bytes";
  const auto dir = TempDir();
  const Struct docx = ReadDocx(Write(dir / "notice.docx", *bytes));
  ASSERT_GT(docx.fields_size(), 0);

  const Struct& page = docx.fields().at("page").struct_value();
  EXPECT_EQ(page.fields().at("width_mm").number_value(), 210);
  EXPECT_EQ(page.fields().at("height_mm").number_value(), 297);
  EXPECT_EQ(page.fields().at("top_mm").number_value(), 20);
  EXPECT_EQ(page.fields().at("bottom_mm").number_value(), 20);
  EXPECT_EQ(page.fields().at("left_mm").number_value(), 30);
  EXPECT_EQ(page.fields().at("right_mm").number_value(), 15);
  EXPECT_EQ(docx.fields().at("font").string_value(), "Times New Roman");
  EXPECT_EQ(docx.fields().at("font_size").number_value(), 14);
  EXPECT_EQ(docx.fields().at("title").string_value(), absl::StrCat(d.type, " ", d.abstract));

  // The header: issuing body and number | motto and date line.
  const ListValue& issuer = Cell(docx, 0, 0, 0);
  EXPECT_EQ(Texts(issuer),
            (std::vector<std::string>{"ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN",
                                      "ỦY BAN NHÂN DÂN\nXÃ BẮC THANH MIỆN", "", "Số: 31/TB-UBND"}));
  EXPECT_FALSE(Flag(Para(issuer, 0), "bold"));
  EXPECT_TRUE(Flag(Para(issuer, 1), "bold"));
  const ListValue& motto = Cell(docx, 0, 0, 1);
  EXPECT_EQ(Texts(motto), (std::vector<std::string>{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                    "Độc lập - Tự do - Hạnh phúc", "",
                                                    "Bắc Thanh Miện, ngày 08 tháng 5 năm 2026"}));
  EXPECT_TRUE(Flag(Para(motto, 0), "bold"));
  EXPECT_TRUE(Flag(Para(motto, 3), "italic"));

  // The type, the abstract and the body, in order, as the model has them.
  std::vector<std::string> body = {"THÔNG BÁO", d.abstract, ""};
  for (const Part& part : d.parts) {
    body.push_back(part.heading);
    body.insert(body.end(), part.paragraphs.begin(), part.paragraphs.end());
  }
  const ListValue& paragraphs = docx.fields().at("paragraphs").list_value();
  std::vector<std::string> read = Texts(paragraphs);
  ASSERT_GE(read.size(), body.size());
  EXPECT_EQ(std::vector<std::string>(read.begin(), read.begin() + body.size()), body);
  EXPECT_TRUE(Flag(Para(paragraphs, 0), "bold"));
  EXPECT_EQ(Para(paragraphs, 3).fields().at("style").string_value(), "Heading 2");
  EXPECT_EQ(Para(paragraphs, 4).fields().at("style").string_value(), "Body Text");

  // The foot: recipients | signature block with the signer's name.
  EXPECT_EQ(Texts(Cell(docx, 1, 0, 0)),
            (std::vector<std::string>{"Nơi nhận:", "- Thường trực Đảng ủy, HĐND xã;",
                                      "- Ủy ban MTTQ Việt Nam xã;", "- Các thôn An Sơn, An Lâu;",
                                      "- Lưu: VT."}));
  const ListValue& sign = Cell(docx, 1, 0, 1);
  EXPECT_EQ(Texts(sign),
            (std::vector<std::string>{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Hùng"}));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Flag(Para(sign, i), "bold")) << i;
  std::filesystem::remove_all(dir);
}

TEST(DocumentsTest, LibreOfficeConvertsTheDocxToAPdfWithItsText) {
  Document d = Notice();
  d.footer = "Mã băm SHA-256 của biên bản: 9f86d081884c7d659a2feaa0c55ad015";
  auto bytes = Docx(d);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const auto dir = TempDir();
  Write(dir / "notice.docx", *bytes);
  // A profile of its own, so a LibreOffice already running elsewhere is not asked instead.
  Shell(absl::StrCat("cd '", dir.string(), "' && timeout 120 soffice --headless --norestore",
                     " -env:UserInstallation=file://", dir.string(),
                     "/profile --convert-to pdf notice.docx 2>&1"));
  ASSERT_TRUE(std::filesystem::exists(dir / "notice.pdf"));
  std::ifstream pdf(dir / "notice.pdf", std::ios::binary);
  std::string head(5, '\0');
  pdf.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
  const std::string text =
      Shell(absl::StrCat("pdftotext -layout '", (dir / "notice.pdf").string(), "' - 2>&1"));
  for (const char* want :
       {"XÃ BẮC THANH MIỆN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 31/TB-UBND",
        "ngày 08 tháng 5 năm 2026", "THÔNG BÁO", "Nguyễn Văn Hùng", "Mã băm SHA-256"}) {
    EXPECT_TRUE(absl::StrContains(text, want)) << want << "\n" << text;
  }
  const std::string info = Shell(absl::StrCat("pdfinfo '", (dir / "notice.pdf").string(), "'"));
  EXPECT_TRUE(absl::StrContains(info, "(A4)")) << info;
  EXPECT_TRUE(absl::StrContains(info, "Pages:           1")) << info;
  // To look at: DIALOGUE_DOCUMENTS_OUT=/some/dir keeps the PDF.
  if (const char* keep = std::getenv("DIALOGUE_DOCUMENTS_OUT")) {
    std::filesystem::copy_file(dir / "notice.pdf", std::filesystem::path(keep) / "notice.pdf",
                               std::filesystem::copy_options::overwrite_existing);
  }
  std::filesystem::remove_all(dir);
}

// Issue 20: each seed's plan as its issuer signs it, in all three forms: the Party's layout
// for the Party committees' plans (seeds 000-002), the decree's for the People's
// Committees'; the DOCX read back has every basis, task, recipient and the signer, and
// LibreOffice makes a PDF of each.
TEST(DocumentsTest, EverySeedPlanRendersInItsIssuersLayoutInAllThreeForms) {
  const auto seeds = testing::SeedPlans();
  ASSERT_EQ(seeds.size(), 5u);
  std::map<std::string, std::string> names;
  std::map<std::string, std::string> upper;  // the level above: the district, or the province
  const v1::ListTenantsResponse demo = testing::DemoTenants();
  for (const auto& t : demo.tenants()) names[t.name()] = t.display_name();
  for (const auto& t : demo.tenants()) {
    upper[t.name()] = t.parent().empty() ? "Tỉnh Mẫu" : names[t.parent()];
  }
  const auto dir = TempDir();
  std::string files;
  for (size_t i = 0; i < seeds.size(); ++i) {
    const v1::Plan& plan = seeds[i].plan();
    SCOPED_TRACE(seeds[i].request_id());
    const Document d =
        planning::PlanDocument(plan, names[seeds[i].parent()], upper[seeds[i].parent()]);
    EXPECT_EQ(d.layout, i <= 2 ? Layout::kParty : Layout::kState);
    const std::string text = Text(d);
    // The Party's header opens with the organization above the committee; the People's
    // Committee's with the committee itself.
    if (d.layout == Layout::kParty) {
      EXPECT_EQ(text.substr(0, text.find('\n')), Upper("Đảng bộ " + upper[seeds[i].parent()]));
    } else {
      EXPECT_TRUE(absl::StartsWith(text, "ỦY BAN NHÂN DÂN")) << text;
    }
    EXPECT_TRUE(absl::StrContains(text, MottoTitle(d.layout) + "\n")) << text;
    EXPECT_TRUE(absl::StrContains(text, "\nKẾ HOẠCH\n")) << text;
    EXPECT_FALSE(absl::StrContains(text, "UBND PH")) << "the issuing body is written out";
    EXPECT_TRUE(absl::StrContains(Html(d), Escape(d.abstract)));

    auto bytes = Docx(d);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    const std::string file = absl::StrCat("plan-", i, ".docx");
    const Struct docx = ReadDocx(Write(dir / file, *bytes));
    ASSERT_GT(docx.fields_size(), 0);
    absl::StrAppend(&files, " ", file);
    const std::vector<std::string> body = Texts(docx.fields().at("paragraphs").list_value());
    auto has = [&](const std::string& want) {
      return std::find(body.begin(), body.end(), want) != body.end();
    };
    EXPECT_TRUE(has("KẾ HOẠCH"));
    EXPECT_TRUE(has(d.abstract)) << d.abstract;
    for (const std::string& basis : plan.legal_bases()) {
      EXPECT_TRUE(std::any_of(body.begin(), body.end(), [&](const std::string& p) {
        return absl::StrContains(p, basis);
      })) << basis;
    }
    for (const auto& task : plan.tasks()) {
      const std::string start = task.description().substr(0, 40);
      EXPECT_TRUE(std::any_of(body.begin(), body.end(), [&](const std::string& p) {
        return absl::StrContains(p, start);
      })) << start;
    }
    const std::vector<std::string> to = Texts(Cell(docx, 1, 0, 0));
    EXPECT_EQ(to.front(), "Nơi nhận:");
    EXPECT_GE(to.size(), static_cast<size_t>(plan.distribution_size()) + 1);
    const std::vector<std::string> sign = Texts(Cell(docx, 1, 0, 1));
    EXPECT_EQ(sign.back(), plan.signer().full_name());
    const std::vector<std::string> motto = Texts(Cell(docx, 0, 0, 1));
    EXPECT_EQ(motto.front(), MottoTitle(d.layout));
  }
  Shell(absl::StrCat("cd '", dir.string(), "' && timeout 240 soffice --headless --norestore",
                     " -env:UserInstallation=file://", dir.string(), "/profile --convert-to pdf",
                     files, " 2>&1"));
  for (size_t i = 0; i < seeds.size(); ++i) {
    const auto pdf = dir / absl::StrCat("plan-", i, ".pdf");
    ASSERT_TRUE(std::filesystem::exists(pdf)) << pdf;
    const std::string text = Shell(absl::StrCat("pdftotext '", pdf.string(), "' - 2>&1"));
    EXPECT_TRUE(absl::StrContains(text, "KẾ HOẠCH")) << text;
    if (const char* keep = std::getenv("DIALOGUE_DOCUMENTS_OUT")) {
      std::filesystem::copy_file(pdf, std::filesystem::path(keep) / pdf.filename(),
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dialogue::documents
