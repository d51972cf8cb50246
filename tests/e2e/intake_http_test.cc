// Opinion intake end to end, through the stack's gateway and intake service: a citizen
// submits without an account, staff classify, assign and answer, the citizen reads the
// answer by receipt code and gets it by SMS; the Front uploads a CSV of survey forms.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "http_client.h"
#include "test_support.h"
#include "webhook_receiver.h"

namespace dialogue {
namespace {

using auth::Role;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::Bearer;
using ::dialogue::testing::Http;
using ::dialogue::testing::HttpResponse;
using ::dialogue::testing::StackEnv;
using ::dialogue::testing::Token;
using ::testing::HasSubstr;

google::protobuf::Value Get(const std::string& body, const std::string& name) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &s).ok()) << body;
  auto it = s.fields().find(name);
  return it == s.fields().end() ? google::protobuf::Value() : it->second;
}

std::string Str(const std::string& body, const std::string& name) {
  return Get(body, name).string_value();
}

class IntakeHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = StackEnv("DIALOGUE_GATEWAY_URL");
    v1::Hamlet hamlet;
    hamlet.set_id("an-son");
    hamlet.set_display_name("Thôn An Sơn");
    province_ = testing::NewProvince(1, {hamlet});
    tenant_ = province_.tenants[0];
    office_ = Token(tenant_, {Role::kGovernmentOffice, Role::kFront});
    department_ = testing::DepartmentToken(tenant_, "Phòng Kinh tế");
    HttpResponse round =
        Http("POST", Url("/rounds"), R"({"title":"Đợt 1","answerDueDate":"2026-04-20"})",
             {Bearer(office_)});
    ASSERT_EQ(round.status, 200) << round.body;
    round_ = Str(round.body, "name");
  }
  std::string Url(const std::string& path) {
    return absl::StrCat(url_, "/v1/tenants/", tenant_, path);
  }
  std::string Count() {
    return AdminQuery("SELECT count(*) FROM intake.opinions WHERE tenant_id = '" + tenant_ + "'");
  }

  std::string url_, tenant_, office_, department_, round_;
  testing::Province province_;
};

TEST_F(IntakeHttpTest, ACitizenSubmitsStaffAnswerAndTheCitizenReadsTheAnswer) {
  HttpResponse submitted =
      Http("POST", Url("/opinions:submit"),
           absl::StrCat(R"({"round":")", round_,
                        R"(","hamlet":"an-son","text":"Đề nghị lắp đèn chiếu sáng đường thôn",)",
                        R"("submitter":{"name":"Hoàng Văn E","contact":"0900111222"}})"));
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  std::string code = Str(submitted.body, "receiptCode");
  ASSERT_EQ(code.size(), 14u);
  std::string follow = absl::StrCat(url_, Str(submitted.body, "followUrlPath"));

  HttpResponse list =
      Http("GET", Url("/opinions?filter=state%20%3D%20RECEIVED"), "", {Bearer(office_)});
  ASSERT_EQ(list.status, 200) << list.body;
  google::protobuf::Value listed = Get(list.body, "opinions");
  const auto& opinions = listed.list_value();
  ASSERT_EQ(opinions.values_size(), 1);
  std::string name = opinions.values(0).struct_value().fields().at("name").string_value();
  EXPECT_EQ(opinions.values(0).struct_value().fields().at("suggestedTopic").string_value(),
            "nong-thon-moi");

  auto post = [&](const std::string& verb, const std::string& body, const std::string& token) {
    return Http("POST", absl::StrCat(url_, "/v1/", name, ":", verb), body, {Bearer(token)});
  };
  ASSERT_EQ(post("classify", R"({"topic":"nong-thon-moi"})", office_).status, 200);
  ASSERT_EQ(post("assign", R"({"department":"Phòng Kinh tế","workingDays":5})", office_).status,
            200);
  HttpResponse early = Http("GET", follow);
  EXPECT_EQ(Str(early.body, "state"), "ASSIGNED");
  EXPECT_EQ(Str(early.body, "answer"), "");
  ASSERT_EQ(
      post("draftAnswer", R"({"answer":"Xã sẽ lắp 12 đèn trong quý III."})", department_).status,
      200);
  // A department cannot approve its own answer; the office can.
  EXPECT_EQ(post("approveAnswer", "{}", department_).status, 403);
  HttpResponse approved = post("approveAnswer", "{}", office_);
  ASSERT_EQ(approved.status, 200) << approved.body;

  HttpResponse seen = Http("GET", follow);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(Str(seen.body, "state"), "ANSWER_APPROVED");
  EXPECT_EQ(Str(seen.body, "answer"), "Xã sẽ lắp 12 đèn trong quý III.");
  EXPECT_EQ(seen.body.find("0900111222"), std::string::npos);
  EXPECT_EQ(seen.body.find("Hoàng"), std::string::npos);

  // Staff reading the opinion see who sent it; nobody without a token does.
  HttpResponse staff = Http("GET", absl::StrCat(url_, "/v1/", name), "", {Bearer(office_)});
  EXPECT_THAT(staff.body, HasSubstr("0900111222"));
  EXPECT_EQ(Http("GET", absl::StrCat(url_, "/v1/", name)).status, 401);
}

