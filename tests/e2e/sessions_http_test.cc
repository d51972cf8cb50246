// Sessions end to end on the running stack: the demo's announced session, whose
// SessionAnnounced event went through the sessions outbox relay and the stream to the
// notices service, which drafted its announcement; a citizen registering to speak without
// an account; the venue's screen over SSE; the office calendar as text/calendar; another
// commune's token refused with nothing written.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "http_client.h"
#include "test_support.h"

namespace dialogue {
namespace {

using auth::Role;
using ::dialogue::testing::Http;
using ::dialogue::testing::HttpResponse;
using ::dialogue::testing::StackEnv;
using ::dialogue::testing::Token;
using ::testing::HasSubstr;

google::protobuf::Struct Parse(const std::string& json) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &s).ok()) << json;
  return s;
}

TEST(SessionsHttp, TheDemoSessionRunsThroughEveryDoor) {
  const std::string url = StackEnv("DIALOGUE_GATEWAY_URL");
  const std::string auth = "Authorization: Bearer " + Token("dien-chau", {Role::kGovernmentOffice});
  HttpResponse list = Http("GET", url + "/v1/tenants/dien-chau/sessions", "", {auth});
  ASSERT_EQ(list.status, 200) << list.body;
  auto sessions = Parse(list.body).fields().at("sessions").list_value();
  ASSERT_EQ(sessions.values_size(), 1) << list.body;
  const auto& session = sessions.values(0).struct_value().fields();
  const std::string name = session.at("name").string_value();
  EXPECT_EQ(session.at("state").string_value(), "SESSION_ANNOUNCED");
  EXPECT_EQ(session.at("agenda").list_value().values_size(), 7);

  // The announcement drafted by the notices service from the session's own event.
  bool drafted = false;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!drafted && std::chrono::steady_clock::now() < until) {
    HttpResponse notices =
        Http("GET", url + "/v1/tenants/dien-chau/notices?kind=NOTICE_ANNOUNCEMENT", "", {auth});
    ASSERT_EQ(notices.status, 200) << notices.body;
    drafted = notices.body.find(name) != std::string::npos;
    if (!drafted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(drafted) << "no announcement was drafted from the session's SessionAnnounced";

  // A citizen registers to speak, without an account; malformed bodies are refused.
  const std::string speakers = absl::StrCat(url, "/v1/", name, "/speakers");
  HttpResponse registered = Http(
      "POST", speakers,
      R"({"fullName":"Nguyễn Văn Bình","hamlet":"An Sơn","topic":"Đường giao thông nội đồng"})");
  ASSERT_EQ(registered.status, 200) << registered.body;
  EXPECT_THAT(registered.body, HasSubstr("SPEAKER_WAITING"));
  EXPECT_EQ(Http("POST", speakers, R"({"fullName":5})").status, 400);
  HttpResponse unknown = Http("POST", speakers, R"({"fullName":"A","phone":"0912"})");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_THAT(unknown.body, HasSubstr("phone"));

  // The screen at the venue, without an account: the live view as SSE.
  HttpResponse live = Http("GET", absl::StrCat(url, "/v1/", name, ":watch"), "", {}, 2500);
  EXPECT_THAT(live.body, HasSubstr("data: "));
  EXPECT_THAT(live.body, HasSubstr("SESSION_ANNOUNCED"));
  EXPECT_THAT(live.body, HasSubstr("Nguyễn Văn Bình"));

  // The office calendar.
  HttpResponse ics = Http("GET", url + "/v1/tenants/dien-chau/sessions:ics", "", {auth});
  ASSERT_EQ(ics.status, 200) << ics.body;
  EXPECT_EQ(ics.headers["content-type"], "text/calendar; charset=utf-8");
  EXPECT_THAT(ics.body, HasSubstr("BEGIN:VCALENDAR\r\n"));
  EXPECT_THAT(ics.body, HasSubstr(absl::StrCat("UID:", name.substr(name.rfind('/') + 1))));
  // Announced sessions are public: the citizens' pages link the same calendar.
  HttpResponse public_ics = Http("GET", url + "/v1/tenants/dien-chau/sessions:ics");
  ASSERT_EQ(public_ics.status, 200) << public_ics.body;
  EXPECT_THAT(public_ics.body, HasSubstr(absl::StrCat("UID:", name.substr(name.rfind('/') + 1))));
  EXPECT_EQ(Http("GET", url + "/v1/tenants/dien-chau/sessions:ics", "",
                 {"Authorization: Bearer expired.or.forged"})
                .status,
            401);

  // Another commune's office: refused, and the session is as it was.
  const std::string other =
      "Authorization: Bearer " + Token("bac-thanh-mien", {Role::kGovernmentOffice, Role::kChair});
  HttpResponse cancel =
      Http("POST", absl::StrCat(url, "/v1/", name, ":cancel"), R"({"reason":"thử"})", {other});
  EXPECT_EQ(cancel.status, 403) << cancel.body;
  HttpResponse after = Http("GET", absl::StrCat(url, "/v1/", name), "", {auth});
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_THAT(after.body, HasSubstr("SESSION_ANNOUNCED"));
}

}  // namespace
}  // namespace dialogue
