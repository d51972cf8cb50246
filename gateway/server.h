// The HTTP/1.1 server of the gateway: keep-alive connections on an Asio thread pool, each
// request matched to a route, authenticated, rate limited, transcoded and sent to its
// program over gRPC with a deadline; the answer (or the error) written back as JSON.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "client_address.h"
#include "dialogue/auth/token.h"
#include "routes.h"

namespace dialogue::gateway {

struct GatewayOptions {
  std::string listen = "127.0.0.1:8080";
  std::map<std::string, std::string> upstreams;  // program -> host:port
  size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds route_timeout{10000};
  std::chrono::milliseconds read_timeout{15000};  // a request's headers and body
  std::chrono::milliseconds idle_timeout{60000};  // a kept-alive connection with no request
  std::string static_dir;                         // "" serves no files
  std::string public_url;  // https://... people reach us at; "" takes http:// + the Host
  double public_per_second = 5, public_burst = 20;  // per client address
  TrustedProxies trusted_proxies;                   // peers whose X-Forwarded-For names the client
  double tenant_per_second = 200, tenant_burst = 400;  // per tenant (or province)
  std::chrono::milliseconds heartbeat{15000};          // an SSE comment line when a stream is idle
  size_t max_queued_events = 1000;                     // an SSE reader this far behind is cut off
  int threads = 2;                                     // HTTP event loops, one thread each
  int call_threads = 1;  // threads that take unary calls' answers and write them to the client
};

class Gateway {
 public:
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(GatewayOptions options,
                                                        auth::TokenVerifier verifier);
  ~Gateway();
  int port() const;
  // Stops accepting, finishes nothing further, joins the threads.
  void Stop();

  struct Impl;

 private:
  explicit Gateway(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialogue::gateway
