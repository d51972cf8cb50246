// A small HTTP/1.1 receiver on a local port: each request is read whole, handed to a
// handler that returns the status to answer, and the connection is closed. It serves the
// local stack's span collector (dialoguectl traces collect) and the tests' webhook and
// OTLP receivers; it is no web server.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace dialogue::collector {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class HttpReceiver {
 public:
  using Handler = std::function<int(const HttpRequest&)>;

  // Listens on `host`:`port` (0: a free port) and serves on a thread of its own.
  static absl::StatusOr<std::unique_ptr<HttpReceiver>> Start(Handler handler,
                                                             const std::string& host = "127.0.0.1",
                                                             int port = 0);
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return port_; }

 private:
  HttpReceiver(Handler handler, int fd, int port);
  void Serve();
  void Handle(int client);

  Handler handler_;
  int fd_;
  int port_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace dialogue::collector
