#include "dialogue/common/receipt_code.h"

#include <openssl/rand.h>

#include <cstdint>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "dialogue/common/status.h"

namespace dialogue::common {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr int kLength = 12;  // without the dashes
constexpr int kGroup = 4;

void AppendGrouped(std::string& code, char c) {
  if (!code.empty() && code.size() % (kGroup + 1) == kGroup) code.push_back('-');
  code.push_back(c);
}

}  // namespace

ReceiptCode ReceiptCode::New() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // The system CSPRNG failing is not something to paper over with a weaker one.
    std::abort();
  }
  uint64_t bits = 0;
  for (unsigned char b : bytes) bits = (bits << 8) | b;
  std::string code;
  for (int i = 0; i < kLength; ++i) {
    AppendGrouped(code, kCrockford[bits & 31]);
    bits >>= 5;
  }
  return ReceiptCode(std::move(code));
}

absl::StatusOr<ReceiptCode> ReceiptCode::Parse(absl::string_view typed, absl::string_view field) {
  std::string code;
  int length = 0;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    c = absl::ascii_toupper(static_cast<unsigned char>(c));
    if (c == 'I' || c == 'L') c = '1';
    if (c == 'O') c = '0';
    if (absl::string_view(kCrockford).find(c) == absl::string_view::npos || ++length > kLength) {
      length = -1;
      break;
    }
    AppendGrouped(code, c);
  }
  if (length != kLength) {
    return InvalidField(field, "RECEIPT_CODE_INVALID",
                        "a receipt code has 12 letters and digits, as XXXX-XXXX-XXXX");
  }
  return ReceiptCode(std::move(code));
}

}  // namespace dialogue::common
