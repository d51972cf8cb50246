#include "opinion_rules.h"

#include <openssl/sha.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"
#include "dialogue/v1/notices.pb.h"
#include "dialogue/v1/supervision.pb.h"

namespace dialogue::intake {
namespace {

using auth::Role;
using common::NextCodePoint;

// Each Vietnamese letter with a mark, precomposed, to its base letter.
const std::unordered_map<int32_t, char>& BaseLetters() {
  static const auto* map = [] {
    const std::pair<char, const char*> groups[] = {
        {'a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
        {'e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"},
        {'i', "ìíỉĩịÌÍỈĨỊ"},
        {'o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
        {'u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"},
        {'y', "ỳýỷỹỵỲÝỶỸỴ"},
        {'d', "đĐ"},
    };
    auto* m = new std::unordered_map<int32_t, char>();
    for (const auto& [base, letters] : groups) {
      absl::string_view s(letters);
      for (size_t i = 0; i < s.size();) (*m)[NextCodePoint(s, &i)] = base;
    }
    return m;
  }();
  return *map;
}

bool IsCombiningMark(int32_t cp) { return cp >= 0x300 && cp <= 0x36f; }

// A Vietnamese letter split into its shape (the letter with its breve, circumflex, horn or
// bar, lower case) and its tone: 0 none, 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng.
struct Shaped {
  int32_t letter;
  int tone;
};

const std::unordered_map<int32_t, Shaped>& ShapedLetters() {
  static const auto* map = [] {
    // Each row: the letter and its five tones, lower case, then upper case.
    const char* rows[] = {"aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
                          "oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ",
                          "AÀÁẢÃẠ", "ĂẰẮẲẴẶ", "ÂẦẤẨẪẬ", "EÈÉẺẼẸ", "ÊỀẾỂỄỆ", "IÌÍỈĨỊ",
                          "OÒÓỎÕỌ", "ÔỒỐỔỖỘ", "ƠỜỚỞỠỢ", "UÙÚỦŨỤ", "ƯỪỨỬỮỰ", "YỲÝỶỸỴ"};
    auto* m = new std::unordered_map<int32_t, Shaped>();
    for (size_t r = 0; r < std::size(rows); ++r) {
      absl::string_view lower(rows[r % 12]);
      size_t l = 0;
      const int32_t letter = NextCodePoint(lower, &l);
      absl::string_view row(rows[r]);
      int tone = 0;
      for (size_t i = 0; i < row.size(); ++tone) (*m)[NextCodePoint(row, &i)] = {letter, tone};
    }
    (*m)[0x111] = {0x111, 0};  // đ
    (*m)[0x110] = {0x111, 0};  // Đ
    return m;
  }();
  return *map;
}

// The tone of a combining mark (decomposed input), or -1 for another mark.
int CombiningTone(int32_t cp) {
  switch (cp) {
    case 0x300:
      return 1;
    case 0x301:
      return 2;
    case 0x309:
      return 3;
    case 0x303:
      return 4;
    case 0x323:
      return 5;
    default:
      return -1;
  }
}

// A letter with a combining breve (0x306), circumflex (0x302) or horn (0x31b) after it:
// the precomposed shape, or 0 when the pair makes no Vietnamese letter.
int32_t CombineShape(char base, int32_t mark) {
  switch (mark) {
    case 0x306:
      return base == 'a' ? 0x103 : 0;
    case 0x302:
      return base == 'a' ? 0xe2 : base == 'e' ? 0xea : base == 'o' ? 0xf4 : 0;
    case 0x31b:
      return base == 'o' ? 0x1a1 : base == 'u' ? 0x1b0 : 0;
    default:
      return 0;
  }
}

// Default topics (domain.md, step 2) and the words that suggest them, as they are written.
std::vector<v1::Topic> MakeDefaultTopics() {
  struct Def {
    const char* id;
    const char* name;
    std::vector<const char*> keywords;
  };
  const std::vector<Def> defs = {
      {"kinh-te",
       "Kinh tế",
       {"kinh tế", "sản xuất", "nông nghiệp", "chăn nuôi", "trồng trọt", "giá cả", "vay vốn",
        "doanh nghiệp", "việc làm", "thu nhập", "tiêu thụ", "chợ", "phân bón", "giống"}},
      {"van-hoa-xa-hoi",
       "Văn hóa - xã hội",
       {"văn hóa", "xã hội", "giáo dục", "trường học", "học sinh", "y tế", "trạm y tế", "bảo hiểm",
        "hộ nghèo", "cận nghèo", "người có công", "trợ cấp", "thể thao", "môi trường", "rác",
        "nước sạch", "ô nhiễm"}},
      {"an-ninh-quoc-phong",
       "An ninh - quốc phòng",
       {"an ninh", "trật tự", "quốc phòng", "trộm", "cắp", "ma túy", "tội phạm", "cờ bạc",
        "nghĩa vụ quân sự", "dân quân", "an toàn giao thông", "đánh nhau"}},
      {"nong-thon-moi",
       "Xây dựng nông thôn mới",
       {"nông thôn mới", "đường", "bê tông", "kênh mương", "thủy lợi", "đèn đường", "chiếu sáng",
        "hạ tầng", "cống", "nhà văn hóa", "cầu"}},
      {"dat-dai",
       "Quản lý đất đai",
       {"đất", "đất đai", "sổ đỏ", "giấy chứng nhận", "quyền sử dụng", "thu hồi", "đền bù",
        "bồi thường", "giải phóng mặt bằng", "chuyển nhượng", "cho thuê", "lấn chiếm", "tranh chấp",
        "cấp sổ"}},
      {"thu-tuc-hanh-chinh",
       "Thủ tục hành chính",
       {"thủ tục", "hồ sơ", "một cửa", "phục vụ hành chính công", "giấy tờ", "chứng thực",
        "khai sinh", "hộ tịch", "trễ hẹn", "giải quyết hồ sơ"}},
      {"chuyen-doi-so",
       "Chuyển đổi số - Đề án 06",
       {"chuyển đổi số", "đề án 06", "định danh", "vneid", "căn cước", "dịch vụ công", "trực tuyến",
        "internet", "số hóa"}},
      {"can-bo",
       "Tác phong cán bộ",
       {"cán bộ", "công chức", "thái độ", "tác phong", "nhũng nhiễu", "tham nhũng", "tiêu cực",
        "gây khó khăn"}},
      {"khieu-nai",
       "Giải quyết khiếu nại, tố cáo",
       {"khiếu nại", "tố cáo", "đơn thư", "chưa được giải quyết", "tiếp công dân"}},
      {"khac", "Khác", {}},
  };
  std::vector<v1::Topic> topics;
  for (const auto& def : defs) {
    v1::Topic topic;
    topic.set_id(def.id);
    topic.set_display_name(def.name);
    for (const char* k : def.keywords) topic.add_keywords(k);
    topics.push_back(std::move(topic));
  }
  return topics;
}

// Phrases of a person writing about their own household only.
constexpr const char* kIndividualPhrases[] = {
    "gia dinh toi", "nha toi",         "cua toi",       "ho toi",    "ban than toi",
    "bo toi",       "me toi",          "vo toi",        "chong toi", "con toi",
    "thua dat cua", "ho gia dinh ong", "ho gia dinh ba"};

void RowProblem(std::vector<v1::RowError>* errors, int row, absl::string_view field,
                absl::string_view reason, absl::string_view message) {
  v1::RowError& e = errors->emplace_back();
  e.set_row(row);
  e.set_field(std::string(field));
  e.set_reason(std::string(reason));
  e.set_message(std::string(message));
}

// Hex of the first 16 bytes of SHA-256: stable across builds, unlike std::hash.
std::string Digest(absl::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), 16));
}

}  // namespace

std::string Normalize(absl::string_view text) {
  const auto& base = BaseLetters();
  std::string out;
  out.reserve(text.size());
  bool space = true;  // no leading space
  auto separator = [&] {
    if (!space) out.push_back(' ');
    space = true;
  };
  for (size_t i = 0; i < text.size();) {
    int32_t cp = NextCodePoint(text, &i);
    if (cp < 0) {
      ++i;
      separator();
      continue;
    }
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (absl::ascii_isalnum(c)) {
        out.push_back(absl::ascii_tolower(c));
        space = false;
      } else {
        separator();
      }
      continue;
    }
    if (IsCombiningMark(cp)) continue;  // decomposed input: the mark after its letter
    auto it = base.find(cp);
    if (it != base.end()) {
      out.push_back(it->second);
      space = false;
      continue;
    }
    if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x206f)) {
      separator();  // Latin-1 punctuation, general punctuation
      continue;
    }
    // Another script's letter: keep its bytes.
    size_t len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    out.append(text.data() + i - len, len);
    space = false;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

const std::vector<v1::Topic>& DefaultTopics() {
  static const auto* topics = new std::vector<v1::Topic>(MakeDefaultTopics());
  return *topics;
}

std::string FoldTones(absl::string_view text, bool* marked) {
  const auto& shaped = ShapedLetters();
  std::string out;
  out.reserve(text.size());
  bool in_word = false;
  int tone = 0;
  auto end_word = [&] {
    if (in_word) {
      if (tone > 0) out.push_back(static_cast<char>('0' + tone));
      out.push_back(' ');
    }
    in_word = false;
    tone = 0;
  };
  for (size_t i = 0; i < text.size();) {
    int32_t cp = NextCodePoint(text, &i);
    if (cp < 0) {
      ++i;
      end_word();
      continue;
    }
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (absl::ascii_isalnum(c)) {
        out.push_back(absl::ascii_tolower(c));
        in_word = true;
      } else {
        end_word();
      }
      continue;
    }
    if (IsCombiningMark(cp)) {  // decomposed input: the mark after its letter
      if (!in_word) continue;
      if (int t = CombiningTone(cp); t > 0) {
        tone = t;
        *marked = true;
      } else if (int32_t letter = CombineShape(out.back(), cp); letter != 0) {
        out.pop_back();
        common::AppendUtf8(out, letter);
        *marked = true;
      }
      continue;
    }
    if (auto it = shaped.find(cp); it != shaped.end()) {
      common::AppendUtf8(out, it->second.letter);
      if (it->second.tone > 0) tone = it->second.tone;
      *marked = true;
      in_word = true;
      continue;
    }
    if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x206f)) {
      end_word();  // Latin-1 punctuation, general punctuation
      continue;
    }
    size_t len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;  // another script's letter
    out.append(text.data() + i - len, len);
    in_word = true;
  }
  end_word();
  if (!out.empty()) out.pop_back();
  return out;
}

