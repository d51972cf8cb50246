// The intake program's service in-process on a free local port, wired as main.cc wires it,
// against the harness's PostgreSQL: for gRPC tests that call through real stubs.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "create_batcher.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/rpc/server.h"
#include "intake_service.h"
#include "store.h"
#include "test_support.h"

namespace dialogue::testing {

class IntakeServer {
 public:
  // `planning`: where rounds tied to a plan read it (none: such rounds are UNAVAILABLE).
  explicit IntakeServer(std::shared_ptr<grpc::Channel> planning = nullptr) {
    auto source = calendar::CalendarSource::Open(
        absl::StrCat(DIALOGUE_SOURCE_DIR, "/libs/calendar/data/vn_holidays.json"));
    EXPECT_TRUE(source.ok()) << source.status();
    calendar_source_ = *std::move(source);
    service_ = std::make_unique<intake::IntakeService>(store_, creates_, *calendar_source_,
                                                       authenticator_, std::move(planning));
    auto server = rpc::StartServer({"127.0.0.1:0"}, {service_.get()});
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  intake::IntakeStore& store() { return store_; }

 private:
  db::ConnectionPool pool_{{IntakePgUri(), 6}};
  db::TenantDirectory directory_{pool_};
  rpc::Authenticator authenticator_{*auth::TokenVerifier::Hs256(TokenSecret(), "dialogue-local"),
                                    directory_};
  intake::IntakeStore store_{pool_, absl::ZeroDuration()};
  intake::CreateBatcher creates_{store_, 3};
  std::unique_ptr<calendar::CalendarSource> calendar_source_;
  std::unique_ptr<intake::IntakeService> service_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace dialogue::testing
