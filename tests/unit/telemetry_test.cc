#include <map>
#include <string>

#include "dialogue/telemetry/exporter.h"
#include "dialogue/telemetry/span.h"
#include "dialogue/telemetry/trace_context.h"
#include "otlp_spans.h"
#include "test_support.h"

namespace dialogue::telemetry {
namespace {

using ::dialogue::testing::StatusIs;

TEST(TraceContext, ContinuesAWellFormedTraceAsAChildOfTheCallersSpan) {
  TraceContext t = ContinueTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t.parent_span_id, "00f067aa0ba902b7");
  EXPECT_NE(t.span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(t.sampled);
  EXPECT_EQ(t.Traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-" + t.span_id + "-01");
}

TEST(TraceContext, StartsANewTraceForAMissingOrMalformedHeader) {
  for (const char* bad : {"", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz"}) {
    TraceContext t = ContinueTrace(bad);
    EXPECT_NE(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736") << bad;
    EXPECT_EQ(t.trace_id.size(), 32u) << bad;
    EXPECT_EQ(t.span_id.size(), 16u) << bad;
    EXPECT_EQ(t.parent_span_id, "") << bad;
  }
  EXPECT_NE(ContinueTrace("").trace_id, ContinueTrace("").trace_id);
}

TEST(TraceContext, AChildKeepsTheTraceAndTheDecision) {
  TraceContext parent = ContinueTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  TraceContext child = parent.Child();
  EXPECT_EQ(child.trace_id, parent.trace_id);
  EXPECT_EQ(child.parent_span_id, parent.span_id);
  EXPECT_NE(child.span_id, parent.span_id);
  EXPECT_FALSE(child.sampled);
  EXPECT_EQ(child.Traceparent().substr(53), "00");
}

TEST(Sampler, ParentBasedFollowsTheCallerAndRatioDecidesAtTheRoot) {
  Sampler sampler;
  sampler.kind = Sampler::Kind::kTraceIdRatio;
  sampler.ratio = 0.25;
  bool yes = true, no = false;
  EXPECT_TRUE(sampler.Decide("4bf92f3577b34da6a3ce929d0e0e4736", &yes));
  EXPECT_FALSE(sampler.Decide("4bf92f3577b34da6a3ce929d0e0e4736", &no));
  int sampled = 0;
  for (int i = 0; i < 4000; ++i) sampled += sampler.Decide(ContinueTrace("").trace_id, nullptr);
  EXPECT_GT(sampled, 800);
  EXPECT_LT(sampled, 1200);
  // Every process of a trace decides alike: the decision is the id's, not a coin's.
  std::string id = ContinueTrace("").trace_id;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(sampler.Decide(id, nullptr), sampler.Decide(id, nullptr));
  sampler.parent_based = false;
  EXPECT_EQ(sampler.Decide(id, &yes), sampler.Decide(id, nullptr));
  sampler.kind = Sampler::Kind::kAlwaysOff;
  EXPECT_FALSE(sampler.Decide(id, nullptr));
}

TEST(Sampler, TheProcessSamplerDecidesNewTraces) {
  Sampler off;
  off.kind = Sampler::Kind::kAlwaysOff;
  SetSampler(off);
  EXPECT_FALSE(ContinueTrace("").sampled);
  EXPECT_TRUE(ContinueTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").sampled);
  SetSampler(Sampler());
  EXPECT_TRUE(ContinueTrace("").sampled);
}

std::function<const char*(const char*)> Env(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

TEST(ExportOptions, ReadTheOpenTelemetryVariables) {
  auto options = OptionsFromEnvironment(
      "intake", Env({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"},
                     {"OTEL_RESOURCE_ATTRIBUTES",
                      "deployment.environment=province-nghe-an,service.version=1.2%2C3"},
                     {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20abc"},
                     {"OTEL_EXPORTER_OTLP_TIMEOUT", "750"},
                     {"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
                     {"OTEL_TRACES_SAMPLER_ARG", "0.1"}}));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->endpoint, "http://collector:4318/v1/traces");
  ASSERT_EQ(options->resource.size(), 3u);
  EXPECT_EQ(options->resource[0],
            std::make_pair(std::string("service.name"), std::string("intake")));
  EXPECT_EQ(options->resource[2].second, "1.2,3");
  ASSERT_EQ(options->headers.size(), 1u);
  EXPECT_EQ(options->headers[0].second, "Bearer abc");
  EXPECT_EQ(options->timeout, std::chrono::milliseconds(750));
  EXPECT_TRUE(options->sampler.parent_based);
  EXPECT_EQ(options->sampler.kind, Sampler::Kind::kTraceIdRatio);
  EXPECT_DOUBLE_EQ(options->sampler.ratio, 0.1);
}

TEST(ExportOptions, ServiceNameAndTracesEndpointWinAndNoEndpointMeansOff) {
  auto named = OptionsFromEnvironment(
      "intake", Env({{"OTEL_SERVICE_NAME", "intake-hn"},
                     {"OTEL_RESOURCE_ATTRIBUTES", "service.name=other"},
                     {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318"},
                     {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:4318/custom"}}));
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->resource[0].second, "intake-hn");
  EXPECT_EQ(named->endpoint, "http://b:4318/custom");
  auto none = OptionsFromEnvironment("intake", Env({}));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->endpoint, "");
  auto disabled = OptionsFromEnvironment(
      "intake", Env({{"OTEL_SDK_DISABLED", "true"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://a"}}));
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(disabled->endpoint, "");
}

TEST(ExportOptions, RefuseWhatTheyCannotUnderstand) {
  for (const auto& vars : std::vector<std::map<std::string, std::string>>{
           {{"OTEL_TRACES_SAMPLER", "sometimes"}},
           {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "2"}},
           {{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"}},
           {{"OTEL_EXPORTER_OTLP_TIMEOUT", "-1"}},
           {{"OTEL_RESOURCE_ATTRIBUTES", "no-equals-sign"}}}) {
    EXPECT_THAT(OptionsFromEnvironment("intake", Env(vars)),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << vars.begin()->first;
  }
}

TEST(OtlpJson, EncodesSpansThatACollectorReadsBack) {
  SpanData span;
  span.name = "POST /v1/{parent=tenants/*}/opinions";
  span.kind = SpanKind::kServer;
  span.context = ContinueTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  span.start_unix_nanos = 1764500000123456789;
  span.end_unix_nanos = 1764500000124456789;
  span.attributes = {{"http.route", std::string("/v1/x")},
                     {"http.response.status_code", int64_t{201}},
                     {"quote\"d", std::string("Diễn Châu \"x\"\n")},
                     {"flag", true}};
  span.error = true;
  span.error_message = "upstream down";
  std::string json = EncodeOtlpJson({{"service.name", "gateway"}}, {span});
  auto read = collector::ParseOtlpJson(json);
  ASSERT_TRUE(read.ok()) << json;
  ASSERT_EQ(read->size(), 1u);
  const collector::CollectedSpan& got = (*read)[0];
  EXPECT_EQ(got.service, "gateway");
  EXPECT_EQ(got.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(got.span_id, span.context.span_id);
  EXPECT_EQ(got.parent_span_id, "00f067aa0ba902b7");
  EXPECT_EQ(got.name, span.name);
  EXPECT_EQ(got.kind, 2);
  EXPECT_EQ(got.start_unix_nanos, 1764500000123456789);
  EXPECT_EQ(got.attributes.at("http.response.status_code"), "201");
  EXPECT_EQ(got.attributes.at("quote\"d"), "Diễn Châu \"x\"\n");
  EXPECT_EQ(got.attributes.at("flag"), "true");
  EXPECT_TRUE(got.error);
  // Nanosecond times are strings: a JSON number would lose their last digits.
  EXPECT_NE(json.find("\"startTimeUnixNano\":\"1764500000123456789\""), std::string::npos);
}

TEST(Span, RecordsNothingWhileNoExporterRuns) {
  ASSERT_FALSE(Recording());
  Span span("x", SpanKind::kInternal, ContinueTrace(""));
  EXPECT_FALSE(span.recording());
  EXPECT_EQ(span.context().span_id.size(), 16u);
  EXPECT_FALSE(StartActiveChild("y", SpanKind::kClient).recording());
  {
    ActiveScope active(span);
    EXPECT_EQ(ActiveTrace(), &span.context());
    EXPECT_EQ(ActiveSpan(), &span);
    Span child = StartActiveChild("y", SpanKind::kClient);
    EXPECT_EQ(child.context().parent_span_id, span.context().span_id);
  }
  EXPECT_EQ(ActiveTrace(), nullptr);
}

}  // namespace
}  // namespace dialogue::telemetry
