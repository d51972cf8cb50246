// Writing an event to a service's outbox, in the caller's transaction: the relay
// publishes it once that transaction commits.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "dialogue/v1/events.pb.h"

namespace dialogue::events {

// `outbox` is the service's table, e.g. "sessions.outbox".
void AppendToOutbox(pqxx::dbtransaction& txn, const std::string& outbox, const std::string& tenant,
                    const ::dialogue::v1::Event& event);

}  // namespace dialogue::events
