// NoticeService through real stubs against a server on a local port and the harness's
// PostgreSQL and Redis: drafts, issuing, the public feed, bad input, webhooks that fail
// then succeed (sent by the stack's notices service, whose delivery worker and outbox
// relay serve every notice in the database), the live channel, drafts caused by
// sessions' events (applied once, due on the calendar) and RLS on every notices table.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "consumed_events.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/events/consumer.h"
#include "dialogue/rpc/server.h"
#include "live_notices.h"
#include "notice_rules.h"
#include "notice_service.h"
#include "reminders.h"
#include "store.h"
#include "test_support.h"
#include "webhook_receiver.h"

namespace dialogue::notices {
namespace {

using auth::Role;
using testing::AdminQuery;
using testing::IsOk;
using testing::StatusIs;
using testing::Token;
using Stub = v1::NoticeService::Stub;
using namespace std::chrono_literals;

int Count(const std::string& sql) { return std::stoi(AdminQuery(sql)); }

events::RedisAddress StackRedis() {
  auto address = events::ParseRedisUri(testing::StackEnv("DIALOGUE_REDIS_URI"));
  EXPECT_TRUE(address.ok()) << address.status();
  return address.ok() ? *address : events::RedisAddress{};
}

class NoticesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    live_.Start();
    auto server = rpc::StartServer({"127.0.0.1:0"}, {&service_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::NoticeService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    province_ = testing::NewProvince(2);
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    office_ = Token(a_, {Role::kGovernmentOffice, Role::kChair});
  }

  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const std::string& token, const Request& request, Response* response) {
    return testing::CallWith(*stub_, method, token, request, response);
  }

  // The commune `tenant`'s only webhook: SMS to `url`, signed with `secret`, as `token`.
  absl::StatusOr<v1::Webhooks> SmsHook(const std::string& tenant, const std::string& token,
                                       const std::string& url, const std::string& secret) {
    v1::UpdateWebhooksRequest hooks;
    hooks.mutable_webhooks()->set_name(absl::StrCat("tenants/", tenant, "/webhooks"));
    v1::Webhook* sms = hooks.mutable_webhooks()->add_hooks();
    sms->set_channel(v1::VIA_SMS);
    sms->set_url(url);
    sms->set_secret(secret);
    v1::Webhooks stored;
    RETURN_IF_ERROR(Call(&Stub::UpdateWebhooks, token, hooks, &stored));
    return stored;
  }

  v1::Notice Sample() {
    v1::Notice n;
    n.set_kind(v1::NOTICE_GENERAL);
    n.set_title("Lịch tiếp công dân tháng 5");
    n.set_body("Chủ tịch UBND xã tiếp công dân vào thứ Năm hằng tuần.");
    v1::Recipient* r = n.add_recipients();
    r->set_name("Ông Nguyễn Văn Bình, thôn Đông");
    r->set_contact("+84912000111");
    r->add_channels(v1::VIA_SMS);
    n.add_channels(v1::VIA_WEB);
    n.add_channels(v1::VIA_LOUDSPEAKER);
    n.add_air_times("2026-05-04T06:30");
    n.add_air_times("2026-05-04T17:00");
    n.set_signer("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn An");
    return n;
  }

  absl::StatusOr<v1::Notice> Create(const v1::Notice& n, const std::string& tenant,
                                    const std::string& token) {
    v1::CreateNoticeRequest create;
    create.set_parent("tenants/" + tenant);
    *create.mutable_notice() = n;
    v1::Notice out;
    RETURN_IF_ERROR(Call(&Stub::CreateNotice, token, create, &out));
    return out;
  }

  absl::StatusOr<v1::Notice> Issue(const v1::Notice& n, const std::string& number) {
    v1::IssueNoticeRequest issue;
    issue.set_name(n.name());
    issue.set_document_number(number);
    issue.set_issue_date("2026-05-02");
    v1::Notice out;
    RETURN_IF_ERROR(Call(&Stub::IssueNotice, office_, issue, &out));
    return out;
  }

  // The notice's deliveries once the first is no longer queued (at most 20 s).
  v1::ListDeliveriesResponse AwaitDelivery(const std::string& notice) {
    v1::ListDeliveriesRequest list;
    list.set_parent(notice);
    v1::ListDeliveriesResponse deliveries;
    auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      EXPECT_THAT(Call(&Stub::ListDeliveries, office_, list, &deliveries), IsOk());
      if (deliveries.deliveries_size() > 0 &&
          deliveries.deliveries(0).state() != v1::DELIVERY_QUEUED) {
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_GT(deliveries.deliveries_size(), 0);
    return deliveries;
  }

  int Notices(const std::string& tenant) {
    return Count(
        absl::StrCat("SELECT count(*) FROM notices.notices WHERE tenant_id = '", tenant, "'"));
  }

  db::ConnectionPool pool_{{testing::NoticesPgUri(), 4}};
  db::TenantDirectory directory_{pool_};
  rpc::Authenticator authenticator_{
      *auth::TokenVerifier::Hs256(testing::TokenSecret(), "dialogue-local"), directory_};
  NoticeStore store_{pool_};
  // The live channel reads the stack's stream, where the stack's notices relay publishes
  // what this test's service writes to the outbox.
  LiveNotices live_{store_, StackRedis(), events::kEventStream};
  NoticeService service_{store_, authenticator_, &live_};
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<Stub> stub_;
  testing::Province province_;
  std::string a_, b_, office_;
};

TEST_F(NoticesTest, ADraftIsIssuedWithItsLayoutDeliveriesAndAPublicFeedEntry) {
  auto draft = Create(Sample(), a_, office_);
  ASSERT_THAT(draft.status(), IsOk());
  EXPECT_EQ(draft->state(), v1::NOTICE_DRAFT);
  EXPECT_THAT(draft->broadcast_script(), ::testing::HasSubstr("Kính thưa toàn thể nhân dân"));

  // No number: refused, and the draft is unchanged.
  EXPECT_THAT(Issue(*draft, "").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "NUMBER_REQUIRED"));
  EXPECT_EQ(AdminQuery(absl::StrCat(
                "SELECT state FROM notices.notices WHERE id = '",
                common::ParseName(draft->name(), "tenants/{tenant}/notices/{notice:uuid}", "name")
                    ->at("notice"),
                "'")),
            "NOTICE_DRAFT");