TopicMatcher::TopicMatcher(const std::vector<v1::Topic>& topics) {
  for (const auto& topic : topics) {
    Entry entry{topic.id(), {}};
    for (const auto& keyword : topic.keywords()) {
      std::string plain = Normalize(keyword);
      if (plain.empty()) continue;
      bool marked = false;
      std::string toned = FoldTones(keyword, &marked);
      int weight = 1 + static_cast<int>(std::count(plain.begin(), plain.end(), ' '));
      entry.phrases.push_back({absl::StrCat(" ", plain, " "),
                               marked ? absl::StrCat(" ", toned, " ") : std::string(), weight});
    }
    entries_.push_back(std::move(entry));
  }
}

Suggestion TopicMatcher::Suggest(absl::string_view text) const {
  Suggestion suggestion;
  const std::string plain = absl::StrCat(" ", Normalize(text), " ");
  bool marked = false;
  const std::string toned = absl::StrCat(" ", FoldTones(text, &marked), " ");
  int best = 0;
  for (const auto& entry : entries_) {
    int score = 0;
    for (const auto& phrase : entry.phrases) {
      // A text written with its marks is read with them ("chở" is not "chợ"); one typed
      // without marks, and a keyword given without them, match on the bare letters.
      const bool by_tone = marked && !phrase.toned.empty();
      if ((by_tone ? toned : plain).find(by_tone ? phrase.toned : phrase.plain) !=
          std::string::npos) {
        score += phrase.weight;
      }
    }
    if (score > best) {
      best = score;
      suggestion.topic = entry.topic;
    }
  }
  for (const char* phrase : kIndividualPhrases) {
    if (plain.find(absl::StrCat(" ", phrase, " ")) != std::string::npos) {
      suggestion.individual = true;
      break;
    }
  }
  return suggestion;
}

