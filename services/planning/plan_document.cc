#include "plan_document.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "dialogue/calendar/dates.h"

namespace dialogue::planning {
namespace {

// "2026-04-23" -> "23/4/2026", as plans write dates in their text.
std::string Short(const std::string& date) {
  auto day = calendar::ParseDate(date);
  if (!day.ok()) return date;
  return absl::StrCat(day->day(), "/", day->month(), "/", day->year());
}

std::string When(const v1::PlannedConference& c) {
  if (!c.session_date().empty()) return absl::StrCat("ngày ", Short(c.session_date()));
  if (c.window_end_date().empty() || c.window_end_date() == c.window_start_date()) {
    return absl::StrCat("ngày ", Short(c.window_start_date()));
  }
  return absl::StrCat("từ ngày ", Short(c.window_start_date()), " đến ngày ",
                      Short(c.window_end_date()));
}

const char* FormName(v1::DialogueForm form) {
  switch (form) {
    case v1::IN_PERSON:
      return "Hội nghị đối thoại trực tiếp";
    case v1::ONLINE:
      return "Đối thoại trực tuyến";
    case v1::HYBRID:
      return "Trực tiếp kết hợp trực tuyến";
    default:
      return "";
  }
}

// "Kế hoạch tổ chức đối thoại ..." -> "Tổ chức đối thoại ...": the type is printed above.
std::string Abstract(absl::string_view title) {
  absl::string_view rest = title;
  if (!absl::ConsumePrefix(&rest, "Kế hoạch ") && !absl::ConsumePrefix(&rest, "KẾ HOẠCH ")) {
    return std::string(title);
  }
  std::string out(rest);
  // Upper-case the first letter (one UTF-8 character).
  size_t first = 1;
  while (first < out.size() && (static_cast<unsigned char>(out[first]) & 0xC0) == 0x80) ++first;
  return absl::StrCat(documents::Upper(out.substr(0, first)), out.substr(first));
}

// A line ending with one full stop, whatever the text typed ended with.
std::string Sentence(std::string line) {
  while (!line.empty() &&
         (line.back() == '.' || line.back() == ';' || line.back() == ',' || line.back() == ' ')) {
    line.pop_back();
  }
  return line + ".";
}

// The issuing body as the header names it, in full: "UBND" written out; for the Party, the
// committee itself (its standing board signs on its behalf: "T/M BAN THƯỜNG VỤ"), with the
// unit's name where the plan gives only the level ("Huyện ủy" -> "Huyện ủy Tân Yên").
std::string IssuingBody(const v1::Plan& plan, documents::Layout layout,
                        const std::string& commune) {
  absl::string_view name = plan.issuing_authority();
  if (name.empty()) {
    return absl::StrCat(layout == documents::Layout::kParty ? "Đảng ủy " : "Ủy ban nhân dân ",
                        commune);
  }
  std::string out;
  if (absl::ConsumePrefix(&name, "UBND ")) out = "Ủy ban nhân dân ";
  if (layout == documents::Layout::kParty) {
    if (!absl::ConsumePrefix(&name, "Ban Thường vụ ")) {
      absl::ConsumePrefix(&name, "Ban Chấp hành ");
    }
  }
  absl::StrAppend(&out, name);
  for (absl::string_view level : {"ủy", "xã", "phường", "huyện", "thị trấn"}) {
    if (absl::EndsWith(out, level)) return absl::StrCat(out, " ", documents::PlaceOf(commune));
  }
  return out;
}

}  // namespace

bool IssuedByParty(const v1::Plan& plan) {
  if (plan.issuing_body() == v1::PARTY_COMMITTEE) return true;
  for (absl::string_view party : {"Đảng", "Huyện ủy", "Tỉnh ủy", "Thành ủy", "Thị ủy"}) {
    if (absl::StrContains(plan.issuing_authority(), party)) return true;
  }
  return false;
}

documents::Document PlanDocument(const v1::Plan& plan, const std::string& commune,
                                 const std::string& upper_unit) {
  documents::Document d;
  d.layout = IssuedByParty(plan) ? documents::Layout::kParty : documents::Layout::kState;
  // The Party's header names the organization the committee answers to (HD 36-HD/VPTW);
  // a People's Committee, an organ of local government, has no parent line.
  if (d.layout == documents::Layout::kParty && !upper_unit.empty()) {
    d.parent_body = absl::StrCat("Đảng bộ ", upper_unit);
  }
  d.issuing_body = IssuingBody(plan, d.layout, commune);
  d.number = plan.document_number();
  d.place = plan.place().empty() ? documents::PlaceOf(commune) : plan.place();
  d.date = plan.issue_date();
  d.type = "Kế hoạch";
  d.abstract = Abstract(plan.title());

  if (!plan.legal_bases().empty()) {
    documents::Part bases;  // căn cứ, before the first numbered part
    for (const std::string& basis : plan.legal_bases()) {
      bool worded = absl::StartsWith(basis, "Căn cứ") || absl::StartsWith(basis, "Thực hiện");
      bases.paragraphs.push_back(absl::StrCat(worded ? "" : "Căn cứ ", basis, ";"));
    }
    d.parts.push_back(std::move(bases));
  }
  documents::Part aims{"I. MỤC ĐÍCH, YÊU CẦU", {}};
  if (!plan.purposes().empty()) {
    aims.paragraphs.push_back("1. Mục đích");
    aims.paragraphs.insert(aims.paragraphs.end(), plan.purposes().begin(), plan.purposes().end());
  }
  if (!plan.requirements().empty()) {
    aims.paragraphs.push_back("2. Yêu cầu");
    aims.paragraphs.insert(aims.paragraphs.end(), plan.requirements().begin(),
                           plan.requirements().end());
  }
  if (!aims.paragraphs.empty()) d.parts.push_back(std::move(aims));

  documents::Part content{"II. NỘI DUNG", {}};
  auto& p = content.paragraphs;
  int n = 0;
  if (!plan.topics().empty()) {
    p.push_back(absl::StrCat(++n, ". Nội dung đối thoại"));
    for (const std::string& topic : plan.topics()) p.push_back(Sentence("- " + topic));
  }
  if (plan.form() != v1::DIALOGUE_FORM_UNSPECIFIED || !plan.form_description().empty()) {
    p.push_back(absl::StrCat(
        ++n, ". Hình thức: ",
        plan.form_description().empty() ? FormName(plan.form()) : plan.form_description()));
  }
  if (!plan.hosts().empty()) {
    p.push_back(absl::StrCat(++n, ". Chủ trì: ", absl::StrJoin(plan.hosts(), ", "), "."));
  }
  if (!plan.participant_groups().empty()) {
    p.push_back(absl::StrCat(++n, ". Thành phần tham dự"));
    for (const auto& g : plan.participant_groups()) {
      std::string line = absl::StrCat("- ", g.description());
      if (g.expected_max() > 0) {
        absl::StrAppend(&line, " (", g.expected_min(), "-", g.expected_max(), " người",
                        g.per_hamlet() ? " mỗi thôn, tổ dân phố" : "", ")");
      }
      p.push_back(Sentence(line));
    }
  }
  if (!plan.conferences().empty()) {
    p.push_back(absl::StrCat(++n, ". Thời gian, địa điểm"));
    for (const auto& c : plan.conferences()) {
      std::string line =
          absl::StrCat("- ", c.title().empty() ? "Hội nghị " + c.id() : c.title(), ": ", When(c));
      if (!c.venue().empty()) absl::StrAppend(&line, ", tại ", c.venue());
      if (!c.note().empty()) absl::StrAppend(&line, " (", c.note(), ")");
      p.push_back(Sentence(line));
    }
  }
  if (!p.empty()) d.parts.push_back(std::move(content));

  documents::Part tasks{"III. TỔ CHỨC THỰC HIỆN", {}};
  n = 0;
  for (const auto& t : plan.tasks()) {
    std::string line =
        absl::StrCat(++n, ". ", t.responsible_unit().empty() ? "" : t.responsible_unit() + ": ",
                     Sentence(t.description()));
    line.pop_back();  // the full stop goes after the date
    if (!t.resolved_due_date().empty()) {
      absl::StrAppend(&line, " (thời hạn: ", Short(t.resolved_due_date()), ")");
    }
    tasks.paragraphs.push_back(Sentence(line));
  }
  if (!tasks.paragraphs.empty()) d.parts.push_back(std::move(tasks));

  d.recipients.assign(plan.distribution().begin(), plan.distribution().end());
  d.signature = {plan.signer().capacity(), plan.signer().title(), plan.signer().full_name()};
  return d;
}

}  // namespace dialogue::planning
