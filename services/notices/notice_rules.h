// The rules of notices, without I/O: what a notice may hold, who may do what, the
// administrative layout of its text, the drafts that sessions' events cause (with their
// lead time and deadline on the calendar), webhook signatures and retry delays.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "dialogue/auth/principal.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/documents/document.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/notices.pb.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::notices {

namespace v1 = ::dialogue::v1;

inline constexpr int kMaxTitleChars = 500;
inline constexpr int kMaxBodyChars = 20000;
inline constexpr int kMaxShortChars = 500;
inline constexpr int kMaxRecipients = 500;
inline constexpr int kMaxAirTimes = 50;

enum class NoticeAction { kRead, kWrite, kIssue, kManageWebhooks };

// PERMISSION_DENIED unless one of the principal's roles may take `action`.
absl::Status CheckRole(const auth::Principal& principal, NoticeAction action);

// INVALID_ARGUMENT naming the first bad field ("notice.title", ...): missing kind or
// title, texts too long or not UTF-8, a recipient without a name, a personal channel
// (Zalo, SMS, e-mail) without a contact, a public channel among a recipient's or the
// reverse, an air time that is not "YYYY-MM-DDTHH:MM".
absl::Status CheckNotice(const v1::Notice& notice, absl::string_view prefix);

// What issuing needs beyond a valid draft: a number, a signer, air times when the
// loudspeaker is a channel.
absl::Status CheckIssuable(const v1::Notice& notice);

// The voters' requests reached the threshold (DialogueRequired): a draft notice telling them
// and the hamlets that the commune will hold the dialogue, due (as the dialogue is) within the
// commune's required_dialogue_days of `today`, and the reminder the chair and the office
// receive at once. Both name what the voters asked about.
struct RequiredDialogue {
  v1::Notice draft;
  v1::Notice reminder;
};
absl::StatusOr<RequiredDialogue> RequiredDialogueNotices(const v1::DialogueRequired& required,
                                                         const v1::TenantRules& rules,
                                                         const calendar::WorkingDayCalendar& days,
                                                         absl::CivilDay today,
                                                         const std::string& commune);

// A conclusion notice issued after the day its results were due to be public says so in its
// warnings (it is still issued: late is better than never).
void NoteLateResults(v1::Notice& notice);

bool IsPersonalChannel(v1::NoticeChannel channel);  // ZALO, SMS, EMAIL

// The notice as an administrative document (Decree 30/2020): issued by the People's
// Committee of `commune` (its display name), the body's lines as paragraphs, the signer's
// lines as the signature block.
documents::Document NoticeDocument(const v1::Notice& notice, const std::string& commune);
// Its plain text (documents::Text): what the feeds and the published notice carry.
std::string DocumentText(const v1::Notice& notice, const std::string& commune);

// What public routes and the live channel show of an issued notice: its text, never a
// recipient's contact.
v1::PublishedNotice ToPublished(const v1::Notice& notice, const std::string& commune);

// The same content written to be read aloud on the commune loudspeaker.
std::string BroadcastScript(const v1::Notice& notice, const std::string& commune);

// The commune's issued notices as an Atom feed (RFC 4287), newest first; `updated` is the
// newest issue time (or now when there are none).
std::string AtomFeed(const std::string& tenant, const std::string& commune,
                     const std::vector<v1::Notice>& notices, absl::Time now);

// Templates of the drafts that sessions' events cause. Their kinds, the default text of
// each, the placeholders each may use, and {{placeholder}} substitution.
const std::vector<v1::NoticeKind>& TemplateKinds();
v1::NoticeTemplate DefaultTemplate(v1::NoticeKind kind);
// "announcement" <-> NOTICE_ANNOUNCEMENT, for template names.
std::string TemplateId(v1::NoticeKind kind);
// INVALID_ARGUMENT naming the field when a text is too long, not UTF-8, or uses a
// placeholder its kind does not have (or an unclosed "{{").
absl::Status CheckTemplate(const v1::NoticeTemplate& t, v1::NoticeKind kind);
std::string Render(const std::string& text, const std::map<std::string, std::string>& values);

// Drafts caused by a session's events, in the words of `text` (the commune's template or
// the default). `today` is the day the event is applied.
// The announcement is due `announcement_lead_days` before the conference; a warning says
// when that day has already passed or the conference is too close.
v1::Notice AnnouncementDraft(const v1::SessionAnnounced& session, const v1::TenantRules& rules,
                             const calendar::WorkingDayCalendar& days, absl::CivilDay today,
                             const v1::NoticeTemplate& text, const std::string& commune);
// Invitations to the participant groups, due with the announcement.
v1::Notice InvitationDraft(const v1::SessionAnnounced& session, const v1::TenantRules& rules,
                           const calendar::WorkingDayCalendar& days, const v1::NoticeTemplate& text,
                           const std::string& commune);
// The conclusion notice, due within the tenant's working days after the conference (the
// extended count when the session was complex), to the agencies, the Party building
// board, the Front and the petitioners; with the day its results must be public by.
absl::StatusOr<v1::Notice> ConclusionDraft(const v1::SessionConcluded& session,
                                           const v1::TenantRules& rules,
                                           const calendar::WorkingDayCalendar& days,
                                           const v1::NoticeTemplate& text,
                                           const std::string& commune);

// Hex HMAC-SHA256 of "<timestamp>.<body>" with `secret`: the X-Dialogue-Signature a
// webhook receiver checks.
std::string SignWebhook(const std::string& secret, const std::string& timestamp,
                        const std::string& body);

// Delay before attempt `attempts + 1` after `attempts` failures: base, 2×, 4×, … at most
// an hour.
absl::Duration RetryDelay(int attempts, absl::Duration base);

}  // namespace dialogue::notices
