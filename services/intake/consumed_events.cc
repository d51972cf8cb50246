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
      new std::set<std::string>{v1::SessionConcluded::descriptor()->full_name()};
  return *types;
}

absl::Status ApplyEvent(pqxx::work& txn, const v1::Event& event) {
  absl::string_view tenant_view = event.tenant();
  absl::ConsumePrefix(&tenant_view, "tenants/");
  const std::string tenant(tenant_view);
  v1::SessionConcluded concluded;
  if (!event.payload().UnpackTo(&concluded) || event.type() != concluded.GetTypeName()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.id(), " of type ", event.type(), " has no usable payload"));
  }
  ASSIGN_OR_RETURN(absl::CivilDay held, calendar::ParseDate(concluded.date()));
  // Only the commune's own opinions: a name of another commune is not this event's to change.
  std::vector<std::string> ids;
  for (const std::string& name : concluded.opinions_answered()) {
    auto parsed = common::ParseName(name, "tenants/{tenant}/opinions/{opinion:uuid}", "opinion");
    if (!parsed.ok() || (*parsed)["tenant"] != tenant) {
      common::Log(common::LogLevel::kWarning, "conclusion names an opinion not of its commune",
                  {{"event", event.id()}, {"opinion", name}});
      continue;
    }
    ids.push_back((*parsed)["opinion"]);
  }
  IntakeStore::AnswerAtConference(txn, tenant, std::move(ids), concluded.session(), held);
  return absl::OkStatus();
}

}  // namespace dialogue::intake
