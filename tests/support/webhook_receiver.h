// A webhook receiver for tests: a real HTTP/1.1 server on a free local port that answers
// each POST with the next status of a script (the last one repeats) and keeps what it got.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dialogue::testing {

class WebhookReceiver {
 public:
  struct Request {
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
  };

  explicit WebhookReceiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 16);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookReceiver() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/hook"); }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      Handle(client);
      close(client);
    }
  }

  void Handle(int client) {
    std::string data;
    char buf[4096];
    size_t header_end = std::string::npos;
    size_t length = 0;
    for (;;) {
      pollfd p{client, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) return;
      ssize_t n = read(client, buf, sizeof(buf));
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos &&
          (header_end = data.find("\r\n\r\n")) != std::string::npos) {
        for (absl::string_view line : absl::StrSplit(data.substr(0, header_end), "\r\n")) {
          auto colon = line.find(':');
          if (colon == absl::string_view::npos) continue;
          std::string name = absl::AsciiStrToLower(line.substr(0, colon));
          std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
          if (name == "content-length") (void)absl::SimpleAtoi(value, &length);
          pending_.headers[name] = value;
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + length) break;
    }
    pending_.body = data.substr(header_end + 4, length);
    int status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(std::move(pending_));
      status = statuses_[std::min(requests_.size(), statuses_.size()) - 1];
    }
    pending_ = Request();
    std::string reply = absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Length: 0\r\n",
                                     "Connection: close\r\n\r\n");
    (void)write(client, reply.data(), reply.size());
  }

  std::vector<int> statuses_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Request> requests_;
  Request pending_;
  std::thread thread_;
};

}  // namespace dialogue::testing
