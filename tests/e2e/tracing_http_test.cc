// Traces end to end on the running stack, whose programs export to the stack's collector
// (DIALOGUE_TRACES_FILE): a citizen's opinion is one trace from the HTTP request through
// the gateway's call, the intake service, its transaction and the relay; a session's
// announcement continues in the notices service's consumer; a notice's webhook POST joins
// the trace of the request that issued it and passes the trace on to the receiver.
#include <thread>

#include "absl/strings/str_cat.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/telemetry/trace_context.h"
#include "gmock/gmock.h"
#include "http_client.h"
#include "otlp_spans.h"
#include "test_support.h"
#include "webhook_receiver.h"

namespace dialogue {
namespace {

using auth::Role;
using collector::CollectedSpan;
using ::dialogue::testing::Bearer;
using ::dialogue::testing::Http;
using ::dialogue::testing::HttpResponse;
using ::dialogue::testing::JsonString;
using ::dialogue::testing::StackEnv;
using ::dialogue::testing::Token;
using ::testing::IsSupersetOf;

// A traceparent of a new trace, as a caller in front of the gateway would send it.
telemetry::TraceContext Caller() {
  telemetry::TraceContext caller = telemetry::ContinueTrace("");
  caller.sampled = true;
  return caller;
}

std::string Header(const telemetry::TraceContext& caller) {
  return "traceparent: " + caller.Traceparent();
}

// The spans of `trace_id` collected so far, once `done` holds of them (or after 15 s).
std::vector<CollectedSpan> AwaitTrace(
    const std::string& trace_id,
    const std::function<bool(const std::vector<CollectedSpan>&)>& done) {
  std::vector<CollectedSpan> mine;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < until) {
    mine.clear();
    for (auto& span : collector::ReadCollectedSpans(StackEnv("DIALOGUE_TRACES_FILE"))) {
      if (span.trace_id == trace_id) mine.push_back(std::move(span));
    }
    if (done(mine)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return mine;
}

// Whether a span of `service` of `kind` whose name starts with `name_prefix` was collected.
bool Has(const std::vector<CollectedSpan>& spans, const std::string& service, int kind,
         const std::string& name_prefix) {
  return std::any_of(spans.begin(), spans.end(), [&](const CollectedSpan& span) {
    return span.service == service && span.kind == kind && span.name.rfind(name_prefix, 0) == 0;
  });
}

// The one span of `service` of `kind` whose name starts with `name_prefix`.
const CollectedSpan* Find(const std::vector<CollectedSpan>& spans, const std::string& service,
                          int kind, const std::string& name_prefix) {
  const CollectedSpan* found = nullptr;
  for (const auto& span : spans) {
    if (span.service == service && span.kind == kind && span.name.rfind(name_prefix, 0) == 0) {
      EXPECT_EQ(found, nullptr) << "two " << service << " spans named " << span.name;
      found = &span;
    }
  }
  return found;
}

std::string Attribute(const CollectedSpan* span, const std::string& key) {
  if (span == nullptr) return "<no span>";
  auto it = span->attributes.find(key);
  return it == span->attributes.end() ? "<unset>" : it->second;
}

std::string Describe(const std::vector<CollectedSpan>& spans) {
  std::string out;
  for (const auto& s : spans) {
    absl::StrAppend(&out, "\n  ", s.service, " kind=", s.kind, " ", s.name, " span=", s.span_id,
                    " parent=", s.parent_span_id);
  }
  return out;
}

class TracingHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = StackEnv("DIALOGUE_GATEWAY_URL");
    v1::Hamlet hamlet;
    hamlet.set_id("an-son");
    hamlet.set_display_name("Thôn An Sơn");
    province_ = testing::NewProvince(1, {hamlet});
    tenant_ = province_.tenants[0];
    office_ = Token(tenant_, {Role::kGovernmentOffice, Role::kFront, Role::kChair});
  }
  std::string Url(const std::string& path) {
    return absl::StrCat(url_, "/v1/tenants/", tenant_, path);
  }

