// The gateway through real HTTP: against the stack's gateway and services, and against
// gateways started here for what the shared stack cannot show (an upstream that is down,
// a deadline, rate limits, static files, a client that stalls).
#include <arpa/inet.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "dialogue/common/names.h"
#include "dialogue/fixtures/v1/ticks.grpc.pb.h"
#include "dialogue/rpc/server.h"
#include "http_client.h"
#include "server.h"
#include "test_support.h"
#include "transcoder.h"

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
using ::testing::Not;

google::protobuf::Struct ParseJson(const std::string& body) {
  google::protobuf::Struct out;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &out).ok()) << body;
  return out;
}

std::string Field(const std::string& body, const std::string& name) {
  auto s = ParseJson(body);
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = StackEnv("DIALOGUE_GATEWAY_URL");
    province_ = testing::NewProvince(2);
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    office_ = Token(a_, {Role::kPartyOffice, Role::kGovernmentOffice});
    chair_ = Token(a_, {Role::kChair});
  }
  std::string Plans(const std::string& tenant) {
    return absl::StrCat(url_, "/v1/tenants/", tenant, "/plans");
  }
  std::string CountPlans(const std::string& tenant) {
    return AdminQuery("SELECT count(*) FROM planning.plans WHERE tenant_id = '" + tenant + "'");
  }
  std::string url_;
  testing::Province province_;
  std::string a_, b_, office_, chair_;
};

TEST_F(GatewayTest, RunsAPlansWholeLifeOverHttp) {
  v1::Plan plan = testing::SamplePlan();
  plan.set_document_number("07/KH-UBND");
  plan.set_issue_date("2026-01-05");
  HttpResponse created = Http("POST", Plans(a_), gateway::ToJson(plan), {Bearer(office_)});
  ASSERT_EQ(created.status, 200) << created.body;
  std::string name = Field(created.body, "name");
  ASSERT_THAT(name, HasSubstr("/plans/"));
  EXPECT_EQ(Field(created.body, "state"), "DRAFT");

  HttpResponse patched = Http("PATCH", absl::StrCat(url_, "/v1/", name, "?updateMask=title"),
                              R"({"title":"Kế hoạch qua HTTP","year":1999})", {Bearer(office_)});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Field(patched.body, "title"), "Kế hoạch qua HTTP");
  EXPECT_EQ(ParseJson(patched.body).fields().at("year").number_value(), 2026);

  HttpResponse early =
      Http("POST", absl::StrCat(url_, "/v1/", name, ":publish"), "{}", {Bearer(office_)});
  EXPECT_EQ(early.status, 400);
  EXPECT_THAT(early.body, HasSubstr("INVALID_PLAN_STATE"));
  ASSERT_EQ(
      Http("POST", absl::StrCat(url_, "/v1/", name, ":approve"), "{}", {Bearer(chair_)}).status,
      200);
  HttpResponse published =
      Http("POST", absl::StrCat(url_, "/v1/", name, ":publish"), "{}", {Bearer(office_)});
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(Field(published.body, "state"), "PUBLISHED");
  HttpResponse copy = Http("POST", absl::StrCat(url_, "/v1/", name, ":copy"), R"({"year":2027})",
                           {Bearer(office_)});
  ASSERT_EQ(copy.status, 200) << copy.body;
  HttpResponse listed = Http("GET", Plans(a_) + "?filter=year%20%3D%202027", "", {Bearer(office_)});
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(ParseJson(listed.body).fields().at("plans").list_value().values_size(), 1);
  HttpResponse got = Http("GET", absl::StrCat(url_, "/v1/", name), "", {Bearer(office_)});
  EXPECT_EQ(Field(got.body, "state"), "PUBLISHED");
}

// A refusal the gateway makes itself has an upstream error's shape, and its body's code is
// the HTTP status it was sent with.
void ExpectOwnError(const HttpResponse& got, const std::string& status, const std::string& reason) {
  auto error = ParseJson(got.body).fields().at("error").struct_value().fields();
  EXPECT_EQ(error.at("code").number_value(), got.status) << got.body;
  EXPECT_EQ(error.at("status").string_value(), status) << got.body;
  EXPECT_FALSE(error.at("message").string_value().empty()) << got.body;
  EXPECT_THAT(got.body, HasSubstr(absl::StrCat(R"("reason":")", reason, R"(")")));
}

