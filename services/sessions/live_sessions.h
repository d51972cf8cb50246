// The live view's fan-out: one LISTEN connection per replica hears every change of a
// session or its speakers (a trigger NOTIFYs "tenant/session"), reads the view once, and
// hands it to every watcher of that session. A watcher keeps only the latest view, so a
// slow screen skips views instead of slowing the others.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dialogue/v1/sessions.pb.h"
#include "store.h"

namespace dialogue::sessions {

class LiveSessions {
 public:
  class Subscription {
   public:
    // Waits up to `wait` for a newer view; false when none came.
    bool Next(v1::SessionLiveView* out, std::chrono::milliseconds wait);

   private:
    friend class LiveSessions;
    void Push(const v1::SessionLiveView& view);
    std::mutex mu_;
    std::condition_variable ready_;
    std::optional<v1::SessionLiveView> latest_;
  };

  // `pg_uri` is the service's own database URI: the listener holds one connection.
  LiveSessions(SessionStore& store, std::string pg_uri);
  ~LiveSessions();  // stops the listener if started
  LiveSessions(const LiveSessions&) = delete;
  LiveSessions& operator=(const LiveSessions&) = delete;

  void Start();
  std::shared_ptr<Subscription> Subscribe(const std::string& tenant, const std::string& session);

 private:
  void Run();
  void Deliver(const std::string& key);  // "tenant/session"
  std::vector<std::string> WatchedKeys();

  SessionStore& store_;
  std::string pg_uri_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::weak_ptr<Subscription>>> watchers_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace dialogue::sessions