  std::string url_, tenant_, office_;
  testing::Province province_;
};

TEST_F(TracingHttpTest, ACitizensOpinionIsOneTraceFromTheGatewayToTheDatabaseAndTheRelay) {
  HttpResponse round = Http("POST", Url("/rounds"), R"({"title":"Đợt 1"})", {Bearer(office_)});
  ASSERT_EQ(round.status, 200) << round.body;
  telemetry::TraceContext caller = Caller();
  HttpResponse submitted =
      Http("POST", Url("/opinions:submit"),
           absl::StrCat(R"({"round":")", JsonString(round.body, "name"),
                        R"(","hamlet":"an-son","text":"Đề nghị sửa đường nội đồng xứ Đồng Chùa",)",
                        R"("submitter":{"name":"Phạm Thị Riêng","contact":"0911222333"}})"),
           {Header(caller)});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(submitted.headers["traceparent"].substr(3, 32), caller.trace_id);

  // Each program sends its spans on its own (within a second or so): wait for all of them.
  auto spans = AwaitTrace(caller.trace_id, [](const std::vector<CollectedSpan>& s) {
    return Has(s, "gateway", 2, "POST ") && Has(s, "gateway", 3, "dialogue.v1.") &&
           Has(s, "intake", 2, "dialogue.v1.") &&
           Has(s, "intake", 3, "postgresql CreateOpinions") && Has(s, "intake", 4, "send ");
  });
  const CollectedSpan* http = Find(spans, "gateway", 2, "POST ");
  const CollectedSpan* call = Find(spans, "gateway", 3, "dialogue.v1.IntakeService/");
  const CollectedSpan* server = Find(spans, "intake", 2, "dialogue.v1.IntakeService/SubmitOpinion");
  std::vector<const CollectedSpan*> transactions;  // the topics' read, the opinions' write
  for (const auto& span : spans) {
    if (span.service == "intake" && span.kind == 3) transactions.push_back(&span);
  }
  const CollectedSpan* db = transactions.empty() ? nullptr : transactions.back();
  const CollectedSpan* relay = Find(spans, "intake", 4, "send dialogue:events");
  ASSERT_TRUE(http && call && server && db && relay) << Describe(spans);

  EXPECT_EQ(http->parent_span_id, caller.span_id);
  EXPECT_EQ(http->name, "POST /v1/{parent=tenants/*}/opinions:submit");
  EXPECT_EQ(Attribute(http, "http.request.method"), "POST");
  EXPECT_EQ(Attribute(http, "http.route"), "/v1/{parent=tenants/*}/opinions:submit");
  EXPECT_EQ(Attribute(http, "http.response.status_code"), "200");
  EXPECT_EQ(Attribute(http, "url.scheme"), "http");
  EXPECT_EQ(Attribute(http, "client.address"), "127.0.0.1");
  EXPECT_EQ(Attribute(http, "dialogue.tenant"), tenant_);  // a public route: from its path
  EXPECT_EQ(call->parent_span_id, http->span_id);
  EXPECT_EQ(Attribute(call, "rpc.system"), "grpc");
  EXPECT_EQ(Attribute(call, "rpc.method"), "SubmitOpinion");
  EXPECT_EQ(server->parent_span_id, call->span_id);
  EXPECT_EQ(Attribute(server, "rpc.service"), "dialogue.v1.IntakeService");
  EXPECT_EQ(Attribute(server, "rpc.grpc.status_code"), "0");
  EXPECT_EQ(Attribute(server, "dialogue.tenant"), tenant_);
  for (const CollectedSpan* transaction : transactions) {
    EXPECT_EQ(transaction->name.rfind("postgresql ", 0), 0u) << transaction->name;
    EXPECT_EQ(transaction->parent_span_id, server->span_id);
    EXPECT_EQ(Attribute(transaction, "db.system"), "postgresql");
    EXPECT_EQ(Attribute(transaction, "db.namespace"), "dialogue");
    EXPECT_EQ(Attribute(transaction, "dialogue.tenant"), tenant_);
  }
  // Each names the table it works on; no statement or value.
  std::vector<std::string> tables;
  for (const CollectedSpan* transaction : transactions) {
    tables.push_back(transaction->name + " " + Attribute(transaction, "db.collection.name"));
  }
  // (the commune's own read comes first only while it is not cached)
  EXPECT_THAT(tables, IsSupersetOf({"postgresql Topics intake.topics",
                                    "postgresql CreateOpinions intake.opinions"}));
  EXPECT_EQ(relay->parent_span_id, server->span_id);
  EXPECT_EQ(Attribute(relay, "messaging.system"), "redis");
  EXPECT_EQ(Attribute(relay, "messaging.destination.name"), "dialogue:events");
  EXPECT_EQ(Attribute(relay, "dialogue.event.type"), "dialogue.v1.OpinionReceived");
  EXPECT_EQ(Attribute(relay, "dialogue.tenant"), tenant_);
  // Spans carry no personal data: not the opinion's text, nor who sent it.
  for (const auto& span : spans) {
    for (const auto& [key, value] : span.attributes) {
      for (const char* secret : {"Riêng", "0911222333", "Đồng Chùa"}) {
        EXPECT_EQ(value.find(secret), std::string::npos) << span.name << " " << key;
      }
    }
  }
  // Spans nest in time as they nest in the tree.
  EXPECT_LE(http->start_unix_nanos, call->start_unix_nanos);
  EXPECT_LE(server->start_unix_nanos, db->start_unix_nanos);
  EXPECT_GE(server->end_unix_nanos, db->end_unix_nanos);
  EXPECT_GE(http->end_unix_nanos, call->end_unix_nanos);
}

