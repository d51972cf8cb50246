// The dashboards of deploy/k8s/observability/grafana against the stack's running Prometheus:
// every panel's every query is valid PromQL there (template variables filled as Grafana
// would), and each dashboard is whole (uid, title, a datasource on every panel).
#include <curl/curl.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "http_client.h"
#include "test_support.h"

namespace dialogue {
namespace {

using ::dialogue::testing::Http;
using ::dialogue::testing::HttpResponse;
using ::dialogue::testing::StackEnv;
using google::protobuf::Struct;
using google::protobuf::Value;

Struct ReadDashboard(const std::string& name) {
  std::ifstream in(absl::StrCat(DIALOGUE_SOURCE_DIR, "/deploy/k8s/observability/grafana/", name));
  std::stringstream text;
  text << in.rdbuf();
  Struct dashboard;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text.str(), &dashboard).ok()) << name;
  return dashboard;
}

// Every panel, those inside rows too.
void Panels(const Struct& container, std::vector<const Struct*>* out) {
  auto it = container.fields().find("panels");
  if (it == container.fields().end()) return;
  for (const Value& panel : it->second.list_value().values()) {
    out->push_back(&panel.struct_value());
    Panels(panel.struct_value(), out);
  }
}

// The query as Grafana sends it: its variables replaced by values of their kind.
std::string Expand(const std::string& expr) {
  return absl::StrReplaceAll(expr, {{"$__rate_interval", "1m"},
                                    {"$__interval", "1m"},
                                    {"$__range", "1h"},
                                    {"${tenant}", ".*"},
                                    {"$tenant", ".*"}});
}

std::string Escape(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

class DashboardsHttpTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DashboardsHttpTest, EveryPanelQueriesThePrometheusOfTheStackWithoutError) {
  const std::string prometheus = StackEnv("DIALOGUE_PROMETHEUS_URL");
  Struct dashboard = ReadDashboard(GetParam());
  EXPECT_FALSE(dashboard.fields().at("uid").string_value().empty());
  EXPECT_FALSE(dashboard.fields().at("title").string_value().empty());
  std::vector<const Struct*> panels;
  Panels(dashboard, &panels);
  ASSERT_GT(panels.size(), 5u);
  int queries = 0;
  for (const Struct* panel : panels) {
    const std::string title = panel->fields().at("title").string_value();
    if (panel->fields().at("type").string_value() == "row") continue;
    EXPECT_EQ(panel->fields().count("datasource"), 1u) << title;
    auto targets = panel->fields().find("targets");
    ASSERT_NE(targets, panel->fields().end()) << title;
    for (const Value& target : targets->second.list_value().values()) {
      const std::string expr = target.struct_value().fields().at("expr").string_value();
      HttpResponse got =
          Http("GET", absl::StrCat(prometheus, "/api/v1/query?query=", Escape(Expand(expr))));
      EXPECT_EQ(got.status, 200) << title << ": " << expr << "\n" << got.body;
      EXPECT_EQ(testing::JsonString(got.body, "status"), "success") << title << ": " << got.body;
      ++queries;
    }
  }
  EXPECT_GT(queries, 5);
}

INSTANTIATE_TEST_SUITE_P(Grafana, DashboardsHttpTest,
                         ::testing::Values("overview.json", "communes.json"));

TEST(PrometheusHttp, ScrapesEveryProgramOfTheStackWithItsRulesLoaded) {
  const std::string prometheus = StackEnv("DIALOGUE_PROMETHEUS_URL");
  // Scraped every 5 s: within a few seconds of the stack's start every target is up.
  std::string up;
  for (int i = 0; i < 60; ++i) {
    up =
        Http("GET", prometheus + "/api/v1/query?query=" + Escape("sum(up{job=\"dialogue\"})")).body;
    if (up.find("\"6\"]") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_NE(up.find("\"6\"]"), std::string::npos) << up;
  HttpResponse rules = Http("GET", prometheus + "/api/v1/rules");
  ASSERT_EQ(rules.status, 200);
  EXPECT_NE(rules.body.find("DialogueCommitmentsOverdue"), std::string::npos);
  EXPECT_NE(rules.body.find("dialogue:rpc_errors:ratio_rate5m"), std::string::npos);
  EXPECT_EQ(rules.body.find("\"health\":\"err\""), std::string::npos) << rules.body;
}

}  // namespace
}  // namespace dialogue
