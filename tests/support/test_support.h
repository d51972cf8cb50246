// What every test tier shares: status matchers, the stack the harness started
// (scripts/test exports its addresses), tokens, fresh tenants, and the seed plans.
#pragma once

#include <functional>

#include <google/protobuf/struct.pb.h>
#include <grpcpp/grpcpp.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dialogue/auth/principal.h"
#include "dialogue/common/status.h"
#include "dialogue/db/pool.h"
#include "dialogue/events/consumer.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/planning.pb.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::testing {

// ---- Matchers --------------------------------------------------------------------------

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P(StatusIs, code, "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, reason,
           "has code " + absl::StatusCodeToString(code) + " and reason " + std::string(reason)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s << " with reason '" << common::ErrorReason(s) << "'";
  return s.code() == code && common::ErrorReason(s) == reason;
}

// ---- The stack -------------------------------------------------------------------------

// An environment variable scripts/test sets; fails the test loudly when it is missing.
std::string StackEnv(const char* name);
// Administrator's URI (superuser: bypasses RLS; for checking what was really written).
std::string AdminPgUri();
// The planning service's own role, subject to RLS.
std::string PlanningPgUri();
// The intake service's own role, subject to RLS.
std::string IntakePgUri();
// The notices service's own role, subject to RLS.
std::string NoticesPgUri();
// The sessions service's own role, subject to RLS.
std::string SessionsPgUri();
// Any service's own role ("supervision"), subject to RLS.
std::string ServicePgUri(const std::string& service);
std::string TokenSecret();

std::string Token(const std::string& tenant, std::initializer_list<auth::Role> roles,
                  const std::string& province = "", absl::Duration ttl = absl::Hours(1));
// The same with its own subject: the chair and the secretary are two people.
std::string TokenAs(const std::string& subject, const std::string& tenant,
                    std::initializer_list<auth::Role> roles, const std::string& province = "",
                    absl::Duration ttl = absl::Hours(1));

// A token of `department`'s own staff in `tenant` (the department role and its claim).
std::string DepartmentToken(const std::string& tenant, const std::string& department);

// A fresh province and communes with unique ids, created through the real TenantStore.
struct Province {
  std::string id;
  std::vector<std::string> tenants;
};
Province NewProvince(int communes, const std::vector<v1::Hamlet>& hamlets = {});
// One more commune of `province` (its id), named `display_name`: its id.
std::string NewCommuneIn(const std::string& province, const std::string& display_name);
// A commune made like `model` (its name, kind, voters, hamlets and rules) in a fresh
// province of its own, with a unique id: its id. With `parent` (a district's id), a
// commune of that district, in its province.
std::string CommuneLike(const v1::Tenant& model, const std::string& parent = "");

// A channel to the stack's service whose address is in `env` ("DIALOGUE_INTAKE_ADDR").
std::shared_ptr<grpc::Channel> StackChannel(const char* env);
// A TCP port on 127.0.0.1 that was free a moment ago, for a server a test starts.
int FreePort();

// Runs SQL as the administrator and returns the first column of the first row.
std::string AdminQuery(const std::string& sql);
// The first event of `type` ("SessionConcluded") in `schema`'s outbox for `tenant` (ordered
// by id), as stored: NOT_FOUND when there is none, DATA_LOSS when it does not parse.
absl::StatusOr<v1::Event> OutboxEvent(const std::string& schema, const std::string& tenant,
                                      const std::string& type);
// Every event of `type` there, in order; DATA_LOSS when one does not parse.
absl::StatusOr<std::vector<v1::Event>> OutboxEvents(const std::string& schema,
                                                    const std::string& tenant,
                                                    const std::string& type);

// The five seed plans of shared/seeds, as stored in deploy/demo/plans.
std::vector<v1::CreatePlanRequest> SeedPlans();
// deploy/demo/tenants.json.
v1::ListTenantsResponse DemoTenants();

// ---- Documents -------------------------------------------------------------------------

// The output of `command` run by the shell; a non-zero exit is a test failure.
std::string Shell(const std::string& command);
// What python-docx (Debian's python3-docx) reads from the .docx at `path`
// (tests/support/read_docx.py): the page, the default font, and every paragraph of the body
// and of each table cell with its text and emphasis.
google::protobuf::Struct ReadDocx(const std::string& path);
// The text of every paragraph ReadDocx read, the body's then each table's cell by cell,
// line breaks as spaces.
std::vector<std::string> DocxTexts(const google::protobuf::Struct& docx);

// ---- Events ----------------------------------------------------------------------------
// A Redis stream of the test's own (the stack's consumers read the shared one), and a
// consumer of it that applies its events as a service's consumer would.
class TestStream {
 public:
  explicit TestStream(absl::string_view prefix);  // e.g. "notices-test"

  void Publish(const std::string& tenant, const std::string& source,
               const google::protobuf::Message& payload, const std::string& event_id);
  // Polls three times with a consumer of `options` on this stream, handling events with
  // `handler`; the counts summed.
  events::PollResult Drain(db::ConnectionPool& pool, events::ConsumerOptions options,
                           const events::Handler& handler);

 private:
  events::RedisAddress redis_;
  std::string name_;
};

// ---- gRPC ------------------------------------------------------------------------------

// Calls `method` on `stub` with a bearer token (none when empty); the status as absl.
template <typename Stub, typename Request, typename Response, typename Method>
absl::Status CallWith(Stub& stub, Method method, const std::string& token, const Request& request,
                      Response* response) {
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return common::FromGrpcStatus((stub.*method)(&context, request, response));
}

// A small valid plan for `year`, with one conference in April and three tasks.
v1::Plan SamplePlan(int year = 2026);

// A published SamplePlan(2027) of `tenant`, its conference "1" (April 2027) held in hamlet
// "an-son", made on the stack's planning service; its name.
// `adjust`, when given, changes the plan before it is created.
std::string PublishedPlan(const std::string& tenant,
                          const std::function<void(v1::Plan&)>& adjust = nullptr);

}  // namespace dialogue::testing