TEST_F(GatewayTest, ErrorsHaveTheirStatusAndOneShape) {
  HttpResponse malformed = Http("POST", Plans(a_), R"({"title": )", {Bearer(office_)});
  EXPECT_EQ(malformed.status, 400);
  auto error = ParseJson(malformed.body).fields().at("error").struct_value().fields();
  EXPECT_EQ(error.at("code").number_value(), 400);
  EXPECT_EQ(error.at("status").string_value(), "INVALID_ARGUMENT");
  EXPECT_FALSE(error.at("message").string_value().empty());
  EXPECT_GT(error.at("details").list_value().values_size(), 0);

  HttpResponse unknown = Http("POST", Plans(a_), R"({"colour":"red"})", {Bearer(office_)});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr(R"("field":"plan.colour")"));
  HttpResponse wrong_type = Http("POST", Plans(a_), R"({"year":"soon"})", {Bearer(office_)});
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_THAT(wrong_type.body, HasSubstr(R"("field":"plan.year")"));
  HttpResponse bad_query = Http("GET", Plans(a_) + "?pageSize=lots", "", {Bearer(office_)});
  EXPECT_EQ(bad_query.status, 400);
  EXPECT_THAT(bad_query.body, HasSubstr("pageSize"));
  HttpResponse no_route = Http("GET", url_ + "/v1/no/such/route", "", {Bearer(office_)});
  EXPECT_EQ(no_route.status, 404);
  ExpectOwnError(no_route, "NOT_FOUND", "ROUTE_NOT_FOUND");
  HttpResponse wrong_method = Http("DELETE", Plans(a_), "", {Bearer(office_)});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.headers["allow"], "GET, POST");
  ExpectOwnError(wrong_method, "UNIMPLEMENTED", "METHOD_NOT_ALLOWED");
  HttpResponse big = Http("POST", Plans(a_), std::string(1100 * 1024, 'x'), {Bearer(office_)});
  EXPECT_EQ(big.status, 413);
  ExpectOwnError(big, "INVALID_ARGUMENT", "BODY_TOO_LARGE");
  HttpResponse missing =
      Http("GET", absl::StrCat(Plans(a_), "/", common::NewUuid()), "", {Bearer(office_)});
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("PLAN_NOT_FOUND"));
  EXPECT_EQ(CountPlans(a_), "0");
}

TEST_F(GatewayTest, TokensAreCheckedBeforeAnythingIsWritten) {
  std::string body = gateway::ToJson(testing::SamplePlan());
  HttpResponse none = Http("POST", Plans(a_), body);
  EXPECT_EQ(none.status, 401);
  ExpectOwnError(none, "UNAUTHENTICATED", "TOKEN_MISSING");
  HttpResponse expired = Http("POST", Plans(a_), body,
                              {Bearer(Token(a_, {Role::kPartyOffice}, "", absl::Seconds(-5)))});
  EXPECT_EQ(expired.status, 401);
  EXPECT_THAT(expired.body, HasSubstr("TOKEN_EXPIRED"));
  auth::TokenRequest forged;
  forged.principal = {"mallory", a_, "", {Role::kAdmin}};
  HttpResponse bad = Http("POST", Plans(a_), body,
                          {Bearer(*auth::IssueHs256(forged, "a-secret-nobody-was-given"))});
  EXPECT_EQ(bad.status, 401);
  EXPECT_THAT(bad.body, HasSubstr("TOKEN_BAD_SIGNATURE"));
  // Commune A's token on commune B's path: refused by the service, nothing written.
  HttpResponse cross = Http("POST", Plans(b_), body, {Bearer(office_)});
  EXPECT_EQ(cross.status, 403);
  EXPECT_THAT(cross.body, HasSubstr("TENANT_FORBIDDEN"));
  EXPECT_EQ(CountPlans(a_), "0");
  EXPECT_EQ(CountPlans(b_), "0");
  // A route marked public needs no account.
  HttpResponse open = Http("GET", url_ + "/v1/calendar:convert?solarDate=2026-02-17");
  EXPECT_EQ(open.status, 200) << open.body;
  EXPECT_THAT(open.body, HasSubstr("\"canChiYear\":\"Bính Ngọ\""));
}

