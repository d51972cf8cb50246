// What the notices service does with other services' events, inside the consumer's
// transaction (libs/events applies each event once):
//   SessionAnnounced  -> an announcement draft and an invitation draft, due the tenant's
//                        lead time before the conference, with a warning when it is short
//   SessionConcluded  -> a conclusion-notice draft, due the tenant's working days after the
//                        conference (the extended count when complex)
//   CommitmentDue     -> a reminder, issued at once: to the agency when its report or the
//                        commitment falls due soon; to the agency, the chair and the Front
//                        when it is overdue (supervision's sweep)
#pragma once

#include <set>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/v1/events.pb.h"

namespace dialogue::notices {

// The event types ApplyEvent handles.
const std::set<std::string>& ConsumedEventTypes();

absl::Status ApplyEvent(pqxx::dbtransaction& txn, const v1::Event& event,
                        calendar::CalendarSource& calendar);

}  // namespace dialogue::notices
