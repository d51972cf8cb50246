// The event backbone (libs/events) on the real PostgreSQL and a Redis this test starts
// and stops itself: relay order and marking, Redis restarted mid-stream, a consumer
// killed mid-batch, redelivery applied once, dead letters parked and replayed, and RLS on
// the outbox's relay policy.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "dialogue/common/names.h"
#include "dialogue/events/consumer.h"
#include "dialogue/events/relay.h"
#include "redis_server.h"
#include "test_support.h"

namespace dialogue::events {
namespace {

using testing::AdminQuery;
using testing::FreePort;
using namespace std::chrono_literals;

using testing::RedisServer;

constexpr char kRole[] = "dialogue_events_test";

// A schema shaped like a service's (libs/events/sql/service_tables.sql): an outbox with
// the relay's policy and trigger, processed events, and the handler's effects.
void CreateSchema() {
  std::ifstream in(absl::StrCat(DIALOGUE_SOURCE_DIR, "/libs/events/sql/service_tables.sql"));
  std::stringstream sql;
  sql << in.rdbuf();
  ASSERT_FALSE(sql.str().empty());
  AdminQuery(absl::StrCat(
      absl::StrReplaceAll(sql.str(), {{":schema", "events_test"}, {":role", kRole}}), "SELECT 1"));
}

std::string RoleUri() {
  return absl::StrCat("postgresql://", kRole, "@127.0.0.1:", testing::StackEnv("DIALOGUE_PG_PORT"),
                      "/dialogue");
}

int Count(const std::string& sql) { return std::stoi(AdminQuery(sql)); }

class EventsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { CreateSchema(); }

  void SetUp() override {
    AdminQuery(
        "TRUNCATE events_test.outbox, events_test.processed_events, events_test.effects;"
        " SELECT 1");
    stream_ = absl::StrCat("events-test:", common::NewUuid());
    dead_ = stream_ + ":dead";
  }

  // Writes one event per call, for `tenant`, as a service's store does: in a transaction
  // of that tenant.
  std::string Emit(const std::string& tenant, const std::string& type = "test.Happened") {
    v1::Event event;
    event.set_id(common::NewUuid());
    event.set_type(type);
    event.set_tenant("tenants/" + tenant);
    event.set_source("events_test");
    auto s = pool_.InTransaction(db::TenantScope::Of(tenant), [&](pqxx::dbtransaction& txn) {
      txn.exec_params(
          "INSERT INTO events_test.outbox (tenant_id, event_id, event_type, payload)"
          " VALUES ($1, $2::uuid, $3, decode($4, 'hex'))",
          tenant, event.id(), event.type(), absl::BytesToHexString(event.SerializeAsString()));
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return event.id();
  }

  RelayOptions Relay() {
    RelayOptions o;
    o.outbox = "events_test.outbox";
    o.pg_uri = RoleUri();
    o.stream = stream_;
    o.idle_poll = 100ms;
    o.max_backoff = 400ms;
    return o;
  }

  ConsumerOptions Consume(const std::string& name) {
    ConsumerOptions o;
    o.group = "events-test";
    o.consumer = name;
    o.processed_table = "events_test.processed_events";
    o.stream = stream_;
    o.dead_letter_stream = dead_;
    o.block = 100ms;
    o.claim_idle = 300ms;
    o.max_deliveries = 3;
    return o;
  }

  // The handler every consumer here runs: one effect row per application.
  static Handler Record(const std::string& by) {
    return [by](pqxx::dbtransaction& txn, const v1::Event& event) {
      txn.exec_params(
          "INSERT INTO events_test.effects (tenant_id, event_id, applied_by)"
          " VALUES (current_setting('app.tenant_id'), $1, $2)",
          event.id(), by);
      return absl::OkStatus();
    };
  }

  // Polls until `done` or `limit` passes.
  static bool Eventually(const std::function<bool()>& done, std::chrono::seconds limit = 20s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return done();
  }

  db::ConnectionPool pool_{{RoleUri(), 4}};
  RedisServer redis_;
  std::string stream_, dead_;
};

// How many entries the stream has in `database` of the server at `address`.
long long StreamLength(RedisAddress address, int database) {
  address.database = database;
  RedisClient client(address);
  auto length = client.Command({"XLEN", "dialogue:events"});
  EXPECT_TRUE(length.ok()) << length.status();
  return length.ok() ? length->integer : -1;
}

TEST(RedisUriTest, ReadsUserPasswordHostPortAndDatabase) {
  auto full = ParseRedisUri("redis://relay:p%40ss%3Aword@redis.example:6380/3");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->user, "relay");
  EXPECT_EQ(full->password, "p@ss:word");
  EXPECT_EQ(full->host, "redis.example");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->database, 3);
  EXPECT_EQ(full->Describe(), "redis.example:6380/3") << "never the password";