Suggestion Suggest(absl::string_view text, const std::vector<v1::Topic>& topics) {
  return TopicMatcher(topics).Suggest(text);
}

absl::Status ValidateTopics(const std::vector<v1::Topic>& topics) {
  if (topics.empty()) {
    return common::InvalidField("topics", "TOPICS_REQUIRED", "a tenant needs at least one topic");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < topics.size(); ++i) {
    const auto& t = topics[i];
    std::string field = absl::StrCat("topics[", i, "]");
    const std::string& id = t.id();
    bool id_ok = !id.empty() && id.size() <= 63 && absl::ascii_isalnum(id[0]) &&
                 id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
    if (!id_ok) {
      return common::InvalidField(
          absl::StrCat(field, ".id"), "TOPIC_ID_INVALID",
          absl::StrCat("'", id, "' is not lower-case letters, digits and '-'"));
    }
    if (!seen.insert(id).second) {
      return common::InvalidField(absl::StrCat(field, ".id"), "TOPIC_REPEATED",
                                  absl::StrCat("the topic '", id, "' is listed twice"));
    }
    RETURN_IF_ERROR(CheckText(absl::StrCat(field, ".display_name"), t.display_name(), 200));
    for (int k = 0; k < t.keywords_size(); ++k) {
      RETURN_IF_ERROR(CheckText(absl::StrCat(field, ".keywords[", k, "]"), t.keywords(k), 100));
    }
  }
  return absl::OkStatus();
}

absl::string_view ActionName(OpinionAction action) {
  switch (action) {
    case OpinionAction::kRead:
      return "read";
    case OpinionAction::kReceive:
      return "receive";
    case OpinionAction::kClassify:
      return "classify";
    case OpinionAction::kMerge:
      return "merge";
    case OpinionAction::kAssign:
      return "assign";
    case OpinionAction::kDraftAnswer:
      return "draft the answer to";
    case OpinionAction::kApproveAnswer:
      return "approve the answer to";
    case OpinionAction::kReturnAnswer:
      return "return the answer to";
    case OpinionAction::kMarkAnswered:
      return "mark as answered";
    case OpinionAction::kManageTopics:
      return "change the topics of";
    case OpinionAction::kManageRequests:
      return "handle requests for a dialogue of";
  }
  return "act on";
}

absl::Status CheckRole(const auth::Principal& principal, OpinionAction action) {
  if (principal.Has(Role::kAdmin)) return absl::OkStatus();
  bool allowed = false;
  switch (action) {
    case OpinionAction::kRead:
      allowed = principal.HasAny({Role::kPartyOffice, Role::kGovernmentOffice, Role::kFront,
                                  Role::kDepartment, Role::kChair, Role::kSecretary,
                                  Role::kHamletLead, Role::kProvince});
      break;
    case OpinionAction::kReceive:
      allowed = principal.HasAny({Role::kFront, Role::kGovernmentOffice, Role::kPartyOffice,
                                  Role::kSecretary, Role::kHamletLead});
      break;
    case OpinionAction::kClassify:
    case OpinionAction::kMerge:
      allowed = principal.HasAny({Role::kFront, Role::kGovernmentOffice});
      break;
    case OpinionAction::kAssign:
    case OpinionAction::kManageTopics:
    case OpinionAction::kManageRequests:
      allowed = principal.HasAny({Role::kGovernmentOffice});
      break;
    case OpinionAction::kDraftAnswer:
      allowed = principal.HasAny({Role::kDepartment, Role::kGovernmentOffice});
      break;
    case OpinionAction::kApproveAnswer:
    case OpinionAction::kReturnAnswer:
      allowed = principal.HasAny({Role::kGovernmentOffice, Role::kChair});
      break;
    case OpinionAction::kMarkAnswered:
      allowed = principal.HasAny({Role::kGovernmentOffice, Role::kSecretary});
      break;
  }
  if (allowed) return absl::OkStatus();
  return common::Error(
      absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN",
      absl::StrCat("your roles do not allow you to ", ActionName(action), " an opinion"));
}

