// Notices in PostgreSQL: drafts, issuing with the deliveries it queues, the public feed,
// webhooks, and what the delivery worker claims and settles. Every call runs in a
// tenant-scoped transaction (RLS), except the worker's, which the worker policy admits.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "dialogue/db/commune.h"
#include "dialogue/db/pool.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/notices.pb.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::notices {

namespace v1 = ::dialogue::v1;

// The commune's name and rules.
using TenantInfo = db::Commune;

struct NoticeFilter {
  v1::NoticeKind kind = v1::NOTICE_KIND_UNSPECIFIED;
  v1::NoticeState state = v1::NOTICE_STATE_UNSPECIFIED;
  bool overdue = false;
  std::string session;
};

// A delivery the worker is to send now, with what it needs to send it.
struct DueDelivery {
  std::string tenant;
  std::string id;
  std::string notice_id;
  v1::NoticeChannel channel = v1::NOTICE_CHANNEL_UNSPECIFIED;
  std::string recipient;
  std::string contact;
  int attempts = 0;  // including this one
  std::string url;
  std::string secret;
  std::string traceparent;        // of the request that queued it
  v1::Notice notice;              // empty for a message to one petitioner
  v1::PetitionerMessage message;  // its title, text and follow path, when it is one
};

// The page tokens of the notices lists: the offset of the next page, opaque to callers.
// INVALID_ARGUMENT for a token this service did not give.
absl::StatusOr<int> OffsetFromPageToken(const std::string& token);
std::string PageTokenAt(int offset);

class NoticeStore {
 public:
  explicit NoticeStore(db::ConnectionPool& pool) : pool_(pool) {}

  // The commune's name and rules, kept for a minute: every read of a notice lays it out.
  absl::StatusOr<TenantInfo> Tenant(const db::TenantScope& scope, const std::string& tenant);

  // Stores a draft. The same request_id, or the same source event and kind, returns the
  // notice stored the first time.
  absl::StatusOr<v1::Notice> CreateDraft(const db::TenantScope& scope, const std::string& tenant,
                                         const v1::Notice& notice, const std::string& request_id);
  static absl::StatusOr<v1::Notice> InsertDraft(pqxx::dbtransaction& txn, const std::string& tenant,
                                                const v1::Notice& notice,
                                                const std::string& request_id,
                                                const std::string& source_event);

  absl::StatusOr<v1::Notice> Get(const db::TenantScope& scope, const std::string& tenant,
                                 const std::string& id);
  absl::StatusOr<v1::ListNoticesResponse> List(const db::TenantScope& scope,
                                               const std::string& tenant,
                                               const NoticeFilter& filter, int page_size,
                                               const std::string& page_token);

  // Reads the draft under a row lock, lets `edit` change it, writes it back. NOT_FOUND,
  // ABORTED when `etag` is given and stale, FAILED_PRECONDITION once issued.
  absl::StatusOr<v1::Notice> UpdateDraft(const db::TenantScope& scope, const std::string& tenant,
                                         const std::string& id, const std::string& etag,
                                         const std::function<absl::Status(v1::Notice&)>& edit);

  // The same, then issues it: state ISSUED, a delivery per recipient and personal channel
  // and per public channel (per air time for the loudspeaker), and `event` in the outbox.
  absl::StatusOr<v1::Notice> Issue(const db::TenantScope& scope, const std::string& tenant,
                                   const std::string& id, const std::string& etag,
                                   const std::function<absl::Status(v1::Notice&)>& complete,
                                   const std::function<v1::Event(const v1::Notice&)>& event);

  absl::StatusOr<std::vector<v1::Delivery>> Deliveries(const db::TenantScope& scope,
                                                       const std::string& tenant,
                                                       const std::string& notice_id);
  absl::StatusOr<std::vector<v1::Notice>> Published(const db::TenantScope& scope,
                                                    const std::string& tenant, int limit,
                                                    int offset);

  absl::StatusOr<v1::Webhooks> Webhooks(const db::TenantScope& scope, const std::string& tenant);
  absl::StatusOr<v1::Webhooks> ReplaceWebhooks(const db::TenantScope& scope,
                                               const std::string& tenant,
                                               const v1::Webhooks& hooks);

  // The commune's template of `kind`, or the default (customized false).
  static absl::StatusOr<v1::NoticeTemplate> Template(pqxx::dbtransaction& txn,
                                                     const std::string& tenant,
                                                     v1::NoticeKind kind);
  absl::StatusOr<std::vector<v1::NoticeTemplate>> Templates(const db::TenantScope& scope,
                                                            const std::string& tenant);
  // Stores the commune's own text; an empty title and body delete it (the default again).
  absl::StatusOr<v1::NoticeTemplate> ReplaceTemplate(const db::TenantScope& scope,
                                                     const std::string& tenant, v1::NoticeKind kind,
                                                     const v1::NoticeTemplate& text);

  // Every commune's drafts due on or before `until` (the reminder sweep), as
  // (tenant, notice) pairs.
  absl::StatusOr<std::vector<std::pair<std::string, v1::Notice>>> DueDrafts(absl::CivilDay until);
  // Stores `reminder` as issued, with a NoticeIssued event `event_id`, unless the
  // reminder `key` exists; true when it was new.
  absl::StatusOr<bool> InsertReminder(const std::string& tenant, const v1::Notice& reminder,
                                      const std::string& key, const std::string& event_id);
  // The same in the caller's transaction (the event consumer's).
  static bool InsertReminder(pqxx::dbtransaction& txn, const std::string& tenant,
                             const v1::Notice& reminder, const std::string& key,
                             const std::string& event_id);

  // In the caller's transaction (the event consumer's): queues `message`, from the event
  // `event_id`, to its petitioner on its channel; once per event. FAILED at once when the
  // commune has no webhook for that channel. INVALID_ARGUMENT for a channel that is not a
  // person's (SMS, Zalo, e-mail) or a message without text or contact.
  static absl::Status QueueMessage(pqxx::dbtransaction& txn, const std::string& tenant,
                                   const v1::PetitionerMessage& message,
                                   const std::string& event_id, const std::string& traceparent);

  // The delivery worker: claims up to `limit` queued deliveries that are due, leasing
  // them for `lease` (a worker that dies lets them go again), with one more attempt.
  absl::StatusOr<std::vector<DueDelivery>> ClaimDue(int limit, absl::Duration lease);
  // Sent; or failed, then queued again after `retry_after`, or given up when it is zero.
  absl::Status Settle(const DueDelivery& delivery, bool sent, const std::string& error,
                      absl::Duration retry_after);

 private:
  db::ConnectionPool& pool_;
  db::CommuneCache communes_{pool_};
};

}  // namespace dialogue::notices