  auto password_only = ParseRedisUri("redis://:s3cret@redis");
  ASSERT_TRUE(password_only.ok()) << password_only.status();
  EXPECT_EQ(password_only->user, "");
  EXPECT_EQ(password_only->password, "s3cret");
  EXPECT_EQ(password_only->port, 6379);
  EXPECT_EQ(password_only->database, 0);

  auto bare = ParseRedisUri("127.0.0.1:7000");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->port, 7000);
}

TEST(RedisUriTest, RefusesWhatItCannotHonour) {
  for (const char* uri : {"redis://host:0", "redis://host:x", "redis://:6379", "redis://host/db",
                          "redis://nocolon@host", "redis://:bad%4@host"}) {
    auto parsed = ParseRedisUri(uri);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << uri;
  }
  // TLS cannot be honoured by this hiredis: said at start-up, not found out at the first
  // event.
  auto tls = ParseRedisUri("rediss://user:pw@managed.example:6380/2");
  EXPECT_EQ(tls.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(tls.status().message(), ::testing::HasSubstr("TLS"));
}

TEST(RedisAuthTest, AuthenticatesAndUsesItsDatabase) {
  RedisServer redis({"--requirepass", "admin-pw"}, *ParseRedisUri("redis://:admin-pw@127.0.0.1"));
  RedisClient admin(redis.address());
  auto created = admin.Command({"ACL", "SETUSER", "relay", "on", ">relay-pw", "~*", "&*", "+@all"});
  ASSERT_TRUE(created.ok() && !created->is_error()) << created.status() << created->str;
  RedisAddress relay = redis.address();
  relay.user = "relay";
  relay.password = "relay-pw";
  relay.database = 3;
  RedisClient client(relay);
  auto added = client.Command({"XADD", "dialogue:events", "*", "k", "v"});
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_FALSE(added->is_error()) << added->str;

  // The entry is in database 3, not in the default one.
  EXPECT_EQ(StreamLength(redis.address(), 0), 0);
  EXPECT_EQ(StreamLength(redis.address(), 3), 1);
}

TEST(RedisAuthTest, AWrongPasswordIsRefusedClearlyAndNotLogged) {
  RedisServer redis({"--requirepass", "admin-pw"}, *ParseRedisUri("redis://:admin-pw@127.0.0.1"));
  RedisAddress wrong = redis.address();
  wrong.password = "not-the-password";
  RedisClient client(wrong);
  auto refused = client.Ping();
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("AUTH refused"));
  EXPECT_THAT(refused.message(), ::testing::Not(::testing::HasSubstr("not-the-password")));

  RedisAddress none = redis.address();
  none.password.clear();
  RedisClient anonymous(none);
  auto reply = anonymous.Command({"XLEN", "dialogue:events"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(reply->is_error()) << "without AUTH Redis answers NOAUTH";
}

// The province overlay's way to a managed Redis that takes TLS only: the stunnel sidecar,
// with the component's own stunnel.conf, in front of a Redis that listens with TLS.
TEST(RedisAuthTest, ReachesATlsOnlyRedisThroughTheTunnelOfTheProvinceOverlay) {
  const auto dir = std::filesystem::temp_directory_path() / absl::StrCat("redis-tls-", FreePort());
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_EQ(std::system(absl::StrCat("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "
                                     "/CN=localhost -addext subjectAltName=DNS:localhost -keyout ",
                                     key, " -out ", cert, " 2>/dev/null")
                            .c_str()),
            0);
  const int tls_port = FreePort();
  RedisServer redis(
      {"--tls-port", absl::StrCat(tls_port), "--tls-cert-file", cert, "--tls-key-file", key,
       "--tls-ca-cert-file", cert, "--tls-auth-clients", "no", "--requirepass", "managed-pw"},
      *ParseRedisUri("redis://:managed-pw@127.0.0.1"));

  // The committed configuration, pointed at this machine's server and certificate.
  std::ifstream in(
      absl::StrCat(DIALOGUE_SOURCE_DIR, "/deploy/k8s/components/redis-tls/stunnel.conf"));
  std::stringstream text;
  text << in.rdbuf();
  const int tunnel_port = FreePort();
  std::string conf = absl::StrReplaceAll(
      text.str(),
      {{"accept = 127.0.0.1:6379", absl::StrCat("accept = 127.0.0.1:", tunnel_port)},
       {"connect = redis.example.gov.vn:6380", absl::StrCat("connect = 127.0.0.1:", tls_port)},
       {"CAfile = /etc/ssl/certs/ca-certificates.crt", "CAfile = " + cert},
       {"checkHost = redis.example.gov.vn", "checkHost = localhost"}});
  ASSERT_NE(conf, text.str()) << "the component's stunnel.conf changed shape";
  std::ofstream((dir / "stunnel.conf").string()) << conf;
  pid_t stunnel = fork();
  if (stunnel == 0) {
    execlp("stunnel", "stunnel", (dir / "stunnel.conf").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }

  // What the program is given: redis://USER:PASSWORD@127.0.0.1:PORT/DB, the tunnel.
  auto address = ParseRedisUri(absl::StrCat("redis://:managed-pw@127.0.0.1:", tunnel_port, "/2"));
  ASSERT_TRUE(address.ok()) << address.status();
  RedisClient client(*address);
  absl::StatusOr<RedisReply> added = absl::UnavailableError("not tried");
  for (int i = 0; i < 50; ++i) {  // stunnel takes a moment to listen
    added = client.Command({"XADD", "dialogue:events", "*", "k", "v"});
    if (added.ok()) break;
    std::this_thread::sleep_for(100ms);
  }
  kill(stunnel, SIGTERM);
  waitpid(stunnel, nullptr, 0);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_FALSE(added->is_error()) << added->str;
  EXPECT_EQ(StreamLength(redis.address(), 2), 1);
}

TEST_F(EventsTest, RelayPublishesInOrderAndMarksSent) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(Emit("xa-a"));
  for (int i = 0; i < 2; ++i) ids.push_back(Emit("xa-b"));
  OutboxRelay relay(pool_, redis_.address(), Relay());
  auto published = relay.RelayOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, 5);
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.outbox WHERE sent_time IS NULL"), 0);
  RedisClient redis(redis_.address());
  auto range = redis.Command({"XRANGE", stream_, "-", "+"});
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->elements.size(), 5u);
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& fields = range->elements[i].elements[1].elements;
    ASSERT_GE(fields.size(), 8u);
    EXPECT_EQ(fields[1].str, ids[i]) << "entry " << i;
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(fields[7].str));
    EXPECT_EQ(event.id(), ids[i]);
  }
  EXPECT_EQ(*relay.RelayOnce(), 0) << "nothing is published twice";
}

