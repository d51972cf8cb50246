// The planning program's services in-process on a free local port, wired as main.cc wires
// them, against the harness's PostgreSQL: for gRPC tests that call through real stubs.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "account_service.h"
#include "calendar_service.h"
#include "dialogue/common/status.h"
#include "dialogue/rpc/server.h"
#include "planning_service.h"
#include "tenant_service.h"
#include "test_support.h"

namespace dialogue::testing {

// Short enough for a test to see a lock end and a bearer token renewed.
inline planning::SignInPolicy TestSignInPolicy() {
  planning::SignInPolicy policy;
  policy.lock_after_failures = 3;
  policy.lock_for = absl::Minutes(1);
  return policy;
}

class PlanningServer {
 public:
  PlanningServer() {
    auto source = calendar::CalendarSource::Open(
        absl::StrCat(DIALOGUE_SOURCE_DIR, "/libs/calendar/data/vn_holidays.json"));
    EXPECT_TRUE(source.ok()) << source.status();
    calendar_source_ = *std::move(source);
    calendar_ = std::make_unique<planning::CalendarService>(*calendar_source_, days_off_,
                                                            tenant_store_, authenticator_);
    auto server = rpc::StartServer({"127.0.0.1:0"},
                                   {&planning_, &tenant_service_, calendar_.get(), &accounts_});
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  int port() const { return server_->port(); }
  void Stop() { server_->Shutdown(); }

 private:
  db::ConnectionPool pool_{{PlanningPgUri(), 4}};
  db::TenantDirectory directory_{pool_};
  rpc::Authenticator authenticator_{*auth::TokenVerifier::Hs256(TokenSecret(), "dialogue-local"),
                                    directory_};
  planning::PlanStore plans_{pool_};
  planning::TenantStore tenant_store_{pool_};
  planning::CalendarStore days_off_{pool_};
  planning::PlanningService planning_{plans_, tenant_store_, authenticator_};
  planning::TenantService tenant_service_{tenant_store_, directory_, authenticator_};
  planning::AccountStore account_store_{pool_};
  planning::AccountService accounts_{account_store_, authenticator_,
                                     *auth::TokenIssuer::Hs256(TokenSecret(), "dialogue-local"),
                                     TestSignInPolicy()};
  std::unique_ptr<calendar::CalendarSource> calendar_source_;
  std::unique_ptr<planning::CalendarService> calendar_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace dialogue::testing
