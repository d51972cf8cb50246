// The rules of opinion intake, free of I/O: text checks and the diacritics-free form used
// for search and duplicates, topics and the keyword suggestion, the state machine and
// who may move it, receipt codes, survey-form rows and the CSV they arrive in.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/optional.h"
#include "dialogue/auth/principal.h"
#include "dialogue/common/text.h"
#include "dialogue/documents/document.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/intake.pb.h"
#include "dialogue/v1/planning.pb.h"

namespace dialogue::intake {

namespace v1 = ::dialogue::v1;
using common::CheckText;
using common::Utf8Length;

inline constexpr int kMaxTextChars = 10000;

// Lower case, Vietnamese letters without their marks (đ -> d), and every run of anything
// but letters and digits as one space: "Đường  BÊ-TÔNG!" -> "duong be tong". Other
// scripts pass through lower-cased where ASCII, unchanged otherwise. Input must be UTF-8.
std::string Normalize(absl::string_view text);

// Lower case, each word's tone moved to its end as a digit (1 huyền, 2 sắc, 3 hỏi, 4 ngã,
// 5 nặng) and the letters' other marks kept; separators as in Normalize. "Chợ" -> "chơ5",
// "chở" -> "chơ3", and "hóa" and "hoá" alike -> "hoa2"; decomposed input folds as
// precomposed does. `*marked` is set when the text carries any Vietnamese mark.
std::string FoldTones(absl::string_view text, bool* marked);

// The topics of domain.md, for a tenant that has not set its own.
const std::vector<v1::Topic>& DefaultTopics();

struct Suggestion {
  std::string topic;        // empty when no keyword matched
  bool individual = false;  // reads as one person's own matter ("nhà tôi", "gia đình tôi")
};

// The topics' keywords normalised once, to suggest a topic for many texts.
class TopicMatcher {
 public:
  explicit TopicMatcher(const std::vector<v1::Topic>& topics);

  // The topic whose keywords match most of the text (longer phrases weigh more; the first
  // listed wins a tie). Keywords match whole words: with their marks (FoldTones) when both
  // the text and the keyword carry marks, else on the bare letters (Normalize).
  Suggestion Suggest(absl::string_view text) const;

