#include "server.h"

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <sys/socket.h>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <algorithm>
#include <atomic>

#include <boost/asio.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
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
#include "absl/strings/strip.h"
#include "console_sessions.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"
#include "dialogue/rpc/channel.h"
#include "dialogue/telemetry/grpc_spans.h"
#include "dialogue/telemetry/metrics.h"
#include "dialogue/telemetry/span.h"
#include "dialogue/telemetry/trace_context.h"
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

// One HTTP/1.1 response, head and body, as the bytes to write.
std::string ResponseBytes(int status, absl::string_view content_type, absl::string_view traceparent,
                          bool keep_alive, absl::string_view body,
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  std::string out;
  out.reserve(body.size() + 256);
  auto reason = http::obsolete_reason(static_cast<http::status>(status));
  absl::StrAppend(&out, "HTTP/1.1 ", status, " ", absl::string_view(reason.data(), reason.size()),
                  "\r\nServer: dialogue-gateway\r\nX-Content-Type-Options: nosniff"
                  "\r\nContent-Type: ",
                  content_type, "\r\ntraceparent: ", traceparent, "\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  if (!keep_alive) out += "Connection: close\r\n";
  absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n\r\n", body);
  return out;
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
        iocs(MakeContexts(options.threads)),
        acceptor(*iocs[0]) {}

  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int threads) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < std::max(1, threads); ++i)
      out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }
  void Accept();

  GatewayOptions options;
  auth::TokenVerifier verifier;
  RouteTable routes;
  std::string openapi;
  std::string api_page;
  std::map<std::string, Upstream> upstreams;
  RateLimiter public_limiter;
  RateLimiter tenant_limiter;
  // The console's sign-in sessions (null without a planning address), and the threads that
  // wait for a sign-in's password check, which takes a while on purpose.
  std::unique_ptr<ConsoleSessions> console;
  net::thread_pool sign_in_pool{2};
  // One event loop per thread: a connection lives on one loop, so its handlers never
  // hand work to another thread.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  size_t next_ioc = 0;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  // Unary calls complete here, on threads of their own that answer the client directly.
  grpc::CompletionQueue calls;
  std::vector<std::thread> call_threads;
  std::atomic<bool> stopped{false};
  int port = 0;
  // Live connections, so that Stop() can close them (each holds this Impl).
  std::mutex sessions_mu;
  std::vector<std::weak_ptr<void>> sessions;
  std::function<void(const std::shared_ptr<void>&)> close_session;
  // Connections not yet ended, and threads still inside ioc.run(): Stop() waits for both.
  std::mutex running_mu;
  std::condition_variable running_cv;
  int connections = 0;
  int running = 0;
};

namespace {

// The gRPC client span of the call the gateway makes for a request, under its HTTP span.
telemetry::Span UpstreamSpan(const Route& route, const telemetry::TraceContext& http_span) {
  telemetry::Span span =
      telemetry::StartGrpcClientSpan(http_span, absl::string_view(route.grpc_path).substr(1));
  if (span.recording()) span.Set("server.address", route.program);
  return span;
}

// The SSE streams open now (each holds an upstream call).
prometheus::Gauge& Watchers() {
  static auto* gauge = &prometheus::BuildGauge()
                            .Name("dialogue_sse_streams")
                            .Help("Server-Sent Event streams open (live views watched).")
                            .Register(telemetry::Metrics())
                            .Add({});
  return *gauge;
}

// A server-streaming call made through the generic stub: one request written, then
// every message handed to `on_message`, and the end (OK or error) to `on_done`.
class StreamCall : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  std::function<void(std::string)> on_message;
  std::function<void(grpc::Status)> on_done;
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  telemetry::Span span;

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
    telemetry::EndGrpcClientSpan(span, status);
    Watchers().Decrement();
    on_done(status);
    self_.reset();
  }

 private:
  grpc::ByteBuffer response_;
  std::shared_ptr<StreamCall> self_;
};

// One request's facts, from its reading to its access-log line.
struct Exchange {
  std::string method;
  std::string target;
  std::string trace_id;
  std::string traceparent;
  // The HTTP server span; ended by the access-log line, which every exchange writes once.
  mutable telemetry::Span span;
  // The route's template, or what answered instead ("/healthz", "static", "unmatched"):
  // the metrics' label, a bounded set.
  absl::string_view route = "unmatched";
  std::string tenant;
  std::string client;       // the socket peer, or the client a trusted proxy names
  double upstream_ms = -1;  // the gRPC call's own time, for the access log
  bool keep_alive = true;
  std::chrono::steady_clock::time_point start;
};

class Session;

// Every X-Forwarded-For line joined in order: a proxy may append a line of its own rather
// than extend the client's, and the rightmost hops are the ones to believe.
std::string ForwardedFor(const http::request<http::string_body>& req) {
  std::string joined;
  auto [first, last] = req.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) {
    if (!joined.empty()) joined += ",";
    joined.append(it->value().data(), it->value().size());
  }
  return joined;
}

// Rate, errors and duration per route (dialogue_http_server_*). Methods outside HTTP's
// own are counted together, so a client cannot grow the series.
void RecordHttp(const Exchange& x, int status, double seconds) {
  static auto* requests = new telemetry::RequestMetrics("dialogue_http_server", "HTTP requests",
                                                        {"route", "method"}, "status");
  absl::string_view method = "_OTHER";
  for (absl::string_view known : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (x.method == known) method = known;
  }
  requests->Record({x.route, method}, absl::StrCat(status), seconds);
}

