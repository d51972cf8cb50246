// What the three forms of a document share beyond the public model.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "dialogue/documents/document.h"

namespace dialogue::documents {

// "- Thường trực Đảng ủy;" ... "- Lưu: VT.": each recipient on its line, the archive's copy
// added last when the list has none (Decree 30, Appendix I, II.9).
std::vector<std::string> RecipientLines(const Document& document);
// The issuing body in capitals, on two lines where it names an organ of a unit: "ỦY BAN
// NHÂN DÂN\nXÃ BẮC THANH MIỆN", as the decree's samples set it.
std::string IssuerLines(absl::string_view issuing_body);
// The lines of a signature's authority, first to last ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH");
// none when it has none.
std::vector<std::string> AuthorityLines(const Signature& signature);
// Whether the foot's left column is a second signature rather than the recipients.
bool HasLeftSignature(const Document& document);

}  // namespace dialogue::documents
