#include "server.h"

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"
#include "dialogue/common/trace.h"
#include "dialogue/v1/common.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "openapi.h"
#include "rate_limiter.h"
#include "transcoder.h"

namespace dialogue::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Upstream {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
  std::unique_ptr<grpc::health::v1::Health::Stub> health;
};

// Whose request budget a signed-in caller spends: its commune's, else its province's,
// else (administrators) its own.
std::string BudgetOf(const auth::Principal& p) {
  if (!p.tenant.empty()) return "tenant:" + p.tenant;
  if (!p.province.empty()) return "province:" + p.province;
  return "subject:" + p.subject;
}

std::string ErrorBody(int http_status, absl::string_view status, absl::string_view reason,
                      absl::string_view message) {
  return absl::StrCat("{\"error\":{\"code\":", http_status, ",\"status\":\"", status,
                      "\",\"message\":\"", common::JsonEscape(message), "\",\"details\":[",
                      "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"",
                      reason, "\",\"domain\":\"dialogue.gov.vn\"}]}}");
}

std::string ContentType(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {{".html", "text/html; charset=utf-8"},
                                                            {".js", "text/javascript"},
                                                            {".css", "text/css"},
                                                            {".json", "application/json"},
                                                            {".svg", "image/svg+xml"},
                                                            {".png", "image/png"},
                                                            {".ico", "image/x-icon"},
                                                            {".txt", "text/plain; charset=utf-8"}};
  auto it = kTypes.find(std::filesystem::path(path).extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

struct Gateway::Impl : std::enable_shared_from_this<Gateway::Impl> {
  Impl(GatewayOptions o, auth::TokenVerifier v, RouteTable r)
      : options(std::move(o)),
        verifier(std::move(v)),
        routes(std::move(r)),
        public_limiter(options.public_per_second, options.public_burst),
        tenant_limiter(options.tenant_per_second, options.tenant_burst),
        ioc(options.threads),
        acceptor(ioc) {}

  void Accept();

  GatewayOptions options;
  auth::TokenVerifier verifier;
  RouteTable routes;
  std::string openapi;
  std::string api_page;
  std::map<std::string, Upstream> upstreams;
  RateLimiter public_limiter;
  RateLimiter tenant_limiter;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
  int port = 0;
  // Live connections, so that Stop() can close them (each holds this Impl).
  std::mutex sessions_mu;
  std::vector<std::weak_ptr<void>> sessions;
  std::function<void(const std::shared_ptr<void>&)> close_session;
  // Threads still inside ioc.run().
  std::mutex running_mu;
  std::condition_variable running_cv;
  int running = 0;
};

namespace {

// A server-streaming call made through the generic stub: one request written, then
// every message handed to `on_message`, and the end (OK or error) to `on_done`.
class StreamCall : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  std::function<void(std::string)> on_message;
  std::function<void(grpc::Status)> on_done;
  grpc::ClientContext context;
  grpc::ByteBuffer request;

  void Start(grpc::GenericStub& stub, const std::string& method, std::shared_ptr<StreamCall> self) {
    self_ = std::move(self);  // alive until OnDone
    stub.PrepareBidiStreamingCall(&context, method, grpc::StubOptions(), this);
    StartWriteLast(&request, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    std::vector<grpc::Slice> slices;
    (void)response_.Dump(&slices);
    std::string data;
    for (const auto& s : slices) data.append(reinterpret_cast<const char*>(s.begin()), s.size());
    on_message(std::move(data));
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    on_done(status);
    self_.reset();
  }

 private:
  grpc::ByteBuffer response_;
  std::shared_ptr<StreamCall> self_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Gateway::Impl> gw)
      : stream_(std::move(socket)), gw_(std::move(gw)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    client_ = ec ? "unknown" : endpoint.address().to_string();
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  struct Exchange {
    std::string method;
    std::string target;
    std::string trace_id;
    std::string traceparent;
    std::string tenant;
    double upstream_ms = -1;  // the gRPC call's own time, for the access log
    bool keep_alive = true;
    std::chrono::steady_clock::time_point start;
  };

  void Read() {
    parser_.emplace();
    parser_->body_limit(gw_->options.max_body_bytes);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(first_ ? gw_->options.read_timeout : gw_->options.idle_timeout);
    first_ = false;
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
      return Close();
    }
    Exchange x;
    x.start = std::chrono::steady_clock::now();
    if (ec) {
      x.method = "?";
      x.target = "?";
      x.keep_alive = false;
      x.traceparent = common::ContinueTrace("").Traceparent();
      if (ec == http::error::body_limit) {
        return Send(x, 413,
                    ErrorBody(413, "INVALID_ARGUMENT", "BODY_TOO_LARGE",
                              absl::StrCat("the body is larger than ", gw_->options.max_body_bytes,
                                           " bytes")));
      }
      return Send(x, 400,
                  ErrorBody(400, "INVALID_ARGUMENT", "MALFORMED_HTTP",
                            absl::StrCat("malformed HTTP request: ", ec.message())));
    }
    stream_.expires_never();
    Handle(parser_->release(), std::move(x));
  }

  void Handle(http::request<http::string_body> req, Exchange x) {
    x.method = std::string(req.method_string());
    x.target = std::string(req.target());
    x.keep_alive = req.keep_alive();
    common::TraceContext trace = common::ContinueTrace(std::string(req["traceparent"]));
    x.trace_id = trace.trace_id;
    x.traceparent = trace.Traceparent();
    absl::string_view target = x.target;
    absl::string_view path = target.substr(0, target.find('?'));
    absl::string_view query = target.find('?') == absl::string_view::npos
                                  ? absl::string_view()
                                  : target.substr(target.find('?') + 1);

    if (req.method() == http::verb::get && path == "/healthz")
      return Send(x, 200, "{\"status\":\"ok\"}");
    if (req.method() == http::verb::get && path == "/readyz") return Ready(x);
    if (req.method() == http::verb::get && path == "/openapi.json")
      return Send(x, 200, gw_->openapi);
    if (req.method() == http::verb::get && path == "/docs") {
      return Send(x, 200, gw_->api_page, "text/html; charset=utf-8");
    }

    const Route* route = nullptr;
    Bindings bindings;
    std::string allowed;
    switch (gw_->routes.Match(x.method, path, &route, &bindings, &allowed)) {
      case RouteTable::Result::kNotFound:
        if (req.method() == http::verb::get && !absl::StartsWith(path, "/v1/"))
          return Static(x, path);
        return Send(x, 404,
                    ErrorBody(404, "NOT_FOUND", "ROUTE_NOT_FOUND",
                              absl::StrCat("no route for ", x.method, " ", path, "; see /docs")));
      case RouteTable::Result::kMethodNotAllowed:
        return Send(x, 405,
                    ErrorBody(405, "UNIMPLEMENTED", "METHOD_NOT_ALLOWED",
                              absl::StrCat(path, " accepts ", allowed, ", not ", x.method)),
                    "application/json", {{"Allow", allowed}});
      case RouteTable::Result::kFound:
        break;
    }

    // The token is checked here and again by the service: a service reached directly is
    // no back door, and a bad token never costs an upstream call.
    std::string authorization(req[http::field::authorization]);
    auth::Principal principal;
    if (!authorization.empty()) {
      if (!absl::StartsWithIgnoreCase(authorization, "bearer ")) {
        return Send(x, 401,
                    ErrorBody(401, "UNAUTHENTICATED", "TOKEN_MALFORMED",
                              "the Authorization header must be 'Bearer <token>'"));
      }
      auto verified = gw_->verifier.Verify(absl::StripAsciiWhitespace(authorization.substr(7)));
      if (!verified.ok()) {
        return Send(x, 401,
                    ErrorBody(401, "UNAUTHENTICATED", common::ErrorReason(verified.status()),
                              verified.status().message()));
      }
      principal = *std::move(verified);
      x.tenant = principal.tenant;
    } else if (!route->is_public) {
      return Send(x, 401,
                  ErrorBody(401, "UNAUTHENTICATED", "TOKEN_MISSING",
                            "this route needs a bearer token (Authorization: Bearer <token>)"));
    }
    bool limited = principal.subject.empty() ? !gw_->public_limiter.Allow("addr:" + client_)
                                             : !gw_->tenant_limiter.Allow(BudgetOf(principal));
    if (limited) {
      return Send(
          x, 429,
          ErrorBody(429, "RESOURCE_EXHAUSTED", "RATE_LIMITED", "too many requests; slow down"),
          "application/json", {{"Retry-After", "1"}});
    }
    if (route->method->client_streaming()) {
      return Send(x, 501,
                  ErrorBody(501, "UNIMPLEMENTED", "CLIENT_STREAMING_NOT_SERVED",
                            "client-streaming RPCs have no HTTP route"));
    }
    auto upstream = gw_->upstreams.find(route->program);
    if (upstream == gw_->upstreams.end()) {
      return Send(x, 503,
                  ErrorBody(503, "UNAVAILABLE", "UPSTREAM_NOT_CONFIGURED",
                            absl::StrCat("no address is configured for ", route->program)));
    }
    const auto* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(
        route->method->input_type());
    std::unique_ptr<google::protobuf::Message> request(prototype->New());
    absl::Status built = BuildRequest(*route, bindings, query, req.body(), request.get());
    if (!built.ok()) return Send(x, 400, ErrorJson(common::ToGrpcStatus(built)));

    if (route->method->server_streaming()) {
      return Stream(x, *route, upstream->second, *request, authorization);
    }

    struct Call {
      grpc::ClientContext context;
      grpc::ByteBuffer request;
      grpc::ByteBuffer response;
    };
    auto call = std::make_shared<Call>();
    call->context.set_deadline(std::chrono::system_clock::now() + gw_->options.route_timeout);
    if (!authorization.empty()) call->context.AddMetadata("authorization", authorization);
    call->context.AddMetadata("traceparent", x.traceparent);
    call->context.AddMetadata("x-forwarded-for", client_);
    std::string bytes = request->SerializeAsString();
    grpc::Slice slice(bytes);
    call->request = grpc::ByteBuffer(&slice, 1);
    auto self = shared_from_this();
    auto sent = std::chrono::steady_clock::now();
    upstream->second.stub->UnaryCall(
        &call->context, route->grpc_path, grpc::StubOptions(), &call->request, &call->response,
        [self, call, route, x, sent](grpc::Status status) mutable {
          x.upstream_ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent)
                  .count();
          net::post(self->stream_.get_executor(), [self, call, route, x, status] {
            beast::error_code ignored;
            self->stream_.socket().cancel(ignored);  // ends the disconnect watch below
            if (!status.ok()) {
              return self->Send(x, HttpStatusFor(status.error_code()), ErrorJson(status));
            }
            std::vector<grpc::Slice> slices;
            (void)call->response.Dump(&slices);
            std::string data;
            for (const auto& s : slices)
              data.append(reinterpret_cast<const char*>(s.begin()), s.size());
            const auto* out_type =
                google::protobuf::MessageFactory::generated_factory()->GetPrototype(
                    route->method->output_type());
            std::unique_ptr<google::protobuf::Message> response(out_type->New());
            if (!response->ParseFromString(data)) {
              return self->Send(x, 502,
                                ErrorBody(502, "INTERNAL", "BAD_UPSTREAM_RESPONSE",
                                          "the service answered with an unreadable message"));
            }
            if (response->GetDescriptor() == dialogue::v1::HttpBody::descriptor()) {
              // A feed or a file: sent as the service made it.
              const auto& raw = static_cast<const dialogue::v1::HttpBody&>(*response);
              return self->Send(x, 200, raw.data(), raw.content_type());
            }
            self->Send(x, 200, ToJson(*response));
          });
        });
    // While the call runs, a client that hangs up cancels it. Waiting for readability
    // consumes nothing, so a pipelined next request stays for the next read.
    std::weak_ptr<Call> weak = call;
    stream_.socket().async_wait(tcp::socket::wait_read, [self, weak](beast::error_code ec) {
      if (ec) return;  // cancelled: the answer came first
      char byte;
      ssize_t n = ::recv(self->stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        if (auto c = weak.lock()) c->context.TryCancel();
      }
    });
  }

  // Server-Sent Events: each message as "data: <json>", a comment line as heartbeat, and
  // "event: end" or "event: error" last. The connection closes with the stream; a client
  // that goes away (a failed write) cancels the call.
  void Stream(Exchange x, const Route& route, Upstream& upstream,
              const google::protobuf::Message& request, const std::string& authorization) {
    auto call = std::make_shared<StreamCall>();
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(12));
    if (!authorization.empty()) call->context.AddMetadata("authorization", authorization);
    call->context.AddMetadata("traceparent", x.traceparent);
    std::string bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    call->request = grpc::ByteBuffer(&slice, 1);
    stream_call_ = call;
    x.keep_alive = false;
    Log(x, 200, 0);
    Enqueue(absl::StrCat(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n",
        "Connection: close\r\nX-Accel-Buffering: no\r\ntraceparent: ", x.traceparent, "\r\n\r\n"));
    auto self = shared_from_this();
    const auto* out_type = google::protobuf::MessageFactory::generated_factory()->GetPrototype(
        route.method->output_type());
    call->on_message = [self, out_type](std::string data) {
      net::post(self->stream_.get_executor(), [self, out_type, data = std::move(data)] {
        std::unique_ptr<google::protobuf::Message> message(out_type->New());
        if (!message->ParseFromString(data)) return;
        self->Enqueue(absl::StrCat("data: ", ToJson(*message), "\n\n"));
      });
    };
    call->on_done = [self](grpc::Status status) {
      net::post(self->stream_.get_executor(), [self, status] {
        self->Enqueue(status.ok()
                          ? std::string("event: end\ndata: {}\n\n")
                          : absl::StrCat("event: error\ndata: ", ErrorJson(status), "\n\n"));
        self->stream_done_ = true;
        self->stream_call_.reset();
        self->heartbeat_.reset();
      });
    };
    call->Start(*upstream.stub, route.grpc_path, call);
    Heartbeat();
  }

  void Heartbeat() {
    if (stream_done_) return;
    heartbeat_ =
        std::make_unique<net::steady_timer>(stream_.get_executor(), gw_->options.heartbeat);
    heartbeat_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->stream_done_) return;
      self->Enqueue(": ping\n\n");
      self->Heartbeat();
    });
  }

  void Enqueue(std::string chunk) {
    if (outbox_.size() >= gw_->options.max_queued_events) {
      // Too slow a reader: stop the call rather than buffer without end.
      if (auto call = stream_call_.lock()) call->context.TryCancel();
      return;
    }
    outbox_.push_back(std::move(chunk));
    if (outbox_.size() == 1) WriteNext();
  }

  void WriteNext() {
    net::async_write(stream_, net::buffer(outbox_.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         if (auto call = self->stream_call_.lock()) call->context.TryCancel();
                         self->outbox_.clear();
                         self->stream_done_ = true;
                         self->heartbeat_.reset();
                         return;
                       }
                       self->outbox_.pop_front();
                       if (!self->outbox_.empty()) return self->WriteNext();
                       if (self->stream_done_) self->Close();
                     });
  }

  void Ready(const Exchange& x) {
    // Every upstream must answer its health check: one blocking check each, on this
    // connection's strand (readiness probes are rare and short).
    std::vector<std::string> down;
    for (auto& [program, upstream] : gw_->upstreams) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
      if (!upstream.health->Check(&context, request, &response).ok() ||
          response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
        down.push_back(absl::StrCat("\"", program, "\""));
      }
    }
    for (const auto& program : gw_->routes.Programs()) {
      if (gw_->upstreams.count(program) == 0) down.push_back(absl::StrCat("\"", program, "\""));
    }
    if (down.empty()) return Send(x, 200, "{\"status\":\"ready\"}");
    Send(x, 503,
         absl::StrCat("{\"status\":\"not ready\",\"down\":[", absl::StrJoin(down, ","), "]}"));
  }

  void Static(const Exchange& x, absl::string_view path) {
    if (gw_->options.static_dir.empty() || absl::StrContains(path, "..")) {
      return Send(
          x, 404,
          ErrorBody(404, "NOT_FOUND", "ROUTE_NOT_FOUND", absl::StrCat("no page at ", path)));
    }
    std::string file =
        absl::StrCat(gw_->options.static_dir, path == "/" ? "/index.html" : std::string(path));
    std::ifstream in(file, std::ios::binary);
    if (!in || std::filesystem::is_directory(file)) {
      return Send(
          x, 404,
          ErrorBody(404, "NOT_FOUND", "ROUTE_NOT_FOUND", absl::StrCat("no page at ", path)));
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    Send(x, 200, buffer.str(), ContentType(file));
  }

  void Send(const Exchange& x, int status, std::string body,
            const std::string& content_type = "application/json",
            std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto res =
        std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    res->set(http::field::server, "dialogue-gateway");
    res->set(http::field::content_type, content_type);
    res->set("traceparent", x.traceparent);
    for (const auto& [k, v] : headers) res->set(k, v);
    res->keep_alive(x.keep_alive);
    res->body() = std::move(body);
    res->prepare_payload();
    Log(x, status, res->body().size());
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Log(const Exchange& x, int status, size_t bytes) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - x.start)
            .count();
    common::ScopedLogContext context(x.trace_id, x.tenant);
    common::Log(status >= 500 ? common::LogLevel::kWarning : common::LogLevel::kInfo, "http",
                {{"method", x.method},
                 {"path", x.target.substr(0, x.target.find('?'))},
                 {"status", absl::StrCat(status)},
                 {"ms", absl::StrCat(ms)},
                 {"upstream_ms", x.upstream_ms < 0 ? std::string() : absl::StrCat(x.upstream_ms)},
                 {"client", client_},
                 {"bytes", absl::StrCat(bytes)}});
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

 public:
  // For Stop(): ends whatever the connection is doing, on its own strand.
  void Abort() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (auto call = self->stream_call_.lock()) call->context.TryCancel();
      self->heartbeat_.reset();
      beast::error_code ec;
      self->stream_.socket().close(ec);
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Gateway::Impl> gw_;
  std::string client_;
  bool first_ = true;
  // Server-Sent Events state.
  std::weak_ptr<StreamCall> stream_call_;
  std::deque<std::string> outbox_;
  std::unique_ptr<net::steady_timer> heartbeat_;
  bool stream_done_ = false;
};

}  // namespace

