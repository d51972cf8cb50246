// Accounts through the stack's gateway: the console's sign-in (the session cookie and its
// flags, the CSRF token every change needs, commune isolation for a signed-in clerk,
// sign-out that ends the session at once) and the audit log of sign-ins and of every
// change a person makes in any service.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "http_client.h"
#include "test_support.h"

namespace dialogue {
namespace {

using auth::Role;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::Bearer;
using ::dialogue::testing::Http;
using ::dialogue::testing::HttpResponse;
using ::dialogue::testing::JsonString;
using ::dialogue::testing::StackEnv;
using ::dialogue::testing::Token;
using ::dialogue::testing::TokenAs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "Chu-tich-2026!";

class AccountsHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = StackEnv("DIALOGUE_GATEWAY_URL");
    province_ = testing::NewProvince(2);
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    username_ = absl::StrCat("chutich.", a_);
    HttpResponse created =
        Http("POST", url_ + "/v1/accounts",
             absl::StrCat(R"({"account":{"username":")", username_,
                          R"(","displayName":"Trần Văn Bình","tenant":"tenants/)", a_,
                          R"(","roles":["chair","government_office"]},"password":")", kPassword,
                          R"("})"),
             {Bearer(Token("", {Role::kAdmin}))});
    ASSERT_EQ(created.status, 200) << created.body;
  }

  HttpResponse SignIn(const std::string& password) {
    return Http(
        "POST", url_ + "/auth/sign-in",
        absl::StrCat(R"({"username":")", username_, R"(","password":")", password, R"("})"));
  }

  // "dialogue_session=<value>" from a Set-Cookie header.
  static std::string CookieOf(const HttpResponse& response) {
    auto it = response.headers.find("set-cookie");
    if (it == response.headers.end()) return "";
    return it->second.substr(0, it->second.find(';'));
  }

  std::string Plans(const std::string& tenant) {
    return absl::StrCat(url_, "/v1/tenants/", tenant, "/plans");
  }
  // A route for staff only (plans are public once published).
  std::string Log(const std::string& tenant) {
    return absl::StrCat(url_, "/v1/tenants/", tenant, "/auditEvents");
  }
  // The commune's audit log, newest first, as "ACTION actor[ target] client" lines, those
  // with `containing` only; records of changes travel as events, so this waits (10 s at
  // most) for `want` lines.
  std::vector<std::string> LogLines(const std::string& tenant, size_t want,
                                    const std::string& containing = "") {
    std::vector<std::string> lines;
    for (int i = 0; i < 100 && lines.size() < want; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      HttpResponse log = Http("GET", Log(tenant), "", {Bearer(Token(tenant, {Role::kChair}))});
      EXPECT_EQ(log.status, 200) << log.body;
      google::protobuf::Struct parsed;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(log.body, &parsed).ok());
      lines.clear();
      auto events = parsed.fields().find("events");
      if (events == parsed.fields().end()) continue;
      for (const auto& event : events->second.list_value().values()) {
        const auto& f = event.struct_value().fields();
        auto text = [&](const char* key) {
          auto it = f.find(key);
          return it == f.end() ? std::string() : it->second.string_value();
        };
        std::string target = text("target");
        // A sign-in's target is its own account: shown once, as the actor.
        if (target == text("actor")) target.clear();
        std::string line = absl::StrCat(text("action"), " ", text("actor"),
                                        target.empty() ? "" : " " + target, " ", text("client"));
        if (absl::StrContains(line, containing)) lines.push_back(std::move(line));
      }
    }
    return lines;
  }
  std::string CountPlans(const std::string& tenant) {
    return AdminQuery("SELECT count(*) FROM planning.plans WHERE tenant_id = '" + tenant + "'");
  }

  std::string url_, a_, b_, username_;
  testing::Province province_;
};