  auto issued = Issue(*draft, "12/TB-UBND");
  ASSERT_THAT(issued.status(), IsOk());
  EXPECT_EQ(issued->state(), v1::NOTICE_ISSUED);
  EXPECT_EQ(issued->issue_date(), "2026-05-02");
  for (const char* part : {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                           "Số: 12/TB-UBND", "ngày 02 tháng 5 năm 2026", "THÔNG BÁO",
                           "Nơi nhận:", "- Ông Nguyễn Văn Bình, thôn Đông;", "Trần Văn An"}) {
    EXPECT_THAT(issued->document_text(), ::testing::HasSubstr(part));
  }

  v1::ListDeliveriesRequest list;
  list.set_parent(issued->name());
  v1::ListDeliveriesResponse deliveries;
  ASSERT_THAT(Call(&Stub::ListDeliveries, office_, list, &deliveries), IsOk());
  std::map<std::string, int> by_state;
  for (const auto& d : deliveries.deliveries()) {
    by_state[absl::StrCat(v1::NoticeChannel_Name(d.channel()), ":",
                          v1::DeliveryState_Name(d.state()))]++;
    if (d.state() == v1::DELIVERY_FAILED) {
      EXPECT_THAT(d.last_error(), ::testing::HasSubstr("no webhook"));
    }
  }
  // The web page has it at once; the loudspeaker (two air times) and the SMS have no
  // webhook in this commune.
  EXPECT_EQ(by_state, (std::map<std::string, int>{{"VIA_LOUDSPEAKER:DELIVERY_FAILED", 2},
                                                  {"VIA_SMS:DELIVERY_FAILED", 1},
                                                  {"VIA_WEB:DELIVERY_SENT", 1}}));
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM notices.outbox WHERE tenant_id = '", a_,
                               "' AND event_type = 'dialogue.v1.NoticeIssued'")),
            1);

  // The public feed, without a token: the notice, and no recipient's contact.
  v1::ListPublishedNoticesRequest feed;
  feed.set_parent("tenants/" + a_);
  v1::ListPublishedNoticesResponse published;
  ASSERT_THAT(Call(&Stub::ListPublishedNotices, "", feed, &published), IsOk());
  ASSERT_EQ(published.notices_size(), 1);
  EXPECT_EQ(published.notices(0).document_number(), "12/TB-UBND");
  // It goes on the loudspeaker, so the page shows what is read aloud and when.
  EXPECT_THAT(published.notices(0).broadcast_script(),
              ::testing::HasSubstr("Kính thưa toàn thể nhân dân"));
  EXPECT_EQ(published.notices(0).air_times_size(), 2);
  EXPECT_FALSE(absl::StrContains(published.SerializeAsString(), "+84912000111"));
  feed.set_parent("tenants/" + b_);
  ASSERT_THAT(Call(&Stub::ListPublishedNotices, "", feed, &published), IsOk());
  EXPECT_EQ(published.notices_size(), 0) << "another commune's feed is its own";

  // An issued notice never changes.
  v1::UpdateNoticeRequest update;
  *update.mutable_notice() = *issued;
  update.mutable_notice()->set_title("Sửa");
  update.mutable_update_mask()->add_paths("title");
  v1::Notice out;
  EXPECT_THAT(Call(&Stub::UpdateNotice, office_, update, &out),
              StatusIs(absl::StatusCode::kFailedPrecondition, "NOTICE_ISSUED"));
  EXPECT_THAT(Issue(*issued, "13/TB-UBND").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, "NOTICE_ISSUED"));
}

