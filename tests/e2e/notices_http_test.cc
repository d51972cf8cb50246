// Notices end to end on the running stack: an event on the shared stream reaches the
// notices service's consumer, which drafts the announcement; the office issues it over
// HTTP; a screen sees it live (SSE) and anyone reads it in the commune's public feed.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/events/redis.h"
#include "dialogue/events/relay.h"
#include "dialogue/v1/events.pb.h"
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

TEST(NoticesHttp, TheDemoCommunesFeedShowsItsIssuedNoticeToAnyone) {
  const std::string url = StackEnv("DIALOGUE_GATEWAY_URL");
  HttpResponse feed = Http("GET", url + "/v1/tenants/bac-thanh-mien/notices:published");
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_THAT(feed.body, HasSubstr("15/TB-UBND (số mẫu)"));
  EXPECT_THAT(feed.body, HasSubstr("Xã Bắc Thanh Miện"));
}

TEST(NoticesHttp, AnAnnouncedSessionIsDraftedIssuedAndPublished) {
  const std::string url = StackEnv("DIALOGUE_GATEWAY_URL");
  testing::Province province = testing::NewProvince(1);
  const std::string tenant = province.tenants[0];
  const std::string office = Token(tenant, {Role::kGovernmentOffice, Role::kChair});
  const std::string auth = "Authorization: Bearer " + office;

  v1::SessionAnnounced announced;
  announced.set_session(absl::StrCat("tenants/", tenant, "/sessions/", common::NewUuid()));
  announced.set_title("Đối thoại với Nhân dân quý II");
  announced.set_date("2026-12-20");
  announced.set_start_time("08:00");
  announced.set_venue("Nhà văn hóa thôn Bắc");
  announced.set_announce_date("2026-12-01");
  v1::Event event;
  event.set_id(common::NewUuid());
  event.set_type(announced.GetTypeName());
  event.set_tenant("tenants/" + tenant);
  event.set_source("sessions");
  event.mutable_payload()->PackFrom(announced);
  auto address = events::ParseRedisUri(StackEnv("DIALOGUE_REDIS_URI"));
  ASSERT_TRUE(address.ok());
  events::RedisClient redis(*address);
  auto added =
      redis.Command({"XADD", events::kEventStream, "*", "id", event.id(), "type", event.type(),
                     "tenant", event.tenant(), "event", event.SerializeAsString()});
  ASSERT_TRUE(added.ok() && !added->is_error());

  // The stack's notices service drafts it.
  std::string name;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (name.empty() && std::chrono::steady_clock::now() < until) {
    HttpResponse list =
        Http("GET", absl::StrCat(url, "/v1/tenants/", tenant, "/notices?kind=NOTICE_ANNOUNCEMENT"),
             "", {auth});
    ASSERT_EQ(list.status, 200) << list.body;
    google::protobuf::Struct s;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(list.body, &s).ok()) << list.body;
    auto notices = s.fields().find("notices");
    if (notices != s.fields().end() && notices->second.list_value().values_size() > 0) {
      const auto& first = notices->second.list_value().values(0).struct_value().fields();
      EXPECT_EQ(first.at("session").string_value(), announced.session());
      EXPECT_EQ(first.at("dueDate").string_value(), "2026-12-13");
      name = first.at("name").string_value();
    }
    if (name.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(name.empty()) << "the notices service drafted nothing from the event";

  // Not yet public; issued over HTTP; then in the public feed without a token.
  const std::string feed = absl::StrCat(url, "/v1/tenants/", tenant, "/notices:published");
  HttpResponse before = Http("GET", feed);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_THAT(before.body, ::testing::Not(HasSubstr(name)));
  // A screen at the venue watches the live channel (SSE) while the office issues it.
  HttpResponse live;
  std::thread screen([&] {
    live = Http("GET", absl::StrCat(url, "/v1/tenants/", tenant, "/notices:watch"), "", {}, 4000);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  HttpResponse issued =
      Http("POST", absl::StrCat(url, "/v1/", name, ":issue"),
           R"({"documentNumber":"21/TB-UBND","signer":"CHỦ TỊCH\nLê Văn Tâm"})", {auth});
  screen.join();
  ASSERT_EQ(issued.status, 200) << issued.body;
  EXPECT_THAT(live.body, HasSubstr("data: "));
  EXPECT_THAT(live.body, HasSubstr(name)) << "the screen did not see the notice live";
  EXPECT_THAT(issued.body, HasSubstr("NOTICE_ISSUED"));
  HttpResponse after = Http("GET", feed);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_THAT(after.body, HasSubstr(name));
  EXPECT_THAT(after.body, HasSubstr("Nhà văn hóa thôn Bắc"));
  HttpResponse atom = Http("GET", absl::StrCat(url, "/v1/tenants/", tenant, "/notices:atom"));
  ASSERT_EQ(atom.status, 200) << atom.body;
  EXPECT_EQ(atom.headers["content-type"], "application/atom+xml; charset=utf-8");
  EXPECT_THAT(atom.body, HasSubstr("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
  EXPECT_THAT(atom.body, HasSubstr(absl::StrCat("<id>urn:dialogue:", name, "</id>")));
  // Each entry links to its document, which anyone renders: the print page and the file.
  const std::string html_link = absl::StrCat("/v1/", name, ":render?format=html");
  EXPECT_THAT(atom.body, HasSubstr(absl::StrCat("href=\"", html_link, "\"")));
  HttpResponse print = Http("GET", url + html_link);
  ASSERT_EQ(print.status, 200) << print.body;
  EXPECT_EQ(print.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_THAT(print.body, HasSubstr("Số: 21/TB-UBND"));
  EXPECT_THAT(print.body, HasSubstr("Lê Văn Tâm"));
  HttpResponse file = Http("GET", absl::StrCat(url, "/v1/", name, ":render?format=docx"));
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(file.headers["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(file.headers["content-disposition"],
            "attachment; filename=\"van-ban-21-TB-UBND.docx\"");
  EXPECT_EQ(file.body.substr(0, 2), "PK");
  HttpResponse bad = Http("GET", absl::StrCat(url, "/v1/", name, ":render?format=pdf"));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(bad.body, HasSubstr("FORMAT_INVALID"));
  // Issued again: refused, as an issued notice never changes.
  HttpResponse again = Http("POST", absl::StrCat(url, "/v1/", name, ":issue"),
                            R"({"documentNumber":"22/TB-UBND"})", {auth});
  EXPECT_EQ(again.status, 400) << again.body;
  EXPECT_THAT(again.body, HasSubstr("NOTICE_ISSUED"));
}

// Issue 19, no event goes nowhere: voters asking for a dialogue on the public route, past the
// commune's threshold, reach the office through intake's event and the notices service.
TEST(NoticesHttp, VotersRequiringADialogueGiveTheOfficeADraftDueOnTheDayToHoldItBy) {
  const std::string url = StackEnv("DIALOGUE_GATEWAY_URL");
  testing::Province province = testing::NewProvince(1);
  const std::string tenant = province.tenants[0];
  testing::AdminQuery(absl::StrCat("UPDATE tenancy.tenants SET voter_count = 20 WHERE id = '",
                                   tenant, "'; SELECT 1"));  // threshold: 10% of 20 = 2
  for (const char* voter : {"Nguyễn Văn Bình", "Trần Thị Cúc"}) {
    HttpResponse asked = Http(
        "POST", absl::StrCat(url, "/v1/tenants/", tenant, "/dialogueRequests"),
        absl::StrCat(
            R"({"voterName":")", voter,
            R"(","hamlet":"thon-dong","contact":"0912345678","matter":"Ô nhiễm từ trại lợn thôn Đông"})"));
    ASSERT_EQ(asked.status, 200) << asked.body;
  }
  const std::string auth =
      "Authorization: Bearer " + Token(tenant, {Role::kGovernmentOffice, Role::kChair});
  google::protobuf::Struct draft;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (draft.fields().empty() && std::chrono::steady_clock::now() < until) {
    HttpResponse list =
        Http("GET", absl::StrCat(url, "/v1/tenants/", tenant, "/notices?kind=NOTICE_GENERAL"), "",
             {auth});
    ASSERT_EQ(list.status, 200) << list.body;
    google::protobuf::Struct s;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(list.body, &s).ok()) << list.body;
    auto notices = s.fields().find("notices");
    if (notices != s.fields().end() && notices->second.list_value().values_size() > 0) {
      draft = notices->second.list_value().values(0).struct_value();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_FALSE(draft.fields().empty()) << "no draft reached the office";
  EXPECT_EQ(draft.fields().at("state").string_value(), "NOTICE_DRAFT");
  EXPECT_THAT(draft.fields().at("body").string_value(), HasSubstr("Ô nhiễm từ trại lợn thôn Đông"));
  EXPECT_THAT(draft.fields().at("body").string_value(),
              HasSubstr("2 cử tri (ngưỡng 2 trên tổng số 20"));
  const absl::CivilDay today = calendar::TodayInVietnam(absl::Now());
  EXPECT_EQ(draft.fields().at("dueDate").string_value(), calendar::FormatDate(today + 30));
  HttpResponse reminders =
      Http("GET", absl::StrCat(url, "/v1/tenants/", tenant, "/notices?kind=NOTICE_REMINDER"), "",
           {auth});
  ASSERT_EQ(reminders.status, 200) << reminders.body;
  EXPECT_THAT(reminders.body, HasSubstr("Cử tri đề nghị tổ chức hội nghị đối thoại"));
}

}  // namespace
}  // namespace dialogue