TEST_F(EventsTest, RowsWaitWhileRedisIsDownAndGoOutWhenItIsBack) {
  Emit("xa-a");
  redis_.Kill();
  OutboxRelay relay(pool_, redis_.address(), Relay());
  auto published = relay.RelayOnce();
  EXPECT_TRUE(absl::IsUnavailable(published.status())) << published.status();
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.outbox WHERE sent_time IS NULL"), 1);
  redis_.Start();
  published = relay.RelayOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, 1);
}

TEST_F(EventsTest, RedisRestartedMidStreamLosesNothingAndAppliesNothingTwice) {
  OutboxRelay relay(pool_, redis_.address(), Relay());
  relay.Start();
  Consumer consumer(pool_, redis_.address(), Consume("one"), Record("one"));
  consumer.Start();
  const char* tenants[] = {"xa-a", "xa-b", "xa-c"};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      Emit(tenants[i % 3]);
      written++;
      std::this_thread::sleep_for(2ms);
    }
  });
  ASSERT_TRUE(Eventually([&] { return written >= 100; }));
  redis_.Kill();
  std::this_thread::sleep_for(500ms);  // writes go on; the relay and consumer fail and wait
  redis_.Start();
  writer.join();
  EXPECT_TRUE(Eventually([&] { return Count("SELECT count(*) FROM events_test.effects") >= 300; }))
      << Count("SELECT count(*) FROM events_test.effects") << " of 300 applied";
  std::this_thread::sleep_for(300ms);  // anything applied twice would show by now
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.effects"), 300);
  EXPECT_EQ(Count("SELECT count(DISTINCT event_id) FROM events_test.effects"), 300);
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.outbox WHERE sent_time IS NULL"), 0);
}