void Gateway::Impl::Accept() {
  acceptor.async_accept(
      net::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopped) return;
        if (!ec) {
          auto session = std::make_shared<Session>(std::move(socket), self);
          {
            std::lock_guard<std::mutex> lock(self->sessions_mu);
            auto& list = self->sessions;
            list.erase(
                std::remove_if(list.begin(), list.end(), [](const auto& w) { return w.expired(); }),
                list.end());
            list.push_back(session);
          }
          session->Run();
        }
        self->Accept();
      });
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(GatewayOptions options,
                                                        auth::TokenVerifier verifier) {
  ASSIGN_OR_RETURN(RouteTable routes, RouteTable::FromGeneratedPool());
  auto impl = std::make_shared<Impl>(std::move(options), std::move(verifier), std::move(routes));
  impl->openapi = OpenApiJson(impl->routes);
  impl->api_page = ApiPageHtml(impl->routes);
  for (const auto& [program, address] : impl->options.upstreams) {
    Upstream u;
    u.channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    u.stub = std::make_unique<grpc::GenericStub>(u.channel);
    u.health = grpc::health::v1::Health::NewStub(u.channel);
    impl->upstreams.emplace(program, std::move(u));
  }
  std::vector<std::string> host_port =
      absl::StrSplit(impl->options.listen, absl::MaxSplits(':', 1));
  int port = 0;
  if (host_port.size() != 2 || !absl::SimpleAtoi(host_port[1], &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address '", impl->options.listen, "' is not host:port"));
  }
  beast::error_code ec;
  auto address = net::ip::make_address(host_port[0], ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listen host: ", ec.message()));
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", impl->options.listen, ": ", ec.message()));
  impl->port = impl->acceptor.local_endpoint().port();
  impl->Accept();
  impl->close_session = [](const std::shared_ptr<void>& s) {
    std::static_pointer_cast<Session>(s)->Abort();
  };
  impl->running = std::max(1, impl->options.threads);
  for (int i = 0; i < impl->running; ++i) {
    // Raw pointer: the Gateway outlives its threads (Stop joins them).
    impl->threads.emplace_back([raw = impl.get()] {
      raw->ioc.run();
      std::lock_guard<std::mutex> lock(raw->running_mu);
      --raw->running;
      raw->running_cv.notify_all();
    });
  }
  common::Log(common::LogLevel::kInfo, "gateway listening",
              {{"address", impl->options.listen},
               {"port", absl::StrCat(impl->port)},
               {"routes", absl::StrCat(impl->routes.routes().size())}});
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

int Gateway::port() const { return impl_->port; }

void Gateway::Stop() {
  if (impl_->stopped.exchange(true)) return;
  // Close the door and every connection; the threads then run out of work and return,
  // dropping every handler that holds the Impl. Calls that do not end within two
  // seconds are abandoned.
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    std::lock_guard<std::mutex> lock(impl->sessions_mu);
    for (auto& weak : impl->sessions) {
      if (auto session = weak.lock()) impl->close_session(session);
    }
    impl->sessions.clear();
  });
  {
    std::unique_lock<std::mutex> lock(impl_->running_mu);
    impl_->running_cv.wait_for(lock, std::chrono::seconds(2), [&] { return impl_->running == 0; });
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
}

Gateway::~Gateway() { Stop(); }

}  // namespace dialogue::gateway
