// Sessions end to end on the running stack: the demo's announced session, whose
// SessionAnnounced event went through the sessions outbox relay and the stream to the
// notices service, which drafted its announcement; a citizen registering to speak without
// an account; the venue's screen over SSE; the office calendar as text/calendar; another
// commune's token refused with nothing written.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <functional>
#include <map>
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
  // The one ahead; the conference of April is held already (the demo plays the year).
  HttpResponse list =
      Http("GET", url + "/v1/tenants/dien-chau/sessions?state=SESSION_ANNOUNCED", "", {auth});
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

// Issue 19, item 13: a plan's tasks follow its conference as it is actually held. The
// session announced for conference 1 on 24 April (its window opens on the 20th) dates the
// tasks counted from the conference; the announcement issued marks the plan's
// announcement task done, saying by which notice. Sessions and notices reach planning
// through the stream.
TEST(SessionsHttp, APlansTasksFollowTheSessionHeldForItsConference) {
  const std::string url = StackEnv("DIALOGUE_GATEWAY_URL");
  v1::Hamlet an_son;
  an_son.set_id("an-son");
  an_son.set_display_name("Thôn An Sơn");
  const std::string tenant = testing::NewProvince(1, {an_son}).tenants[0];
  const std::string plan = testing::PublishedPlan(tenant);
  const std::string auth =
      "Authorization: Bearer " + Token(tenant, {Role::kGovernmentOffice, Role::kChair});
  HttpResponse created = Http("POST", absl::StrCat(url, "/v1/tenants/", tenant, "/sessions"),
                              absl::StrCat(R"({"plan":")", plan,
                                           R"(","conferenceId":"1","date":"2027-04-24",)"
                                           R"("startTime":"08:00","chair":"Nguyễn Văn A",)"
                                           R"("secretary":"Lê Thị B"})"),
                              {auth});
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string session = Parse(created.body).fields().at("name").string_value();
  HttpResponse announced =
      Http("POST", absl::StrCat(url, "/v1/", session, ":announce"), "{}", {auth});
  ASSERT_EQ(announced.status, 200) << announced.body;

  // The plan's tasks, done ones too, keyed by id.
  auto tasks = [&] {
    std::map<std::string, google::protobuf::Struct> by_id;
    HttpResponse list = Http(
        "GET",
        absl::StrCat(url, "/v1/tenants/", tenant, "/tasks?asOfDate=2027-03-01&includeDone=true"),
        "", {auth});
    EXPECT_EQ(list.status, 200) << list.body;
    const google::protobuf::Struct body = Parse(list.body);
    auto found = body.fields().find("tasks");
    if (found == body.fields().end()) return by_id;
    for (const auto& view : found->second.list_value().values()) {
      const auto& task = view.struct_value().fields().at("task").struct_value();
      by_id[task.fields().at("id").string_value()] = task;
    }
    return by_id;
  };
  auto text = [](const google::protobuf::Struct& s, const std::string& field) {
    auto it = s.fields().find(field);
    return it == s.fields().end() ? std::string() : it->second.string_value();
  };
  auto done = [](const google::protobuf::Struct& s) {
    auto it = s.fields().find("done");
    return it != s.fields().end() && it->second.bool_value();
  };
  auto wait_for =
      [&](const std::function<bool(std::map<std::string, google::protobuf::Struct>&)>& ready) {
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        auto seen = tasks();
        while (!ready(seen) && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          seen = tasks();
        }
        return seen;
      };

  auto dated =
      wait_for([&](auto& t) { return text(t["thong-bao"], "resolvedDueDate") == "2027-04-17"; });
  EXPECT_EQ(text(dated["thong-bao"], "resolvedDueDate"), "2027-04-17")
      << "the announcement task is not dated 7 days before the session of 24 April";
  EXPECT_EQ(text(dated["bao-cao"], "resolvedDueDate"), "2027-05-09");
  EXPECT_EQ(text(dated["phieu"], "resolvedDueDate"), "2027-04-10");  // dated fixed
  EXPECT_FALSE(done(dated["thong-bao"]));
  HttpResponse read = Http("GET", absl::StrCat(url, "/v1/", plan), "", {auth});
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_THAT(read.body, HasSubstr(R"("sessionDate":"2027-04-24")"));
  EXPECT_THAT(read.body, HasSubstr(session));

  // The announcement the notices service drafted from the same event, issued.
  std::string notice;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (notice.empty() && std::chrono::steady_clock::now() < until) {
    HttpResponse list =
        Http("GET", absl::StrCat(url, "/v1/tenants/", tenant, "/notices?kind=NOTICE_ANNOUNCEMENT"),
             "", {auth});
    ASSERT_EQ(list.status, 200) << list.body;
    const google::protobuf::Struct body = Parse(list.body);
    auto found = body.fields().find("notices");
    if (found != body.fields().end() && found->second.list_value().values_size() > 0) {
      notice =
          found->second.list_value().values(0).struct_value().fields().at("name").string_value();
    }
    if (notice.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_FALSE(notice.empty()) << "no announcement was drafted for the session";
  HttpResponse issued =
      Http("POST", absl::StrCat(url, "/v1/", notice, ":issue"),
           R"({"documentNumber":"31/TB-UBND","signer":"CHỦ TỊCH\nNguyễn Văn A"})", {auth});
  ASSERT_EQ(issued.status, 200) << issued.body;

  auto after = wait_for([&](auto& t) { return done(t["thong-bao"]); });
  EXPECT_TRUE(done(after["thong-bao"])) << "issuing the announcement did not complete the task";
  EXPECT_THAT(text(after["thong-bao"], "doneNote"),
              ::testing::StartsWith("Đã ban hành thông báo số 31/TB-UBND ngày "));
  EXPECT_FALSE(done(after["bao-cao"]));  // reporting upward is other work
  EXPECT_FALSE(done(after["phieu"]));
}

}  // namespace
}  // namespace dialogue
