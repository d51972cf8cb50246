// A receipt code: what a citizen is given for an opinion and types to follow it, at home or
// when registering to speak at the conference. Twelve characters of Crockford's base 32
// (digits and letters without I, L, O, U), shown as XXXX-XXXX-XXXX. Every service reads a
// typed code through Parse, so they all accept the same codes.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dialogue::common {

class ReceiptCode {
 public:
  // A new code from the system's CSPRNG (60 bits: not guessable by trying).
  static ReceiptCode New();

  // The code as a citizen typed it: any case, with or without dashes and spaces, I and L
  // read as 1 and O as 0 (as printed on the receipt they cannot be told apart). Anything
  // else is INVALID_ARGUMENT RECEIPT_CODE_INVALID on `field`.
  static absl::StatusOr<ReceiptCode> Parse(absl::string_view typed, absl::string_view field);

  // XXXX-XXXX-XXXX, as stored and printed.
  const std::string& text() const { return text_; }

  friend bool operator==(const ReceiptCode& a, const ReceiptCode& b) { return a.text_ == b.text_; }

 private:
  explicit ReceiptCode(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace dialogue::common