// Issue 20: a notice renders as its document, in the three forms of one model. Anyone reads
// an issued one; a draft is the office's; a format that is none of them is refused.
TEST_F(NoticesTest, ANoticeRendersAsHtmlDocxAndTextAndADraftOnlyForItsOffice) {
  auto draft = Create(Sample(), a_, office_);
  ASSERT_THAT(draft.status(), IsOk());
  v1::RenderNoticeRequest render;
  render.set_name(draft->name());
  v1::HttpBody body;
  EXPECT_THAT(Call(&Stub::RenderNotice, "", render, &body),
              StatusIs(absl::StatusCode::kNotFound, "NOTICE_NOT_FOUND"));
  EXPECT_THAT(Call(&Stub::RenderNotice, Token(b_, {Role::kGovernmentOffice}), render, &body),
              StatusIs(absl::StatusCode::kNotFound, "NOTICE_NOT_FOUND"));
  ASSERT_THAT(Call(&Stub::RenderNotice, office_, render, &body), IsOk());
  EXPECT_EQ(body.content_type(), "text/html; charset=utf-8");
  EXPECT_THAT(body.data(), ::testing::HasSubstr("Số:      /"));  // a draft has no number yet
  render.set_format("pdf");
  EXPECT_THAT(Call(&Stub::RenderNotice, office_, render, &body),
              StatusIs(absl::StatusCode::kInvalidArgument, "FORMAT_INVALID"));

  auto issued = Issue(*draft, "12/TB-UBND");
  ASSERT_THAT(issued.status(), IsOk());
  render.set_name(issued->name());
  render.set_format("text");
  ASSERT_THAT(Call(&Stub::RenderNotice, "", render, &body), IsOk());
  EXPECT_EQ(body.data(), issued->document_text());
  EXPECT_THAT(body.data(), ::testing::HasSubstr("- Lưu: VT."));
  render.set_format("html");
  ASSERT_THAT(Call(&Stub::RenderNotice, "", render, &body), IsOk());
  EXPECT_THAT(body.data(), ::testing::HasSubstr("<h1 class=\"type\">THÔNG BÁO</h1>"));
  EXPECT_THAT(body.data(), ::testing::HasSubstr("ngày 02 tháng 5 năm 2026"));
  EXPECT_FALSE(absl::StrContains(body.data(), "+84912000111")) << "no recipient's contact";
  render.set_format("docx");
  ASSERT_THAT(Call(&Stub::RenderNotice, "", render, &body), IsOk());
  EXPECT_EQ(body.content_type(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(body.filename(), "van-ban-12-TB-UBND.docx");
  EXPECT_EQ(body.data().substr(0, 2), "PK");
  render.set_name("tenants/" + b_ + issued->name().substr(issued->name().find("/notices/")));
  EXPECT_THAT(Call(&Stub::RenderNotice, "", render, &body), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NoticesTest, BadInputGetsAClearErrorAndStoresNothing) {
  struct Case {
    std::function<void(v1::Notice&)> spoil;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {[](v1::Notice& n) { n.set_kind(v1::NOTICE_KIND_UNSPECIFIED); }, "KIND_REQUIRED"},
      {[](v1::Notice& n) { n.set_title("  "); }, "TEXT_REQUIRED"},
      {[](v1::Notice& n) { n.set_body(std::string(kMaxBodyChars + 1, 'a')); }, "TEXT_TOO_LONG"},
      {[](v1::Notice& n) { n.add_channels(v1::VIA_SMS); }, "CHANNEL_NOT_PUBLIC"},
      {[](v1::Notice& n) { n.mutable_recipients(0)->add_channels(v1::VIA_WEB); },
       "CHANNEL_NOT_PERSONAL"},
      {[](v1::Notice& n) { n.mutable_recipients(0)->clear_contact(); }, "CONTACT_REQUIRED"},
      {[](v1::Notice& n) { n.add_air_times("4/5/2026 6h30"); }, "AIR_TIME_INVALID"},
  };
  for (const auto& c : cases) {
    v1::Notice n = Sample();
    c.spoil(n);
    EXPECT_THAT(Create(n, a_, office_).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, c.reason));
  }
  // Another commune's token, a department (may read, not write), no token.
  EXPECT_THAT(Create(Sample(), a_, Token(b_, {Role::kGovernmentOffice})).status(),
              StatusIs(absl::StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
  EXPECT_THAT(Create(Sample(), a_, Token(a_, {Role::kDepartment})).status(),
              StatusIs(absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  EXPECT_EQ(Create(Sample(), a_, "").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Notices(a_), 0);

  // A draft: a field that cannot be edited, a stale etag.
  auto draft = Create(Sample(), a_, office_);
  ASSERT_THAT(draft.status(), IsOk());
  v1::UpdateNoticeRequest update;
  *update.mutable_notice() = *draft;
  update.mutable_update_mask()->add_paths("document_number");
  v1::Notice out;
  EXPECT_THAT(Call(&Stub::UpdateNotice, office_, update, &out),
              StatusIs(absl::StatusCode::kInvalidArgument, "FIELD_NOT_EDITABLE"));
  update.mutable_update_mask()->set_paths(0, "title");
  update.mutable_notice()->set_title("Lịch tiếp công dân tháng 6");
  ASSERT_THAT(Call(&Stub::UpdateNotice, office_, update, &out), IsOk());
  EXPECT_EQ(out.title(), "Lịch tiếp công dân tháng 6");
  EXPECT_THAT(Call(&Stub::UpdateNotice, office_, update, &out),
              StatusIs(absl::StatusCode::kAborted, "ETAG_MISMATCH"));
  // Commune B cannot read A's notice, nor tell whether it exists.
  v1::GetNoticeRequest get;
  get.set_name(draft->name());
  EXPECT_THAT(Call(&Stub::GetNotice, Token(b_, {Role::kGovernmentOffice}), get, &out),
              StatusIs(absl::StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
  EXPECT_EQ(Notices(a_), 1);

  // Pages, and a page token this service did not give.
  ASSERT_THAT(Create(Sample(), a_, office_).status(), IsOk());
  ASSERT_THAT(Create(Sample(), a_, office_).status(), IsOk());
  v1::ListNoticesRequest list;
  list.set_parent("tenants/" + a_);
  list.set_page_size(2);
  v1::ListNoticesResponse page;
  ASSERT_THAT(Call(&Stub::ListNotices, office_, list, &page), IsOk());
  EXPECT_EQ(page.notices_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_THAT(Call(&Stub::ListNotices, office_, list, &page), IsOk());
  EXPECT_EQ(page.notices_size(), 1);
  EXPECT_TRUE(page.next_page_token().empty());
  list.set_page_token("not-a-token!");
  EXPECT_THAT(Call(&Stub::ListNotices, office_, list, &page),
              StatusIs(absl::StatusCode::kInvalidArgument, "PAGE_TOKEN_INVALID"));
}

TEST_F(NoticesTest, AWebhookThatFailsTwiceThenSucceedsGetsTheDeliveryOnce) {
  testing::WebhookReceiver receiver({500, 503, 200});
  auto stored = SmsHook(a_, office_, receiver.url(), "bi-mat-cua-xa");
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->hooks_size(), 1);
  EXPECT_TRUE(stored->hooks(0).has_secret());
  EXPECT_TRUE(stored->hooks(0).secret().empty()) << "a secret is never sent back";

  v1::Notice n = Sample();
  n.clear_channels();
  n.clear_air_times();
  auto issued = Issue(*Create(n, a_, office_), "14/TB-UBND");
  ASSERT_THAT(issued.status(), IsOk());

  // The stack's notices service sends it (scripts/test: retries after 200 ms, 400 ms).
  v1::ListDeliveriesResponse deliveries = AwaitDelivery(issued->name());
  ASSERT_EQ(deliveries.deliveries_size(), 1);
  EXPECT_EQ(deliveries.deliveries(0).state(), v1::DELIVERY_SENT);
  EXPECT_EQ(deliveries.deliveries(0).attempts(), 3);
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 3u);
  for (const auto& r : got) {
    EXPECT_EQ(
        r.headers.at("x-dialogue-signature"),
        "sha256=" + SignWebhook("bi-mat-cua-xa", r.headers.at("x-dialogue-timestamp"), r.body));
    EXPECT_EQ(r.headers.at("x-dialogue-delivery"), deliveries.deliveries(0).name());
    EXPECT_THAT(r.body, ::testing::HasSubstr("+84912000111"));
  }
  // Nothing more is sent once it went through.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(receiver.requests().size(), 3u);
}

TEST_F(NoticesTest, AWebhookThatNeverAnswersWellEndsFailedWithItsError) {
  testing::WebhookReceiver receiver({500});
  v1::UpdateWebhooksRequest hooks;
  hooks.mutable_webhooks()->set_name(absl::StrCat("tenants/", a_, "/webhooks"));
  v1::Webhook* sms = hooks.mutable_webhooks()->add_hooks();
  sms->set_channel(v1::VIA_SMS);
  sms->set_url(receiver.url());
  sms->set_secret("s");
  v1::Webhooks stored;
  ASSERT_THAT(Call(&Stub::UpdateWebhooks, office_, hooks, &stored), IsOk());
  // A hook for a public channel, or a URL that is not one, is refused.
  sms->set_channel(v1::VIA_WEB);
  EXPECT_THAT(Call(&Stub::UpdateWebhooks, office_, hooks, &stored),
              StatusIs(absl::StatusCode::kInvalidArgument, "CHANNEL_NOT_WEBHOOK"));
  sms->set_channel(v1::VIA_SMS);
  sms->set_url("ftp://x");
  EXPECT_THAT(Call(&Stub::UpdateWebhooks, office_, hooks, &stored),
              StatusIs(absl::StatusCode::kInvalidArgument, "URL_INVALID"));

  v1::Notice n = Sample();
  n.clear_channels();
  n.clear_air_times();
  auto issued = Issue(*Create(n, a_, office_), "15/TB-UBND");
  ASSERT_THAT(issued.status(), IsOk());
  // The stack's notices service gives up after DIALOGUE_DELIVERY_ATTEMPTS (scripts/test).
  const int attempts = std::stoi(testing::StackEnv("DIALOGUE_DELIVERY_ATTEMPTS"));
  v1::ListDeliveriesResponse deliveries = AwaitDelivery(issued->name());
  EXPECT_EQ(deliveries.deliveries(0).state(), v1::DELIVERY_FAILED);
  EXPECT_EQ(deliveries.deliveries(0).attempts(), attempts);
  EXPECT_EQ(deliveries.deliveries(0).last_error(), "the webhook answered HTTP 500");
  EXPECT_EQ(receiver.requests().size(), static_cast<size_t>(attempts));
}

TEST_F(NoticesTest, TwoViewersSeeAnIssuedNoticeLiveAndOtherCommunesNothing) {
  struct Viewer {
    grpc::ClientContext context;
    std::vector<v1::PublishedNotice> seen;  // read after the thread is joined
    std::atomic<int> count{0};
    std::thread thread;
  };
  auto watch = [&](Viewer& viewer, const std::string& tenant) {
    viewer.context.set_deadline(std::chrono::system_clock::now() + 20s);
    v1::WatchNoticesRequest request;
    request.set_parent("tenants/" + tenant);
    viewer.thread = std::thread([&viewer, request, this] {
      auto reader = stub_->WatchNotices(&viewer.context, request);
      v1::PublishedNotice n;
      while (reader->Read(&n)) {
        viewer.seen.push_back(n);
        viewer.count++;
      }
      reader->Finish();
    });
  };
  Viewer first, second, other;
  watch(first, a_);
  watch(second, a_);
  watch(other, b_);
  std::this_thread::sleep_for(300ms);  // the watches are open

  v1::Notice n = Sample();
  n.clear_recipients();
  n.clear_air_times();
  n.clear_channels();
  n.add_channels(v1::VIA_IN_APP);
  auto issued = Issue(*Create(n, a_, office_), "30/TB-UBND");
  ASSERT_THAT(issued.status(), IsOk());
  auto until = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < until && (first.seen.empty() || second.seen.empty())) {
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(300ms);  // anything for commune B would have come by now
  for (Viewer* v : {&first, &second, &other}) {
    v->context.TryCancel();
    v->thread.join();
  }
  ASSERT_EQ(first.seen.size(), 1u);
  ASSERT_EQ(second.seen.size(), 1u);
  EXPECT_EQ(first.seen[0].name(), issued->name());
  EXPECT_THAT(second.seen[0].document_text(), ::testing::HasSubstr("Số: 30/TB-UBND"));
  EXPECT_TRUE(other.seen.empty());

  // An unknown commune has nothing to watch.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  v1::WatchNoticesRequest unknown;
  unknown.set_parent("tenants/khong-co-xa-nay");
  auto reader = stub_->WatchNotices(&context, unknown);
  v1::PublishedNotice none;
  EXPECT_FALSE(reader->Read(&none));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(NoticesTest, DraftsDueSoonOrOverdueGetOneReminderADay) {
  const absl::CivilDay today = calendar::TodayInVietnam(absl::Now());
  auto draft_due = [&](int days, const std::string& title) {
    v1::Notice n = Sample();
    n.set_kind(v1::NOTICE_CONCLUSION);
    n.set_title(title);
    n.set_due_date(calendar::FormatDate(today + days));
    auto created = Create(n, a_, office_);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? created->name() : "";
  };
  const std::string overdue = draft_due(-3, "Kết luận hội nghị tháng trước");
  const std::string soon = draft_due(1, "Kết luận hội nghị tuần này");
  draft_due(10, "Kết luận còn xa hạn");
  ReminderSweep sweep(store_, 2, std::chrono::hours(1));
  ASSERT_THAT(sweep.RunOnce(today).status(), IsOk());
  ASSERT_THAT(sweep.RunOnce(today).status(), IsOk());  // the same day again: nothing new

  v1::ListNoticesRequest list;
  list.set_parent("tenants/" + a_);
  list.set_kind(v1::NOTICE_REMINDER);
  v1::ListNoticesResponse reminders;
  ASSERT_THAT(Call(&Stub::ListNotices, office_, list, &reminders), IsOk());
  ASSERT_EQ(reminders.notices_size(), 2);
  std::set<std::string> about;
  for (const auto& r : reminders.notices()) {
    EXPECT_EQ(r.state(), v1::NOTICE_ISSUED);
    EXPECT_EQ(r.issue_date(), calendar::FormatDate(today));
    about.insert(r.body().find(overdue) != std::string::npos ? "overdue"
                 : r.body().find(soon) != std::string::npos  ? "soon"
                                                             : "?");
  }
  EXPECT_EQ(about, (std::set<std::string>{"overdue", "soon"}));
  EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM notices.outbox WHERE tenant_id = '", a_,
                               "' AND event_type = 'dialogue.v1.NoticeIssued'")),
            2);
  // Internal: not in the public feed.
  v1::ListPublishedNoticesRequest feed;
  feed.set_parent("tenants/" + a_);
  v1::ListPublishedNoticesResponse published;
  ASSERT_THAT(Call(&Stub::ListPublishedNotices, "", feed, &published), IsOk());
  EXPECT_EQ(published.notices_size(), 0);
  // The next day, the overdue draft is reminded of again.
  ASSERT_THAT(sweep.RunOnce(today + 1).status(), IsOk());
  ASSERT_THAT(Call(&Stub::ListNotices, office_, list, &reminders), IsOk());
  EXPECT_EQ(reminders.notices_size(), 4);
}

class SessionEventsTest : public NoticesTest {
 protected:
  void SetUp() override {
    NoticesTest::SetUp();
    auto source = calendar::CalendarSource::Open(
        absl::StrCat(DIALOGUE_SOURCE_DIR, "/libs/calendar/data/vn_holidays.json"));
    ASSERT_TRUE(source.ok()) << source.status();
    calendar_ = *std::move(source);
  }

  void Publish(const google::protobuf::Message& payload, const std::string& event_id) {
    stream_.Publish(a_, "sessions", payload, event_id);
  }

  events::PollResult Drain() {
    events::ConsumerOptions options;
    options.group = "notices";
    options.consumer = "test";
    options.processed_table = "notices.processed_events";
    options.types = ConsumedEventTypes();
    return stream_.Drain(pool_, options, [&](pqxx::dbtransaction& txn, const v1::Event& event) {
      return ApplyEvent(txn, event, *calendar_);
    });
  }

  v1::ListNoticesResponse List(v1::NoticeKind kind) {
    v1::ListNoticesRequest list;
    list.set_parent("tenants/" + a_);
    list.set_kind(kind);
    v1::ListNoticesResponse response;
    EXPECT_THAT(Call(&Stub::ListNotices, office_, list, &response), IsOk());
    return response;
  }

  // Issuing notice `name` as the chair signs it.
  static v1::IssueNoticeRequest Issue(const std::string& name, const std::string& number,
                                      const std::string& date) {
    v1::IssueNoticeRequest issue;
    issue.set_name(name);
    issue.set_document_number(number);
    issue.set_signer("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn A");
    issue.set_issue_date(date);
    return issue;
  }

  std::unique_ptr<calendar::CalendarSource> calendar_;
  testing::TestStream stream_{"notices-test"};
};

TEST_F(SessionEventsTest, AnAnnouncedSessionIsDraftedOnceWithItsLeadTimeChecked) {
  v1::SessionAnnounced announced;
  announced.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  announced.set_title("Đối thoại với Nhân dân năm 2026");
  announced.set_date("2026-05-08");
  announced.set_start_time("08:00");
  announced.set_venue("Hội trường UBND xã");
  announced.set_announce_date("2026-05-05");  // three days before: too late for 7
  announced.add_hamlets("Thôn Đông");
  v1::InvitedGroup* group = announced.add_invited();
  group->set_name("Đại diện hộ gia đình thôn Đông");
  group->set_expected(40);
  const std::string id = common::NewUuid();
  Publish(announced, id);
  Publish(announced, id);  // redelivered
  events::PollResult polled = Drain();
  EXPECT_EQ(polled.applied, 1);
  EXPECT_EQ(polled.skipped, 1);

  auto announcements = List(v1::NOTICE_ANNOUNCEMENT);
  ASSERT_EQ(announcements.notices_size(), 1);
  const v1::Notice& a = announcements.notices(0);
  EXPECT_EQ(a.session(), announced.session());
  EXPECT_EQ(a.due_date(), "2026-05-01") << "seven calendar days before the conference";
  ASSERT_EQ(a.warnings_size(), 1);
  EXPECT_THAT(a.warnings(0), ::testing::HasSubstr("3 days away"));
  EXPECT_THAT(a.body(), ::testing::HasSubstr("Hội trường UBND xã"));
  auto invitations = List(v1::NOTICE_INVITATION);
  ASSERT_EQ(invitations.notices_size(), 1);
  EXPECT_EQ(invitations.notices(0).recipients(0).name(),
            "Đại diện hộ gia đình thôn Đông (40 người)");

  // A commune whose rule is five days (seed 001) is not warned for six.
  AdminQuery(
      absl::StrCat("UPDATE tenancy.tenants SET rules = rules || '{\"announcement_lead_days\": 5}'"
                   " WHERE id = '",
                   a_, "'; SELECT 1"));
  announced.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  announced.set_announce_date("2026-05-02");
  Publish(announced, common::NewUuid());
  EXPECT_EQ(Drain().applied, 1);
  const auto all = List(v1::NOTICE_ANNOUNCEMENT);
  int matched = 0;
  for (const auto& n : all.notices()) {
    if (n.session() != announced.session()) continue;
    ++matched;
    EXPECT_EQ(n.due_date(), "2026-05-03");
    EXPECT_EQ(n.warnings_size(), 0);
  }
  EXPECT_EQ(matched, 1);
}

TEST_F(SessionEventsTest, AConferenceEnteredAfterItWasHeldIsNotAnnouncedNorInvitedTo) {
  v1::SessionAnnounced announced;
  announced.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  announced.set_title("Hội nghị đối thoại kỳ I");
  announced.set_date("2026-04-13");
  announced.set_start_time("07:30");
  announced.set_announce_date("2026-12-02");
  announced.set_after_the_fact_reason("Đã họp đúng ngày; nhập lại sau");
  announced.add_invited()->set_name("Đại diện cán bộ, đảng viên và nhân dân các xóm");
  Publish(announced, common::NewUuid());
  EXPECT_EQ(Drain().applied, 1);  // read, and nothing to draft from it
  for (v1::NoticeKind kind : {v1::NOTICE_ANNOUNCEMENT, v1::NOTICE_INVITATION}) {
    const v1::ListNoticesResponse drafts = List(kind);
    for (const auto& n : drafts.notices()) {
      EXPECT_NE(n.session(), announced.session()) << v1::NoticeKind_Name(kind);
    }
  }
}

TEST_F(SessionEventsTest, ACommunesOwnTemplateWordsItsDrafts) {
  v1::UpdateNoticeTemplateRequest update;
  v1::NoticeTemplate* text = update.mutable_notice_template();
  text->set_name(absl::StrCat("tenants/", a_, "/noticeTemplates/conclusion"));
  text->set_title("KẾT LUẬN hội nghị {{title}}");
  text->set_body("{{commune}} kết luận:\n{{items}}\nGiờ họp: {{time}}");
  v1::NoticeTemplate saved;
  EXPECT_THAT(Call(&Stub::UpdateNoticeTemplate, office_, update, &saved),
              StatusIs(absl::StatusCode::kInvalidArgument, "PLACEHOLDER_UNKNOWN"));
  text->set_body("{{commune}} kết luận:\n{{items}}");
  EXPECT_THAT(
      Call(&Stub::UpdateNoticeTemplate, Token(b_, {Role::kGovernmentOffice}), update, &saved),
      StatusIs(absl::StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
  ASSERT_THAT(Call(&Stub::UpdateNoticeTemplate, office_, update, &saved), IsOk());
  EXPECT_TRUE(saved.customized());
  v1::UpdateNoticeTemplateRequest unknown = update;
  unknown.mutable_notice_template()->set_name(absl::StrCat("tenants/", a_, "/noticeTemplates/loa"));
  EXPECT_THAT(Call(&Stub::UpdateNoticeTemplate, office_, unknown, &saved),
              StatusIs(absl::StatusCode::kNotFound, "TEMPLATE_NOT_FOUND"));

  v1::SessionConcluded concluded;
  concluded.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  concluded.set_title("quý IV");
  concluded.set_date("2026-10-02");
  v1::ConclusionItem* item = concluded.add_items();
  item->set_summary("Rác thải ven sông");
  item->set_outcome(v1::OUTCOME_ACCEPTED);
  Publish(concluded, common::NewUuid());
  EXPECT_EQ(Drain().applied, 1);
  const auto drafts = List(v1::NOTICE_CONCLUSION);
  ASSERT_EQ(drafts.notices_size(), 1);
  EXPECT_EQ(drafts.notices(0).title(), "KẾT LUẬN hội nghị quý IV");
  EXPECT_THAT(drafts.notices(0).body(), ::testing::HasSubstr("kết luận:\n1. Rác thải ven sông"));

  // The list shows which texts are the commune's own; commune B keeps the defaults.
  v1::ListNoticeTemplatesRequest list;
  list.set_parent("tenants/" + a_);
  v1::ListNoticeTemplatesResponse templates;
  ASSERT_THAT(Call(&Stub::ListNoticeTemplates, office_, list, &templates), IsOk());
  std::map<std::string, bool> customized;
  for (const auto& t : templates.notice_templates()) customized[t.name()] = t.customized();
  EXPECT_EQ(customized, (std::map<std::string, bool>{
                            {absl::StrCat("tenants/", a_, "/noticeTemplates/announcement"), false},
                            {absl::StrCat("tenants/", a_, "/noticeTemplates/conclusion"), true},
                            {absl::StrCat("tenants/", a_, "/noticeTemplates/invitation"), false}}));
  list.set_parent("tenants/" + b_);
  ASSERT_THAT(
      Call(&Stub::ListNoticeTemplates, Token(b_, {Role::kGovernmentOffice}), list, &templates),
      IsOk());
  for (const auto& t : templates.notice_templates()) EXPECT_FALSE(t.customized());
  // An empty text is the default again.
  text->clear_title();
  text->clear_body();
  ASSERT_THAT(Call(&Stub::UpdateNoticeTemplate, office_, update, &saved), IsOk());
  EXPECT_FALSE(saved.customized());
  EXPECT_THAT(saved.title(), ::testing::HasSubstr("Kết luận của Chủ tịch"));
}

TEST_F(SessionEventsTest, AConcludedSessionDraftsTheConclusionNoticeDueInWorkingDays) {
  v1::SessionConcluded concluded;
  concluded.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  concluded.set_title("Đối thoại năm 2026");
  concluded.set_date("2026-04-24");
  v1::ConclusionItem* item = concluded.add_items();
  item->set_summary("Đường liên thôn Đông xuống cấp");
  item->set_outcome(v1::OUTCOME_UNRESOLVED);
  item->set_agency("Phòng Kinh tế");
  item->set_action("Khảo sát, lập dự toán sửa chữa");
  item->set_due_date("2026-06-30");
  item->add_opinions(absl::StrCat("tenants/", a_, "/opinions/", common::NewUuid()));
  Publish(concluded, common::NewUuid());
  concluded.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  concluded.set_complex(true);
  Publish(concluded, common::NewUuid());
  EXPECT_EQ(Drain().applied, 2);

  // Ten working days after Friday 24 April 2026, and fifteen when complex, on the
  // national calendar: 30 April and 1 May are holidays.
  calendar::WorkingDayCalendar days(calendar_->Current());
  auto ten = days.AddWorkingDays(absl::CivilDay(2026, 4, 24), 10);
  auto fifteen = days.AddWorkingDays(absl::CivilDay(2026, 4, 24), 15);
  ASSERT_TRUE(ten.ok() && fifteen.ok());
  EXPECT_GT(*ten - absl::CivilDay(2026, 4, 24), 14) << "the holidays push it past two weeks";
  std::set<std::string> due;
  const auto conclusions = List(v1::NOTICE_CONCLUSION);
  ASSERT_EQ(conclusions.notices_size(), 2);
  for (const auto& n : conclusions.notices()) {
    due.insert(n.due_date());
    EXPECT_THAT(n.body(), ::testing::HasSubstr("Giao Phòng Kinh tế: Khảo sát, lập dự toán"));
    std::vector<std::string> to;
    for (const auto& r : n.recipients()) to.push_back(r.name());
    EXPECT_THAT(to, ::testing::ElementsAre("Phòng Kinh tế", "Ban Xây dựng Đảng",
                                           "Ủy ban Mặt trận Tổ quốc Việt Nam",
                                           "Người có kiến nghị (1 ý kiến)"));
    EXPECT_TRUE(n.overdue()) << "a 2026 draft is past due by now";
  }
  EXPECT_EQ(due,
            (std::set<std::string>{calendar::FormatDate(*ten), calendar::FormatDate(*fifteen)}));
  // Issue 19, item 3: a conclusion is not announced before its conference was held.
  EXPECT_EQ(conclusions.notices(0).conference_date(), "2026-04-24");
  v1::IssueNoticeRequest issue = Issue(conclusions.notices(0).name(), "31/TB-UBND", "2026-04-23");
  v1::Notice issued;
  EXPECT_THAT(Call(&Stub::IssueNotice, office_, issue, &issued),
              StatusIs(absl::StatusCode::kInvalidArgument, "DATE_BEFORE_CONFERENCE"));
  EXPECT_EQ(List(v1::NOTICE_CONCLUSION).notices(0).state(), v1::NOTICE_DRAFT);
  issue.set_issue_date("2026-04-24");
  ASSERT_THAT(Call(&Stub::IssueNotice, office_, issue, &issued), IsOk());
  EXPECT_EQ(issued.state(), v1::NOTICE_ISSUED);
  EXPECT_EQ(issued.results_due_date(), "2026-05-04");
  for (const auto& w : issued.warnings()) {
    EXPECT_THAT(w, ::testing::Not(::testing::HasSubstr("results were due")));
  }
  v1::ListNoticesRequest overdue;
  overdue.set_parent("tenants/" + a_);
  overdue.set_overdue(true);
  v1::ListNoticesResponse response;
  ASSERT_THAT(Call(&Stub::ListNotices, office_, overdue, &response), IsOk());
  EXPECT_EQ(response.notices_size(), 1);  // the other was issued above
}

// Issue 19: the notices count the commune's own days off, as planning does.
TEST_F(SessionEventsTest, ACommunesOwnDaysOffMoveItsConclusionNoticeDue) {
  AdminQuery(absl::StrCat("INSERT INTO tenancy.tenant_days_off (tenant_id, day, reason) VALUES ('",
                          a_, "', '2026-04-27', 'Lễ hội đền làng'), ('", a_,
                          "', '2026-04-28', 'Lễ hội đền làng'); SELECT 1"));
  v1::SessionConcluded concluded;
  concluded.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  concluded.set_title("Đối thoại năm 2026");
  concluded.set_date("2026-04-24");
  Publish(concluded, common::NewUuid());
  EXPECT_EQ(Drain().applied, 1);

  calendar::WorkingDayCalendar national(calendar_->Current());
  calendar::WorkingDayCalendar own(calendar_->Current(),
                                   {absl::CivilDay(2026, 4, 27), absl::CivilDay(2026, 4, 28)});
  auto national_due = national.AddWorkingDays(absl::CivilDay(2026, 4, 24), 10);
  auto own_due = own.AddWorkingDays(absl::CivilDay(2026, 4, 24), 10);
  ASSERT_TRUE(national_due.ok() && own_due.ok());
  ASSERT_NE(*own_due, *national_due);
  const auto conclusions = List(v1::NOTICE_CONCLUSION);
  ASSERT_EQ(conclusions.notices_size(), 1);
  EXPECT_EQ(conclusions.notices(0).due_date(), calendar::FormatDate(*own_due));
  EXPECT_THAT(conclusions.notices(0).due_explanation(), ::testing::HasSubstr("27/4, 28/4"));

  // The results are public within 10 calendar days of the conference (the law's count, days
  // off or not); a notice issued after that is still issued, and says it was late.
  EXPECT_EQ(conclusions.notices(0).results_due_date(), "2026-05-04");
  v1::IssueNoticeRequest issue = Issue(conclusions.notices(0).name(), "32/TB-UBND", "2026-05-06");
  v1::Notice issued;
  ASSERT_THAT(Call(&Stub::IssueNotice, office_, issue, &issued), IsOk());
  EXPECT_THAT(
      issued.warnings(),
      ::testing::Contains("issued 2 days after the results were due to be public (04/05/2026)"));
  EXPECT_THAT(List(v1::NOTICE_CONCLUSION).notices(0).warnings(),
              ::testing::ElementsAreArray(issued.warnings()));
}

// Issue 19, no event goes nowhere: the voters' requests reaching the threshold give the
// office a reminder at once and a draft telling the voters, due on the day to hold it by.
TEST_F(SessionEventsTest, ADialogueTheVotersRequiredReachesTheOfficeAndTheirDraft) {
  v1::DialogueRequired required;
  required.set_requests(3);
  required.set_threshold(3);
  required.set_voter_count(30);
  required.add_matters("Ô nhiễm từ trại lợn thôn Đông");
  const std::string id = common::NewUuid();
  Publish(required, id);
  Publish(required, id);  // redelivered
  events::PollResult polled = Drain();
  EXPECT_EQ(polled.applied, 1);
  EXPECT_EQ(polled.parked, 0);

  const auto drafts = List(v1::NOTICE_GENERAL);
  ASSERT_EQ(drafts.notices_size(), 1);
  const v1::Notice& draft = drafts.notices(0);
  EXPECT_EQ(draft.state(), v1::NOTICE_DRAFT);
  const absl::CivilDay today = calendar::TodayInVietnam(absl::Now());
  EXPECT_EQ(draft.due_date(), calendar::FormatDate(today + 30));
  EXPECT_THAT(draft.body(), ::testing::HasSubstr("Ô nhiễm từ trại lợn thôn Đông"));
  const auto reminders = List(v1::NOTICE_REMINDER);
  ASSERT_EQ(reminders.notices_size(), 1);
  EXPECT_EQ(reminders.notices(0).state(), v1::NOTICE_ISSUED);
  EXPECT_THAT(reminders.notices(0).body(), ::testing::HasSubstr("3 cử tri"));
}

// Issue 19: a message intake writes to a petitioner (PetitionerMessage) goes out once
// through the commune's webhook for its channel, signed as notices are; a channel without
// a webhook fails at once with the reason, and a message no person can receive is refused.
TEST_F(SessionEventsTest, APetitionersMessageGoesOutOnceThroughTheCommunesWebhook) {
  testing::WebhookReceiver receiver({200});
  ASSERT_THAT(SmsHook(a_, office_, receiver.url(), "bi-mat-cua-xa"), IsOk());

  v1::PetitionerMessage message;
  message.set_opinion(absl::StrCat("tenants/", a_, "/opinions/", common::NewUuid()));
  message.set_receipt_code("K7M-2QX-9PA");
  message.set_channel(v1::VIA_SMS);
  message.set_contact("0912 345 678");
  message.set_title("Trả lời ý kiến, kiến nghị mã K7M-2QX-9PA");
  message.set_text("Ý kiến, kiến nghị mã K7M-2QX-9PA đã có câu trả lời: Xã lắp 12 đèn.");
  message.set_follow_path(absl::StrCat("/xa/", a_, "/theo-doi/K7M-2QX-9PA"));
  const std::string id = common::NewUuid();
  stream_.Publish(a_, "intake", message, id);
  stream_.Publish(a_, "intake", message, id);  // redelivered
  v1::PetitionerMessage by_zalo = message;
  by_zalo.set_channel(v1::VIA_ZALO);  // the commune has no Zalo webhook
  stream_.Publish(a_, "intake", by_zalo, common::NewUuid());
  v1::PetitionerMessage aloud = message;
  aloud.set_channel(v1::VIA_LOUDSPEAKER);  // not a person's channel
  stream_.Publish(a_, "intake", aloud, common::NewUuid());
  // The loudspeaker's is refused (and left to the dead-letter stream once retried).
  EXPECT_EQ(Drain().applied, 2);
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM notices.deliveries WHERE tenant_id = '",
                                    a_, "'")),
            "2");

  // The stack's delivery worker sends it.
  for (int i = 0; i < 100 && receiver.requests().empty(); ++i) {
    std::this_thread::sleep_for(100ms);
  }
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  const auto& r = got[0];
  EXPECT_EQ(r.headers.at("x-dialogue-signature"),
            "sha256=" + SignWebhook("bi-mat-cua-xa", r.headers.at("x-dialogue-timestamp"), r.body));
  google::protobuf::Struct body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &body).ok()) << r.body;
  const auto& f = body.fields();
  EXPECT_EQ(f.at("kind").string_value(), "PETITIONER_MESSAGE");
  EXPECT_EQ(f.at("channel").string_value(), "VIA_SMS");
  EXPECT_EQ(f.at("text").string_value(), message.text());
  EXPECT_EQ(f.at("title").string_value(), message.title());
  EXPECT_EQ(f.at("followPath").string_value(), message.follow_path());
  EXPECT_EQ(f.at("about").string_value(), message.opinion());
  EXPECT_EQ(f.at("recipient").struct_value().fields().at("contact").string_value(), "0912 345 678");
  EXPECT_EQ(r.headers.at("x-dialogue-delivery"), f.at("delivery").string_value());
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT state || ' ' || last_error FROM notices.deliveries"
                                    " WHERE tenant_id = '",
                                    a_, "' AND channel = 'VIA_ZALO'")),
            "DELIVERY_FAILED the commune has no webhook for VIA_ZALO");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.requests().size(), 1u);  // once, for all the event came twice
}

