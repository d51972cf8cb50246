#include <cstdlib>
#include <set>

#include "dialogue/common/config.h"
#include "dialogue/common/log.h"
#include "dialogue/common/names.h"
#include "dialogue/common/receipt_code.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"
#include "dialogue/v1/planning.pb.h"
#include "test_support.h"

namespace dialogue::common {
namespace {

using ::dialogue::testing::StatusIs;

TEST(ResourceNames, ParseVariablesOfTheirShape) {
  auto parts = ParseName("tenants/dien-chau/plans/0b7e7f4a-3c1e-4b7a-9a65-0d3f0e9f5a11",
                         "tenants/{tenant}/plans/{plan:uuid}", "name");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ((*parts)["tenant"], "dien-chau");
  EXPECT_EQ((*parts)["plan"], "0b7e7f4a-3c1e-4b7a-9a65-0d3f0e9f5a11");
}

TEST(ResourceNames, RejectMalformedNamesNamingTheField) {
  for (const char* bad : {"tenants/dien-chau/plans/42", "tenants/Dien Chau/plans/x",
                          "tenant/dien-chau", "tenants//plans/x", ""}) {
    auto parsed = ParseName(bad, "tenants/{tenant}/plans/{plan:uuid}", "name");
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument, "NAME_INVALID")) << bad;
  }
}

TEST(ReceiptCodes, AreShortUnambiguousAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string code = ReceiptCode::New().text();
    ASSERT_EQ(code.size(), 14u) << code;
    EXPECT_EQ(code.find_first_of("ILOU"), std::string::npos) << code;
    auto read = ReceiptCode::Parse(code, "code");
    ASSERT_TRUE(read.ok()) << code;
    EXPECT_EQ(read->text(), code);
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(ReceiptCodes, ReadAsACitizenTypesThem) {
  // Lower case, no dashes or spaces anywhere, O for 0 and I or l for 1.
  for (const char* typed : {"o1ab lcde 2345", "01AB-1CDE-2345", "01ab1cde2345", "0iAB-1cDE-2345"}) {
    auto read = ReceiptCode::Parse(typed, "code");
    ASSERT_TRUE(read.ok()) << typed;
    EXPECT_EQ(read->text(), "01AB-1CDE-2345") << typed;
  }
}

TEST(ReceiptCodes, RefuseWhatCannotBeOneNamingTheField) {
  // Too short, too long, a U (never in a code), punctuation, a letter with a diacritic,
  // nothing at all.
  for (const char* typed : {"01AB-1CDE-234", "01AB-1CDE-23456", "01AB-1CDE-234U", "01AB.1CDE.2345",
                            "01AB-1CDE-234Đ", ""}) {
    auto read = ReceiptCode::Parse(typed, "speaker.receipt_code");
    EXPECT_THAT(read, StatusIs(absl::StatusCode::kInvalidArgument, "RECEIPT_CODE_INVALID"))
        << typed;
    ASSERT_EQ(FieldViolations(read.status()).size(), 1u);
    EXPECT_EQ(FieldViolations(read.status())[0].rfind("speaker.receipt_code: ", 0), 0u);
  }
}

TEST(Strings, EveryTextFieldAtAnyDepthIsCheckedAndNamedByItsPath) {
  v1::Plan plan;
  plan.set_title("Kế hoạch tổ chức Hội nghị đối thoại");
  plan.add_topics("Đất đai");
  plan.add_tasks()->set_description("Gửi giấy mời");
  EXPECT_TRUE(CheckStrings(plan, "plan").ok());

  v1::Plan broken = plan;
  broken.add_tasks()->set_description("\xC3\x28");
  absl::Status status = CheckStrings(broken, "plan");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, "TEXT_NOT_UTF8"));
  ASSERT_EQ(FieldViolations(status).size(), 1u);
  EXPECT_EQ(FieldViolations(status)[0].rfind("plan.tasks[1].description: ", 0), 0u);

  broken = plan;
  broken.add_topics(std::string("a\0b", 3));
  status = CheckStrings(broken);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, "TEXT_HAS_NUL"));
  EXPECT_EQ(FieldViolations(status)[0].rfind("topics[1]: ", 0), 0u);
}

TEST(Ids, NewUuidsAreCanonicalAndDistinct) {
  std::string a = NewUuid(), b = NewUuid();
  EXPECT_TRUE(IsUuid(a)) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
  EXPECT_FALSE(IsSlug("-bad"));
  EXPECT_TRUE(IsSlug("bac-thanh-mien"));
  EXPECT_TRUE(IsShortId("thong-bao_1"));
  EXPECT_FALSE(IsShortId("có dấu"));
}

TEST(Config, FlagsWinOverEnvironmentWhichWinsOverDefaults) {
  setenv("DIALOGUE_POOL_SIZE", "12", 1);
  setenv("DIALOGUE_LISTEN", "from-env", 1);
  const char* argv[] = {"prog", "--listen=from-flag", "--verbose", "--name", "x", "positional"};
  auto config = Config::FromArgs(6, argv);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->String("listen", "default"), "from-flag");
  EXPECT_EQ(*config->Int("pool-size", 8), 12);
  EXPECT_EQ(config->String("missing", "default"), "default");
  EXPECT_TRUE(config->Bool("verbose", false));
  EXPECT_EQ(config->String("name", ""), "x");
  EXPECT_EQ(config->Args(), std::vector<std::string>{"positional"});
  EXPECT_NE(config->Usage().find("DIALOGUE_POOL_SIZE"), std::string::npos);
  unsetenv("DIALOGUE_POOL_SIZE");
  unsetenv("DIALOGUE_LISTEN");
}

TEST(Config, ANonNumberForANumberIsAClearError) {
  const char* argv[] = {"prog", "--pool-size=many"};
  auto config = Config::FromArgs(2, argv);
  ASSERT_TRUE(config.ok());
  auto size = config->Int("pool-size", 8);
  EXPECT_THAT(size, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(size.status().message().find("DIALOGUE_POOL_SIZE"), std::string::npos);
}

TEST(Logging, EscapesForJson) {
  EXPECT_EQ(JsonEscape("a\"b\\c\nd\x01"), "a\\\"b\\\\c\\nd\\u0001");
  EXPECT_EQ(JsonEscape("Diễn Châu"), "Diễn Châu");
}

}  // namespace
}  // namespace dialogue::common
