// The planning program's consumer of AuditRecorded events: every service's record of a
// change a signed-in person made, stored in the audit log (accounts.audit_events) beside
// the sign-ins, inside the consumer's transaction for the event's commune.
#pragma once

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "dialogue/v1/events.pb.h"

namespace dialogue::planning {

absl::Status RecordAuditEvent(pqxx::dbtransaction& txn, const v1::Event& event);

}  // namespace dialogue::planning