// A unary call through the generic stub on the gateway's completion queue.
struct UnaryCall {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  std::shared_ptr<Session> session;
  const Route* route = nullptr;
  Exchange x;
  telemetry::Span span;  // the upstream call's
  std::chrono::steady_clock::time_point sent;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Gateway::Impl> gw)
      : gw_(std::move(gw)), stream_(std::move(socket)), idle_(stream_.get_executor()) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    client_ = ec ? "unknown" : endpoint.address().to_string();
    std::lock_guard<std::mutex> lock(gw_->running_mu);
    ++gw_->connections;
  }
  ~Session() {
    std::lock_guard<std::mutex> lock(gw_->running_mu);
    --gw_->connections;
    gw_->running_cv.notify_all();
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    stream_.expires_after(first_ ? gw_->options.read_timeout : gw_->options.idle_timeout);
    first_ = false;
    ReadRequest();
  }

  // The next request, under whatever deadline the stream has.
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(gw_->options.max_body_bytes);
    parser_->header_limit(16 * 1024);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_active_ = std::chrono::steady_clock::now();
      if (busy_) {
        if (IsHangUp(ec)) {
          // The client went away during its call: the call is cancelled, its answer dropped.
          gone_ = true;
          if (call_ != nullptr) call_->context.TryCancel();
          idle_.cancel();
        } else {
          parked_.emplace(Parked{ec, ec ? http::request<http::string_body>() : parser_->release()});
        }
        return;
      }
    }
    Dispatch(ec, ec ? http::request<http::string_body>() : parser_->release());
  }

  static bool IsHangUp(beast::error_code ec) {
    return ec == http::error::end_of_stream || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::operation_aborted ||
           ec == beast::error::timeout;
  }

  // A request read (or the error reading it), served now.
  void Dispatch(beast::error_code ec, http::request<http::string_body> req) {
    if (IsHangUp(ec)) return Close();
    Exchange x;
    x.start = std::chrono::steady_clock::now();
    x.client = client_;
    if (ec) {
      x.method = "?";
      x.target = "?";
      x.keep_alive = false;
      x.traceparent = telemetry::ContinueTrace("").Traceparent();
      if (ec == http::error::body_limit) {
        return SendError(
            x, 413, absl::StatusCode::kInvalidArgument, "BODY_TOO_LARGE",
            absl::StrCat("the body is larger than ", gw_->options.max_body_bytes, " bytes"));
      }
      return SendError(x, absl::StatusCode::kInvalidArgument, "MALFORMED_HTTP",
                       absl::StrCat("malformed HTTP request: ", ec.message()));
    }
    stream_.expires_never();
    Handle(std::move(req), std::move(x));
  }

  void Handle(http::request<http::string_body> req, Exchange x) {
    x.method = std::string(req.method_string());
    x.target = std::string(req.target());
    x.keep_alive = req.keep_alive();
    x.client = gw_->options.trusted_proxies.ClientOf(client_, ForwardedFor(req));
    x.span = telemetry::Span(x.method, telemetry::SpanKind::kServer,
                             telemetry::ContinueTrace(std::string(req["traceparent"])));
    x.trace_id = x.span.context().trace_id;
    x.traceparent = x.span.context().Traceparent();
    if (x.span.recording()) {
      x.span.Set("http.request.method", x.method)
          .Set("url.scheme", "http")
          .Set("client.address", x.client)
          .Set("network.peer.address", client_);
    }
    absl::string_view target = x.target;
    absl::string_view path = target.substr(0, target.find('?'));
    absl::string_view query = target.find('?') == absl::string_view::npos
                                  ? absl::string_view()
                                  : target.substr(target.find('?') + 1);

    if (req.method() == http::verb::get) {
      for (absl::string_view fixed : {"/healthz", "/readyz", "/openapi.json", "/docs"}) {
        if (path == fixed) x.route = fixed;
      }
    }
    if (x.route == "/healthz") return Send(x, 200, "{\"status\":\"ok\"}");
    if (x.route == "/readyz") return Ready(x);
    if (x.route == "/openapi.json") return Send(x, 200, gw_->openapi);
    if (x.route == "/docs") return Send(x, 200, gw_->api_page, "text/html; charset=utf-8");

    if (absl::StartsWith(path, "/auth/")) {
      return Auth(std::move(req), std::move(x), std::string(path));
    }

    const Route* route = nullptr;
    Bindings bindings;
    std::string allowed;
    switch (gw_->routes.Match(x.method, path, &route, &bindings, &allowed)) {
      case RouteTable::Result::kNotFound:
        if (req.method() == http::verb::get && !absl::StartsWith(path, "/v1/")) {
          x.route = "static";
          return Static(x, path, std::string(req[http::field::if_none_match]));
        }
        return SendError(x, absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                         absl::StrCat("no route for ", x.method, " ", path, "; see /docs"));
      case RouteTable::Result::kMethodNotAllowed:
        return SendError(x, 405, absl::StatusCode::kUnimplemented, "METHOD_NOT_ALLOWED",
                         absl::StrCat(path, " accepts ", allowed, ", not ", x.method),
                         {{"Allow", allowed}});
      case RouteTable::Result::kFound:
        break;
    }
    x.route = route->path.text();
    if (x.span.recording()) {
      x.span.Set("http.route", route->path.text());
      x.span.Rename(absl::StrCat(x.method, " ", route->path.text()));
    }

    // The token is checked here and again by the service: a service reached directly is
    // no back door, and a bad token never costs an upstream call.
    std::string authorization(req[http::field::authorization]);
    auth::Principal principal;
    // A signed-in page sends its session cookie instead; a change also needs the session's
    // CSRF token in X-CSRF-Token, which a page of another site cannot read.
    std::string session_token;
    if (authorization.empty() && gw_->console != nullptr) {
      session_token = CookieValue(std::string(req[http::field::cookie]), kSessionCookie);
    }
    if (!session_token.empty()) {
      auto session = gw_->console->Resolve(session_token, x.traceparent);
      if (session.ok()) {
        bool safe = req.method() == http::verb::get || req.method() == http::verb::head;
        if (!safe && !CsrfMatches(std::string(req[kCsrfHeader]), (*session)->csrf_token)) {
          return SendError(x, absl::StatusCode::kPermissionDenied, "CSRF_TOKEN_INVALID",
                           "a change from a signed-in page must carry the session's "
                           "X-CSRF-Token header");
        }
        authorization = (*session)->authorization;
        principal = (*session)->principal;
        x.tenant = principal.tenant;
      } else if (session.status().code() != absl::StatusCode::kUnauthenticated) {
        return SendStatus(x, session.status());
      } else if (!route->is_public) {
        return SendStatus(x, session.status(),
                          {{"Set-Cookie", SessionCookie("", std::chrono::seconds(0))}});
      }
      // An ended session on a public page: the citizen's view, as for anyone.
    } else if (!authorization.empty()) {
      if (!absl::StartsWithIgnoreCase(authorization, "bearer ")) {
        return SendError(x, absl::StatusCode::kUnauthenticated, "TOKEN_MALFORMED",
                         "the Authorization header must be 'Bearer <token>'");
      }
      auto verified = gw_->verifier.Verify(absl::StripAsciiWhitespace(authorization.substr(7)));
      if (!verified.ok()) {
        return SendError(x, absl::StatusCode::kUnauthenticated,
                         common::ErrorReason(verified.status()), verified.status().message());
      }
      principal = *std::move(verified);
      x.tenant = principal.tenant;
    } else if (!route->is_public) {
      return SendError(x, absl::StatusCode::kUnauthenticated, "TOKEN_MISSING",
                       "this route needs a bearer token (Authorization: Bearer <token>)");
    }
    bool limited = principal.subject.empty() ? !gw_->public_limiter.Allow("addr:" + x.client)
                                             : !gw_->tenant_limiter.Allow(BudgetOf(principal));
    if (limited) {
      return SendRateLimited(x);
    }
    if (route->method->client_streaming()) {
      return SendError(x, absl::StatusCode::kUnimplemented, "CLIENT_STREAMING_NOT_SERVED",
                       "client-streaming RPCs have no HTTP route");
    }
    auto upstream = gw_->upstreams.find(route->program);
    if (upstream == gw_->upstreams.end()) {
      return SendError(x, absl::StatusCode::kUnavailable, "UPSTREAM_NOT_CONFIGURED",
                       absl::StrCat("no address is configured for ", route->program));
    }
    const auto* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(
        route->method->input_type());
    std::unique_ptr<google::protobuf::Message> request(prototype->New());
    if (x.span.recording() && !x.span.Has("dialogue.tenant")) {
      // A public route's commune is the one its path names (tenants/{tenant}/...).
      for (const auto& [field, value] : bindings) {
        absl::string_view tenant = value;
        if (absl::ConsumePrefix(&tenant, "tenants/")) {
          x.span.Set("dialogue.tenant", tenant.substr(0, tenant.find('/')));
          break;
        }
      }
    }
    absl::Status built = BuildRequest(*route, bindings, query, req.body(), request.get());
    if (!built.ok()) return SendStatus(x, built);

    if (route->method->server_streaming()) {
      return Stream(std::move(x), *route, upstream->second, *request, authorization);
    }

    auto call = std::make_unique<UnaryCall>();
    call->session = shared_from_this();
    call->route = route;
    call->context.set_deadline(std::chrono::system_clock::now() + gw_->options.route_timeout);
    if (!authorization.empty()) call->context.AddMetadata("authorization", authorization);
    call->span = UpstreamSpan(*route, x.span.context());
    call->context.AddMetadata("traceparent", call->span.context().Traceparent());
    call->context.AddMetadata("x-forwarded-for", x.client);
    std::string bytes = request->SerializeAsString();
    grpc::Slice slice(bytes);
    call->request = grpc::ByteBuffer(&slice, 1);
    call->x = std::move(x);
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = true;
      call_ = call.get();
    }
    // While the call runs the connection reads on: its end cancels the call, and a request
    // pipelined behind this one waits for the answer. Armed first, so that this thread has
    // nothing left to do once the call is sent and leaves the CPU to the service.
    ReadDuringCall();
    call->sent = std::chrono::steady_clock::now();
    call->reader = upstream->second.stub->PrepareUnaryCall(&call->context, route->grpc_path,
                                                           call->request, &gw_->calls);
    call->reader->StartCall();
    UnaryCall* tag = call.release();  // owned by the completion queue until answered
    tag->reader->Finish(&tag->response, &tag->status, tag);
  }

 public:
  // On a completion thread: the call's answer, written to the client from here when the
  // socket takes it at once (the usual case), else by the connection's strand.
  void Answer(UnaryCall& call) {
    Exchange& x = call.x;
    x.upstream_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - call.sent)
            .count();
    telemetry::EndGrpcClientSpan(call.span, call.status);
    int status = 200;
    std::string body, content_type = "application/json", filename;
    if (!call.status.ok()) {
      status = HttpStatusFor(call.status.error_code());
      body = ErrorJson(call.status);
    } else {
      const auto* out_type = google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          call.route->method->output_type());
      std::unique_ptr<google::protobuf::Message> response(out_type->New());
      grpc::ProtoBufferReader reader(&call.response);
      if (!response->ParseFromZeroCopyStream(&reader)) {
        status = 502;
        body = ErrorJson(
            common::ToGrpcStatus(common::Error(absl::StatusCode::kInternal, "BAD_UPSTREAM_RESPONSE",
                                               "the service answered with an unreadable message")),
            status);
      } else if (response->GetDescriptor() == dialogue::v1::HttpBody::descriptor()) {
        // A feed or a file: sent as the service made it.
        auto& raw = static_cast<dialogue::v1::HttpBody&>(*response);
        body = std::move(*raw.mutable_data());
        content_type = raw.content_type();
        filename = raw.filename();
      } else {
        body = ToJson(*response);
      }
    }
    // A file is saved under its name; only a plain name passes (no quotes, no path).
    std::vector<std::pair<std::string, std::string>> headers;
    if (!filename.empty() && std::all_of(filename.begin(), filename.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                 c == '_';
        })) {
      headers.emplace_back("Content-Disposition",
                           absl::StrCat("attachment; filename=\"", filename, "\""));
    }
    std::string bytes =
        ResponseBytes(status, content_type, x.traceparent, x.keep_alive, body, headers);
    // The access log line once the answer is out (or dropped).
    struct LogWhenDone {
      Session* self;
      const Exchange& x;
      int status;
      size_t bytes;
      ~LogWhenDone() { self->Log(x, status, bytes); }
    } log_when_done{this, x, status, body.size()};
    std::lock_guard<std::mutex> lock(mu_);
    call_ = nullptr;
    if (closed_ || gone_) {
      busy_ = false;
      return;  // nobody is listening; the connection is being closed
    }
    size_t written = 0;
    int fd = stream_.socket().native_handle();
    while (written < bytes.size()) {
      ssize_t n =
          ::send(fd, bytes.data() + written, bytes.size() - written, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        written += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else {
        gone_ = true;  // the read side sees the same end and closes
        busy_ = false;
        return;
      }
    }
    if (written < bytes.size()) {
      // A large answer or a slow reader: the strand writes the rest.
      unsent_ = bytes.substr(written);
      net::post(stream_.get_executor(), [self = shared_from_this(), keep_alive = x.keep_alive] {
        self->WriteRest(keep_alive);
      });
      return;
    }
    AnsweredLocked(x.keep_alive);
  }

 private:
  // Under mu_: the answer is out; what waited behind it may go on.
  void AnsweredLocked(bool keep_alive) {
    busy_ = false;
    last_active_ = std::chrono::steady_clock::now();
    if (!keep_alive) {
      ::shutdown(stream_.socket().native_handle(), SHUT_WR);
      parked_.reset();
      return;
    }
    if (parked_) {
      net::post(stream_.get_executor(), [self = shared_from_this()] { self->Resume(); });
    }
  }

  void WriteRest(bool keep_alive) {
    net::async_write(stream_, net::buffer(unsent_),
                     [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                       std::lock_guard<std::mutex> lock(self->mu_);
                       self->unsent_.clear();
                       if (ec) {
                         self->gone_ = true;
                         self->busy_ = false;
                         return;
                       }
                       self->AnsweredLocked(keep_alive);
                     });
  }

  // A request that arrived while a call was answered, now served in its turn.
  void Resume() {
    std::optional<Parked> next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      next.swap(parked_);
    }
    if (next) Dispatch(next->ec, std::move(next->request));
  }

  // Reading on while a call is in flight: no read deadline (the call has its own), but an
  // idle timer that closes the connection once it has been quiet for idle_timeout after
  // its last answer. The timer is armed once and re-armed only when it fires, so a busy
  // connection costs no timer work per request.
  void ReadDuringCall() {
    stream_.expires_never();
    ReadRequest();
    if (!idle_armed_) {
      idle_armed_ = true;
      idle_.expires_after(gw_->options.idle_timeout);
      idle_.async_wait(beast::bind_front_handler(&Session::OnIdle, shared_from_this()));
    }
  }

  void OnIdle(beast::error_code ec) {
    idle_armed_ = false;
    if (ec || streaming_) return;  // cancelled: the connection is closing or streams
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    auto quiet_until = last_active_ + gw_->options.idle_timeout;
    if (busy_ || now < quiet_until) {
      idle_armed_ = true;
      idle_.expires_at(busy_ ? now + gw_->options.idle_timeout : quiet_until);
      idle_.async_wait(beast::bind_front_handler(&Session::OnIdle, shared_from_this()));
      return;
    }
    CloseSocketLocked();
  }

  // Under mu_: closes the descriptor, which the completion thread then no longer touches.
  void CloseSocketLocked() {
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  // Server-Sent Events: each message as "data: <json>", a comment line as heartbeat, and
  // "event: end" or "event: error" last. The connection closes with the stream; a client
  // that goes away (a failed write) cancels the call.
  void Stream(Exchange x, const Route& route, Upstream& upstream,
              const google::protobuf::Message& request, const std::string& authorization) {
    // The connection is the stream's now: an earlier call's idle timer must not end it.
    streaming_ = true;
    idle_.cancel();
    auto call = std::make_shared<StreamCall>();
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(12));
    if (!authorization.empty()) call->context.AddMetadata("authorization", authorization);
    call->span = UpstreamSpan(route, x.span.context());
    call->context.AddMetadata("traceparent", call->span.context().Traceparent());
    call->context.AddMetadata("x-forwarded-for", x.client);
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
    Watchers().Increment();
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

  // The web pages. Built assets (/assets/, their names carry a content hash) are cached for
  // a year; everything else is revalidated (ETag) on every visit, so a new release shows at
  // once. A path with no extension that names no file is a page of the single-page app:
  // index.html answers it. Pages may load only what the gateway serves (CSP).
  void Static(const Exchange& x, absl::string_view path, const std::string& if_none_match) {
    namespace fs = std::filesystem;
    auto not_found = [&] {
      SendError(x, absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                absl::StrCat("no page at ", path));
    };
    if (gw_->options.static_dir.empty() || absl::StrContains(path, "..")) return not_found();
    std::string file =
        absl::StrCat(gw_->options.static_dir, path == "/" ? "/index.html" : std::string(path));
    std::error_code ec;
    if (!fs::is_regular_file(file, ec) && fs::path(file).extension().empty()) {
      file = absl::StrCat(gw_->options.static_dir, "/index.html");
    }
    if (!fs::is_regular_file(file, ec)) return not_found();
    const auto size = fs::file_size(file, ec);
    const auto modified = fs::last_write_time(file, ec).time_since_epoch().count();
    const std::string etag = absl::StrCat("\"", absl::Hex(modified), "-", absl::Hex(size), "\"");
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Cache-Control",
         absl::StartsWith(path, "/assets/") ? "public, max-age=31536000, immutable" : "no-cache"},
        {"ETag", etag},
        {"Content-Security-Policy",
         "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
         "form-action 'self'; frame-ancestors 'none'"},
        {"Referrer-Policy", "same-origin"}};
    if (if_none_match == etag) return Send(x, 304, "", ContentType(file), std::move(headers));
    std::ifstream in(file, std::ios::binary);
    if (!in) return not_found();
    std::stringstream buffer;
    buffer << in.rdbuf();
    Send(x, 200, buffer.str(), ContentType(file), std::move(headers));
  }

  // The console's sign-in: POST /auth/sign-in {"username", "password"} sets the session
  // cookie and answers {"account", "csrfToken", "expireTime"}; GET /auth/session answers
  // the same for the cookie sent; POST /auth/sign-out (with X-CSRF-Token) ends it.
  // With the province's OpenID Connect provider: GET /auth/methods names it, GET
  // /auth/oidc/start sends the browser there, GET /auth/oidc/callback brings it back signed in.
  void Auth(http::request<http::string_body> req, Exchange x, const std::string& path) {
    std::vector<std::pair<std::string, std::string>> no_store = {{"Cache-Control", "no-store"}};
    static const auto* const kRoutes = new std::map<std::string, http::verb>{
        {"/auth/sign-in", http::verb::post},   {"/auth/session", http::verb::get},
        {"/auth/sign-out", http::verb::post},  {"/auth/methods", http::verb::get},
        {"/auth/oidc/start", http::verb::get}, {"/auth/oidc/callback", http::verb::get}};
    auto known = kRoutes->find(path);
    if (known == kRoutes->end()) {
      return SendError(x, absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                       absl::StrCat("no route for ", x.method, " ", path));
    }
    if (req.method() != known->second) {
      std::string allowed(http::to_string(known->second));
      return SendError(x, 405, absl::StatusCode::kUnimplemented, "METHOD_NOT_ALLOWED",
                       absl::StrCat(path, " accepts ", allowed, ", not ", x.method),
                       {{"Allow", allowed}});
    }
    x.route = known->first;  // x.route is a view: of the table, which outlives every call
    if (gw_->console == nullptr) {
      return SendError(x, absl::StatusCode::kUnavailable, "UPSTREAM_NOT_CONFIGURED",
                       "no address is configured for planning, which signs people in");
    }
    if (absl::StartsWith(path, "/auth/oidc/")) return Oidc(req, std::move(x), no_store);
    auto failed = [&](const absl::Status& status,
                      std::vector<std::pair<std::string, std::string>> headers) {
      if (status.code() == absl::StatusCode::kUnauthenticated) {
        headers.emplace_back("Set-Cookie", SessionCookie("", std::chrono::seconds(0)));
      }
      SendStatus(x, status, std::move(headers));
    };
    std::string token = CookieValue(std::string(req[http::field::cookie]), kSessionCookie);

    if (x.route == "/auth/sign-in") {
      // Password guessing is slowed per client address, and per account by its lock.
      if (!gw_->public_limiter.Allow("addr:" + x.client)) {
        return SendRateLimited(x);
      }
      v1::SignInRequest request;
      google::protobuf::util::JsonParseOptions options;
      if (!google::protobuf::util::JsonStringToMessage(req.body(), &request, options).ok()) {
        return SendError(x, absl::StatusCode::kInvalidArgument, "BODY_MALFORMED",
                         "send {\"username\": \"...\", \"password\": \"...\"}");
      }
      request.set_client(x.client);
      request.set_user_agent(std::string(req[http::field::user_agent]).substr(0, 300));
      // Off the event loop: the password check is slow by design.
      net::post(gw_->sign_in_pool, [self = shared_from_this(), request = std::move(request),
                                    x = std::move(x), no_store]() mutable {
        auto signed_in = self->gw_->console->SignIn(std::move(request), x.traceparent);
        net::post(self->stream_.get_executor(), [self, signed_in = std::move(signed_in),
                                                 x = std::move(x), no_store]() mutable {
          if (!signed_in.ok()) {
            return self->SendStatus(x, signed_in.status(), no_store);
          }
          int64_t left = signed_in->expire_time().seconds() - absl::ToUnixSeconds(absl::Now());
          no_store.emplace_back(
              "Set-Cookie", SessionCookie(signed_in->session_token(), std::chrono::seconds(left)));
          self->Send(
              x, 200,
              absl::StrCat("{\"account\":", ToJson(signed_in->account()), ",\"csrfToken\":\"",
                           signed_in->csrf_token(), "\",\"expireTime\":\"",
                           google::protobuf::util::TimeUtil::ToString(signed_in->expire_time()),
                           "\"}"),
              "application/json", no_store);
        });
      });
      return;
    }
    if (x.route == "/auth/methods") {
      auto methods = gw_->console->Methods(x.traceparent);
      if (!methods.ok()) return failed(methods.status(), no_store);
      return Send(x, 200, ToJson(*methods), "application/json", no_store);
    }
    if (x.route == "/auth/session") {
      if (token.empty()) {
        return SendError(x, absl::StatusCode::kUnauthenticated, "SESSION_EXPIRED",
                         "no one is signed in", no_store);
      }
      auto session = gw_->console->Resolve(token, x.traceparent);
      if (!session.ok()) return failed(session.status(), no_store);
      x.tenant = (*session)->principal.tenant;
      return Send(x, 200, (*session)->json, "application/json", no_store);
    }
    // Sign-out: with the session's CSRF token, so that another site cannot sign a clerk out.
    if (!token.empty()) {
      auto session = gw_->console->Resolve(token, x.traceparent);
      if (session.ok() && !CsrfMatches(std::string(req[kCsrfHeader]), (*session)->csrf_token)) {
        return SendError(x, absl::StatusCode::kPermissionDenied, "CSRF_TOKEN_INVALID",
                         "signing out must carry the session's X-CSRF-Token header");
      }
      if (session.ok()) {
        x.tenant = (*session)->principal.tenant;
        if (auto ended = gw_->console->SignOut(token, x.client, x.traceparent); !ended.ok()) {
          return failed(ended, no_store);
        }
      }
    }
    no_store.emplace_back("Set-Cookie", SessionCookie("", std::chrono::seconds(0)));
    Send(x, 200, "{}", "application/json", no_store);
  }

  // GET /auth/oidc/start: to the provider, with state, nonce and the PKCE verifier kept in a
  // short-lived cookie. GET /auth/oidc/callback?code=&state=: the state checked against the
  // cookie, the code redeemed by planning, the session cookie set, and on to the console; a
  // failure goes back to the sign-in page, which says why (?loi=REASON).
  void Oidc(const http::request<http::string_body>& req, Exchange x,
            std::vector<std::pair<std::string, std::string>> headers) {
    if (!gw_->public_limiter.Allow("addr:" + x.client)) {
      return SendRateLimited(x);
    }
    std::string host(req[http::field::host]);
    std::string redirect_uri = absl::StrCat(
        gw_->options.public_url.empty() ? absl::StrCat("http://", host) : gw_->options.public_url,
        "/auth/oidc/callback");
    absl::string_view target = x.target;
    auto query = ParseQuery(target.find('?') == absl::string_view::npos
                                ? absl::string_view()
                                : target.substr(target.find('?') + 1));
    auto param = [&](absl::string_view name) -> std::string {
      if (query.ok()) {
        for (const auto& [key, value] : *query) {
          if (key == name) return value.substr(0, 2000);
        }
      }
      return "";
    };
    std::string cookie = CookieValue(std::string(req[http::field::cookie]), kOidcCookie);
    std::string user_agent = std::string(req[http::field::user_agent]).substr(0, 300);
    net::post(gw_->sign_in_pool, [self = shared_from_this(), x = std::move(x),
                                  headers = std::move(headers), redirect_uri, cookie, user_agent,
                                  code = param("code"), state = param("state"),
                                  error = param("error")]() mutable {
      auto back_to_sign_in = [&](absl::string_view reason) {
        headers.emplace_back("Location", absl::StrCat("/can-bo/dang-nhap?loi=",
                                                      reason.empty() ? "OIDC_FAILED" : reason));
        headers.emplace_back("Set-Cookie", OidcCookie("", std::chrono::seconds(0)));
      };
      if (x.route == "/auth/oidc/start") {
        auto begun = self->gw_->console->BeginOidc(redirect_uri, x.traceparent);
        if (begun.ok()) {
          headers.emplace_back("Location", begun->authorization_url());
          headers.emplace_back("Set-Cookie",
                               OidcCookie(absl::StrCat(begun->state(), ".", begun->code_verifier(),
                                                       ".", begun->nonce()),
                                          std::chrono::minutes(10)));
        } else {
          back_to_sign_in(common::ErrorReason(begun.status()));
        }
      } else {
        std::vector<std::string> kept = absl::StrSplit(cookie, '.');
        if (!error.empty()) {
          back_to_sign_in("OIDC_DENIED");  // the person cancelled, or the provider refused
        } else if (kept.size() != 3 || code.empty() || !CsrfMatches(state, kept[0])) {
          back_to_sign_in("OIDC_STATE_INVALID");  // not the sign-in this browser started
        } else {
          v1::FinishOidcSignInRequest request;
          request.set_code(code);
          request.set_code_verifier(kept[1]);
          request.set_nonce(kept[2]);
          request.set_redirect_uri(redirect_uri);
          request.set_client(x.client);
          request.set_user_agent(user_agent);
          auto signed_in = self->gw_->console->FinishOidc(request, x.traceparent);
          if (signed_in.ok()) {
            int64_t left = signed_in->expire_time().seconds() - absl::ToUnixSeconds(absl::Now());
            headers.emplace_back("Location", "/can-bo");
            headers.emplace_back("Set-Cookie", OidcCookie("", std::chrono::seconds(0)));
            headers.emplace_back("Set-Cookie", SessionCookie(signed_in->session_token(),
                                                             std::chrono::seconds(left)));
          } else {
            back_to_sign_in(common::ErrorReason(signed_in.status()));
          }
        }
      }
      net::post(self->stream_.get_executor(),
                [self, x = std::move(x), headers = std::move(headers)]() mutable {
                  self->Send(x, 303, "", "text/plain", std::move(headers));
                });
    });
  }

  // An error the gateway answers itself, shaped as an upstream's (ErrorJson): the HTTP
  // status follows the gRPC code, as for an upstream's error.
  void SendStatus(const Exchange& x, const absl::Status& status,
                  std::vector<std::pair<std::string, std::string>> headers = {},
                  int http_status = 0) {
    grpc::Status wire = common::ToGrpcStatus(status);
    if (http_status == 0) http_status = HttpStatusFor(wire.error_code());
    Send(x, http_status, ErrorJson(wire, http_status), "application/json", std::move(headers));
  }
  void SendError(const Exchange& x, absl::StatusCode code, absl::string_view reason,
                 absl::string_view message,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    SendStatus(x, common::Error(code, reason, message), std::move(headers));
  }
  // The same where HTTP has a closer status than the code's own (413, 405).
  void SendError(const Exchange& x, int http_status, absl::StatusCode code,
                 absl::string_view reason, absl::string_view message,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    SendStatus(x, common::Error(code, reason, message), std::move(headers), http_status);
  }
  void SendRateLimited(const Exchange& x) {
    SendError(x, absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
              "too many requests; slow down", {{"Retry-After", "1"}});
  }

  void Send(const Exchange& x, int status, const std::string& body,
            const std::string& content_type = "application/json",
            std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto bytes = std::make_shared<std::string>(
        ResponseBytes(status, content_type, x.traceparent, x.keep_alive, body, headers));
    net::async_write(stream_, net::buffer(*bytes),
                     [self = shared_from_this(), bytes, keep_alive = x.keep_alive](
                         beast::error_code ec, std::size_t) {
                       if (ec || !keep_alive) return self->Close();
                       self->Read();
                     });
    Log(x, status, body.size());  // after the write has begun: off the answer's path
  }

  void Log(const Exchange& x, int status, size_t bytes) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - x.start)
            .count();
    RecordHttp(x, status, ms / 1000);
    if (x.span.recording()) {
      x.span.Set("http.response.status_code", status);
      if (!x.tenant.empty() && !x.span.Has("dialogue.tenant"))
        x.span.Set("dialogue.tenant", x.tenant);
      if (status >= 500) x.span.SetError(absl::StrCat("HTTP ", status));
      x.span.End();
    }
    common::ScopedLogContext context(x.trace_id, x.tenant);
    common::Log(status >= 500 ? common::LogLevel::kWarning : common::LogLevel::kInfo, "http",
                {{"method", x.method},
                 {"path", x.target.substr(0, x.target.find('?'))},
                 {"status", absl::StrCat(status)},
                 {"ms", absl::StrCat(ms)},
                 {"upstream_ms", x.upstream_ms < 0 ? std::string() : absl::StrCat(x.upstream_ms)},
                 {"client", x.client},
                 {"bytes", absl::StrCat(bytes)}});
  }

  void Close() {
    idle_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

 public:
  // For Stop(): ends whatever the connection is doing, on its own strand.
  void Abort() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (auto call = self->stream_call_.lock()) call->context.TryCancel();
      self->heartbeat_.reset();
      self->idle_.cancel();
      std::lock_guard<std::mutex> lock(self->mu_);
      if (self->call_ != nullptr) self->call_->context.TryCancel();
      self->CloseSocketLocked();
    });
  }

 private:
  // First, so that it goes last: the socket and timers below belong to the Impl's loops,
  // and a session's last owner may let go after the Gateway is gone.
  std::shared_ptr<Gateway::Impl> gw_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_;
  bool first_ = true;
  // Server-Sent Events state.
  std::weak_ptr<StreamCall> stream_call_;
  std::deque<std::string> outbox_;
  std::unique_ptr<net::steady_timer> heartbeat_;
  bool stream_done_ = false;
  bool streaming_ = false;
  // A unary call's time: shared by the strand and the completion thread that answers it.
  struct Parked {
    beast::error_code ec;
    http::request<http::string_body> request;
  };
  net::steady_timer idle_;
  std::mutex mu_;
  bool busy_ = false;             // a call is in flight, or its answer is being written
  UnaryCall* call_ = nullptr;     // the call in flight, for cancelling
  bool gone_ = false;             // the client went away: nothing more is written
  bool closed_ = false;           // the socket is closed: its descriptor must not be used
  std::optional<Parked> parked_;  // a request pipelined behind the call
  std::string unsent_;            // the part of an answer the socket did not take at once
  // The last request read or answer written, for the idle timer.
  std::chrono::steady_clock::time_point last_active_ = std::chrono::steady_clock::now();
  bool idle_armed_ = false;  // strand only
};

}  // namespace