TEST_F(EventsTest, AnEventPublishedTwiceIsAppliedOnce) {
  std::string id = Emit("xa-a");
  OutboxRelay relay(pool_, redis_.address(), Relay());
  ASSERT_EQ(*relay.RelayOnce(), 1);
  // The relay crashed after XADD and before its commit: the row is still unsent.
  AdminQuery("UPDATE events_test.outbox SET sent_time = NULL; SELECT 1");
  ASSERT_EQ(*relay.RelayOnce(), 1);
  Consumer consumer(pool_, redis_.address(), Consume("one"), Record("one"));
  auto polled = consumer.PollOnce();
  ASSERT_TRUE(polled.ok()) << polled.status();
  EXPECT_EQ(polled->applied, 1);
  EXPECT_EQ(polled->skipped, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.effects"), 1);
}

TEST_F(EventsTest, AConsumerKilledMidBatchLeavesTheRestToAnother) {
  for (int i = 0; i < 5; ++i) Emit("xa-a");
  for (int i = 0; i < 5; ++i) Emit("xa-b");
  {
    OutboxRelay relay(pool_, redis_.address(), Relay());
    ASSERT_EQ(*relay.RelayOnce(), 10);
  }
  // A consumer process that reads the batch of ten, commits commune A's five (one
  // transaction per tenant), and dies in the middle of commune B's, before any XACK.
  pid_t child = fork();
  if (child == 0) {
    db::ConnectionPool pool({RoleUri(), 1});
    int seen = 0;
    Consumer doomed(pool, redis_.address(), Consume("doomed"),
                    [&](pqxx::dbtransaction& txn, const v1::Event& event) {
                      if (++seen == 8) _exit(9);
                      return Record("doomed")(txn, event);
                    });
    (void)doomed.PollOnce();
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 9) << "the consumer did not die mid-batch";
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.effects WHERE tenant_id = 'xa-a'"), 5);
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.effects WHERE tenant_id = 'xa-b'"), 0);

  Consumer heir(pool_, redis_.address(), Consume("heir"), Record("heir"));
  PollResult total;
  ASSERT_TRUE(Eventually([&] {
    auto polled = heir.PollOnce();
    EXPECT_TRUE(polled.ok()) << polled.status();
    if (polled.ok()) {
      total.applied += polled->applied;
      total.skipped += polled->skipped;
    }
    return total.applied + total.skipped >= 10;
  }));
  EXPECT_EQ(total.applied, 5);
  EXPECT_EQ(total.skipped, 5);
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.effects"), 10);
  EXPECT_EQ(Count("SELECT count(DISTINCT event_id) FROM events_test.effects"), 10);
  RedisClient redis(redis_.address());
  auto pending = redis.Command({"XPENDING", stream_, "events-test"});
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->elements[0].integer, 0) << "every entry acknowledged";
}