TEST_F(GatewayTest, BytesThatAreNotTextAreRefusedWhereverTheyCome) {
  // In a query parameter, without an account: a clear 400, not the upstream's failure to
  // read the request.
  HttpResponse query = Http("GET", url_ + "/v1/calendar:convert?solarDate=%FF%FE");
  EXPECT_EQ(query.status, 400) << query.body;
  ExpectOwnError(query, "INVALID_ARGUMENT", "TEXT_NOT_UTF8");
  EXPECT_THAT(query.body, HasSubstr(R"("field":"solar_date")"));
  // In a path segment.
  HttpResponse path = Http("GET", url_ + "/v1/tenants/%C3%28/plans", "", {Bearer(office_)});
  EXPECT_EQ(path.status, 400) << path.body;
  ExpectOwnError(path, "INVALID_ARGUMENT", "TEXT_NOT_UTF8");
  // A NUL, escaped in a JSON body or in a query: refused, nothing written.
  HttpResponse nul =
      Http("POST", Plans(a_), R"({"title": "a\u0000b", "year": 2026})", {Bearer(office_)});
  EXPECT_EQ(nul.status, 400) << nul.body;
  EXPECT_THAT(nul.body, HasSubstr("TEXT_HAS_NUL"));
  EXPECT_THAT(nul.body, HasSubstr(R"("field":"plan.title")"));
  HttpResponse nul_query = Http("GET", url_ + "/v1/calendar:convert?solarDate=2026%0001-01");
  EXPECT_EQ(nul_query.status, 400) << nul_query.body;
  EXPECT_THAT(nul_query.body, HasSubstr("TEXT_HAS_NUL"));
  EXPECT_EQ(CountPlans(a_), "0");
}

TEST_F(GatewayTest, CarriesTheTraceContextAndDescribesItself) {
  std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  HttpResponse r = Http("GET", Plans(a_), "", {Bearer(office_), "traceparent: " + traceparent});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.headers["traceparent"], HasSubstr("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_EQ(r.headers["traceparent"].size(), 55u);
  HttpResponse fresh = Http("GET", url_ + "/healthz");
  EXPECT_EQ(fresh.status, 200);
  EXPECT_EQ(fresh.headers["traceparent"].size(), 55u);
  EXPECT_EQ(Http("GET", url_ + "/readyz").status, 200);
  HttpResponse openapi = Http("GET", url_ + "/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  auto doc = ParseJson(openapi.body);
  EXPECT_EQ(doc.fields().at("openapi").string_value(), "3.0.3");
  EXPECT_EQ(doc.fields().at("paths").struct_value().fields().count(
                "/v1/tenants/{tenant}/plans/{plan}:approve"),
            1u);
  HttpResponse docs = Http("GET", url_ + "/docs");
  EXPECT_EQ(docs.status, 200);
  EXPECT_THAT(docs.body, HasSubstr("PlanningService.CreatePlan"));
}

// A gateway of the test's own, in front of the stack's planning program unless told otherwise.
std::unique_ptr<gateway::Gateway> StartGateway(gateway::GatewayOptions options) {
  options.listen = "127.0.0.1:0";
  if (options.upstreams.empty()) options.upstreams["planning"] = StackEnv("DIALOGUE_PLANNING_ADDR");
  auto g = gateway::Gateway::Start(
      options, *auth::TokenVerifier::Hs256(testing::TokenSecret(), "dialogue-local"));
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *std::move(g) : nullptr;
}

TEST(GatewayLimits, AnUpstreamThatIsDownIs503AndADeadlineIs504) {
  gateway::GatewayOptions down;
  down.upstreams["planning"] = "127.0.0.1:1";
  auto g = StartGateway(down);
  std::string token = Token("dien-chau", {Role::kGovernmentOffice});
  HttpResponse r =
      Http("GET", absl::StrCat("http://127.0.0.1:", g->port(), "/v1/tenants/dien-chau/plans"), "",
           {Bearer(token)});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(Http("GET", absl::StrCat("http://127.0.0.1:", g->port(), "/readyz")).status, 503);

  gateway::GatewayOptions hurried;
  hurried.route_timeout = std::chrono::milliseconds(0);
  auto h = StartGateway(hurried);
  HttpResponse late =
      Http("GET", absl::StrCat("http://127.0.0.1:", h->port(), "/v1/tenants/dien-chau/plans"), "",
           {Bearer(token)});
  EXPECT_EQ(late.status, 504) << late.body;
}

TEST(GatewayLimits, RateLimitsAnonymousCallersPerAddressAndStaffPerCommune) {
  gateway::GatewayOptions strict;
  strict.public_per_second = 0.01;
  strict.public_burst = 2;
  strict.tenant_per_second = 0.01;
  strict.tenant_burst = 3;
  auto g = StartGateway(strict);
  std::string base = absl::StrCat("http://127.0.0.1:", g->port());
  std::string convert = base + "/v1/calendar:convert?solarDate=2026-01-01";
  EXPECT_EQ(Http("GET", convert).status, 200);
  EXPECT_EQ(Http("GET", convert).status, 200);
  HttpResponse limited = Http("GET", convert);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers["retry-after"], "1");
  ExpectOwnError(limited, "RESOURCE_EXHAUSTED", "RATE_LIMITED");
  std::string a = Bearer(Token("dien-chau", {Role::kGovernmentOffice}));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Http("GET", base + "/v1/tenants/dien-chau/plans", "", {a}).status, 200);
  EXPECT_EQ(Http("GET", base + "/v1/tenants/dien-chau/plans", "", {a}).status, 429);
  // Another commune has its own budget.
  std::string b = Bearer(Token("hoai-thanh", {Role::kGovernmentOffice}));
  EXPECT_EQ(Http("GET", base + "/v1/tenants/hoai-thanh/plans", "", {b}).status, 200);
}

