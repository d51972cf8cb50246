// A webhook receiver for tests: a real HTTP/1.1 server on a free local port that answers
// each POST with the next status of a script (the last one repeats) and keeps what it got.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "http_receiver.h"

namespace dialogue::testing {

class WebhookReceiver {
 public:
  using Request = collector::HttpRequest;

  explicit WebhookReceiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    receiver_ = *collector::HttpReceiver::Start([this](const Request& request) {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      return statuses_[std::min(requests_.size(), statuses_.size()) - 1];
    });
  }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", receiver_->port(), "/hook"); }
  int port() const { return receiver_->port(); }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::vector<int> statuses_;
  std::mutex mu_;
  std::vector<Request> requests_;
  std::unique_ptr<collector::HttpReceiver> receiver_;  // last: stops before the rest goes
};

}  // namespace dialogue::testing
