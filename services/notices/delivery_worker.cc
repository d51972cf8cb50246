#include "delivery_worker.h"

#include <curl/curl.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"
#include "dialogue/telemetry/http_post.h"
#include "dialogue/telemetry/metrics.h"
#include "notice_rules.h"

namespace dialogue::notices {
namespace {

using common::JsonEscape;
using common::Log;
using common::LogLevel;

// The delivery's name, as X-Dialogue-Delivery and the body's "delivery" give it.
std::string DeliveryName(const DueDelivery& d) {
  if (d.notice_id.empty()) return absl::StrCat("tenants/", d.tenant, "/messages/", d.id);
  return absl::StrCat(d.notice.name(), "/deliveries/", d.id);
}

std::string Body(const DueDelivery& d) {
  const std::string recipient = absl::StrCat("\"recipient\":{\"name\":\"", JsonEscape(d.recipient),
                                             "\",\"contact\":\"", JsonEscape(d.contact), "\"}}");
  if (d.notice_id.empty()) {
    // A message to one petitioner: what it is about, and the page that follows it (a path
    // on the commune's public site, for the receiver to put its address before).
    const v1::PetitionerMessage& m = d.message;
    return absl::StrCat("{\"delivery\":\"", JsonEscape(DeliveryName(d)), "\",\"channel\":\"",
                        v1::NoticeChannel_Name(d.channel),
                        "\",\"kind\":\"PETITIONER_MESSAGE\",\"about\":\"", JsonEscape(m.opinion()),
                        "\",\"title\":\"", JsonEscape(m.title()), "\",\"text\":\"",
                        JsonEscape(m.text()), "\",\"followPath\":\"", JsonEscape(m.follow_path()),
                        "\",", recipient);
  }
  const v1::Notice& n = d.notice;
  std::string text = d.channel == v1::VIA_LOUDSPEAKER ? BroadcastScript(n, "") : n.body();
  return absl::StrCat("{\"delivery\":\"", JsonEscape(DeliveryName(d)), "\",\"notice\":\"",
                      JsonEscape(n.name()), "\",\"channel\":\"", v1::NoticeChannel_Name(d.channel),
                      "\",\"kind\":\"", v1::NoticeKind_Name(n.kind()), "\",\"documentNumber\":\"",
                      JsonEscape(n.document_number()), "\",\"title\":\"", JsonEscape(n.title()),
                      "\",\"text\":\"", JsonEscape(text), "\",", recipient);
}

// dialogue_webhook_deliveries_total: each attempt by channel and what came of it.
void CountDelivery(v1::NoticeChannel channel, const char* result) {
  static auto& attempts = prometheus::BuildCounter()
                              .Name("dialogue_webhook_deliveries_total")
                              .Help(
                                  "Webhook delivery attempts, by channel and result "
                                  "(sent, retry: to be tried again, failed: given up).")
                              .Register(telemetry::Metrics());
  attempts.Add({{"channel", v1::NoticeChannel_Name(channel)}, {"result", result}}).Increment();
}

}  // namespace

DeliveryWorker::DeliveryWorker(NoticeStore& store, DeliveryOptions options)
    : store_(store), options_(options), worker_(options.poll, [this] {
        auto sent = RunOnce();
        if (!sent.ok()) {
          Log(LogLevel::kWarning, "delivery worker cannot claim deliveries",
              {{"error", std::string(sent.status().message())}});
        }
        return sent.ok() && *sent >= options_.batch;  // a full batch: more may be due
      }) {}

absl::Status DeliveryWorker::Post(const DueDelivery& d) {
  if (d.url.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the commune has no webhook for ", v1::NoticeChannel_Name(d.channel)));
  }
  // The POST is a client span in the trace of the request that queued the delivery (a new
  // trace for deliveries queued before traces were kept), and the receiver gets its context.
  telemetry::Span span("POST", telemetry::SpanKind::kClient,
                       telemetry::ContinueTrace(d.traceparent));
  common::ScopedLogContext log_context(span.context().trace_id, d.tenant);
  absl::Status status = Post(d, span);
  if (span.recording()) {
    if (!status.ok()) span.SetError(status.message());
    span.End();
  }
  return status;
}

absl::Status DeliveryWorker::Post(const DueDelivery& d, telemetry::Span& span) {
  const std::string body = Body(d);
  const std::string timestamp = absl::StrCat(absl::ToUnixSeconds(absl::Now()));
  telemetry::JsonPost post;
  absl::StatusOr<int> status =
      post.Send(d.url,
                {"X-Dialogue-Timestamp: " + timestamp,
                 "X-Dialogue-Signature: sha256=" + SignWebhook(d.secret, timestamp, body),
                 absl::StrCat("X-Dialogue-Delivery: ", DeliveryName(d)),
                 absl::StrCat("traceparent: ", span.context().Traceparent())},
                body, options_.timeout);
  if (span.recording()) {
    // The host only: a webhook's path or query may carry the receiver's own secret.
    char* host = nullptr;
    CURLU* url = curl_url();
    if (curl_url_set(url, CURLUPART_URL, d.url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
      span.Set("server.address", host);
      curl_free(host);
    }
    curl_url_cleanup(url);
    span.Set("http.request.method", "POST")
        .Set("dialogue.tenant", d.tenant)
        .Set("dialogue.notice.channel", v1::NoticeChannel_Name(d.channel))
        .Set("http.request.resend_count", d.attempts - 1);
    if (status.ok()) span.Set("http.response.status_code", *status);
  }
  if (!status.ok()) return status.status();
  if (*status < 200 || *status > 299) {
    return absl::UnavailableError(absl::StrCat("the webhook answered HTTP ", *status));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> DeliveryWorker::RunOnce() {
  // Leased for longer than a POST can take, so no two workers send one delivery at once.
  auto due = store_.ClaimDue(options_.batch, options_.timeout + absl::Seconds(30));
  if (!due.ok()) return due.status();
  for (const DueDelivery& d : *due) {
    absl::Status posted = Post(d);
    absl::Duration retry = absl::ZeroDuration();
    if (!posted.ok() && d.attempts < options_.max_attempts) {
      retry = RetryDelay(d.attempts, options_.first_retry);
    }
    if (!posted.ok()) {
      Log(LogLevel::kWarning, "delivery failed",
          {{"delivery", d.id},
           {"channel", v1::NoticeChannel_Name(d.channel)},
           {"attempt", absl::StrCat(d.attempts)},
           {"error", std::string(posted.message())}});
    }
    RETURN_IF_ERROR(store_.Settle(d, posted.ok(), std::string(posted.message()), retry));
    CountDelivery(d.channel, posted.ok()                    ? "sent"
                             : retry > absl::ZeroDuration() ? "retry"
                                                            : "failed");
  }
  return static_cast<int>(due->size());
}

}  // namespace dialogue::notices