TEST_F(NoticesTest, EveryNoticesTableIsIsolatedByTheDatabase) {
  testing::WebhookReceiver receiver({200});
  for (const auto& [tenant, number] : {std::make_pair(a_, "1/TB"), std::make_pair(b_, "2/TB")}) {
    std::string token = Token(tenant, {Role::kGovernmentOffice, Role::kChair});
    ASSERT_THAT(SmsHook(tenant, token, receiver.url(), "s"), IsOk());
    v1::IssueNoticeRequest issue;
    auto draft = Create(Sample(), tenant, token);
    ASSERT_THAT(draft.status(), IsOk());
    issue.set_name(draft->name());
    issue.set_document_number(number);
    v1::Notice out;
    ASSERT_THAT(Call(&Stub::IssueNotice, token, issue, &out), IsOk());
    v1::UpdateNoticeTemplateRequest text;
    text.mutable_notice_template()->set_name(
        absl::StrCat("tenants/", tenant, "/noticeTemplates/invitation"));
    text.mutable_notice_template()->set_title("Giấy mời {{title}}");
    v1::NoticeTemplate saved;
    ASSERT_THAT(Call(&Stub::UpdateNoticeTemplate, token, text, &saved), IsOk());
    AdminQuery(absl::StrCat("INSERT INTO notices.processed_events (tenant_id, event_id) VALUES ('",
                            tenant, "', '", common::NewUuid(), "'); SELECT 1"));
  }
  // In commune A's transaction, with the service's own role, a query without any
  // tenant condition sees A's rows only, and cannot write B's.
  for (const char* table : {"notices", "deliveries", "webhooks", "processed_events", "outbox"}) {
    auto seen = pool_.InTransaction(
        db::TenantScope::Of(a_), [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::string> {
          return txn
              .exec(absl::StrCat("SELECT string_agg(DISTINCT tenant_id, ',') FROM notices.", table,
                                 " WHERE tenant_id IN ('", a_, "', '", b_, "')"))[0][0]
              .as<std::string>();
        });
    ASSERT_THAT(seen.status(), IsOk()) << table;
    EXPECT_EQ(*seen, a_) << table;
  }
  auto write_b = pool_.InTransaction(db::TenantScope::Of(a_), [&](pqxx::dbtransaction& txn) {
    txn.exec_params(
        "INSERT INTO notices.webhooks (tenant_id, channel, url, secret)"
        " VALUES ($1, 'EMAIL', 'http://x', 's')",
        b_);
    return absl::OkStatus();
  });
  EXPECT_FALSE(write_b.ok());
  // Without the worker's setting a transaction with no tenant sees no delivery.
  auto none =
      pool_.InTransaction(db::TenantScope{}, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
        return txn.exec("SELECT count(*) FROM notices.deliveries")[0][0].as<int>();
      });
  ASSERT_THAT(none.status(), IsOk());
  EXPECT_EQ(*none, 0);
}

}  // namespace
}  // namespace dialogue::notices