bool DepartmentOnly(const auth::Principal& principal) {
  return principal.Has(Role::kDepartment) &&
         !principal.HasAny({Role::kPartyOffice, Role::kGovernmentOffice, Role::kFront, Role::kChair,
                            Role::kSecretary, Role::kHamletLead, Role::kProvince, Role::kAdmin});
}

namespace {
absl::Status UnknownDepartment() {
  return common::Error(absl::StatusCode::kPermissionDenied, "DEPARTMENT_UNKNOWN",
                       "your sign-in names no department; ask the office to set it");
}
absl::Status OtherDepartment() {
  return common::Error(absl::StatusCode::kPermissionDenied, "OTHER_DEPARTMENT",
                       "this opinion is not assigned to your department");
}
}  // namespace

absl::Status CheckDepartment(const auth::Principal& principal, const v1::Opinion& opinion) {
  if (!DepartmentOnly(principal)) return absl::OkStatus();
  if (principal.department.empty()) return UnknownDepartment();
  if (opinion.department() != principal.department) return OtherDepartment();
  return absl::OkStatus();
}

absl::StatusOr<std::string> BoundDepartment(const auth::Principal& principal,
                                            const std::string& requested) {
  if (!DepartmentOnly(principal)) return requested;
  if (principal.department.empty()) return UnknownDepartment();
  if (!requested.empty() && requested != principal.department) return OtherDepartment();
  return principal.department;
}

absl::StatusOr<v1::OpinionState> NextState(v1::OpinionState from, OpinionAction action,
                                           bool individual_matter) {
  using S = v1::OpinionState;
  auto allow = [&](std::initializer_list<S> sources, S to) -> absl::StatusOr<S> {
    for (S s : sources) {
      if (s == from) return to;
    }
    std::vector<std::string> names;
    for (S s : sources) names.push_back(v1::OpinionState_Name(s));
    return common::Error(absl::StatusCode::kFailedPrecondition, "INVALID_OPINION_STATE",
                         absl::StrCat("cannot ", ActionName(action), " an opinion that is ",
                                      v1::OpinionState_Name(from), "; only one that is ",
                                      absl::StrJoin(names, " or ")));
  };
  switch (action) {
    case OpinionAction::kClassify:
      return allow({v1::RECEIVED, v1::CLASSIFIED},
                   individual_matter ? v1::ROUTED_ELSEWHERE : v1::CLASSIFIED);
    case OpinionAction::kAssign:
      return allow({v1::CLASSIFIED, v1::ASSIGNED}, v1::ASSIGNED);
    case OpinionAction::kDraftAnswer:
      return allow({v1::ASSIGNED, v1::ANSWER_DRAFTED}, v1::ANSWER_DRAFTED);
    case OpinionAction::kApproveAnswer:
      return allow({v1::ANSWER_DRAFTED}, v1::ANSWER_APPROVED);
    case OpinionAction::kReturnAnswer:
      return allow({v1::ANSWER_DRAFTED}, v1::ASSIGNED);
    case OpinionAction::kMarkAnswered:
      return allow({v1::ANSWER_APPROVED}, v1::ANSWERED);
    default:
      return from;
  }
}

absl::Status CheckMergeable(const v1::Opinion& opinion, bool as_target) {
  v1::OpinionState s = opinion.state();
  bool ok = as_target ? (s != v1::MERGED && s != v1::ROUTED_ELSEWHERE)
                      : (s == v1::RECEIVED || s == v1::CLASSIFIED);
  if (ok) return absl::OkStatus();
  return common::Error(
      absl::StatusCode::kFailedPrecondition, "INVALID_OPINION_STATE",
      absl::StrCat(opinion.name(), " is ", v1::OpinionState_Name(s), "; ",
                   as_target ? "an opinion merged or routed elsewhere cannot stand for others"
                             : "only RECEIVED or CLASSIFIED opinions can be merged into another"));
}

