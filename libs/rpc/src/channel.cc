#include "dialogue/rpc/channel.h"

namespace dialogue::rpc {

std::shared_ptr<grpc::Channel> BalancedChannel(const std::string& target) {
  grpc::ChannelArguments arguments;
  arguments.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
}

}  // namespace dialogue::rpc
