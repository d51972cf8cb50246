// The rules of supervision, without I/O: which items become commitments, the state
// machine and who may move it, the due dates (on the working-day calendar), what is
// overdue on a given day, and the province report as CSV.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dialogue/auth/principal.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/documents/document.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/supervision.pb.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::supervision {

namespace v1 = ::dialogue::v1;

// Open: someone still has to act (the upper level, for ESCALATED).
bool IsOpen(v1::CommitmentState state);

// The commitment an item of a conclusion calls for: accepted and unresolved items; none for
// an item resolved at the conference. Items beyond the commune's authority start ESCALATED.
std::optional<v1::Commitment> CommitmentFromItem(const v1::SessionConcluded& concluded,
                                                 const v1::ConclusionItem& item);

// The conclusion notice's due date: the tenant's working days after the conference,
// extended when complex (the rule notices drafts with).
absl::StatusOr<absl::CivilDay> NoticeDue(const calendar::WorkingDayCalendar& days,
                                         const v1::TenantRules& rules, absl::CivilDay conference,
                                         bool complex);
// The agency's report: the tenant's working days (7) after the conclusion notice.
absl::StatusOr<absl::CivilDay> ReportDue(const calendar::WorkingDayCalendar& days,
                                         const v1::TenantRules& rules, absl::CivilDay notice);

// Sets overdue and report_overdue as they are on `as_of`.
void DeriveOverdue(v1::Commitment& commitment, absl::CivilDay as_of);

enum class SupervisionAction {
  kRead,
  kProgress,  // report, start, resolve: the agency, the office, the chair
  kDecide,    // escalate, cannot resolve: the office, the chair
  kCheck,     // the Front's supervision
};
absl::Status CheckRole(const auth::Principal& principal, SupervisionAction action);
// What moving to `request.state` asks for: kProgress or kDecide.
SupervisionAction ActionFor(v1::CommitmentState to);

// Checks a RecordProgress against the commitment's state and fills the change; `day` is
// when it happened (checked against the conference date and `today`).
absl::Status ApplyProgress(v1::Commitment& commitment, const v1::RecordProgressRequest& request,
                           absl::CivilDay day, absl::CivilDay today, v1::CommitmentChange& change);
// The Front's check: findings required; a reopen only of a RESOLVED or CANNOT_RESOLVE item.
absl::Status ApplyCheck(v1::Commitment& commitment, const v1::RecordCheckRequest& request,
                        absl::CivilDay today, v1::CommitmentChange& change);

// The upper level's answer to an ESCALATED commitment (FAILED_PRECONDITION NOT_ESCALATED
// otherwise): checked, kept on the commitment with `today` and `actor`, its state moved as
// the outcome says (EscalationOutcome), and described in `change`.
absl::Status ApplyEscalationAnswer(v1::Commitment& commitment, const v1::EscalationAnswer& answer,
                                   absl::CivilDay today, const std::string& actor,
                                   v1::CommitmentChange& change);
// Who may answer for the upper level: the province's own accounts (`commune_province` is
// the commitment's commune's), the office and chair of the commune's district
// (`commune_district`, empty for none) and administrators; PERMISSION_DENIED
// PROVINCE_FORBIDDEN.
absl::Status CheckUpperLevel(const auth::Principal& principal, const std::string& commune_province,
                             const std::string& commune_district);
// Who reads a district's inbox: its office and chair, and administrators; PERMISSION_DENIED
// DISTRICT_FORBIDDEN.
absl::Status CheckDistrictStaff(const auth::Principal& principal, const std::string& district);

// "YYYY-MM-DD" or empty (today); INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text, absl::string_view field,
                                        absl::CivilDay today);

// UTF-8 with a byte-order mark, CRLF rows, RFC 4180 quoting, Vietnamese headers.
std::string ProvinceCsv(const v1::ProvinceReport& report);

// Báo cáo kết quả thực hiện: the commune's report as the document it sends upward, issued by
// the People's Committee and dated its `as_of`: I. the conferences held and their conclusion
// notices, II. what became of what they concluded (by state and by agency, the on-time
// rate), III. what is overdue or went to the upper level. Signed by `signer`
// (documents::ParseSigner's lines; when empty, the chair's block, the name left blank).
documents::Document CommuneReportDocument(const v1::CommuneReport& report,
                                          absl::string_view signer);
// The province's summary of its communes as the document the upper level files, in the
// name of `issuing_body` (empty: the province's People's Committee) and dated its `as_of`:
// I. the province as a whole, II. each commune in a line. Signed as above.
documents::Document ProvinceReportDocument(const v1::ProvinceReport& report,
                                           absl::string_view issuing_body,
                                           absl::string_view signer);

}  // namespace dialogue::supervision
