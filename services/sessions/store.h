// Sessions in PostgreSQL: the session document under a row lock for every change, the
// speakers' queue, attendance, the minutes and the agenda templates. Every call runs in a
// tenant-scoped transaction (RLS). A change to a session locks its row first, so the
// queue and the agenda of one session change one at a time.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dialogue/db/commune.h"
#include "dialogue/db/pool.h"
#include "dialogue/v1/sessions.pb.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::sessions {

namespace v1 = ::dialogue::v1;

// The commune's name and rules.
using TenantInfo = db::Commune;

struct SessionFilter {
  v1::SessionState state = v1::SESSION_STATE_UNSPECIFIED;
  int year = 0;
  std::string plan;
};

std::string SessionName(const std::string& tenant, const std::string& id);

class SessionStore {
 public:
  explicit SessionStore(db::ConnectionPool& pool) : pool_(pool) {}

  // The commune's name and rules, kept for a minute.
  absl::StatusOr<TenantInfo> Tenant(const db::TenantScope& scope, const std::string& tenant);

  // Stores a SCHEDULED session with the commune's agenda template. The same request_id
  // returns the session stored the first time.
  absl::StatusOr<v1::Session> Create(const db::TenantScope& scope, const std::string& tenant,
                                     v1::Session session, const std::string& request_id);
  absl::StatusOr<v1::Session> Get(const db::TenantScope& scope, const std::string& tenant,
                                  const std::string& id);
  absl::StatusOr<std::vector<v1::Session>> List(const db::TenantScope& scope,
                                                const std::string& tenant,
                                                const SessionFilter& filter);

  // Reads the session under a row lock, lets `change` alter it (and write more in the
  // same transaction), writes it back. NOT_FOUND; ABORTED when `etag` is given and stale.
  using Change = std::function<absl::Status(pqxx::dbtransaction&, v1::Session&)>;
  absl::StatusOr<v1::Session> Update(const db::TenantScope& scope, const std::string& tenant,
                                     const std::string& id, const std::string& etag,
                                     const Change& change);

  // Speakers. `check` sees the session (locked) before anything is written.
  using SessionCheck = std::function<absl::Status(const v1::Session&)>;
  absl::StatusOr<v1::Speaker> Register(const db::TenantScope& scope, const std::string& tenant,
                                       const std::string& session_id, const v1::Speaker& speaker,
                                       const std::string& request_id, const SessionCheck& check);
  // Waiting speakers in queue order, then those who spoke, in the order they were called.
  absl::StatusOr<std::vector<v1::Speaker>> Speakers(const db::TenantScope& scope,
                                                    const std::string& tenant,
                                                    const std::string& session_id);
  enum class SpeakerOp { kRecord, kCall, kMove };
  // Locks the session, reads the speaker, lets `change` alter it, writes it back. kCall
  // ends whoever was speaking; kMove puts the speaker at `position` among those waiting.
  using SpeakerChange = std::function<absl::Status(const v1::Session&, v1::Speaker&)>;
  absl::StatusOr<v1::Speaker> UpdateSpeaker(const db::TenantScope& scope, const std::string& tenant,
                                            const std::string& session_id,
                                            const std::string& speaker_id, SpeakerOp op,
                                            int position, const SpeakerChange& change);

  // Attendance: check-ins (again is harmless) and head counts, for groups of the session.
  absl::StatusOr<v1::Attendance> RecordAttendance(const db::TenantScope& scope,
                                                  const std::string& tenant,
                                                  const std::string& session_id,
                                                  const std::vector<v1::Delegate>& check_ins,
                                                  const std::vector<v1::GroupCount>& counts,
                                                  const SessionCheck& check);
  absl::StatusOr<v1::Attendance> Attendance(const db::TenantScope& scope, const std::string& tenant,
                                            const std::string& session_id);

  // In the conclusion's transaction: what the minutes are drawn from, and the draft.
  static absl::StatusOr<v1::Attendance> Attendance(pqxx::dbtransaction& txn,
                                                   const std::string& tenant,
                                                   const std::string& session_id);
  static std::vector<v1::Speaker> Speakers(pqxx::dbtransaction& txn, const std::string& tenant,
                                           const std::string& session_id);
  static void InsertMinutes(pqxx::dbtransaction& txn, const std::string& tenant,
                            const std::string& session_id, const std::string& text);
  // Whoever has the floor is done (end_time now): when the next speaker is called, the
  // agenda moves on, or the session is concluded.
  static void EndTurn(pqxx::dbtransaction& txn, const std::string& tenant,
                      const std::string& session_id);

  absl::StatusOr<v1::Minutes> Minutes(const db::TenantScope& scope, const std::string& tenant,
                                      const std::string& session_id);
  // The .docx stored when the minutes were approved; empty before (or for minutes
  // approved before files were kept).
  absl::StatusOr<std::string> MinutesDocument(const db::TenantScope& scope,
                                              const std::string& tenant,
                                              const std::string& session_id);
  // Under a row lock: `change` alters a draft (FAILED_PRECONDITION once approved; ABORTED
  // for a stale etag). When it leaves the minutes APPROVED, their content hash is set,
  // `file` renders them (with that hash) and the bytes are stored with their SHA-256, and
  // the session is CLOSED too.
  using MinutesChange = std::function<absl::Status(v1::Minutes&)>;
  using MinutesFile = std::function<absl::StatusOr<std::string>(const v1::Minutes&)>;
  absl::StatusOr<v1::Minutes> UpdateMinutes(const db::TenantScope& scope, const std::string& tenant,
                                            const std::string& session_id, const std::string& etag,
                                            const MinutesChange& change,
                                            const MinutesFile& file = nullptr);

  // The commune's template, or the standard one (customized false).
  static v1::AgendaTemplate Template(pqxx::dbtransaction& txn, const std::string& tenant);
  absl::StatusOr<v1::AgendaTemplate> Template(const db::TenantScope& scope,
                                              const std::string& tenant);
  // No steps deletes the commune's own: the standard order again.
  absl::StatusOr<v1::AgendaTemplate> ReplaceTemplate(const db::TenantScope& scope,
                                                     const std::string& tenant,
                                                     const v1::AgendaTemplate& agenda);

  // What the screen at the venue shows, without its clock (RefreshLiveView adds it).
  absl::StatusOr<v1::SessionLiveView> LiveView(const db::TenantScope& scope,
                                               const std::string& tenant,
                                               const std::string& session_id);

 private:
  db::ConnectionPool& pool_;
  db::CommuneCache communes_{pool_};
};

}  // namespace dialogue::sessions
