// What supervision does with other services' events, inside the consumer's transaction
// (libs/events applies each event once):
//   PlanPublished     -> the conferences the commune planned for the year
//   SessionConcluded  -> the conference held, its conclusion notice's due date, and one
//                        commitment per item that calls for action (once per item, however
//                        often the event comes)
//   NoticeIssued      -> for a conclusion notice: the day it was issued, which fixes the
//                        agencies' report due dates (7 working days after, a tenant rule)
#pragma once

#include <set>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/v1/events.pb.h"

namespace dialogue::supervision {

const std::set<std::string>& ConsumedEventTypes();

absl::Status ApplyEvent(pqxx::dbtransaction& txn, const v1::Event& event,
                        calendar::CalendarSource& calendar);

}  // namespace dialogue::supervision
