#include "consumed_events.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/log.h"
#include "dialogue/common/names.h"
#include "dialogue/common/status.h"
#include "store.h"

namespace dialogue::intake {

const std::set<std::string>& ConsumedEventTypes() {
  static const auto* types =
      new std::set<std::string>{v1::SessionConcluded::descriptor()->full_name(),
                                v1::CommitmentChanged::descriptor()->full_name()};
  return *types;
}

namespace {

// The ids of the commune's own opinions among `names`: a name of another commune is not
// this event's to touch.
std::vector<std::string> OwnOpinions(const v1::Event& event, const std::string& tenant,
                                     const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<std::string> ids;
  for (const std::string& name : names) {
    auto parsed = common::ParseName(name, "tenants/{tenant}/opinions/{opinion:uuid}", "opinion");
    if (!parsed.ok() || (*parsed)["tenant"] != tenant) {
      common::Log(common::LogLevel::kWarning, "event names an opinion not of its commune",
                  {{"event", event.id()}, {"opinion", name}});
      continue;
    }
    ids.push_back((*parsed)["opinion"]);
  }
  return ids;
}

}  // namespace

absl::Status ApplyEvent(pqxx::dbtransaction& txn, const v1::Event& event) {
  absl::string_view tenant_view = event.tenant();
  absl::ConsumePrefix(&tenant_view, "tenants/");
  const std::string tenant(tenant_view);
  v1::SessionConcluded concluded;
  v1::CommitmentChanged changed;
  if (event.payload().UnpackTo(&changed) && event.type() == changed.GetTypeName()) {
    // The petitioners hear what became of what they raised.
    IntakeStore::TellPetitioners(
        txn, tenant, OwnOpinions(event, tenant, changed.opinions()),
        [&](const Petitioner& p) { return CommitmentText(p.receipt_code, changed); },
        event.traceparent());
    return absl::OkStatus();
  }
  if (!event.payload().UnpackTo(&concluded) || event.type() != concluded.GetTypeName()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.id(), " of type ", event.type(), " has no usable payload"));
  }
  ASSIGN_OR_RETURN(absl::CivilDay held, calendar::ParseDate(concluded.date()));
  std::vector<std::string> answered = IntakeStore::AnswerAtConference(
      txn, tenant, OwnOpinions(event, tenant, concluded.opinions_answered()), concluded.session(),
      held);
  IntakeStore::TellPetitioners(
      txn, tenant, answered,
      [&](const Petitioner& p) { return AnsweredAtConferenceText(p.receipt_code, held); },
      event.traceparent());
  return absl::OkStatus();
}

}  // namespace dialogue::intake