// Issue 19: the approved answer reaches the citizen on the channel they gave, through the
// whole stack: intake's outbox, the event stream, notices' consumer and its delivery
// worker, and the commune's SMS webhook.
TEST_F(IntakeHttpTest, TheApprovedAnswerReachesTheCitizenBySms) {
  testing::WebhookReceiver receiver({200});
  HttpResponse hooks = testing::PutSmsWebhook(Url(""), office_, receiver.url(), "bi-mat");
  ASSERT_EQ(hooks.status, 200) << hooks.body;
  // An e-mail reply to a phone number is refused, with the field to correct.
  HttpResponse wrong =
      Http("POST", Url("/opinions:submit"),
           absl::StrCat(R"({"round":")", round_, R"(","hamlet":"an-son","text":"Đèn đường hỏng",)",
                        R"("submitter":{"contact":"0900 111 333","replyVia":"REPLY_EMAIL"}})"));
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_THAT(wrong.body, HasSubstr("CONTACT_INVALID"));
  EXPECT_THAT(wrong.body, HasSubstr("submitter.contact"));
  EXPECT_EQ(Count(), "0");

  HttpResponse submitted =
      Http("POST", Url("/opinions:submit"),
           absl::StrCat(R"({"round":")", round_,
                        R"(","hamlet":"an-son","text":"Đề nghị sửa đèn đường thôn An Sơn",)",
                        R"("submitter":{"contact":"0900 111 333","replyVia":"REPLY_SMS"}})"));
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  const std::string code = Str(submitted.body, "receiptCode");
  HttpResponse list = Http("GET", Url("/opinions"), "", {Bearer(office_)});
  const std::string name = Get(list.body, "opinions")
                               .list_value()
                               .values(0)
                               .struct_value()
                               .fields()
                               .at("name")
                               .string_value();
  auto post = [&](const std::string& verb, const std::string& body, const std::string& token) {
    return Http("POST", absl::StrCat(url_, "/v1/", name, ":", verb), body, {Bearer(token)});
  };
  ASSERT_EQ(post("classify", R"({"topic":"nong-thon-moi"})", office_).status, 200);
  ASSERT_EQ(post("assign", R"({"department":"Phòng Kinh tế","workingDays":5})", office_).status,
            200);
  ASSERT_EQ(
      post("draftAnswer", R"({"answer":"Xã thay bóng đèn trong tuần này."})", department_).status,
      200);
  EXPECT_TRUE(receiver.requests().empty());  // a draft tells nobody
  ASSERT_EQ(post("approveAnswer", "{}", office_).status, 200);

  for (int i = 0; i < 150 && receiver.requests().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u) << "no SMS within 15 s";
  EXPECT_EQ(Str(got[0].body, "kind"), "PETITIONER_MESSAGE");
  EXPECT_EQ(Str(got[0].body, "channel"), "VIA_SMS");
  EXPECT_EQ(Str(got[0].body, "text"),
            absl::StrCat("Ý kiến, kiến nghị mã ", code,
                         " đã có câu trả lời: Xã thay bóng đèn trong tuần này."));
  EXPECT_EQ(Str(got[0].body, "followPath"), absl::StrCat("/xa/", tenant_, "/theo-doi/", code));
  EXPECT_EQ(Get(got[0].body, "recipient").struct_value().fields().at("contact").string_value(),
            "0900 111 333");
}