absl::StatusOr<std::vector<v1::OpinionRow>> ParseCsv(absl::string_view csv) {
  // Records of fields, quotes as RFC 4180 (doubled quote inside a quoted field).
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  absl::ConsumePrefix(&csv, "\xEF\xBB\xBF");  // the BOM spreadsheet programs write
  for (size_t i = 0; i < csv.size(); ++i) {
    char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
      }
      field.clear();
      record.clear();
      any = false;
    } else {
      field.push_back(c);
      any = true;
    }
  }
  if (quoted) {
    return common::InvalidField("csv", "CSV_INVALID", "a quoted field is never closed");
  }
  if (any || !field.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  if (records.empty()) {
    return common::InvalidField("csv", "CSV_INVALID", "the file has no header row");
  }
  std::map<std::string, int> column;
  for (size_t i = 0; i < records[0].size(); ++i) {
    column[absl::AsciiStrToLower(absl::StripAsciiWhitespace(records[0][i]))] = static_cast<int>(i);
  }
  if (!column.count("hamlet") || !column.count("text")) {
    return common::InvalidField(
        "csv", "CSV_HEADER_INVALID",
        "the first row must name the columns, with at least hamlet and text "
        "(optional: submitter_name, submitter_contact, channel)");
  }
  auto get = [&](const std::vector<std::string>& r, const char* name) -> std::string {
    auto it = column.find(name);
    if (it == column.end() || it->second >= static_cast<int>(r.size())) return "";
    return r[it->second];
  };
  std::vector<v1::OpinionRow> rows;
  for (size_t i = 1; i < records.size(); ++i) {
    v1::OpinionRow row;
    row.set_hamlet(std::string(absl::StripAsciiWhitespace(get(records[i], "hamlet"))));
    row.set_text(get(records[i], "text"));
    row.set_submitter_name(get(records[i], "submitter_name"));
    row.set_submitter_contact(get(records[i], "submitter_contact"));
    std::string channel = std::string(absl::StripAsciiWhitespace(get(records[i], "channel")));
    v1::Channel parsed = v1::CHANNEL_UNSPECIFIED;
    if (!channel.empty() && !v1::Channel_Parse(absl::AsciiStrToUpper(channel), &parsed)) {
      parsed = static_cast<v1::Channel>(-1);  // reported by CheckRows with its row number
    }
    row.set_channel(parsed);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<ImportRow> CheckRows(const std::vector<v1::OpinionRow>& rows, const std::string& round,
                                 const std::vector<std::string>& hamlets,
                                 const std::vector<v1::Topic>& topics,
                                 std::vector<v1::RowError>* errors) {
  std::set<absl::string_view> known(hamlets.begin(), hamlets.end());
  const TopicMatcher matcher(topics);
  std::map<std::string, int> occurrences;
  std::vector<ImportRow> good;
  good.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    int n = static_cast<int>(i) + 1;
    const v1::OpinionRow& row = rows[i];
    absl::Status text = CheckText("text", row.text(), kMaxTextChars);
    if (!text.ok()) {
      RowProblem(errors, n, "text", common::ErrorReason(text), text.message());
      continue;
    }
    if (row.hamlet().empty() || (!known.empty() && !known.count(row.hamlet()))) {
      RowProblem(errors, n, "hamlet", "HAMLET_UNKNOWN",
                 absl::StrCat("'", row.hamlet(), "' is not a hamlet of this commune"));
      continue;
    }
    if (!v1::Channel_IsValid(row.channel())) {
      RowProblem(errors, n, "channel", "CHANNEL_UNKNOWN", "the channel is not one of Channel");
      continue;
    }
    absl::Status name = CheckText("submitter_name", row.submitter_name(), 200, false);
    absl::Status contact = CheckText("submitter_contact", row.submitter_contact(), 200, false);
    if (!name.ok() || !contact.ok()) {
      const absl::Status& bad = name.ok() ? contact : name;
      RowProblem(errors, n, name.ok() ? "submitter_contact" : "submitter_name",
                 common::ErrorReason(bad), bad.message());
      continue;
    }
    ImportRow out;
    out.row = n;
    out.fields = row;
    if (out.fields.channel() == v1::CHANNEL_UNSPECIFIED) out.fields.set_channel(v1::SURVEY_FORM);
    out.normalized = Normalize(row.text());
    out.suggestion = matcher.Suggest(row.text());
    std::string identity =
        absl::StrCat(round, "\x1f", row.hamlet(), "\x1f", out.normalized, "\x1f",
                     Normalize(row.submitter_name()), "\x1f", Normalize(row.submitter_contact()),
                     "\x1f", out.fields.channel());
    int occurrence = ++occurrences[identity];
    out.key = absl::StrCat("import:", Digest(identity), ":", occurrence);
    good.push_back(std::move(out));
  }
  return good;
}

std::string VoterKey(absl::string_view name, absl::string_view hamlet, absl::string_view contact) {
  std::string digits;
  for (char c : contact) {
    if (absl::ascii_isdigit(c)) digits.push_back(c);
  }
  return absl::StrCat(Normalize(name), "|", hamlet, "|",
                      digits.empty() ? Normalize(contact) : digits);
}

int DialogueThreshold(int voter_count, int percent) {
  if (voter_count <= 0) return 0;
  if (percent <= 0) percent = 10;
  return static_cast<int>((static_cast<int64_t>(voter_count) * percent + 99) / 100);
}

absl::StatusOr<PlanRoundDates> RoundDatesFromPlan(const v1::Plan& plan,
                                                  const std::string& conference_id) {
  const v1::PlannedConference* conference = nullptr;
  std::string previous_end;  // the last day of the latest conference before this one
  for (const auto& c : plan.conferences()) {
    if (c.id() == conference_id) conference = &c;
  }
  if (conference == nullptr) {
    return common::InvalidField(
        "round.conference_id", "CONFERENCE_NOT_IN_PLAN",
        absl::StrCat("the plan ", plan.name(), " has no conference '", conference_id, "'"));
  }
  for (const auto& c : plan.conferences()) {
    if (c.window_end_date() < conference->window_start_date() &&
        c.window_end_date() > previous_end) {
      previous_end = c.window_end_date();
    }
  }
  auto due_of = [&](v1::TaskKind kind) -> std::string {
    std::string found;
    for (const auto& task : plan.tasks()) {
      if (task.kind() != kind || task.resolved_due_date().empty()) continue;
      const bool ours = task.has_relative_due()
                            ? task.relative_due().conference_id() == conference_id
                            : task.resolved_due_date() > previous_end &&
                                  task.resolved_due_date() <= conference->window_end_date();
      if (ours && (found.empty() || task.resolved_due_date() < found)) {
        found = task.resolved_due_date();
      }
    }
    return found;
  };
  PlanRoundDates dates;
  dates.opinion_deadline = !conference->opinion_deadline_date().empty()
                               ? conference->opinion_deadline_date()
                               : due_of(v1::OPINION_COLLECTION);
  dates.answer_due = due_of(v1::ANSWER_DRAFTING);
  // The day the conference is held, once a session records it; the window's first day before.
  dates.conference_opens = !conference->session_date().empty() ? conference->session_date()
                                                               : conference->window_start_date();
  return dates;
}

absl::Status CheckRoundDates(const v1::Round& round, const std::string& conference_opens) {
  for (const auto& [value, field] :
       {std::make_pair(&round.opinion_deadline_date(), "round.opinion_deadline_date"),
        std::make_pair(&round.answer_due_date(), "round.answer_due_date")}) {
    if (!value->empty() && !calendar::ParseDate(*value).ok()) {
      return common::InvalidField(field, "DATE_INVALID",
                                  absl::StrCat("'", *value, "' is not a date as YYYY-MM-DD"));
    }
  }
  const std::string& deadline = round.opinion_deadline_date();
  if (!deadline.empty() && !conference_opens.empty() && deadline >= conference_opens) {
    return common::InvalidField(
        "round.opinion_deadline_date", "OPINION_DEADLINE_NOT_BEFORE_CONFERENCE",
        absl::StrCat("opinions must be collected before the conference opens on ", conference_opens,
                     "; the deadline is ", deadline));
  }
  if (!deadline.empty() && !round.answer_due_date().empty() && round.answer_due_date() < deadline) {
    return common::InvalidField("round.answer_due_date", "ANSWER_DUE_BEFORE_DEADLINE",
                                absl::StrCat("the answers cannot be due (", round.answer_due_date(),
                                             ") before the opinions are in (", deadline, ")"));
  }
  return absl::OkStatus();
}

}  // namespace dialogue::intake

