// The gateway's client address behind proxies: X-Forwarded-For is believed only from a
// trusted proxy, and only as far as the proxies appended it.
#include "client_address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dialogue::gateway {
namespace {

TEST(TrustedProxiesTest, NoneTrustedMeansTheSocketPeer) {
  TrustedProxies none;
  EXPECT_EQ(none.ClientOf("10.0.0.5", "203.0.113.9"), "10.0.0.5");
}

TEST(TrustedProxiesTest, AnIngressInTheListNamesTheClient) {
  auto proxies = TrustedProxies::Parse("10.0.0.0/8, 192.168.1.7");
  ASSERT_TRUE(proxies.ok()) << proxies.status();
  EXPECT_EQ(proxies->ClientOf("10.2.3.4", "203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(proxies->ClientOf("192.168.1.7", " 203.0.113.9 "), "203.0.113.9");
  // The same peer as an IPv4-mapped IPv6 socket address.
  EXPECT_EQ(proxies->ClientOf("::ffff:10.2.3.4", "203.0.113.9"), "203.0.113.9");
  // Not in the list: its header is anyone's to write.
  EXPECT_EQ(proxies->ClientOf("192.168.1.8", "203.0.113.9"), "192.168.1.8");
  EXPECT_EQ(proxies->ClientOf("11.0.0.1", "203.0.113.9"), "11.0.0.1");
}

TEST(TrustedProxiesTest, AClientCannotChooseItsAddressByWritingTheHeader) {
  auto proxies = TrustedProxies::Parse("10.0.0.0/8");
  ASSERT_TRUE(proxies.ok());
  // The client sent "X-Forwarded-For: 1.2.3.4"; the Ingress appended the real address.
  EXPECT_EQ(proxies->ClientOf("10.0.0.2", "1.2.3.4, 198.51.100.20"), "198.51.100.20");
  // Two proxies in a row (a load balancer, then the Ingress): both skipped.
  EXPECT_EQ(proxies->ClientOf("10.0.0.2", "1.2.3.4, 198.51.100.20, 10.9.9.9"), "198.51.100.20");
  // Garbage stops the walk at the proxy that passed it on.
  EXPECT_EQ(proxies->ClientOf("10.0.0.2", "198.51.100.20, not-an-address"), "10.0.0.2");
  // No header: the proxy itself (one budget for what it does not name).
  EXPECT_EQ(proxies->ClientOf("10.0.0.2", ""), "10.0.0.2");
}

TEST(TrustedProxiesTest, IPv6NetworksAndPrefixes) {
  auto proxies = TrustedProxies::Parse("fd00::/8,172.16.0.0/12");
  ASSERT_TRUE(proxies.ok()) << proxies.status();
  EXPECT_EQ(proxies->ClientOf("fd12::1", "2001:db8::7"), "2001:db8::7");
  EXPECT_EQ(proxies->ClientOf("fe80::1", "2001:db8::7"), "fe80::1");
  EXPECT_EQ(proxies->ClientOf("172.31.255.1", "203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(proxies->ClientOf("172.32.0.1", "203.0.113.9"), "172.32.0.1");
}

TEST(TrustedProxiesTest, AListThatIsNotOneIsRefusedAtStartUp) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0/8", "ingress", "fd00::/129", "10.0.0.0/x"}) {
    auto parsed = TrustedProxies::Parse(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(parsed.status().message(), ::testing::HasSubstr("trusted proxy")) << bad;
  }
  auto empty = TrustedProxies::Parse("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace dialogue::gateway