 private:
  struct Phrase {
    std::string plain;  // " keyword " normalised
    std::string toned;  // " keyword " folded; empty when the keyword has no marks
    int weight = 1;     // its words
  };
  struct Entry {
    std::string topic;
    std::vector<Phrase> phrases;
  };
  std::vector<Entry> entries_;
};

// TopicMatcher(topics).Suggest(text), for one text.
Suggestion Suggest(absl::string_view text, const std::vector<v1::Topic>& topics);

// INVALID_ARGUMENT for a list a tenant may not set: empty, bad or repeated ids, no name.
absl::Status ValidateTopics(const std::vector<v1::Topic>& topics);

enum class OpinionAction {
  kRead,
  kReceive,  // create or import
  kClassify,
  kMerge,
  kAssign,
  kDraftAnswer,
  kApproveAnswer,
  kReturnAnswer,
  kMarkAnswered,
  kManageTopics,
  kManageRequests,  // read and reject requests for a dialogue
};

absl::string_view ActionName(OpinionAction action);

// May a principal with these roles do `action` at all? (Which tenant is checked apart.)
absl::Status CheckRole(const auth::Principal& principal, OpinionAction action);

// A department's own staff (the department role and no office role) see and answer only
// the opinions assigned to their department, named by the token's `department` claim.
bool DepartmentOnly(const auth::Principal& principal);
// PERMISSION_DENIED "OTHER_DEPARTMENT" when `principal` is department-only and `opinion` is
// not assigned to its department ("DEPARTMENT_UNKNOWN" when the token names none).
absl::Status CheckDepartment(const auth::Principal& principal, const v1::Opinion& opinion);
// For lists: the department a department-only principal's results are bound to ("" when
// not bound), or the refusal when `requested` names another.
absl::StatusOr<std::string> BoundDepartment(const auth::Principal& principal,
                                            const std::string& requested);

// The state an opinion in `from` moves to by `action`, or FAILED_PRECONDITION saying why
// not. Classify goes to CLASSIFIED; RouteElsewhere is ClassifyAsIndividual.
absl::StatusOr<v1::OpinionState> NextState(v1::OpinionState from, OpinionAction action,
                                           bool individual_matter = false);

// May an opinion in `state` be folded into another, or stand for others?
absl::Status CheckMergeable(const v1::Opinion& opinion, bool as_target);

// A row of a survey-form import, checked. `row` counts data rows from 1.
struct ImportRow {
  int row = 0;
  v1::OpinionRow fields;
  std::string normalized;
  Suggestion suggestion;
  std::string key;  // same file, same row -> same key; identical forms differ by occurrence
};

// Parses RFC 4180 CSV with a header naming the columns. INVALID_ARGUMENT on a header
// without hamlet and text, or on unterminated quotes.
absl::StatusOr<std::vector<v1::OpinionRow>> ParseCsv(absl::string_view csv);

// Checks each row (text, hamlet among `hamlets` when the tenant lists any, channel),
// fills its key and suggestion, and reports bad rows in `errors`.
std::vector<ImportRow> CheckRows(const std::vector<v1::OpinionRow>& rows, const std::string& round,
                                 const std::vector<std::string>& hamlets,
                                 const std::vector<v1::Topic>& topics,
                                 std::vector<v1::RowError>* errors);

// What a round of a plan's conference takes from the plan.
struct PlanRoundDates {
  std::string opinion_deadline;  // the conference's, else its opinion-collection task's
  std::string answer_due;        // its answer-drafting task's, else empty
  std::string conference_opens;  // the day held, or the window's first day
};
// A task is the conference's when its due date is relative to it, or when its date falls
// after the window of the conference before and not after this one's. INVALID_ARGUMENT
// CONFERENCE_NOT_IN_PLAN when the plan has no such conference.
absl::StatusOr<PlanRoundDates> RoundDatesFromPlan(const v1::Plan& plan,
                                                  const std::string& conference_id);

// A round's dates: each YYYY-MM-DD or empty; the opinion deadline before the conference
// opens (`conference_opens`, when the round is tied to one: the plan's own rule), and the
// answers due no earlier than the deadline.
absl::Status CheckRoundDates(const v1::Round& round, const std::string& conference_opens);

// One voter, whatever the spelling: name and contact normalised, contact to its digits
// when it has any (a phone number).
std::string VoterKey(absl::string_view name, absl::string_view hamlet, absl::string_view contact);

// ceil(voters * percent / 100); 0 when the voter count is unknown (0).
int DialogueThreshold(int voter_count, int percent);

// Telling a petitioner. The channel a submitter is told on: as given, else by the contact
// (a phone number: SMS; an address with "@": e-mail; anything else or nothing: none).
v1::ReplyVia EffectiveReplyVia(const v1::Submitter& submitter);
// The channel asked for must reach the contact: SMS and Zalo a phone number, e-mail an
// address. INVALID_ARGUMENT CONTACT_INVALID on `prefix` + "submitter.contact" otherwise.
absl::Status CheckReplyVia(const v1::Submitter& submitter, absl::string_view prefix);
// The webhook channel of a reply channel (dialogue.v1.NoticeChannel); 0 for none.
int ReplyChannel(v1::ReplyVia via);

// A petitioner of an opinion, with what it takes to reach them.
struct Petitioner {
  std::string opinion;  // tenants/{tenant}/opinions/{opinion}
  std::string receipt_code;
  v1::Submitter submitter;
};
// The message to `p`, or nothing when they gave no way to reach them. Its title, text and
// the web page that follows the matter.
absl::optional<v1::PetitionerMessage> MessageTo(const Petitioner& p, const std::string& tenant,
                                                std::string title, std::string text);
// The texts: the office approved `answer`; the opinion was answered at the conference held
// on `held`; what became of the commitment made on it.
std::pair<std::string, std::string> AnswerText(const std::string& receipt_code,
                                               const std::string& answer);
std::pair<std::string, std::string> AnsweredAtConferenceText(const std::string& receipt_code,
                                                             absl::CivilDay held);
// To each voter whose request for a dialogue made `requests` of the `threshold` needed.
std::pair<std::string, std::string> DialogueRequiredText(int requests, int threshold);
// Empty when the change is nothing a petitioner need hear of (their own feedback).
std::pair<std::string, std::string> CommitmentText(const std::string& receipt_code,
                                                   const v1::CommitmentChanged& change);

// Báo cáo tổng hợp ý kiến, kiến nghị: `report` as the document the office files, issued in
// the People's Committee's name on `date` (YYYY-MM-DD): I. how the opinions were received,
// II. how they divide by topic, hamlet and state, III. each item with the body that answers
// it and its approved answer; signed by `signer` (ParseSigner's lines; when empty, the
// chair's block for the People's Committee, the name left for the office to write).
documents::Document SynthesisDocument(const v1::SynthesisReport& report, absl::string_view commune,
                                      absl::string_view date, absl::string_view signer);

}  // namespace dialogue::intake