TEST_F(TracingHttpTest, AnAnnouncementContinuesInTheNoticesConsumerAndAWebhookJoinsItsIssue) {
  // The session, announced through the gateway: the notices service drafts its notice.
  const std::string plan = testing::PublishedPlan(tenant_);
  const std::string date = calendar::FormatDate(calendar::TodayInVietnam(absl::Now()) + 14);
  HttpResponse created = Http(
      "POST", Url("/sessions"),
      absl::StrCat(R"({"plan":")", plan, R"(","conferenceId":"1","date":")", date,
                   R"(","startTime":"08:00","chair":"Chủ tịch UBND xã","secretary":"Văn phòng"})"),
      {Bearer(office_)});
  ASSERT_EQ(created.status, 200) << created.body;
  telemetry::TraceContext announcing = Caller();
  HttpResponse announced =
      Http("POST", absl::StrCat(url_, "/v1/", JsonString(created.body, "name"), ":announce"), "{}",
           {Bearer(office_), Header(announcing)});
  ASSERT_EQ(announced.status, 200) << announced.body;

  auto spans = AwaitTrace(announcing.trace_id, [](const std::vector<CollectedSpan>& s) {
    return Has(s, "sessions", 2, "dialogue.v1.SessionService/AnnounceSession") &&
           Has(s, "notices", 5, "process ") && Has(s, "notices", 3, "postgresql ApplyEvents");
  });
  const CollectedSpan* server =
      Find(spans, "sessions", 2, "dialogue.v1.SessionService/AnnounceSession");
  const CollectedSpan* consumer = Find(spans, "notices", 5, "process dialogue:events");
  const CollectedSpan* applied = Find(spans, "notices", 3, "postgresql ApplyEvents");
  ASSERT_TRUE(server && consumer && applied) << Describe(spans);
  EXPECT_EQ(consumer->parent_span_id, server->span_id);
  EXPECT_EQ(Attribute(consumer, "messaging.system"), "redis");
  EXPECT_EQ(Attribute(consumer, "messaging.consumer.group.name"), "notices");
  EXPECT_EQ(Attribute(consumer, "dialogue.event.type"), "dialogue.v1.SessionAnnounced");
  EXPECT_EQ(Attribute(consumer, "dialogue.tenant"), tenant_);
  EXPECT_EQ(applied->parent_span_id, consumer->span_id);
  EXPECT_GE(consumer->start_unix_nanos, server->start_unix_nanos);

  // A notice with an SMS recipient, issued with a trace of its own: the delivery worker's
  // POST is in that trace, and the receiver is handed it.
  testing::WebhookReceiver receiver({200});
  HttpResponse hooks = testing::PutSmsWebhook(Url(""), office_, receiver.url(), "bi-mat");
  ASSERT_EQ(hooks.status, 200) << hooks.body;
  HttpResponse draft =
      Http("POST", Url("/notices"),
           R"({"kind":"NOTICE_GENERAL","title":"Lịch tiếp công dân","body":"Thứ Năm hằng tuần.",)"
           R"("recipients":[{"name":"Ông Bình","contact":"+84912000111","channels":["VIA_SMS"]}],)"
           R"("signer":"TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn An"})",
           {Bearer(office_)});
  ASSERT_EQ(draft.status, 200) << draft.body;
  telemetry::TraceContext issuing = Caller();
  HttpResponse issued = Http(
      "POST", absl::StrCat(url_, "/v1/", JsonString(draft.body, "name"), ":issue"),
      R"({"documentNumber":"31/TB-UBND","signer":"CHỦ TỊCH"})", {Bearer(office_), Header(issuing)});
  ASSERT_EQ(issued.status, 200) << issued.body;

  auto delivered = AwaitTrace(issuing.trace_id, [](const std::vector<CollectedSpan>& s) {
    return Has(s, "notices", 2, "dialogue.v1.NoticeService/IssueNotice") &&
           Has(s, "notices", 3, "POST");
  });
  const CollectedSpan* issue =
      Find(delivered, "notices", 2, "dialogue.v1.NoticeService/IssueNotice");
  const CollectedSpan* post = Find(delivered, "notices", 3, "POST");
  ASSERT_TRUE(issue && post) << Describe(delivered);
  EXPECT_EQ(post->parent_span_id, issue->span_id);
  EXPECT_EQ(Attribute(post, "http.request.method"), "POST");
  EXPECT_EQ(Attribute(post, "http.response.status_code"), "200");
  EXPECT_EQ(Attribute(post, "server.address"), "127.0.0.1");
  EXPECT_EQ(Attribute(post, "dialogue.notice.channel"), "VIA_SMS");
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].headers.at("traceparent"),
            absl::StrCat("00-", issuing.trace_id, "-", post->span_id, "-01"));
}

}  // namespace
}  // namespace dialogue