TEST(GatewayLimits, BehindATrustedProxyEachForwardedClientHasItsOwnBudget) {
  gateway::GatewayOptions behind_ingress;
  behind_ingress.public_per_second = 0.01;
  behind_ingress.public_burst = 2;
  behind_ingress.trusted_proxies = *gateway::TrustedProxies::Parse("127.0.0.1/32");
  auto g = StartGateway(behind_ingress);
  std::string convert =
      absl::StrCat("http://127.0.0.1:", g->port(), "/v1/calendar:convert?solarDate=2026-01-01");
  // A client that wrote its own header gets no new budget: the Ingress appends the peer.
  const std::string farmer = "X-Forwarded-For: 10.1.1.1, 198.51.100.1";
  const std::string spoofed = "X-Forwarded-For: 10.1.1.2, 198.51.100.1";
  EXPECT_EQ(Http("GET", convert, "", {farmer}).status, 200);
  EXPECT_EQ(Http("GET", convert, "", {spoofed}).status, 200);
  EXPECT_EQ(Http("GET", convert, "", {farmer}).status, 429);
  // A proxy that adds a line of its own rather than extending the client's: still the
  // rightmost address, the one the proxy wrote.
  EXPECT_EQ(
      Http("GET", convert, "", {"X-Forwarded-For: 198.51.100.9", "X-Forwarded-For: 198.51.100.1"})
          .status,
      429);
  // Another citizen behind the same Ingress is not held back by the first.
  EXPECT_EQ(Http("GET", convert, "", {"X-Forwarded-For: 198.51.100.2"}).status, 200);

  // Without a trusted proxy the header is ignored: every request here is from 127.0.0.1.
  gateway::GatewayOptions direct;
  direct.public_per_second = 0.01;
  direct.public_burst = 2;
  auto d = StartGateway(direct);
  std::string direct_convert =
      absl::StrCat("http://127.0.0.1:", d->port(), "/v1/calendar:convert?solarDate=2026-01-01");
  EXPECT_EQ(Http("GET", direct_convert, "", {"X-Forwarded-For: 198.51.100.3"}).status, 200);
  EXPECT_EQ(Http("GET", direct_convert, "", {"X-Forwarded-For: 198.51.100.4"}).status, 200);
  EXPECT_EQ(Http("GET", direct_convert, "", {"X-Forwarded-For: 198.51.100.5"}).status, 429);
}

