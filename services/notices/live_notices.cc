#include "live_notices.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dialogue/common/log.h"
#include "notice_rules.h"

namespace dialogue::notices {

using common::Log;
using common::LogLevel;

bool LiveNotices::Subscription::Next(v1::PublishedNotice* out, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!ready_.wait_for(lock, wait, [&] { return !queue_.empty(); })) return false;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

void LiveNotices::Subscription::Push(const v1::PublishedNotice& notice) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= kQueueLimit) queue_.pop_front();
    queue_.push_back(notice);
  }
  ready_.notify_one();
}

LiveNotices::LiveNotices(NoticeStore& store, events::RedisAddress redis, std::string stream)
    : store_(store), redis_(std::move(redis)), stream_(std::move(stream)) {}

LiveNotices::~LiveNotices() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void LiveNotices::Start() {
  thread_ = std::thread([this] { Run(); });
}

std::shared_ptr<LiveNotices::Subscription> LiveNotices::Subscribe(const std::string& tenant) {
  auto subscription = std::make_shared<Subscription>();
  std::lock_guard<std::mutex> lock(mu_);
  auto& list = watchers_[tenant];
  list.erase(std::remove_if(list.begin(), list.end(), [](const auto& w) { return w.expired(); }),
             list.end());
  list.push_back(subscription);
  return subscription;
}

void LiveNotices::Deliver(const v1::Event& event) {
  v1::NoticeIssued issued;
  if (!event.payload().UnpackTo(&issued)) return;
  absl::string_view tenant = event.tenant();
  if (!absl::ConsumePrefix(&tenant, "tenants/")) return;
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watchers_.find(std::string(tenant));
    if (it == watchers_.end()) return;  // nobody watches this commune: no query
    for (const auto& w : it->second) {
      if (auto s = w.lock()) targets.push_back(std::move(s));
    }
  }
  if (targets.empty()) return;
  const std::string id = issued.notice().substr(issued.notice().rfind('/') + 1);
  auto scope = db::TenantScope::Of(std::string(tenant));
  auto notice = store_.Get(scope, std::string(tenant), id);
  auto info = store_.Tenant(scope, std::string(tenant));
  if (!notice.ok() || !info.ok()) {
    Log(LogLevel::kWarning, "live notice not loaded",
        {{"notice", issued.notice()},
         {"error", std::string((notice.ok() ? info.status() : notice.status()).message())}});
    return;
  }
  if (std::count(notice->channels().begin(), notice->channels().end(),
                 static_cast<int>(v1::VIA_IN_APP)) == 0) {
    return;
  }
  const v1::PublishedNotice live = ToPublished(*notice, info->display_name);
  for (const auto& s : targets) s->Push(live);
}

void LiveNotices::Run() {
  events::RedisClient redis(redis_);
  std::string last;  // the last entry seen; empty until the stream's end is known
  auto backoff = std::chrono::milliseconds(100);
  while (!stopping_) {
    if (last.empty()) {
      auto tail = redis.Command({"XREVRANGE", stream_, "+", "-", "COUNT", "1"});
      if (tail.ok() && !tail->is_error()) {
        last = tail->elements.empty() ? "0-0" : tail->elements[0].elements[0].str;
      }
    }
    auto read =
        last.empty()
            ? absl::StatusOr<events::RedisReply>(
                  absl::UnavailableError("the stream's end is not known yet"))
            : redis.Command({"XREAD", "COUNT", "100", "BLOCK", "500", "STREAMS", stream_, last},
                            std::chrono::milliseconds(2500));
    if (!read.ok() || read->is_error()) {
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    if (read->elements.empty() || read->elements[0].elements.size() < 2) continue;
    for (const auto& entry : read->elements[0].elements[1].elements) {
      if (entry.elements.size() < 2) continue;
      last = entry.elements[0].str;
      auto fields = events::EntryFields(entry);
      v1::Event event;
      if (fields["type"] == v1::NoticeIssued::descriptor()->full_name() &&
          event.ParseFromString(fields["event"])) {
        Deliver(event);
      }
    }
  }
}

}  // namespace dialogue::notices
