// Who an HTTP request comes from. Behind the cluster's Ingress every socket peer is the
// Ingress itself, so the public rate limit would be one budget for the whole province; the
// Ingress names the client in X-Forwarded-For. That header is believed only from a peer
// the operator listed as a trusted proxy: anyone else could write any address into it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dialogue::gateway {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts no one: the socket peer is the client

  // A comma-separated list of addresses and CIDR networks, IPv4 or IPv6
  // ("10.0.0.0/8, 192.168.1.7, fd00::/8"). INVALID_ARGUMENT names the entry that is not one.
  static absl::StatusOr<TrustedProxies> Parse(absl::string_view list);

  bool empty() const { return networks_.empty(); }

  // The client's address: `peer`, unless `peer` is a trusted proxy; then the rightmost
  // address in X-Forwarded-For that is not itself a trusted proxy (what the proxies
  // appended, not what the client wrote). A malformed entry ends the walk at the proxy
  // that passed it on.
  std::string ClientOf(const std::string& peer, absl::string_view forwarded_for) const;

 private:
  struct Network {
    unsigned char bytes[16];  // IPv4 as IPv4-mapped IPv6
    int prefix_bits;
  };
  bool Trusted(const unsigned char (&bytes)[16]) const;

  std::vector<Network> networks_;
};

}  // namespace dialogue::gateway