TEST_F(AccountsHttpTest, AClerkSignsInWorksWithTheCookieAndSignsOut) {
  HttpResponse wrong = SignIn("sai-mat-khau-roi");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_THAT(wrong.body, HasSubstr("SIGN_IN_FAILED"));
  EXPECT_EQ(wrong.headers.count("set-cookie"), 0u);

  HttpResponse signed_in = SignIn(kPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string set_cookie = signed_in.headers["set-cookie"];
  for (const char* flag : {"HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age=3"}) {
    EXPECT_THAT(set_cookie, HasSubstr(flag));
  }
  EXPECT_EQ(signed_in.headers["cache-control"], "no-store");
  const std::string cookie = "Cookie: " + CookieOf(signed_in);
  const std::string value = cookie.substr(cookie.find('=') + 1);
  ASSERT_EQ(value.size(), 43u);
  EXPECT_THAT(signed_in.body, Not(HasSubstr(value)));  // the page's scripts never see it
  const std::string csrf = JsonString(signed_in.body, "csrfToken");
  ASSERT_FALSE(csrf.empty());
  EXPECT_THAT(signed_in.body, HasSubstr(absl::StrCat("\"username\":\"", username_, "\"")));

  HttpResponse session = Http("GET", url_ + "/auth/session", "", {cookie});
  ASSERT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(JsonString(session.body, "csrfToken"), csrf);

  // Reading needs only the cookie; the other commune stays closed to this clerk.
  EXPECT_EQ(Http("GET", Log(a_), "", {cookie}).status, 200);
  HttpResponse other = Http("GET", Log(b_), "", {cookie});
  EXPECT_EQ(other.status, 403) << other.body;

  // A change needs the session's CSRF token too; without it nothing is stored.
  std::string plan;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(testing::SamplePlan(2027), &plan).ok());
  HttpResponse forged = Http("POST", Plans(a_), plan, {cookie});
  EXPECT_EQ(forged.status, 403);
  EXPECT_THAT(forged.body, HasSubstr("CSRF_TOKEN_INVALID"));
  EXPECT_EQ(Http("POST", Plans(a_), plan, {cookie, "X-CSRF-Token: " + csrf + "x"}).status, 403);
  EXPECT_EQ(CountPlans(a_), "0");
  HttpResponse made = Http("POST", Plans(a_), plan, {cookie, "X-CSRF-Token: " + csrf});
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(CountPlans(a_), "1");
  EXPECT_EQ(Http("POST", Plans(b_), plan, {cookie, "X-CSRF-Token: " + csrf}).status, 403);
  EXPECT_EQ(CountPlans(b_), "0");

  // Signing out needs the token as well, and then the cookie opens nothing at once.
  EXPECT_EQ(Http("POST", url_ + "/auth/sign-out", "{}", {cookie}).status, 403);
  HttpResponse out = Http("POST", url_ + "/auth/sign-out", "{}", {cookie, "X-CSRF-Token: " + csrf});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_THAT(out.headers["set-cookie"], HasSubstr("Max-Age=0"));
  HttpResponse after = Http("GET", Log(a_), "", {cookie});
  EXPECT_EQ(after.status, 401);
  EXPECT_THAT(after.body, HasSubstr("SESSION_EXPIRED"));
  EXPECT_EQ(Http("GET", url_ + "/auth/session", "", {cookie}).status, 401);
  // A citizen's page still opens for a browser holding an ended session.
  EXPECT_EQ(Http("GET", absl::StrCat(url_, "/v1/tenants/", a_), "", {cookie}).status, 200);

  // The clerk's plan is in the log too, written by the planning service with the change.
  const std::string who = username_ + " 127.0.0.1";
  EXPECT_THAT(
      LogLines(a_, 5),
      ::testing::ElementsAre("SIGN_OUT " + who,
                             absl::StrCat("CreatePlan ", username_, " tenants/", a_, " 127.0.0.1"),
                             "SIGN_IN " + who, "SIGN_IN_FAILED " + who,
                             absl::StrCat("ACCOUNT_CREATED test- ", username_, " 127.0.0.1")));
}

