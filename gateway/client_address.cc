#include "client_address.h"

#include <cstring>

#include <boost/asio/ip/address.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace dialogue::gateway {
namespace {

// `text` as 16 bytes, IPv4 mapped into IPv6 (so "::ffff:10.0.0.1" as a peer and "10.0.0.1"
// in the list are the same host), or false when it is not an address.
bool ToBytes(absl::string_view text, unsigned char (&out)[16]) {
  boost::system::error_code ec;
  boost::asio::ip::address address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return false;
  boost::asio::ip::address_v6 v6 =
      address.is_v4()
          ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4())
          : address.to_v6();
  const auto bytes = v6.to_bytes();
  std::memcpy(out, bytes.data(), 16);
  return true;
}

}  // namespace

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(absl::string_view list) {
  TrustedProxies proxies;
  for (absl::string_view entry : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    std::vector<absl::string_view> parts = absl::StrSplit(entry, absl::MaxSplits('/', 1));
    Network network{};
    if (!ToBytes(parts[0], network.bytes)) {
      return absl::InvalidArgumentError(
          absl::StrCat("trusted proxy \"", entry, "\" is not an address or a CIDR network"));
    }
    const bool v4 = parts[0].find(':') == absl::string_view::npos;
    network.prefix_bits = 128;
    if (parts.size() == 2) {
      int bits = -1;
      if (!absl::SimpleAtoi(parts[1], &bits) || bits < 0 || bits > (v4 ? 32 : 128)) {
        return absl::InvalidArgumentError(
            absl::StrCat("trusted proxy \"", entry, "\" has a prefix length out of range"));
      }
      network.prefix_bits = v4 ? 96 + bits : bits;
    }
    proxies.networks_.push_back(network);
  }
  return proxies;
}

bool TrustedProxies::Trusted(const unsigned char (&bytes)[16]) const {
  for (const Network& network : networks_) {
    int whole = network.prefix_bits / 8, rest = network.prefix_bits % 8;
    if (std::memcmp(bytes, network.bytes, whole) != 0) continue;
    if (rest != 0) {
      unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
      if ((bytes[whole] & mask) != (network.bytes[whole] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string TrustedProxies::ClientOf(const std::string& peer,
                                     absl::string_view forwarded_for) const {
  unsigned char bytes[16];
  if (networks_.empty() || !ToBytes(peer, bytes) || !Trusted(bytes)) return peer;
  std::string client = peer;
  std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',');
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    absl::string_view address = absl::StripAsciiWhitespace(*hop);
    if (address.empty() || !ToBytes(address, bytes)) break;
    client = std::string(address);
    if (!Trusted(bytes)) break;
  }
  return client;
}

}  // namespace dialogue::gateway
