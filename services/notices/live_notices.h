// The live channel: every replica reads the event stream (no consumer group: each one
// must see every event) and hands each NoticeIssued of a VIA_IN_APP notice to the
// watchers of its commune. A watcher that reads too slowly loses the oldest notices, not
// the others' speed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dialogue/events/redis.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/notices.pb.h"
#include "store.h"

namespace dialogue::notices {

class LiveNotices {
 public:
  class Subscription {
   public:
    // Waits up to `wait` for the next notice; false when none came.
    bool Next(v1::PublishedNotice* out, std::chrono::milliseconds wait);

   private:
    friend class LiveNotices;
    void Push(const v1::PublishedNotice& notice);
    std::mutex mu_;
    std::condition_variable ready_;
    std::deque<v1::PublishedNotice> queue_;
  };

  LiveNotices(NoticeStore& store, events::RedisAddress redis, std::string stream);
  ~LiveNotices();  // stops the reader if started
  LiveNotices(const LiveNotices&) = delete;
  LiveNotices& operator=(const LiveNotices&) = delete;

  void Start();
  std::shared_ptr<Subscription> Subscribe(const std::string& tenant);

  static constexpr size_t kQueueLimit = 100;

 private:
  void Run();
  void Deliver(const v1::Event& event);

  NoticeStore& store_;
  events::RedisAddress redis_;
  std::string stream_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::weak_ptr<Subscription>>> watchers_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace dialogue::notices
