// Every program of the running stack serves Prometheus text on its admin address, which
// promtool accepts; requests, calls, the database pools, the event pipeline and the
// dependencies show in it.
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "http_client.h"
#include "test_support.h"

namespace dialogue {
namespace {

using auth::Role;
using ::dialogue::testing::Http;
using ::dialogue::testing::HttpResponse;
using ::dialogue::testing::JsonString;
using ::dialogue::testing::StackEnv;
using ::dialogue::testing::Token;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr const char* kPrograms[] = {"GATEWAY", "PLANNING", "INTAKE",
                                     "NOTICES", "SESSIONS", "SUPERVISION"};

std::string Scrape(const std::string& program) {
  std::string addr = StackEnv(absl::StrCat("DIALOGUE_", program, "_METRICS_ADDR").c_str());
  HttpResponse got = Http("GET", absl::StrCat("http://", addr, "/metrics"));
  EXPECT_EQ(got.status, 200) << program;
  return got.body;
}

// Whether `program`'s metrics come to hold `line` within 15 s.
bool Await(const std::string& program, const std::string& line) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < until) {
    if (Scrape(program).find(line) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ADD_FAILURE() << program << " never showed " << line;
  return false;
}

// promtool's verdict on `text`: its output, empty when it has nothing to say.
std::string Promtool(const std::string& text, int* exit_code) {
  char path[] = "/tmp/metrics-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  (void)!write(fd, text.data(), text.size());
  close(fd);
  std::string output;
  FILE* pipe = popen(absl::StrCat("promtool check metrics < ", path, " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  *exit_code = WEXITSTATUS(pclose(pipe));
  unlink(path);
  return output;
}

TEST(MetricsHttp, EveryProgramServesMetricsThatPromtoolAccepts) {
  for (const char* program : kPrograms) {
    std::string text = Scrape(program);
    ASSERT_THAT(text, HasSubstr("# TYPE ")) << program;
    int code = -1;
    std::string verdict = Promtool(text, &code);
    EXPECT_EQ(code, 0) << program << ": " << verdict;
    EXPECT_EQ(verdict, "") << program;
    // What every program has: its spans' fate, and (services) the pool and dependencies.
    EXPECT_THAT(text, HasSubstr("dialogue_spans_dropped_total")) << program;
    if (std::string(program) != "GATEWAY") {
      EXPECT_THAT(text, HasSubstr("dialogue_db_pool_connections{pool=\"requests\",state=\"idle\"}"))
          << program;
      EXPECT_THAT(text, HasSubstr("dialogue_dependency_up{dependency=\"postgresql\"} 1"))
          << program;
      EXPECT_THAT(text, HasSubstr("dialogue_dependency_up{dependency=\"redis\"} 1")) << program;
    }
  }
}

TEST(MetricsHttp, RequestsAreCountedByRouteAndCallsByMethodAndCode) {
  const std::string url = StackEnv("DIALOGUE_GATEWAY_URL");
  const std::string auth = "Authorization: Bearer " + Token("dien-chau", {Role::kPartyOffice});
  ASSERT_EQ(Http("GET", url + "/v1/tenants/dien-chau/plans", "", {auth}).status, 200);
  ASSERT_EQ(Http("GET", url + "/v1/tenants/dien-chau/plans/00000000-0000-4000-8000-000000000000",
                 "", {auth})
                .status,
            404);
  ASSERT_EQ(Http("BREW", url + "/v1/tenants/dien-chau/plans", "", {auth}).status, 405);

  std::string gateway = Scrape("GATEWAY");
  EXPECT_THAT(gateway, HasSubstr("dialogue_http_server_requests_total{method=\"GET\","
                                 "route=\"/v1/{parent=tenants/*}/plans\",status=\"200\"}"));
  EXPECT_THAT(gateway, HasSubstr("dialogue_http_server_requests_total{method=\"GET\","
                                 "route=\"/v1/{name=tenants/*/plans/*}\",status=\"404\"}"));
  // A method of the client's own invention is not a label value of its own.
  EXPECT_THAT(gateway, HasSubstr("method=\"_OTHER\""));
  EXPECT_EQ(gateway.find("BREW"), std::string::npos);
  EXPECT_THAT(gateway, HasSubstr("dialogue_http_server_duration_seconds_bucket{method=\"GET\","
                                 "route=\"/v1/{parent=tenants/*}/plans\",le=\"0.005\"}"));

  std::string planning = Scrape("PLANNING");
  EXPECT_THAT(planning, HasSubstr("dialogue_rpc_server_requests_total{code=\"OK\","
                                  "method=\"ListPlans\",service=\"dialogue.v1.PlanningService\"}"));
  EXPECT_THAT(planning, HasSubstr("dialogue_rpc_server_requests_total{code=\"NOT_FOUND\","
                                  "method=\"GetPlan\",service=\"dialogue.v1.PlanningService\"}"));
  EXPECT_THAT(planning, HasSubstr("dialogue_rpc_server_duration_seconds_count{method=\"ListPlans\","
                                  "service=\"dialogue.v1.PlanningService\"}"));
}

TEST(MetricsHttp, TheEventPipelineShowsItsBacklogLagAndDeadLetters) {
  // The relay and consumers measure every 5 s; the stack has run longer than that.
  std::string intake = Scrape("INTAKE");
  EXPECT_THAT(intake, HasSubstr("dialogue_outbox_backlog{outbox=\"intake.outbox\"}"));
  EXPECT_THAT(intake, HasSubstr("dialogue_outbox_oldest_unsent_seconds{outbox=\"intake.outbox\"}"));
  EXPECT_THAT(intake, HasSubstr("dialogue_events_published_total{outbox=\"intake.outbox\"}"));
  std::string notices = Scrape("NOTICES");
  EXPECT_THAT(notices,
              HasSubstr("dialogue_consumer_lag{group=\"notices\",stream=\"dialogue:events\"}"));
  EXPECT_THAT(notices,
              HasSubstr("dialogue_consumer_pending{group=\"notices\",stream=\"dialogue:events\"}"));
  EXPECT_THAT(notices,
              HasSubstr("dialogue_events_consumed_total{group=\"notices\",result=\"applied\"}"));
  EXPECT_THAT(notices, HasSubstr("dialogue_events_dead_letters{stream=\"dialogue:events:dead\"}"));
  EXPECT_THAT(notices, HasSubstr("dialogue_db_pool_connections{pool=\"consumer\""));
}

TEST(MetricsHttp, EachCommuneHasItsDeadlineFigures) {
  const std::string url = StackEnv("DIALOGUE_GATEWAY_URL");
  v1::Hamlet hamlet;
  hamlet.set_id("an-son");
  hamlet.set_display_name("Thôn An Sơn");
  const std::string tenant = testing::NewProvince(1, {hamlet}).tenants[0];
  const std::string office = "Authorization: Bearer " + Token(tenant, {Role::kGovernmentOffice});
  // A round whose answers were due in April: a citizen's opinion in it is past its date.
  HttpResponse round = Http("POST", absl::StrCat(url, "/v1/tenants/", tenant, "/rounds"),
                            R"({"title":"Đợt tháng 4","answerDueDate":"2026-04-20"})", {office});
  ASSERT_EQ(round.status, 200) << round.body;
  HttpResponse submitted =
      Http("POST", absl::StrCat(url, "/v1/tenants/", tenant, "/opinions:submit"),
           absl::StrCat(R"({"round":")", JsonString(round.body, "name"),
                        R"(","hamlet":"an-son","text":"Đề nghị sửa cống thoát nước"})"));
  ASSERT_EQ(submitted.status, 200) << submitted.body;

  // Counted every 2 s in the test stack (every minute by default), by each service apart.
  EXPECT_TRUE(Await("INTAKE",
                    absl::StrCat("dialogue_opinions_past_answer_date{tenant=\"", tenant, "\"} 1")));
  EXPECT_TRUE(
      Await("NOTICES", absl::StrCat("dialogue_notices_overdue{tenant=\"", tenant, "\"} 0")));
  EXPECT_TRUE(Await("SUPERVISION",
                    absl::StrCat("dialogue_commitments_overdue{tenant=\"", tenant, "\"} 0")));
  // Planned against held: the demo's Diễn Châu plans two conferences this year (seed 000).
  EXPECT_TRUE(Await("PLANNING", "dialogue_conferences_planned{tenant=\"dien-chau\"} 2"));
  EXPECT_TRUE(
      Await("SESSIONS", absl::StrCat("dialogue_conferences_held{tenant=\"", tenant, "\"} 0")));
}

}  // namespace
}  // namespace dialogue