TEST_F(AccountsHttpTest, MalformedSignInsAndUnknownPathsAreRefusedPlainly) {
  HttpResponse malformed = Http("POST", url_ + "/auth/sign-in", R"({"username": )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(malformed.body, HasSubstr("BODY_MALFORMED"));
  HttpResponse unknown_field =
      Http("POST", url_ + "/auth/sign-in", R"({"username":"a","password":"b","admin":true})");
  EXPECT_EQ(unknown_field.status, 400);
  HttpResponse empty = Http("POST", url_ + "/auth/sign-in", R"({"username":"abc"})");
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.body, HasSubstr("CREDENTIALS_REQUIRED"));
  HttpResponse get = Http("GET", url_ + "/auth/sign-in");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers["allow"], "POST");
  EXPECT_EQ(Http("GET", url_ + "/auth/whoami").status, 404);
  HttpResponse nobody = Http("GET", url_ + "/auth/session");
  EXPECT_EQ(nobody.status, 401);
  HttpResponse forged = Http("GET", Log(a_), "", {"Cookie: dialogue_session=made-up-value"});
  EXPECT_EQ(forged.status, 401);
  EXPECT_THAT(forged.headers["set-cookie"], HasSubstr("Max-Age=0"));
  // Signing out with no session is harmless and clears the cookie.
  HttpResponse out = Http("POST", url_ + "/auth/sign-out", "{}");
  EXPECT_EQ(out.status, 200);

  // The OIDC routes: GET only; a return this browser did not start goes back to the sign-in
  // page with the reason, and no session.
  HttpResponse post_start = Http("POST", url_ + "/auth/oidc/start", "{}");
  EXPECT_EQ(post_start.status, 405);
  EXPECT_EQ(post_start.headers["allow"], "GET");
  for (const std::string& cookie :
       {std::string(), std::string("Cookie: dialogue_oidc=other.v.n")}) {
    HttpResponse forged_return =
        Http("GET", url_ + "/auth/oidc/callback?code=stolen&state=guessed", "",
             cookie.empty() ? std::vector<std::string>{} : std::vector<std::string>{cookie});
    EXPECT_EQ(forged_return.status, 303);
    EXPECT_EQ(forged_return.headers["location"], "/can-bo/dang-nhap?loi=OIDC_STATE_INVALID");
    EXPECT_THAT(forged_return.headers["set-cookie"], Not(HasSubstr("dialogue_session=")));
  }
  HttpResponse cancelled =
      Http("GET", url_ + "/auth/oidc/callback?error=access_denied&state=guessed");
  EXPECT_EQ(cancelled.headers["location"], "/can-bo/dang-nhap?loi=OIDC_DENIED");
}

// Who did what to which record, from where: every change a signed-in person makes, in any
// service, is logged with it (in the change's own transaction); reads and refused changes
// are not.
TEST_F(AccountsHttpTest, EveryChangeIsLoggedWithWhoWhatAndFromWhereButReadsAndRefusalsAreNot) {
  const std::string office =
      TokenAs("vanphong-nhat-ky", a_, {Role::kGovernmentOffice, Role::kPartyOffice, Role::kChair});
  std::string plan;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(testing::SamplePlan(2027), &plan).ok());
  HttpResponse created = Http("POST", Plans(a_), plan, {Bearer(office)});
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string name = JsonString(created.body, "name");
  const std::string patch = absl::StrCat(url_, "/v1/", name, "?updateMask=title");
  EXPECT_EQ(
      Http("PATCH", patch, R"({"title":"Sai phiên bản","etag":"999"})", {Bearer(office)}).status,
      409);
  ASSERT_EQ(Http("PATCH", patch, R"({"title":"Kế hoạch đã sửa"})", {Bearer(office)}).status, 200);
  EXPECT_EQ(Http("GET", absl::StrCat(url_, "/v1/", name), "", {Bearer(office)}).status, 200);
  HttpResponse day_off =
      Http("POST", absl::StrCat(url_, "/v1/tenants/", a_, "/calendar/daysOff"),
           R"({"date":"2027-09-10","reason":"Nghỉ phòng chống bão"})", {Bearer(office)});
  ASSERT_EQ(day_off.status, 200) << day_off.body;
  HttpResponse hooks =
      Http("PUT", absl::StrCat(url_, "/v1/tenants/", a_, "/webhooks"),
           absl::StrCat(
               R"({"name":"tenants/)", a_,
               R"(/webhooks","hooks":[{"channel":"VIA_SMS","url":"https://sms.example.vn/hook",)"
               R"("secret":"khoa-bi-mat-du-dai-16"}]})"),
           {Bearer(office)});
  ASSERT_EQ(hooks.status, 200) << hooks.body;

  std::vector<std::string> seen = LogLines(a_, 4, " vanphong-nhat-ky ");
  const std::string by = "vanphong-nhat-ky ", tenant = "tenants/" + a_, from = " 127.0.0.1";
  EXPECT_THAT(seen, ::testing::ElementsAre(
                        absl::StrCat("UpdateWebhooks ", by, tenant, "/webhooks", from),
                        absl::StrCat("AddTenantDayOff ", by, tenant, from),
                        absl::StrCat("UpdatePlan ", by, name, from),  // once: the stale one failed
                        absl::StrCat("CreatePlan ", by, tenant, from)));
  // Nobody edits the log, not even through the API: it has no route to change it.
  EXPECT_EQ(Http("DELETE", Log(a_), "", {Bearer(Token("", {Role::kAdmin}))}).status, 405);
}

}  // namespace
}  // namespace dialogue
