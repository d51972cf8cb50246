#include "live_sessions.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>

#include "dialogue/common/log.h"

namespace dialogue::sessions {
namespace {

using common::Log;
using common::LogLevel;

// Collects the payloads ("tenant/session") of the NOTIFYs heard.
class Heard : public pqxx::notification_receiver {
 public:
  Heard(pqxx::connection_base& c, std::set<std::string>& keys)
      : pqxx::notification_receiver(c, "sessions_live"), keys_(keys) {}
  void operator()(const std::string& payload, int) override { keys_.insert(payload); }

 private:
  std::set<std::string>& keys_;
};

}  // namespace

bool LiveSessions::Subscription::Next(v1::SessionLiveView* out, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!ready_.wait_for(lock, wait, [&] { return latest_.has_value(); })) return false;
  *out = std::move(*latest_);
  latest_.reset();
  return true;
}

void LiveSessions::Subscription::Push(const v1::SessionLiveView& view) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = view;
  }
  ready_.notify_all();
}

LiveSessions::LiveSessions(SessionStore& store, std::string pg_uri)
    : store_(store), pg_uri_(std::move(pg_uri)) {}

LiveSessions::~LiveSessions() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void LiveSessions::Start() {
  thread_ = std::thread([this] { Run(); });
}

std::shared_ptr<LiveSessions::Subscription> LiveSessions::Subscribe(const std::string& tenant,
                                                                    const std::string& session) {
  auto subscription = std::make_shared<Subscription>();
  std::lock_guard<std::mutex> lock(mu_);
  watchers_[tenant + "/" + session].push_back(subscription);
  return subscription;
}

std::vector<std::string> LiveSessions::WatchedKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> keys;
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [](const std::weak_ptr<Subscription>& w) { return w.expired(); }),
               list.end());
    if (list.empty()) {
      it = watchers_.erase(it);
    } else {
      keys.push_back(it->first);
      ++it;
    }
  }
  return keys;
}

void LiveSessions::Deliver(const std::string& key) {
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watchers_.find(key);
    if (it == watchers_.end()) return;
    for (const auto& weak : it->second) {
      if (auto strong = weak.lock()) targets.push_back(std::move(strong));
    }
  }
  if (targets.empty()) return;
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return;
  const std::string tenant = key.substr(0, slash);
  auto view = store_.LiveView(db::TenantScope::Of(tenant), tenant, key.substr(slash + 1));
  if (!view.ok()) {
    Log(LogLevel::kWarning, "live view not read",
        {{"session", key}, {"error", std::string(view.status().message())}});
    return;
  }
  for (const auto& target : targets) target->Push(*view);
}

void LiveSessions::Run() {
  bool failing = false;
  while (!stopping_) {
    try {
      pqxx::connection conn(pg_uri_);
      std::set<std::string> keys;
      Heard heard(conn, keys);
      // Changes made while the listener was away: every watched session is read again.
      for (const std::string& key : WatchedKeys()) Deliver(key);
      if (failing) Log(LogLevel::kInfo, "live view listener connected again");
      failing = false;
      while (!stopping_) {
        conn.await_notification(0, 250000);
        std::set<std::string> batch;
        batch.swap(keys);
        for (const std::string& key : batch) Deliver(key);
      }
    } catch (const std::exception& e) {
      if (!failing) {
        Log(LogLevel::kWarning, "live view listener lost its connection; retrying",
            {{"error", e.what()}});
      }
      failing = true;
      for (int i = 0; i < 10 && !stopping_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
}

}  // namespace dialogue::sessions