TEST_F(EventsTest, AnEventThatKeepsFailingIsParkedThenReplayed) {
  std::string good = Emit("xa-a");
  std::string poison = Emit("xa-a", "test.Poison");
  OutboxRelay relay(pool_, redis_.address(), Relay());
  ASSERT_EQ(*relay.RelayOnce(), 2);
  bool fixed = false;
  Handler handler = [&](pqxx::dbtransaction& txn, const v1::Event& event) {
    if (event.type() == "test.Poison" && !fixed) {
      return absl::FailedPreconditionError("no template for test.Poison");
    }
    return Record("one")(txn, event);
  };
  Consumer consumer(pool_, redis_.address(), Consume("one"), handler);
  int parked = 0;
  ASSERT_TRUE(Eventually([&] {
    auto polled = consumer.PollOnce();
    if (polled.ok()) parked += polled->parked;
    return parked == 1;
  }));
  EXPECT_EQ(AdminQuery("SELECT string_agg(event_id, ',') FROM events_test.effects"), good);

  RedisClient redis(redis_.address());
  auto letters = ListDeadLetters(redis, 10, dead_);
  ASSERT_TRUE(letters.ok()) << letters.status();
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].event.id(), poison);
  EXPECT_EQ((*letters)[0].group, "events-test");
  EXPECT_EQ((*letters)[0].deliveries, 3);
  EXPECT_EQ((*letters)[0].error, "no template for test.Poison");

  fixed = true;
  auto replayed = ReplayDeadLetters(redis, {}, stream_, dead_);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*replayed, 1);
  ASSERT_TRUE(Eventually([&] {
    auto polled = consumer.PollOnce();
    return polled.ok() && polled->applied == 1;
  }));
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.effects"), 2);
  EXPECT_TRUE(ListDeadLetters(redis, 10, dead_)->empty());
  EXPECT_TRUE(absl::IsNotFound(ReplayDeadLetters(redis, {"1-1"}, stream_, dead_).status()));
}

TEST_F(EventsTest, AnEntryThatIsNotAnEventIsParkedAtOnce) {
  RedisClient redis(redis_.address());
  ASSERT_TRUE(redis.Command({"XADD", stream_, "*", "event", "not a protobuf \xff"}).ok());
  Consumer consumer(pool_, redis_.address(), Consume("one"), Record("one"));
  auto polled = consumer.PollOnce();
  ASSERT_TRUE(polled.ok()) << polled.status();
  EXPECT_EQ(polled->parked, 1);
  EXPECT_EQ(ListDeadLetters(redis, 10, dead_)->size(), 1u);
  EXPECT_EQ(Count("SELECT count(*) FROM events_test.effects"), 0);
}

TEST_F(EventsTest, OnlyTheRelayReadsEveryTenantsOutbox) {
  Emit("xa-a");
  Emit("xa-b");
  auto seen = [&](const db::TenantScope& scope, bool relay) {
    return pool_.InTransaction(scope, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
      if (relay) txn.exec("SELECT set_config('app.outbox_relay', 'on', true)");
      auto marked = txn.exec("UPDATE events_test.outbox SET sent_time = now()");
      return static_cast<int>(marked.affected_rows());
    });
  };
  EXPECT_EQ(*seen(db::TenantScope::Of("xa-a"), false), 1) << "a tenant marks only its rows";
  EXPECT_EQ(*seen(db::TenantScope{}, false), 0) << "no tenant, no rows";
  EXPECT_EQ(*seen(db::TenantScope{}, true), 2);
  // The processed-events record of one tenant is invisible to another.
  Consumer consumer(pool_, redis_.address(), Consume("one"), Record("one"));
  AdminQuery("UPDATE events_test.outbox SET sent_time = NULL; SELECT 1");
  OutboxRelay relay(pool_, redis_.address(), Relay());
  ASSERT_EQ(*relay.RelayOnce(), 2);
  ASSERT_EQ(consumer.PollOnce()->applied, 2);
  auto processed = pool_.InTransaction(db::TenantScope::Of("xa-b"),
                                       [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
                                         return txn
                                             .exec1(
                                                 "SELECT count(*) FROM "
                                                 "events_test.processed_events")[0]
                                             .as<int>();
                                       });
  EXPECT_EQ(*processed, 1);
}

}  // namespace
}  // namespace dialogue::events
