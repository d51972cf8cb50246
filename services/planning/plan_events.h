// What planning does with the events on the stream, inside the consumer's transaction
// (libs/events applies each event once):
//   AuditRecorded     -> the audit log (audit_events.h)
//   SessionAnnounced  -> the plan's conference records its session and date; the tasks
//                        counted from the conference are dated from it
//   NoticeIssued      -> the announcement or invitation of a session issued: the plan's
//                        tasks for it are done
//   SessionConcluded  -> the conference held: the plan's task of preparing its hall is done
#pragma once

#include <set>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "dialogue/v1/events.pb.h"

namespace dialogue::planning {

const std::set<std::string>& ConsumedEventTypes();

absl::Status ApplyEvent(pqxx::dbtransaction& txn, const v1::Event& event);

}  // namespace dialogue::planning