TEST(GatewayLimits, ServesStaticFilesAndNothingOutsideTheirFolder) {
  auto dir = std::filesystem::temp_directory_path() / absl::StrCat("web-", std::rand());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "index.html") << "<h1>Đối thoại</h1>";
  gateway::GatewayOptions options;
  options.static_dir = dir.string();
  auto g = StartGateway(options);
  std::string base = absl::StrCat("http://127.0.0.1:", g->port());
  HttpResponse page = Http("GET", base + "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_THAT(page.body, HasSubstr("Đối thoại"));
  // Nothing outside the folder: at most the app's own page answers.
  EXPECT_THAT(Http("GET", base + "/../../etc/passwd").body, Not(HasSubstr("root:")));
  EXPECT_EQ(Http("GET", base + "/../../etc/os-release.txt").status, 404);
  EXPECT_EQ(Http("GET", base + "/missing.js").status, 404);

  // Pages load only what the gateway serves, cannot be framed, are not sniffed.
  EXPECT_THAT(page.headers["content-security-policy"], HasSubstr("default-src 'self'"));
  EXPECT_THAT(page.headers["content-security-policy"], HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(page.headers["x-content-type-options"], "nosniff");
  // The page is revalidated on every visit; unchanged, it costs no body.
  EXPECT_EQ(page.headers["cache-control"], "no-cache");
  ASSERT_FALSE(page.headers["etag"].empty());
  HttpResponse again = Http("GET", base + "/", "", {"If-None-Match: " + page.headers["etag"]});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  // Built assets carry their hash in the name: cached for a year.
  std::filesystem::create_directories(dir / "assets");
  std::ofstream(dir / "assets" / "app-3f9a.js") << "console.log(1)";
  HttpResponse asset = Http("GET", base + "/assets/app-3f9a.js");
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.headers["content-type"], "text/javascript");
  EXPECT_EQ(asset.headers["cache-control"], "public, max-age=31536000, immutable");
  // A page of the app (no extension) is index.html; a missing file is still 404.
  HttpResponse commune = Http("GET", base + "/xa/dien-chau");
  EXPECT_EQ(commune.status, 200);
  EXPECT_THAT(commune.body, HasSubstr("Đối thoại"));
  EXPECT_EQ(Http("GET", base + "/assets/gone-1234.js").status, 404);
  // The API's answers are not sniffed either.
  EXPECT_EQ(Http("GET", base + "/healthz").headers["x-content-type-options"], "nosniff");
  std::filesystem::remove_all(dir);
}

// A plain TCP connection to a local port, for what an HTTP library will not do.
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

TEST(GatewayLimits, AClientThatStallsIsDisconnected) {
  gateway::GatewayOptions options;
  options.read_timeout = std::chrono::milliseconds(300);
  auto g = StartGateway(options);
  int fd = Connect(g->port());
  std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";  // headers never finished
  ASSERT_EQ(write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  timeval tv{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  auto start = std::chrono::steady_clock::now();
  char buffer[256];
  ssize_t n = read(fd, buffer, sizeof(buffer));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(n, 0) << "the gateway should close the connection";
  EXPECT_LT(waited, std::chrono::seconds(2));
  close(fd);
  // The server still serves others.
  EXPECT_EQ(Http("GET", absl::StrCat("http://127.0.0.1:", g->port(), "/healthz")).status, 200);
}

}  // namespace
}  // namespace dialogue

