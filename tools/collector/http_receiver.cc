#include "http_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dialogue::collector {

absl::StatusOr<std::unique_ptr<HttpReceiver>> HttpReceiver::Start(Handler handler,
                                                                  const std::string& host,
                                                                  int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError("cannot open a socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat("'", host, "' is not an IPv4 address"));
  }
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 64) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port));
  }
  return std::unique_ptr<HttpReceiver>(
      new HttpReceiver(std::move(handler), fd, ntohs(addr.sin_port)));
}

HttpReceiver::HttpReceiver(Handler handler, int fd, int port)
    : handler_(std::move(handler)), fd_(fd), port_(port) {
  thread_ = std::thread([this] { Serve(); });
}

HttpReceiver::~HttpReceiver() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void HttpReceiver::Serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    Handle(client);
    close(client);
  }
}

void HttpReceiver::Handle(int client) {
  std::string data;
  char buf[16384];
  size_t header_end = std::string::npos;
  size_t length = 0;
  HttpRequest request;
  for (;;) {
    pollfd p{client, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) return;
    ssize_t n = read(client, buf, sizeof(buf));
    if (n <= 0) return;
    data.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos &&
        (header_end = data.find("\r\n\r\n")) != std::string::npos) {
      bool first = true;
      for (absl::string_view line : absl::StrSplit(data.substr(0, header_end), "\r\n")) {
        if (first) {
          std::vector<std::string> parts = absl::StrSplit(line, ' ');
          if (parts.size() >= 2) {
            request.method = parts[0];
            request.path = parts[1];
          }
          first = false;
          continue;
        }
        auto colon = line.find(':');
        if (colon == absl::string_view::npos) continue;
        std::string name = absl::AsciiStrToLower(line.substr(0, colon));
        std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
        if (name == "content-length") (void)absl::SimpleAtoi(value, &length);
        request.headers[name] = value;
      }
    }
    if (header_end != std::string::npos && data.size() >= header_end + 4 + length) break;
  }
  request.body = data.substr(header_end + 4, length);
  int status = handler_(request);
  std::string reply = absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Type: application/json\r\n",
                                   "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  (void)write(client, reply.data(), reply.size());
}

}  // namespace dialogue::collector
