#include "dialogue/common/status.h"

#include "test_support.h"

namespace dialogue::common {
namespace {

using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;
using ::testing::ElementsAre;

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return InvalidField("n", "ODD", "must be even");
  return n / 2;
}

absl::StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int n) {
  RETURN_IF_ERROR(Half(n).status());
  return absl::OkStatus();
}

TEST(StatusMacros, PassValuesThroughAndReturnTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(absl::StatusCode::kInvalidArgument, "ODD"));
  EXPECT_THAT(CheckEven(4), IsOk());
  EXPECT_THAT(CheckEven(3), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StatusMapping, KeepsCodeMessageReasonAndFieldViolationsAcrossGrpc) {
  absl::Status status = InvalidField("plan.title", "TITLE_REQUIRED", "the plan needs a title");
  AddFieldViolation(status, "plan.year", "out of range");
  grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(), "plan.title: the plan needs a title");
  EXPECT_FALSE(wire.error_details().empty());

  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(back), "TITLE_REQUIRED");
  EXPECT_THAT(FieldViolations(back),
              ElementsAre("plan.title: the plan needs a title", "plan.year: out of range"));
}

TEST(StatusMapping, MapsEveryCanonicalCodeOneToOne) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status status(static_cast<absl::StatusCode>(code), "x");
    EXPECT_EQ(static_cast<int>(ToGrpcStatus(status).error_code()), code);
    EXPECT_EQ(static_cast<int>(FromGrpcStatus(ToGrpcStatus(status)).code()), code);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(Etags, AnEmptyOrCurrentEtagPassesAndAStaleOneIsRefusedNamingBoth) {
  EXPECT_THAT(CheckEtag("", "7", "the plan"), IsOk());
  EXPECT_THAT(CheckEtag("7", "7", "the plan"), IsOk());
  absl::Status stale = CheckEtag("6", "7", "the plan");
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kAborted, "ETAG_MISMATCH"));
  EXPECT_EQ(stale.message(),
            "the plan changed since you read it (etag 6, now 7); read it again and reapply "
            "your change");
}

}  // namespace
}  // namespace dialogue::common