void Gateway::Impl::Accept() {
  acceptor.async_accept(net::make_strand(*iocs[next_ioc++ % iocs.size()]),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                          if (self->stopped) return;
                          if (!ec) {
                            auto session = std::make_shared<Session>(std::move(socket), self);
                            {
                              std::lock_guard<std::mutex> lock(self->sessions_mu);
                              auto& list = self->sessions;
                              list.erase(std::remove_if(list.begin(), list.end(),
                                                        [](const auto& w) { return w.expired(); }),
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
    u.channel = rpc::BalancedChannel(address);
    u.stub = std::make_unique<grpc::GenericStub>(u.channel);
    u.health = grpc::health::v1::Health::NewStub(u.channel);
    impl->upstreams.emplace(program, std::move(u));
  }
  if (auto planning = impl->upstreams.find("planning"); planning != impl->upstreams.end()) {
    impl->console = std::make_unique<ConsoleSessions>(planning->second.channel, impl->verifier);
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
  impl->running = static_cast<int>(impl->iocs.size());
  for (auto& ioc : impl->iocs) {
    impl->guards.push_back(net::make_work_guard(*ioc));
    // Raw pointers: the Gateway outlives its threads (Stop joins them).
    impl->threads.emplace_back([raw = impl.get(), loop = ioc.get()] {
      loop->run();
      std::lock_guard<std::mutex> lock(raw->running_mu);
      --raw->running;
      raw->running_cv.notify_all();
    });
  }
  for (int i = 0; i < std::max(1, impl->options.call_threads); ++i) {
    impl->call_threads.emplace_back([raw = impl.get()] {
      void* tag = nullptr;
      bool ok = false;
      while (raw->calls.Next(&tag, &ok)) {
        std::unique_ptr<UnaryCall> call(static_cast<UnaryCall*>(tag));
        call->session->Answer(*call);
      }
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
  // Close the door and every connection (cancelling their calls), and let the loops run
  // until every connection has ended; then the threads run out of work and return. Work
  // that does not end within two seconds is abandoned.
  //
  // The loops outlive the connections because a connection's last work may be posted to
  // its loop from elsewhere (a stream's end from a gRPC thread, a connection accepted as
  // the door closes); posted to a stopped loop it would wait there for ever, holding its
  // session, which holds the Impl, which holds the loop.
  net::post(*impl_->iocs[0], [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    std::lock_guard<std::mutex> lock(impl->sessions_mu);
    for (auto& weak : impl->sessions) {
      if (auto session = weak.lock()) impl->close_session(session);
    }
    impl->sessions.clear();
  });
  auto wait_for_none = [impl = impl_.get()](const int& count) {
    std::unique_lock<std::mutex> lock(impl->running_mu);
    impl->running_cv.wait_for(lock, std::chrono::seconds(2), [&] { return count == 0; });
  };
  wait_for_none(impl_->connections);
  impl_->sign_in_pool.join();  // a sign-in under way ends within its deadline
  impl_->guards.clear();
  wait_for_none(impl_->running);
  for (auto& ioc : impl_->iocs) ioc->stop();
  for (auto& t : impl_->threads) t.join();
  // Every call was cancelled above; the completion threads answer what is left and end.
  impl_->calls.Shutdown();
  for (auto& t : impl_->call_threads) t.join();
}

Gateway::~Gateway() { Stop(); }

}  // namespace dialogue::gateway
