// The span exporter against a real OTLP/HTTP receiver on a local port: what arrives, and
// what a dead or slow collector costs a request (nothing but dropped spans).
#include <chrono>
#include <thread>

#include "dialogue/telemetry/exporter.h"
#include "dialogue/telemetry/span.h"
#include "http_receiver.h"
#include "otlp_spans.h"
#include "test_support.h"
#include "webhook_receiver.h"

namespace dialogue::telemetry {
namespace {

ExportOptions To(const std::string& endpoint) {
  ExportOptions options;
  options.endpoint = endpoint;
  options.resource = {{"service.name", "telemetry-test"}};
  options.interval = std::chrono::milliseconds(100);
  options.timeout = std::chrono::milliseconds(500);
  return options;
}

std::vector<collector::CollectedSpan> Received(testing::WebhookReceiver& receiver) {
  std::vector<collector::CollectedSpan> spans;
  for (const auto& request : receiver.requests()) {
    EXPECT_EQ(request.path, "/v1/traces");
    EXPECT_EQ(request.headers.at("content-type"), "application/json");
    auto parsed = collector::ParseOtlpJson(request.body);
    EXPECT_TRUE(parsed.ok()) << request.body;
    if (parsed.ok()) spans.insert(spans.end(), parsed->begin(), parsed->end());
  }
  return spans;
}

TEST(Exporter, SendsEndedSpansWithTheirParentsAndAttributes) {
  testing::WebhookReceiver receiver({200});
  ExportStats before = Stats();
  {
    ExportOptions options = To(absl::StrCat("http://127.0.0.1:", receiver.port(), "/v1/traces"));
    options.headers = {{"x-collector-key", "k1"}};
    Tracing tracing(options);
    ASSERT_TRUE(Recording());
    Span server("dialogue.v1.IntakeService/CreateOpinion", SpanKind::kServer,
                ContinueTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    server.Set("rpc.system", "grpc").Set("dialogue.tenant", "dien-chau");
    {
      ActiveScope active(server);
      Span db = StartActiveChild("postgresql CreateOpinion", SpanKind::kClient);
      db.Set("db.system", "postgresql");
    }
    Span unsampled("never", SpanKind::kServer,
                   ContinueTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
    EXPECT_FALSE(unsampled.recording());
    server.End();
    tracing.Flush();
  }
  EXPECT_FALSE(Recording());
  auto spans = Received(receiver);
  ASSERT_EQ(spans.size(), 2u);
  const auto& db = spans[0].kind == 3 ? spans[0] : spans[1];
  const auto& server = spans[0].kind == 2 ? spans[0] : spans[1];
  EXPECT_EQ(server.service, "telemetry-test");
  EXPECT_EQ(server.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(server.parent_span_id, "00f067aa0ba902b7");
  EXPECT_EQ(server.attributes.at("dialogue.tenant"), "dien-chau");
  EXPECT_EQ(db.trace_id, server.trace_id);
  EXPECT_EQ(db.parent_span_id, server.span_id);
  EXPECT_EQ(db.name, "postgresql CreateOpinion");
  EXPECT_LE(server.start_unix_nanos, db.start_unix_nanos);
  EXPECT_GE(server.end_unix_nanos, db.end_unix_nanos);
  EXPECT_EQ(receiver.requests()[0].headers.at("x-collector-key"), "k1");
  EXPECT_EQ(Stats().exported - before.exported, 2u);
  EXPECT_EQ(Stats().dropped, before.dropped);
}

TEST(Exporter, ADeadCollectorCostsNothingButDroppedSpans) {
  ExportStats before = Stats();
  constexpr int kSpans = 20000;
  std::chrono::steady_clock::duration spent{};
  {
    Tracing tracing(To(absl::StrCat("http://127.0.0.1:", testing::FreePort(), "/v1/traces")));
    TraceContext root = ContinueTrace("");
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kSpans; ++i) {
      Span span = StartSpan("work", SpanKind::kInternal, root);
      span.Set("i", i);
    }
    spent = std::chrono::steady_clock::now() - start;
    tracing.Flush();
  }
  ExportStats after = Stats();
  EXPECT_EQ(after.exported, before.exported);
  EXPECT_EQ(after.dropped - before.dropped, static_cast<uint64_t>(kSpans));
  EXPECT_EQ(after.queued, 0u);
  // Ending a span is a queue push or a count, never a wait on the network: 20,000 of them
  // take milliseconds (the bound is loose for a loaded or sanitized machine).
  EXPECT_LT(spent, std::chrono::seconds(3));
}

TEST(Exporter, ASlowCollectorFillsTheQueueAndSpansAreDroppedNotWaitedFor) {
  std::atomic<int> posts{0};
  auto slow = collector::HttpReceiver::Start([&](const collector::HttpRequest&) {
    posts++;
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return 200;
  });
  ASSERT_TRUE(slow.ok());
  ExportStats before = Stats();
  ExportOptions options = To(absl::StrCat("http://127.0.0.1:", (*slow)->port(), "/v1/traces"));
  options.max_queue = 100;
  options.max_batch = 50;
  options.timeout = std::chrono::milliseconds(3000);
  std::chrono::steady_clock::duration spent{};
  {
    Tracing tracing(options);
    TraceContext root = ContinueTrace("");
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 2000; ++i) StartSpan("work", SpanKind::kInternal, root).End();
    spent = std::chrono::steady_clock::now() - start;
    EXPECT_GT(Stats().dropped - before.dropped, 1500u);
  }
  EXPECT_LT(spent, std::chrono::milliseconds(1500));  // well under one collector answer
  ExportStats after = Stats();
  EXPECT_EQ(after.exported + after.dropped - before.exported - before.dropped, 2000u);
  EXPECT_GE(posts.load(), 1);
}

}  // namespace
}  // namespace dialogue::telemetry
