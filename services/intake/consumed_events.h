// What intake does with other services' events, inside the consumer's transaction
// (libs/events applies each event once):
//   SessionConcluded -> the opinions answered in the room become ANSWERED
#pragma once

#include <set>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "dialogue/v1/events.pb.h"

namespace dialogue::intake {

const std::set<std::string>& ConsumedEventTypes();

absl::Status ApplyEvent(pqxx::dbtransaction& txn, const v1::Event& event);

}  // namespace dialogue::intake