namespace dialogue::intake {
namespace {

// "0912 345 678", "+84 912.345.678": a plus at most, then 9 to 12 digits between
// spaces, dots, dashes and brackets.
bool IsPhone(absl::string_view contact) {
  absl::string_view c = absl::StripAsciiWhitespace(contact);
  absl::ConsumePrefix(&c, "+");
  int digits = 0;
  for (char ch : c) {
    if (absl::ascii_isdigit(ch)) {
      ++digits;
    } else if (ch != ' ' && ch != '.' && ch != '-' && ch != '(' && ch != ')') {
      return false;
    }
  }
  return digits >= 9 && digits <= 12;
}

// One "@", something before it, a dot in what follows, no spaces.
bool IsEmail(absl::string_view contact) {
  absl::string_view c = absl::StripAsciiWhitespace(contact);
  size_t at = c.find('@');
  if (at == 0 || at == absl::string_view::npos || c.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  absl::string_view domain = c.substr(at + 1);
  size_t dot = domain.find('.');
  return dot != absl::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
         c.find(' ') == absl::string_view::npos;
}

}  // namespace

v1::ReplyVia EffectiveReplyVia(const v1::Submitter& submitter) {
  if (submitter.reply_via() != v1::REPLY_VIA_UNSPECIFIED) return submitter.reply_via();
  if (IsPhone(submitter.contact())) return v1::REPLY_SMS;
  if (IsEmail(submitter.contact())) return v1::REPLY_EMAIL;
  return v1::REPLY_NONE;
}

absl::Status CheckReplyVia(const v1::Submitter& submitter, absl::string_view prefix) {
  const std::string field = absl::StrCat(prefix, "submitter.contact");
  switch (submitter.reply_via()) {
    case v1::REPLY_SMS:
    case v1::REPLY_ZALO:
      if (IsPhone(submitter.contact())) return absl::OkStatus();
      return common::InvalidField(field, "CONTACT_INVALID",
                                  "a reply by SMS or Zalo needs a phone number, e.g. 0912 345 678");
    case v1::REPLY_EMAIL:
      if (IsEmail(submitter.contact())) return absl::OkStatus();
      return common::InvalidField(field, "CONTACT_INVALID",
                                  "a reply by e-mail needs an address such as ten@example.vn");
    case v1::REPLY_VIA_UNSPECIFIED:
    case v1::REPLY_NONE:
      return absl::OkStatus();
    default:
      return common::InvalidField(absl::StrCat(prefix, "submitter.reply_via"), "REPLY_VIA_INVALID",
                                  "reply_via is not a known channel");
  }
}

int ReplyChannel(v1::ReplyVia via) {
  switch (via) {
    case v1::REPLY_SMS:
      return v1::VIA_SMS;
    case v1::REPLY_ZALO:
      return v1::VIA_ZALO;
    case v1::REPLY_EMAIL:
      return v1::VIA_EMAIL;
    default:
      return 0;
  }
}

absl::optional<v1::PetitionerMessage> MessageTo(const Petitioner& p, const std::string& tenant,
                                                std::string title, std::string text) {
  const int channel = ReplyChannel(EffectiveReplyVia(p.submitter));
  if (channel == 0 || p.submitter.contact().empty() || text.empty()) return absl::nullopt;
  v1::PetitionerMessage m;
  m.set_opinion(p.opinion);
  m.set_receipt_code(p.receipt_code);
  m.set_channel(channel);
  m.set_contact(std::string(absl::StripAsciiWhitespace(p.submitter.contact())));
  m.set_title(std::move(title));
  m.set_text(std::move(text));
  if (!p.receipt_code.empty()) {
    m.set_follow_path(absl::StrCat("/xa/", tenant, "/theo-doi/", p.receipt_code));
  }
  return m;
}

std::pair<std::string, std::string> AnswerText(const std::string& receipt_code,
                                               const std::string& answer) {
  return {absl::StrCat("Trả lời ý kiến, kiến nghị mã ", receipt_code),
          absl::StrCat("Ý kiến, kiến nghị mã ", receipt_code, " đã có câu trả lời: ", answer)};
}

std::pair<std::string, std::string> AnsweredAtConferenceText(const std::string& receipt_code,
                                                             absl::CivilDay held) {
  return {absl::StrCat("Trả lời ý kiến, kiến nghị mã ", receipt_code),
          absl::StrFormat("Ý kiến, kiến nghị mã %s đã được trả lời trực tiếp tại hội nghị đối "
                          "thoại ngày %02d/%02d/%04d.",
                          receipt_code, held.day(), held.month(), held.year())};
}

std::pair<std::string, std::string> DialogueRequiredText(int requests, int threshold) {
  return {"Đề nghị tổ chức hội nghị đối thoại",
          absl::StrCat("Đề nghị tổ chức hội nghị đối thoại của ông/bà đã được ghi nhận cùng ",
                       requests, " cử tri, đủ số ", threshold,
                       " cử tri mà luật quy định. Ủy ban nhân dân xã sẽ tổ chức hội nghị đối "
                       "thoại và thông báo thời gian, địa điểm trên trang thông báo của xã.")};
}

std::pair<std::string, std::string> CommitmentText(const std::string& receipt_code,
                                                   const v1::CommitmentChanged& change) {
  const std::string title = absl::StrCat("Kết quả giải quyết kiến nghị mã ", receipt_code);
  const std::string about =
      absl::StrCat("Kiến nghị mã ", receipt_code, " (", change.summary(), ")");
  const std::string due = change.due_date().empty()
                              ? ""
                              : absl::StrCat(", hạn ", calendar::WrittenDate(change.due_date()));
  const std::string note = change.note().empty() ? "" : absl::StrCat(" ", change.note());
  if (change.kind() == v1::CHANGE_CREATED) {
    if (change.to_state() == v1::COMMITMENT_RESOLVED) return {};  // answered in the room
    return {title, absl::StrCat(about, ": hội nghị đối thoại ngày ",
                                calendar::WrittenDate(change.conference_date()), " kết luận giao ",
                                change.agency(), " ", change.action(), due, ".")};
  }
  if (change.kind() == v1::CHANGE_UPPER_ANSWER) {
    return {title,
            absl::StrCat(about, ": cấp trên trả lời: ", absl::StripSuffix(change.note(), "."),
                         change.to_state() == v1::COMMITMENT_ESCALATED ? due : "", ".")};
  }
  if (change.kind() != v1::CHANGE_PROGRESS && change.kind() != v1::CHANGE_CHECK) return {};
  if (change.from_state() == change.to_state()) return {};
  switch (change.to_state()) {
    case v1::COMMITMENT_REPORTED:
      return {title, absl::StrCat(about, ": ", change.agency(), " đã báo cáo.", note)};
    case v1::COMMITMENT_IN_PROGRESS:
      return {title,
              absl::StrCat(about, ": ", change.agency(), " đang giải quyết", due, ".", note)};
    case v1::COMMITMENT_RESOLVED:
      return {title, absl::StrCat(
                         about, ": đã giải quyết ngày ", calendar::WrittenDate(change.date()), ".",
                         note, " Ông/bà có thể cho biết có hài lòng không trên trang theo dõi.")};
    case v1::COMMITMENT_ESCALATED:
      return {title, absl::StrCat(about, ": vượt thẩm quyền của xã, đã chuyển cấp trên.", note)};
    case v1::COMMITMENT_CANNOT_RESOLVE:
      return {title, absl::StrCat(about, ": không thể giải quyết.", note)};
    default:
      return {};
  }
}

namespace {

// How an opinion came, and where it stands, as the report reads them (Channel and
// OpinionState names, which do not overlap); an unknown name as it is.
std::string ReportLabel(const std::string& key) {
  static const auto* labels = new std::map<std::string, std::string>{
      {"SURVEY_FORM", "phiếu hỏi, phiếu góp ý"},
      {"WRITTEN_PETITION", "đơn, văn bản kiến nghị"},
      {"WEB", "trực tuyến"},
      {"HOTLINE", "đường dây nóng"},
      {"AT_CONFERENCE", "tại hội nghị"},
      {"FRONT_REPORT", "báo cáo của Mặt trận Tổ quốc"},
      {"RECEIVED", "mới tiếp nhận"},
      {"CLASSIFIED", "đã phân loại"},
      {"ASSIGNED", "đã giao cơ quan giải quyết"},
      {"ANSWER_DRAFTED", "đang soạn trả lời"},
      {"ANSWER_APPROVED", "đã duyệt nội dung trả lời"},
      {"ANSWERED", "đã trả lời"},
      {"ROUTED_ELSEWHERE", "chuyển nơi có thẩm quyền"},
      {"MERGED", "gộp với ý kiến cùng nội dung"},
  };
  auto it = labels->find(key);
  return it == labels->end() ? key : it->second;
}

// "Đất đai 5; Giao thông 3": each count with its label (or `unnamed`), in the report's order.
std::string Breakdown(const google::protobuf::RepeatedPtrField<v1::Count>& counts,
                      const std::function<std::string(const v1::Count&)>& label) {
  std::vector<std::string> out;
  for (const v1::Count& c : counts) {
    if (c.opinions() > 0) out.push_back(absl::StrCat(label(c), " ", c.opinions()));
  }
  return out.empty() ? "không có" : absl::StrJoin(out, "; ");
}

}  // namespace

documents::Document SynthesisDocument(const v1::SynthesisReport& report, absl::string_view commune,
                                      absl::string_view date, absl::string_view signer) {
  documents::Document d;
  d.issuing_body = absl::StrCat("Ủy ban nhân dân ", commune);
  d.place = documents::PlaceOf(commune);
  d.date = std::string(date);
  d.type = "Báo cáo";
  d.abstract = absl::StrCat("Tổng hợp ý kiến, kiến nghị của Nhân dân: ", report.title());

  documents::Part received{"I. TÌNH HÌNH TIẾP NHẬN Ý KIẾN, KIẾN NGHỊ", {}};
  std::string total =
      absl::StrCat("Tổng số ý kiến, kiến nghị đã tiếp nhận: ", report.received(), ".");
  if (report.received_late() > 0) {
    absl::StrAppend(&total, " Trong đó ", report.received_late(),
                    " ý kiến nhận sau hạn thu phiếu ngày ",
                    calendar::WrittenDate(report.opinion_deadline_date()), ".");
  }
  received.paragraphs.push_back(std::move(total));
  received.paragraphs.push_back(absl::StrCat(
      "Theo hình thức tiếp nhận: ",
      Breakdown(report.by_channel(), [](const v1::Count& c) { return ReportLabel(c.key()); }),
      "."));
  std::string kept = absl::StrCat("Sau khi gộp các ý kiến cùng nội dung, còn ", report.items(),
                                  " nội dung được tổng hợp tại Phần III.");
  if (report.routed_elsewhere() > 0) {
    absl::StrAppend(&kept, " Có ", report.routed_elsewhere(),
                    " ý kiến là việc riêng của cá nhân, đã hướng dẫn hoặc chuyển đến nơi có thẩm "
                    "quyền giải quyết theo quy định.");
  }
  received.paragraphs.push_back(std::move(kept));

  documents::Part divided{"II. PHÂN LOẠI Ý KIẾN, KIẾN NGHỊ", {}};
  auto named = [](absl::string_view unnamed) {
    return [unnamed](const v1::Count& c) {
      if (!c.label().empty()) return c.label();
      return c.key().empty() ? std::string(unnamed) : c.key();
    };
  };
  divided.paragraphs.push_back(
      absl::StrCat("Theo lĩnh vực: ", Breakdown(report.by_topic(), named("chưa phân loại")), "."));
  divided.paragraphs.push_back(absl::StrCat(
      "Theo thôn, tổ dân phố: ", Breakdown(report.by_hamlet(), named("không rõ")), "."));
  divided.paragraphs.push_back(absl::StrCat(
      "Theo kết quả giải quyết: ",
      Breakdown(report.by_state(), [](const v1::Count& c) { return ReportLabel(c.key()); }), "."));

  documents::Part items{"III. NỘI DUNG Ý KIẾN, KIẾN NGHỊ VÀ KẾT QUẢ TRẢ LỜI", {}};
  int n = 0;
  for (const v1::SynthesisItem& item : report.items_list()) {
    std::vector<std::string> where;
    if (!item.topic_name().empty()) where.push_back(item.topic_name());
    if (!item.hamlet_name().empty()) where.push_back(item.hamlet_name());
    std::string line = absl::StrCat(++n, ". ");
    if (!where.empty()) absl::StrAppend(&line, "(", absl::StrJoin(where, ", "), ") ");
    absl::StrAppend(&line, item.text());
    if (item.supporter_count() > 1) {
      absl::StrAppend(&line, " (", item.supporter_count(), " người cùng kiến nghị)");
    }
    items.paragraphs.push_back(std::move(line));
    items.paragraphs.push_back(absl::StrCat(
        "Cơ quan giải quyết: ", item.department().empty() ? "chưa giao" : item.department(),
        ". Trả lời: ",
        item.answer().empty() ? "chưa có nội dung trả lời được duyệt." : item.answer()));
  }
  if (n == 0) items.paragraphs.push_back("Đợt lấy ý kiến chưa có nội dung nào để tổng hợp.");

  d.parts = {std::move(received), std::move(divided), std::move(items)};
  d.recipients = {"Thường trực Đảng ủy, HĐND xã", "Ủy ban MTTQ Việt Nam xã",
                  "Các cơ quan, bộ phận được giao trả lời", "Đại biểu dự hội nghị đối thoại",
                  "Lưu: VT"};
  d.signature = documents::SignerOrChair(signer);
  return d;
}

}  // namespace dialogue::intake
