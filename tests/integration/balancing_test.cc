// Client-side balancing: two replicas of planning on this machine, reached through one
// name that resolves to both (as a headless Service's DNS name does in the cluster). The
// services' and the gateway's channels (rpc::BalancedChannel) spread calls over both and
// keep calling when one goes away; a default channel sends every call to one.
#include <map>

#include "absl/strings/str_cat.h"
#include "dialogue/rpc/channel.h"
#include "planning_server.h"

namespace dialogue {
namespace {

using ::dialogue::testing::PlanningServer;

// Calls ConvertDate `calls` times on `channel`; how many each server answered, by the peer
// address the call reached. A failed call counts under its error.
std::map<std::string, int> CallsByPeer(const std::shared_ptr<grpc::Channel>& channel, int calls) {
  auto stub = v1::CalendarService::NewStub(channel);
  std::map<std::string, int> by_peer;
  for (int i = 0; i < calls; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ConvertDateRequest request;
    request.set_solar_date("2026-04-26");
    v1::ConvertDateResponse response;
    grpc::Status status = stub->ConvertDate(&context, request, &response);
    ++by_peer[status.ok() ? context.peer() : "error: " + status.error_message()];
  }
  return by_peer;
}

std::string Peer(const PlanningServer& server) {
  return absl::StrCat("ipv4:127.0.0.1:", server.port());
}

TEST(BalancingTest, ABalancedChannelSpreadsCallsOverEveryReplicaOfAName) {
  PlanningServer first, second;
  const std::string target =
      absl::StrCat("ipv4:127.0.0.1:", first.port(), ",127.0.0.1:", second.port());

  std::map<std::string, int> balanced = CallsByPeer(rpc::BalancedChannel(target), 40);
  EXPECT_EQ(balanced.size(), 2u);
  // Round robin: each replica takes every other call once both are connected.
  EXPECT_GE(balanced[Peer(first)], 15);
  EXPECT_GE(balanced[Peer(second)], 15);

  // What the programs did before: the default policy (pick_first) uses one address only.
  std::map<std::string, int> unbalanced =
      CallsByPeer(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()), 40);
  EXPECT_EQ(unbalanced.size(), 1u);
}

TEST(BalancingTest, CallsGoOnWhenAReplicaStops) {
  PlanningServer first, second;
  auto channel = rpc::BalancedChannel(
      absl::StrCat("ipv4:127.0.0.1:", first.port(), ",127.0.0.1:", second.port()));
  ASSERT_EQ(CallsByPeer(channel, 10).size(), 2u);

  second.Stop();  // a rolling update takes one pod away
  std::map<std::string, int> after = CallsByPeer(channel, 20);
  EXPECT_EQ(after[Peer(first)], 20) << "every call reaches the replica that is left";
}

}  // namespace
}  // namespace dialogue
