#include "sweep.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/status.h"
#include "dialogue/rpc/call.h"

namespace dialogue::supervision {

DueSweep::DueSweep(SupervisionStore& store, int soon_days, std::chrono::milliseconds every)
    : store_(store),
      soon_days_(soon_days),
      worker_(every, common::PeriodicWorker::Logged("commitment sweep failed", [this] {
                return RunOnce(calendar::TodayInVietnam(absl::Now())).status();
              })) {}

absl::StatusOr<int> DueSweep::RunOnce(absl::CivilDay today) {
  ASSIGN_OR_RETURN(auto open, store_.DueBy(today + soon_days_));
  int made = 0;
  for (const auto& [tenant, c] : open) {
    struct Due {
      v1::CommitmentDueKind kind;
      std::string date;
    };
    std::vector<Due> dues;
    if (c.state() == v1::COMMITMENT_ASSIGNED) {
      dues.push_back({v1::DUE_REPORT_SOON, c.report_due_date()});
    }
    dues.push_back({v1::DUE_SOON, c.due_date()});
    for (Due due : dues) {
      auto day = calendar::ParseDate(due.date);
      if (!day.ok() || *day > today + soon_days_) continue;
      const bool overdue = *day < today;
      if (overdue) {
        due.kind = due.kind == v1::DUE_SOON ? v1::DUE_OVERDUE : v1::DUE_REPORT_OVERDUE;
      }
      v1::CommitmentDue payload;
      payload.set_commitment(c.name());
      payload.set_kind(due.kind);
      payload.set_due_date(due.date);
      payload.set_summary(c.summary());
      payload.set_agency(c.agency());
      payload.set_session(c.session());
      payload.set_days(static_cast<int>(overdue ? today - *day : *day - today));
      const v1::Event event = rpc::NewEvent(tenant, "supervision", payload, "");
      const std::string id = c.name().substr(c.name().rfind('/') + 1);
      ASSIGN_OR_RETURN(bool fresh, store_.Remind(tenant, id, due.kind, *day, event));
      made += fresh ? 1 : 0;
    }
  }
  return made;
}

}  // namespace dialogue::supervision