namespace dialogue {
namespace {

// The ticking service: `count` ticks, `interval_ms` apart; records whether a call was
// cancelled by its client.
class Ticker final : public fixtures::v1::TickService::Service {
 public:
  grpc::Status Ticks(grpc::ServerContext* context, const fixtures::v1::TicksRequest* request,
                     grpc::ServerWriter<fixtures::v1::Tick>* writer) override {
    for (int i = 1; i <= request->count(); ++i) {
      if (context->IsCancelled()) {
        cancelled = true;
        return grpc::Status::CANCELLED;
      }
      fixtures::v1::Tick tick;
      tick.set_n(i);
      tick.set_note("nhịp");
      writer->Write(tick);
      std::this_thread::sleep_for(std::chrono::milliseconds(request->interval_ms()));
    }
    if (request->count() < 0) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "count < 0");
    return grpc::Status::OK;
  }
  grpc::Status Sleep(grpc::ServerContext* context, const fixtures::v1::TicksRequest* request,
                     fixtures::v1::Tick* response) override {
    auto until =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(request->interval_ms());
    while (std::chrono::steady_clock::now() < until) {
      if (context->IsCancelled()) {
        cancelled = true;
        return grpc::Status::CANCELLED;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    response->set_n(1);
    response->set_note(std::string(static_cast<size_t>(std::max(0, request->count())), 'x'));
    return grpc::Status::OK;
  }
  std::atomic<bool> cancelled{false};
};

// A gateway in front of the ticking service.
class TickerGateway : public ::testing::Test {
 protected:
  // Starts the ticking service once, then a gateway in front of it (a new one each time).
  void Start(gateway::GatewayOptions options) {
    if (server_ == nullptr) {
      auto server = rpc::StartServer({"127.0.0.1:0"}, {&ticker_});
      ASSERT_TRUE(server.ok());
      server_ = *std::move(server);
    }
    options.upstreams["ticker"] = absl::StrCat("127.0.0.1:", server_->port());
    options.upstreams["planning"] = ::dialogue::testing::StackEnv("DIALOGUE_PLANNING_ADDR");
    gateway_ = StartGateway(options);
    base_ = absl::StrCat("http://127.0.0.1:", gateway_->port());
  }
  Ticker ticker_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::string base_;
};

class ServerSentEvents : public TickerGateway {
 protected:
  void SetUp() override {
    gateway::GatewayOptions options;
    options.heartbeat = std::chrono::milliseconds(100);
    Start(options);
  }
};

TEST_F(ServerSentEvents, DeliverEachMessageThenTheEnd) {
  auto r = Http("GET", base_ + "/v1/fixtures/ticks?count=3&intervalMs=10");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/event-stream");
  EXPECT_EQ(r.body.find("data: {\"n\":1,\"note\":\"nhịp\"}\n\n"), 0u) << r.body;
  EXPECT_THAT(r.body, HasSubstr("data: {\"n\":3,\"note\":\"nhịp\"}\n\n"));
  EXPECT_THAT(r.body, HasSubstr("event: end\ndata: {}\n\n"));
}

TEST_F(ServerSentEvents, SendHeartbeatsWhileTheStreamIsQuiet) {
  auto r = Http("GET", base_ + "/v1/fixtures/ticks?count=2&intervalMs=450");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr(": ping\n\n"));
  EXPECT_THAT(r.body, HasSubstr("event: end"));
}

TEST_F(ServerSentEvents, EndWithTheErrorWhenTheCallFails) {
  auto r = Http("GET", base_ + "/v1/fixtures/ticks?count=-1");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(
      r.body,
      HasSubstr("event: error\ndata: {\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\""));
}

TEST_F(ServerSentEvents, ACallIsCancelledWhenItsClientGoesAway) {
  // The client gives up after 300 ms of a stream that would last 20 s.
  auto r = Http("GET", base_ + "/v1/fixtures/ticks?count=2000&intervalMs=10", "", {}, 300);
  EXPECT_THAT(r.body, HasSubstr("data: {\"n\":1"));
  for (int i = 0; i < 50 && !ticker_.cancelled; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(ticker_.cancelled) << "the upstream call should be cancelled within seconds";
}

TEST_F(ServerSentEvents, AUnaryCallIsCancelledWhenItsClientGoesAway) {
  auto quick = Http("GET", base_ + "/v1/fixtures/sleep?intervalMs=10");
  EXPECT_EQ(quick.status, 200);
  EXPECT_EQ(quick.body, "{\"n\":1}");
  auto gone = Http("GET", base_ + "/v1/fixtures/sleep?intervalMs=10000", "", {}, 300);
  EXPECT_EQ(gone.status, 0);  // the client gave up
  for (int i = 0; i < 50 && !ticker_.cancelled; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(ticker_.cancelled) << "the upstream call should be cancelled within seconds";
}

}  // namespace
}  // namespace dialogue

namespace dialogue {
namespace {

struct RawResponse {
  int status = 0;
  std::string head;
  std::string body;
};

// Reads whole responses (by Content-Length) from a raw connection until `count` have
// come, the peer closes, or `timeout` passes.
std::vector<RawResponse> ReadResponses(
    int fd, size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::vector<RawResponse> out;
  std::string data;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    size_t end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = data.substr(0, end);
      size_t length = 0;
      size_t at = absl::AsciiStrToLower(head).find("content-length: ");
      if (at != std::string::npos) length = std::stoul(head.substr(at + 16));
      if (data.size() >= end + 4 + length) {
        out.push_back({std::stoi(head.substr(9, 3)), head, data.substr(end + 4, length)});
        data.erase(0, end + 4 + length);
        continue;
      }
    }
    timeval tv{0, 100 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buffer[64 * 1024];
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n == 0) break;
    if (n > 0) data.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

// True when the peer has closed the connection within `timeout`.
bool ClosedWithin(int fd, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char byte;
  return read(fd, &byte, 1) == 0;
}

void Write(int fd, const std::string& text) {
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

class Connections : public TickerGateway {};

TEST_F(Connections, PipelinedRequestsAreAnsweredInOrder) {
  Start({});
  int fd = Connect(gateway_->port());
  // A slow call, a quick page and a quick call in one write: the answers keep that order.
  Write(fd,
        "GET /v1/fixtures/sleep?intervalMs=200 HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /v1/fixtures/sleep?intervalMs=1&count=3 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto answers = ReadResponses(fd, 3);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].body, "{\"n\":1}");
  EXPECT_EQ(answers[1].body, "{\"status\":\"ok\"}");
  EXPECT_EQ(answers[2].body, "{\"n\":1,\"note\":\"xxx\"}");
  for (const auto& a : answers) EXPECT_EQ(a.status, 200) << a.head;
  close(fd);
}

TEST_F(Connections, AMalformedRequestBehindACallIsRefusedAfterItsAnswer) {
  Start({});
  int fd = Connect(gateway_->port());
  Write(fd,
        "GET /v1/fixtures/sleep?intervalMs=200 HTTP/1.1\r\nHost: x\r\n\r\n"
        "NOT HTTP AT ALL\r\n\r\n");
  auto answers = ReadResponses(fd, 2);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[0].body, "{\"n\":1}");
  EXPECT_EQ(answers[1].status, 400);
  EXPECT_THAT(answers[1].body, HasSubstr("MALFORMED_HTTP"));
  EXPECT_TRUE(ClosedWithin(fd, std::chrono::milliseconds(2000)));
  close(fd);
}

TEST_F(Connections, AnswersLargerThanTheSocketTakesAreWrittenWholeToASlowReader) {
  Start({});
  int fd = Connect(gateway_->port());
  int small = 64 * 1024;  // fixed, so the kernel does not grow it to hold the answers
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  // Four answers of 3 MiB each (under gRPC's 4 MiB message limit), pipelined: together far
  // more than the socket's buffers hold while the reader dawdles.
  const int size = 3 << 20;
  std::string request = absl::StrCat("GET /v1/fixtures/sleep?intervalMs=1&count=", size,
                                     " HTTP/1.1\r\nHost: x\r\n\r\n");
  Write(fd, request + request + request + request);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto big = ReadResponses(fd, 4, std::chrono::seconds(20));
  ASSERT_EQ(big.size(), 4u);
  for (const auto& answer : big) {
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body.size(), size + std::string("{\"n\":1,\"note\":\"\"}").size());
  }
  // The connection is still good for the next request.
  Write(fd, "GET /v1/fixtures/sleep?intervalMs=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto next = ReadResponses(fd, 1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].body, "{\"n\":1}");
  close(fd);
}

TEST_F(Connections, AConnectionIdleAfterItsCallIsClosedAndABusyOneIsNot) {
  gateway::GatewayOptions options;
  options.idle_timeout = std::chrono::milliseconds(400);
  Start(options);
  int busy = Connect(gateway_->port());
  // Calls that together last longer than the idle timeout keep the connection open.
  for (int i = 0; i < 6; ++i) {
    Write(busy, "GET /v1/fixtures/sleep?intervalMs=150 HTTP/1.1\r\nHost: x\r\n\r\n");
    auto a = ReadResponses(busy, 1);
    ASSERT_EQ(a.size(), 1u) << "call " << i;
    EXPECT_EQ(a[0].status, 200);
  }
  // Then quiet: closed after the idle timeout, not before.
  auto quiet = std::chrono::steady_clock::now();
  EXPECT_FALSE(ClosedWithin(busy, std::chrono::milliseconds(200)));
  EXPECT_TRUE(ClosedWithin(busy, std::chrono::milliseconds(3000)));
  EXPECT_GE(std::chrono::steady_clock::now() - quiet, std::chrono::milliseconds(350));
  close(busy);
}

TEST_F(Connections, AStreamAfterACallOutlivesTheIdleTimeout) {
  gateway::GatewayOptions options;
  options.idle_timeout = std::chrono::milliseconds(300);
  options.heartbeat = std::chrono::milliseconds(5000);
  Start(options);
  int fd = Connect(gateway_->port());
  Write(fd, "GET /v1/fixtures/sleep?intervalMs=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(ReadResponses(fd, 1).size(), 1u);
  // Then, on the same connection, a stream quieter than the idle timeout between ticks.
  Write(fd, "GET /v1/fixtures/ticks?count=3&intervalMs=400 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string events;
  timeval tv{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) events.append(buffer, static_cast<size_t>(n));
  EXPECT_THAT(events, HasSubstr("data: {\"n\":3,\"note\":\"nhịp\"}"));
  EXPECT_THAT(events, HasSubstr("event: end"));
  close(fd);
}

TEST_F(Connections, ACallAskedToCloseIsAnsweredThenTheConnectionEnds) {
  Start({});
  int fd = Connect(gateway_->port());
  Write(fd, "GET /v1/fixtures/sleep?intervalMs=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto a = ReadResponses(fd, 1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_THAT(a[0].head, HasSubstr("Connection: close"));
  EXPECT_TRUE(ClosedWithin(fd, std::chrono::milliseconds(2000)));
  close(fd);
}

// A gateway stopped just as a stream ends, or while one runs, stops whole: it cancels the
// running stream and closes its connection, and the stream's last hold on the connection,
// let go on a gRPC thread, may come after the gateway is gone (AddressSanitizer checks).
TEST_F(Connections, AGatewayStoppedAsItsStreamsEndOrRunStopsWhole) {
  for (int i = 0; i < 20; ++i) {
    Start({});
    auto ended = Http("GET", base_ + "/v1/fixtures/ticks?count=1&intervalMs=1");
    ASSERT_THAT(ended.body, HasSubstr("event: end")) << "round " << i;
    gateway_.reset();

    Start({});
    ticker_.cancelled = false;
    int fd = Connect(gateway_->port());
    timeval tv{3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    Write(fd, "GET /v1/fixtures/ticks?count=1000&intervalMs=10 HTTP/1.1\r\nHost: x\r\n\r\n");
    // Stopped once the first tick has come, so the service is inside the call.
    std::string seen;
    char buffer[4096];
    ssize_t n;
    while (seen.find("data: ") == std::string::npos && (n = read(fd, buffer, sizeof(buffer))) > 0)
      seen.append(buffer, static_cast<size_t>(n));
    ASSERT_THAT(seen, HasSubstr("data: ")) << "round " << i;
    auto stopping = std::chrono::steady_clock::now();
    gateway_.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(3));
    // What the stream sent before is read, then the connection's end.
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) {
    }
    EXPECT_EQ(n, 0) << "round " << i << ": the connection should be closed";
    close(fd);
    for (int w = 0; w < 100 && !ticker_.cancelled; ++w)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(ticker_.cancelled) << "round " << i;
  }
}

}  // namespace
}  // namespace dialogue
