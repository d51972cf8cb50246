// Client channels to the other programs, made the same way everywhere.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace dialogue::rpc {

// A channel that spreads calls over every address `target` resolves to (the round_robin
// policy), so that `dns:///intake:7002`, the headless Service of a Deployment, reaches each
// of its replicas rather than the first. A target of one address behaves as before.
// Servers end their connections after a while (ServerOptions::max_connection_age), which
// makes the channel resolve the name again and find replicas added since.
std::shared_ptr<grpc::Channel> BalancedChannel(const std::string& target);

}  // namespace dialogue::rpc