TEST_F(IntakeHttpTest, TheFrontUploadsACsvOfSurveyForms) {
  std::string csv =
      "hamlet,text,submitter_name\n"
      "an-son,\"Kênh mương nội đồng bị bồi lấp, đề nghị nạo vét\",Nguyễn Thị F\n"
      "an-lau,Thôn không có trong danh sách,\n"
      "an-son,Hỗ trợ giống lúa cho vụ Đông Xuân,\n";
  std::string upload =
      absl::StrCat(url_, "/v1/tenants/", tenant_, "/opinions:importCsv?round=", round_);
  HttpResponse imported = Http("POST", upload, csv, {Bearer(office_), "Content-Type: text/csv"});
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(Get(imported.body, "stored").number_value(), 2);
  EXPECT_THAT(imported.body, HasSubstr("\"row\":2"));
  EXPECT_THAT(imported.body, HasSubstr("HAMLET_UNKNOWN"));
  // Each stored form's receipt code, by its row, to write on the paper form.
  auto receipts = [&](const std::string& body) {
    std::vector<std::pair<int, std::string>> out;
    const google::protobuf::Value list = Get(body, "receipts");
    for (const auto& r : list.list_value().values()) {
      out.emplace_back(static_cast<int>(r.struct_value().fields().at("row").number_value()),
                       r.struct_value().fields().at("receiptCode").string_value());
    }
    return out;
  };
  auto codes = receipts(imported.body);
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_EQ(codes[0].first, 1);
  EXPECT_EQ(codes[1].first, 3);
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT text FROM intake.opinions WHERE receipt_code = '",
                                    codes[1].second, "'")),
            "Hỗ trợ giống lúa cho vụ Đông Xuân");
  HttpResponse again = Http("POST", upload, csv, {Bearer(office_), "Content-Type: text/csv"});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Get(again.body, "alreadyStored").number_value(), 2);
  EXPECT_EQ(receipts(again.body), codes);  // the same forms keep their codes
  EXPECT_EQ(Count(), "2");

  // A file that is not UTF-8, and a header without the needed columns: refused whole.
  HttpResponse latin1 = Http("POST", upload, "hamlet,text\nan-son,Ph\xE1t tri\xEAn\n",
                             {Bearer(office_), "Content-Type: text/csv"});
  EXPECT_EQ(latin1.status, 400);
  EXPECT_THAT(latin1.body, HasSubstr("TEXT_NOT_UTF8"));
  HttpResponse header =
      Http("POST", upload, "ten,noi_dung\nx,y\n", {Bearer(office_), "Content-Type: text/csv"});
  EXPECT_EQ(header.status, 400);
  EXPECT_THAT(header.body, HasSubstr("CSV_HEADER_INVALID"));
  EXPECT_EQ(Count(), "2");
}

TEST_F(IntakeHttpTest, MalformedOrOversizedSubmissionsAreRefusedAndStoreNothing) {
  HttpResponse malformed = Http("POST", Url("/opinions:submit"), R"({"round": )");
  EXPECT_EQ(malformed.status, 400);
  HttpResponse unknown = Http("POST", Url("/opinions:submit"), R"({"colour":"red"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("colour"));
  HttpResponse too_long =
      Http("POST", Url("/opinions:submit"),
           absl::StrCat(R"({"round":")", round_, R"(","hamlet":"an-son","text":")",
                        std::string(10001, 'a'), R"("})"));
  EXPECT_EQ(too_long.status, 400);
  EXPECT_THAT(too_long.body, HasSubstr("TEXT_TOO_LONG"));
  HttpResponse huge = Http("POST", Url("/opinions:submit"), std::string(2 << 20, ' '));
  EXPECT_EQ(huge.status, 413);
  // A receipt code that cannot be one, and one that is well-formed but unknown.
  EXPECT_EQ(Http("GET", Url("/receipts/nope")).status, 400);
  HttpResponse unknown_code = Http("GET", Url("/receipts/0000-0000-0000"));
  EXPECT_EQ(unknown_code.status, 404);
  EXPECT_THAT(unknown_code.body, HasSubstr("RECEIPT_NOT_FOUND"));
  EXPECT_EQ(Count(), "0");
}

}  // namespace
}  // namespace dialogue
