#include "audit_events.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/strip.h"
#include "dialogue/common/status.h"

namespace dialogue::planning {

absl::Status RecordAuditEvent(pqxx::dbtransaction& txn, const v1::Event& event) {
  v1::AuditRecorded audit;
  if (!event.payload().UnpackTo(&audit)) {
    return absl::DataLossError("an AuditRecorded event whose payload does not parse");
  }
  std::string tenant(absl::StripPrefix(event.tenant(), "tenants/"));
  txn.exec_params(
      "INSERT INTO accounts.audit_events (tenant_id, time, actor, action, target, client)"
      " VALUES ($1, to_timestamp($2::double precision / 1000000), left($3, 200), left($4, 100),"
      " left($5, 300), left($6, 100))",
      tenant, google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.time()),
      audit.actor(), audit.action(), audit.target(), audit.client());
  return absl::OkStatus();
}

}  // namespace dialogue::planning
