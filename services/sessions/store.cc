#include "store.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/common/json.h"
#include "dialogue/common/status.h"
#include "session_rules.h"

namespace dialogue::sessions {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kSessionColumns[] =
    "s.id::text, s.state, s.doc::text, s.version,"
    " (extract(epoch FROM s.create_time) * 1000000)::bigint,"
    " (extract(epoch FROM s.update_time) * 1000000)::bigint";

constexpr char kSpeakerColumns[] =
    "p.id::text, p.rank, p.full_name, p.hamlet, p.topic, p.receipt_code, p.written, p.state,"
    " p.record::text, (extract(epoch FROM p.register_time) * 1000000)::bigint,"
    " coalesce((extract(epoch FROM p.call_time) * 1000000)::bigint, 0),"
    " coalesce((extract(epoch FROM p.end_time) * 1000000)::bigint, 0),"
    " CASE WHEN p.state = 'SPEAKER_WAITING' THEN (SELECT count(*) FROM sessions.speakers w"
    "   WHERE w.tenant_id = p.tenant_id AND w.session_id = p.session_id"
    "   AND w.state = 'SPEAKER_WAITING' AND w.rank <= p.rank) ELSE 0 END";

// Waiting speakers by rank, then the others in the order they were called.
constexpr char kSpeakerOrder[] =
    " ORDER BY (p.state <> 'SPEAKER_WAITING'), CASE WHEN p.state = 'SPEAKER_WAITING' THEN p.rank"
    " END, p.call_time, p.register_time";

constexpr char kMinutesColumns[] =
    "m.text, m.state, m.approvals::text, m.content_hash, m.version,"
    " (extract(epoch FROM m.update_time) * 1000000)::bigint,"
    " coalesce((extract(epoch FROM m.approve_time) * 1000000)::bigint, 0), m.document_hash";

google::protobuf::Timestamp Micros(int64_t us) { return TimeUtil::MicrosecondsToTimestamp(us); }

// What the doc column holds: the session without what has columns of its own.
std::string SessionDoc(const v1::Session& session) {
  v1::Session doc = session;
  doc.clear_name();
  doc.clear_state();
  doc.clear_etag();
  doc.clear_create_time();
  doc.clear_update_time();
  return common::StoredJson(doc);
}

v1::Session SessionFromRow(const std::string& tenant, const pqxx::row& row) {
  v1::Session s;
  common::FromStoredJson(row[2].as<std::string>(), &s);
  s.set_name(SessionName(tenant, row[0].as<std::string>()));
  v1::SessionState state;
  if (v1::SessionState_Parse(row[1].as<std::string>(), &state)) s.set_state(state);
  s.set_etag(row[3].as<std::string>());
  *s.mutable_create_time() = Micros(row[4].as<int64_t>());
  *s.mutable_update_time() = Micros(row[5].as<int64_t>());
  return s;
}

std::string SpeakerName(const std::string& tenant, const std::string& session_id,
                        const std::string& id) {
  return absl::StrCat(SessionName(tenant, session_id), "/speakers/", id);
}

struct SpeakerRow {
  v1::Speaker speaker;
  double rank = 0;
};

SpeakerRow SpeakerFromRow(const std::string& tenant, const std::string& session_id,
                          const pqxx::row& row) {
  SpeakerRow out;
  v1::Speaker& s = out.speaker;
  common::FromStoredJson(row[8].as<std::string>(), &s);
  s.set_name(SpeakerName(tenant, session_id, row[0].as<std::string>()));
  out.rank = row[1].as<double>();
  s.set_full_name(row[2].as<std::string>());
  s.set_hamlet(row[3].as<std::string>());
  s.set_topic(row[4].as<std::string>());
  s.set_receipt_code(row[5].as<std::string>());
  s.set_written(row[6].as<bool>());
  v1::SpeakerState state;
  if (v1::SpeakerState_Parse(row[7].as<std::string>(), &state)) s.set_state(state);
  *s.mutable_register_time() = Micros(row[9].as<int64_t>());
  if (int64_t t = row[10].as<int64_t>(); t != 0) *s.mutable_call_time() = Micros(t);
  if (int64_t t = row[11].as<int64_t>(); t != 0) *s.mutable_end_time() = Micros(t);
  s.set_position(row[12].as<int>());
  return out;
}

// One speaker of the session, by `where` (a condition on $3): its id or its request id.
std::optional<SpeakerRow> FindSpeaker(pqxx::dbtransaction& txn, const std::string& tenant,
                                      const std::string& session_id, const char* where,
                                      const std::string& value) {
  auto rows = txn.exec_params(
      absl::StrCat("SELECT ", kSpeakerColumns,
                   " FROM sessions.speakers p WHERE p.tenant_id = $1 AND p.session_id = $2::uuid"
                   " AND ",
                   where),
      tenant, session_id, value);
  if (rows.empty()) return std::nullopt;
  return SpeakerFromRow(tenant, session_id, rows[0]);
}

constexpr char kById[] = "p.id = $3::uuid";
constexpr char kByRequest[] = "p.request_id = $3";

// The speaker's record column: what was said about them after registration.
std::string SpeakerRecord(const v1::Speaker& speaker) {
  v1::Speaker record;
  record.set_statement(speaker.statement());
  *record.mutable_answers() = speaker.answers();
  record.set_follow_up(speaker.follow_up());
  record.set_satisfaction(speaker.satisfaction());
  record.set_move_reason(speaker.move_reason());
  return common::StoredJson(record);
}

absl::Status SessionNotFound(const std::string& tenant, const std::string& id) {
  return common::Error(absl::StatusCode::kNotFound, "SESSION_NOT_FOUND",
                       absl::StrCat("there is no session ", SessionName(tenant, id)));
}

// The session under a row lock.
absl::StatusOr<v1::Session> LockSession(pqxx::dbtransaction& txn, const std::string& tenant,
                                        const std::string& id) {
  auto rows = txn.exec_params(absl::StrCat("SELECT ", kSessionColumns,
                                           " FROM sessions.sessions s WHERE s.tenant_id = $1"
                                           " AND s.id = $2::uuid FOR UPDATE"),
                              tenant, id);
  if (rows.empty()) return SessionNotFound(tenant, id);
  return SessionFromRow(tenant, rows[0]);
}

// Each group's present count: its head count, or its named check-ins when more.
void FillPresent(pqxx::dbtransaction& txn, const std::string& tenant, const std::string& id,
                 v1::Session& session) {
  auto rows = txn.exec_params(
      "SELECT group_name, count(*) FROM sessions.delegates WHERE tenant_id = $1"
      " AND session_id = $2::uuid GROUP BY group_name",
      tenant, id);
  std::map<std::string, int> named;
  for (const auto& row : rows) named[row[0].as<std::string>()] = row[1].as<int>();
  for (v1::SessionGroup& group : *session.mutable_groups()) {
    group.set_present(std::max(group.present(), named[group.name()]));
  }
}

// The session with its groups' present counts.
absl::StatusOr<v1::Session> ReadSession(pqxx::dbtransaction& txn, const std::string& tenant,
                                        const std::string& id) {
  auto rows = txn.exec_params(absl::StrCat("SELECT ", kSessionColumns,
                                           " FROM sessions.sessions s WHERE s.tenant_id = $1"
                                           " AND s.id = $2::uuid"),
                              tenant, id);
  if (rows.empty()) return SessionNotFound(tenant, id);
  v1::Session session = SessionFromRow(tenant, rows[0]);
  FillPresent(txn, tenant, id, session);
  return session;
}

// Expected and present, per group and in all, without the named delegates.
v1::Attendance Summary(const v1::Session& session) {
  v1::Attendance attendance;
  attendance.set_name(absl::StrCat(session.name(), "/attendance"));
  for (const v1::SessionGroup& g : session.groups()) {
    *attendance.add_groups() = g;
    attendance.set_expected(attendance.expected() + g.expected());
    attendance.set_present(attendance.present() + g.present());
  }
  return attendance;
}

std::string IdOf(const v1::Session& session) {
  return session.name().substr(session.name().rfind('/') + 1);
}

v1::Minutes MinutesFromRow(const std::string& tenant, const std::string& session_id,
                           const pqxx::row& row) {
  v1::Minutes m;
  common::FromStoredJson(row[2].as<std::string>(), &m);
  m.set_name(absl::StrCat(SessionName(tenant, session_id), "/minutes"));
  m.set_text(row[0].as<std::string>());
  v1::MinutesState state;
  if (v1::MinutesState_Parse(row[1].as<std::string>(), &state)) m.set_state(state);
  m.set_content_hash(row[3].as<std::string>());
  m.set_etag(row[4].as<std::string>());
  *m.mutable_update_time() = Micros(row[5].as<int64_t>());
  if (int64_t t = row[6].as<int64_t>(); t != 0) *m.mutable_approve_time() = Micros(t);
  m.set_document_hash(row[7].as<std::string>());
  return m;
}

// The session's minutes, under a row lock when `for_update`.
absl::StatusOr<v1::Minutes> ReadMinutes(pqxx::dbtransaction& txn, const std::string& tenant,
                                        const std::string& session_id, bool for_update) {
  auto rows = txn.exec_params(absl::StrCat("SELECT ", kMinutesColumns,
                                           " FROM sessions.minutes m WHERE m.tenant_id = $1"
                                           " AND m.session_id = $2::uuid",
                                           for_update ? " FOR UPDATE" : ""),
                              tenant, session_id);
  if (rows.empty()) {
    return common::Error(absl::StatusCode::kNotFound, "MINUTES_NOT_FOUND",
                         absl::StrCat("there are no minutes of ", SessionName(tenant, session_id),
                                      " (they are drafted when the session is concluded)"));
  }
  return MinutesFromRow(tenant, session_id, rows[0]);
}

}  // namespace

std::string SessionName(const std::string& tenant, const std::string& id) {
  return absl::StrCat("tenants/", tenant, "/sessions/", id);
}

absl::StatusOr<TenantInfo> SessionStore::Tenant(const db::TenantScope& scope,
                                                const std::string& tenant) {
  return communes_.Get(scope, tenant);
}

absl::StatusOr<v1::Session> SessionStore::Create(const db::TenantScope& scope,
                                                 const std::string& tenant, v1::Session session,
                                                 const std::string& request_id) {
  return pool_.InTransaction(
      scope, "sessions.sessions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Session> {
        if (!request_id.empty()) {
          auto rows =
              txn.exec_params(absl::StrCat("SELECT ", kSessionColumns,
                                           " FROM sessions.sessions s WHERE s.tenant_id = $1"
                                           " AND s.request_id = $2"),
                              tenant, request_id);
          if (!rows.empty()) return SessionFromRow(tenant, rows[0]);
        }
        v1::AgendaTemplate agenda = Template(txn, tenant);
        *session.mutable_agenda() = agenda.steps();
        session.set_speaker_limit_minutes(agenda.speaker_limit_minutes() > 0
                                              ? agenda.speaker_limit_minutes()
                                              : kDefaultSpeakerLimitMinutes);
        session.set_current_step(0);
        auto rows = txn.exec_params(
            absl::StrCat("INSERT INTO sessions.sessions AS s (tenant_id, plan, conference_id,"
                         " session_date, doc, request_id) VALUES ($1, $2, $3, $4::date, $5::jsonb,"
                         " nullif($6, '')) RETURNING ",
                         kSessionColumns),
            tenant, session.plan(), session.conference_id(), session.date(), SessionDoc(session),
            request_id);
        return SessionFromRow(tenant, rows[0]);
      });
}

absl::StatusOr<v1::Session> SessionStore::Get(const db::TenantScope& scope,
                                              const std::string& tenant, const std::string& id) {
  return pool_.InTransaction(scope, "sessions.sessions",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Session> {
                               return ReadSession(txn, tenant, id);
                             });
}

absl::StatusOr<std::vector<v1::Session>> SessionStore::List(const db::TenantScope& scope,
                                                            const std::string& tenant,
                                                            const SessionFilter& filter) {
  return pool_.InTransaction(
      scope, "sessions.sessions",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::Session>> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kSessionColumns,
                         " FROM sessions.sessions s WHERE s.tenant_id = $1"
                         " AND ($2 = '' OR s.state = $2)"
                         " AND ($3 = 0 OR extract(year FROM s.session_date) = $3)"
                         " AND ($4 = '' OR s.plan = $4)"
                         " ORDER BY s.session_date, s.create_time LIMIT 1000"),
            tenant,
            filter.state == v1::SESSION_STATE_UNSPECIFIED ? std::string()
                                                          : v1::SessionState_Name(filter.state),
            filter.year, filter.plan);
        std::vector<v1::Session> out;
        for (const auto& row : rows) {
          out.push_back(SessionFromRow(tenant, row));
          FillPresent(txn, tenant, IdOf(out.back()), out.back());
        }
        return out;
      });
}

absl::StatusOr<v1::Session> SessionStore::Update(const db::TenantScope& scope,
                                                 const std::string& tenant, const std::string& id,
                                                 const std::string& etag, const Change& change) {
  return pool_.InTransaction(
      scope, "sessions.sessions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Session> {
        ASSIGN_OR_RETURN(v1::Session s, LockSession(txn, tenant, id));
        RETURN_IF_ERROR(common::CheckEtag(etag, s.etag(), "the session"));
        FillPresent(txn, tenant, id, s);
        RETURN_IF_ERROR(change(txn, s));
        auto rows = txn.exec_params(
            absl::StrCat("UPDATE sessions.sessions s SET doc = $3::jsonb, state = $4,"
                         " session_date = $5::date, version = version + 1, update_time = now()"
                         " WHERE s.tenant_id = $1 AND s.id = $2::uuid RETURNING ",
                         kSessionColumns),
            tenant, id, SessionDoc(s), v1::SessionState_Name(s.state()), s.date());
        v1::Session written = SessionFromRow(tenant, rows[0]);
        FillPresent(txn, tenant, id, written);
        return written;
      });
}

absl::StatusOr<v1::Speaker> SessionStore::Register(
    const db::TenantScope& scope, const std::string& tenant, const std::string& session_id,
    const v1::Speaker& speaker, const std::string& request_id, const SessionCheck& check) {
  return pool_.InTransaction(
      scope, "sessions.speakers", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Speaker> {
        ASSIGN_OR_RETURN(v1::Session session, LockSession(txn, tenant, session_id));
        if (!request_id.empty()) {
          if (auto stored = FindSpeaker(txn, tenant, session_id, kByRequest, request_id)) {
            return stored->speaker;
          }
        }
        RETURN_IF_ERROR(check(session));
        auto rows = txn.exec_params(
            "INSERT INTO sessions.speakers (tenant_id, session_id, rank, full_name, hamlet, topic,"
            " receipt_code, written, request_id) SELECT $1, $2::uuid, coalesce(max(rank), 0) + 1,"
            " $3, $4, $5, $6, $7, nullif($8, '') FROM sessions.speakers WHERE tenant_id = $1"
            " AND session_id = $2::uuid RETURNING id::text",
            tenant, session_id, speaker.full_name(), speaker.hamlet(), speaker.topic(),
            speaker.receipt_code(), speaker.written(), request_id);
        return FindSpeaker(txn, tenant, session_id, kById, rows[0][0].as<std::string>())->speaker;
      });
}

std::vector<v1::Speaker> SessionStore::Speakers(pqxx::dbtransaction& txn, const std::string& tenant,
                                                const std::string& session_id) {
  auto rows = txn.exec_params(
      absl::StrCat("SELECT ", kSpeakerColumns,
                   " FROM sessions.speakers p WHERE p.tenant_id = $1 AND p.session_id = $2::uuid",
                   kSpeakerOrder),
      tenant, session_id);
  std::vector<v1::Speaker> out;
  for (const auto& row : rows) out.push_back(SpeakerFromRow(tenant, session_id, row).speaker);
  return out;
}

absl::StatusOr<std::vector<v1::Speaker>> SessionStore::Speakers(const db::TenantScope& scope,
                                                                const std::string& tenant,
                                                                const std::string& session_id) {
  return pool_.InTransaction(
      scope, "sessions.sessions",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::Speaker>> {
        auto exists = txn.exec_params(
            "SELECT 1 FROM sessions.sessions WHERE tenant_id = $1 AND id = $2::uuid", tenant,
            session_id);
        if (exists.empty()) return SessionNotFound(tenant, session_id);
        return Speakers(txn, tenant, session_id);
      });
}

absl::StatusOr<v1::Speaker> SessionStore::UpdateSpeaker(const db::TenantScope& scope,
                                                        const std::string& tenant,
                                                        const std::string& session_id,
                                                        const std::string& speaker_id, SpeakerOp op,
                                                        int position, const SpeakerChange& change) {
  return pool_.InTransaction(
      scope, "sessions.speakers", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Speaker> {
        ASSIGN_OR_RETURN(v1::Session session, LockSession(txn, tenant, session_id));
        std::optional<SpeakerRow> found = FindSpeaker(txn, tenant, session_id, kById, speaker_id);
        if (!found) {
          return common::Error(
              absl::StatusCode::kNotFound, "SPEAKER_NOT_FOUND",
              absl::StrCat("there is no speaker ", SpeakerName(tenant, session_id, speaker_id)));
        }
        const SpeakerRow& current = *found;
        v1::Speaker speaker = current.speaker;
        RETURN_IF_ERROR(change(session, speaker));
        double rank = current.rank;
        if (op == SpeakerOp::kMove) {
          auto others = txn.exec_params(
              "SELECT rank FROM sessions.speakers WHERE tenant_id = $1 AND session_id = $2::uuid"
              " AND state = 'SPEAKER_WAITING' AND id <> $3::uuid ORDER BY rank",
              tenant, session_id, speaker_id);
          std::vector<double> ranks;
          for (const auto& row : others) ranks.push_back(row[0].as<double>());
          const int at = std::clamp(position, 1, static_cast<int>(ranks.size()) + 1) - 1;
          rank = RankBetween(at > 0 ? &ranks[at - 1] : nullptr,
                             at < static_cast<int>(ranks.size()) ? &ranks[at] : nullptr);
        }
        if (op == SpeakerOp::kCall) EndTurn(txn, tenant, session_id);
        txn.exec_params(
            "UPDATE sessions.speakers SET state = $4, record = $5::jsonb, rank = $6,"
            " call_time = CASE WHEN $4 = 'SPEAKER_SPEAKING' THEN coalesce(call_time, now())"
            " ELSE call_time END,"
            " end_time = CASE WHEN $4 = 'SPEAKER_DONE' THEN coalesce(end_time, now()) ELSE end_time"
            " END WHERE tenant_id = $1 AND session_id = $2::uuid AND id = $3::uuid",
            tenant, session_id, speaker_id, v1::SpeakerState_Name(speaker.state()),
            SpeakerRecord(speaker), rank);
        return FindSpeaker(txn, tenant, session_id, kById, speaker_id)->speaker;
      });
}

void SessionStore::EndTurn(pqxx::dbtransaction& txn, const std::string& tenant,
                           const std::string& session_id) {
  txn.exec_params(
      "UPDATE sessions.speakers SET state = 'SPEAKER_DONE', end_time = now()"
      " WHERE tenant_id = $1 AND session_id = $2::uuid AND state = 'SPEAKER_SPEAKING'",
      tenant, session_id);
}

absl::StatusOr<v1::Attendance> SessionStore::Attendance(pqxx::dbtransaction& txn,
                                                        const std::string& tenant,
                                                        const std::string& session_id) {
  ASSIGN_OR_RETURN(v1::Session session, ReadSession(txn, tenant, session_id));
  v1::Attendance attendance = Summary(session);
  auto delegates = txn.exec_params(
      "SELECT full_name, group_name, hamlet, (extract(epoch FROM check_in_time) * 1000000)::bigint"
      " FROM sessions.delegates WHERE tenant_id = $1 AND session_id = $2::uuid"
      " ORDER BY check_in_time, full_name",
      tenant, session_id);
  for (const auto& row : delegates) {
    v1::Delegate* d = attendance.add_delegates();
    d->set_full_name(row[0].as<std::string>());
    d->set_group(row[1].as<std::string>());
    d->set_hamlet(row[2].as<std::string>());
    *d->mutable_check_in_time() = Micros(row[3].as<int64_t>());
  }
  return attendance;
}

absl::StatusOr<v1::Attendance> SessionStore::Attendance(const db::TenantScope& scope,
                                                        const std::string& tenant,
                                                        const std::string& session_id) {
  return pool_.InTransaction(scope, "sessions.delegates", [&](pqxx::dbtransaction& txn) {
    return Attendance(txn, tenant, session_id);
  });
}

absl::StatusOr<v1::Attendance> SessionStore::RecordAttendance(
    const db::TenantScope& scope, const std::string& tenant, const std::string& session_id,
    const std::vector<v1::Delegate>& check_ins, const std::vector<v1::GroupCount>& counts,
    const SessionCheck& check) {
  return pool_.InTransaction(
      scope, "sessions.delegates", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Attendance> {
        ASSIGN_OR_RETURN(v1::Session session, LockSession(txn, tenant, session_id));
        RETURN_IF_ERROR(check(session));
        auto group_index = [&](const std::string& name) {
          for (int i = 0; i < session.groups_size(); ++i) {
            if (session.groups(i).name() == name) return i;
          }
          return -1;
        };
        for (size_t i = 0; i < check_ins.size(); ++i) {
          if (group_index(check_ins[i].group()) < 0) {
            return common::InvalidField(
                absl::StrCat("check_ins[", i, "].group"), "GROUP_UNKNOWN",
                absl::StrCat("'", check_ins[i].group(),
                             "' is not a participant group of the session"));
          }
        }
        for (size_t i = 0; i < counts.size(); ++i) {
          int at = group_index(counts[i].group());
          if (at < 0) {
            return common::InvalidField(
                absl::StrCat("counts[", i, "].group"), "GROUP_UNKNOWN",
                absl::StrCat("'", counts[i].group(),
                             "' is not a participant group of the session"));
          }
          session.mutable_groups(at)->set_present(counts[i].present());
        }
        for (const v1::Delegate& d : check_ins) {
          txn.exec_params(
              "INSERT INTO sessions.delegates (tenant_id, session_id, full_name, group_name, "
              "hamlet)"
              " VALUES ($1, $2::uuid, $3, $4, $5) ON CONFLICT DO NOTHING",
              tenant, session_id, d.full_name(), d.group(), d.hamlet());
        }
        if (!counts.empty()) {
          txn.exec_params(
              "UPDATE sessions.sessions SET doc = $3::jsonb, version = version + 1,"
              " update_time = now() WHERE tenant_id = $1 AND id = $2::uuid",
              tenant, session_id, SessionDoc(session));
        }
        return Attendance(txn, tenant, session_id);
      });
}

void SessionStore::InsertMinutes(pqxx::dbtransaction& txn, const std::string& tenant,
                                 const std::string& session_id, const std::string& text) {
  txn.exec_params(
      "INSERT INTO sessions.minutes (tenant_id, session_id, text) VALUES ($1, $2::uuid, $3)"
      " ON CONFLICT (tenant_id, session_id) DO UPDATE SET text = excluded.text,"
      " approvals = '{}', version = sessions.minutes.version + 1, update_time = now()"
      " WHERE sessions.minutes.state = 'MINUTES_DRAFT'",
      tenant, session_id, text);
}

absl::StatusOr<v1::Minutes> SessionStore::Minutes(const db::TenantScope& scope,
                                                  const std::string& tenant,
                                                  const std::string& session_id) {
  return pool_.InTransaction(scope, "sessions.minutes",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Minutes> {
                               return ReadMinutes(txn, tenant, session_id, false);
                             });
}

absl::StatusOr<std::string> SessionStore::MinutesDocument(const db::TenantScope& scope,
                                                          const std::string& tenant,
                                                          const std::string& session_id) {
  return pool_.InTransaction(
      scope, "sessions.minutes", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::string> {
        auto rows = txn.exec_params(
            "SELECT coalesce(encode(document, 'hex'), '') FROM sessions.minutes"
            " WHERE tenant_id = $1 AND session_id = $2::uuid",
            tenant, session_id);
        if (rows.empty()) return std::string();
        return absl::HexStringToBytes(rows[0][0].as<std::string>());
      });
}

absl::StatusOr<v1::Minutes> SessionStore::UpdateMinutes(
    const db::TenantScope& scope, const std::string& tenant, const std::string& session_id,
    const std::string& etag, const MinutesChange& change, const MinutesFile& file) {
  return pool_.InTransaction(
      scope, "sessions.minutes", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Minutes> {
        ASSIGN_OR_RETURN(v1::Minutes m, ReadMinutes(txn, tenant, session_id, true));
        if (m.state() == v1::MINUTES_APPROVED) {
          return common::Error(
              absl::StatusCode::kFailedPrecondition, "MINUTES_APPROVED",
              absl::StrCat("approved minutes never change (", m.content_hash(), ")"));
        }
        RETURN_IF_ERROR(common::CheckEtag(etag, m.etag(), "the minutes"));
        RETURN_IF_ERROR(change(m));
        v1::Minutes approvals;
        *approvals.mutable_approvals() = m.approvals();
        const bool approved = m.state() == v1::MINUTES_APPROVED;
        // Approved: the text's hash, and the file as it reads now, kept with its own.
        std::string document;
        if (approved) {
          m.set_content_hash(ContentHash(m.text()));
          if (!file) return absl::InternalError("approved minutes are stored with their file");
          ASSIGN_OR_RETURN(document, file(m));
        }
        auto written = txn.exec_params(
            absl::StrCat(
                "UPDATE sessions.minutes m SET text = $3, state = $4, approvals = $5::jsonb,"
                " content_hash = $6, version = version + 1, update_time = now(),"
                " approve_time = CASE WHEN $4 = 'MINUTES_APPROVED' THEN now() END,"
                " document = CASE WHEN $4 = 'MINUTES_APPROVED' THEN decode($7, 'hex') END,"
                " document_hash = $8"
                " WHERE m.tenant_id = $1 AND m.session_id = $2::uuid RETURNING ",
                kMinutesColumns),
            tenant, session_id, m.text(), v1::MinutesState_Name(m.state()),
            common::StoredJson(approvals), m.content_hash(), absl::BytesToHexString(document),
            approved ? ContentHash(document) : std::string());
        if (approved) {
          txn.exec_params(
              "UPDATE sessions.sessions SET state = 'SESSION_CLOSED', version = version + 1,"
              " update_time = now() WHERE tenant_id = $1 AND id = $2::uuid",
              tenant, session_id);
        }
        return MinutesFromRow(tenant, session_id, written[0]);
      });
}

v1::AgendaTemplate SessionStore::Template(pqxx::dbtransaction& txn, const std::string& tenant) {
  auto rows = txn.exec_params(
      "SELECT agenda::text FROM sessions.agenda_templates WHERE tenant_id = $1", tenant);
  v1::AgendaTemplate agenda;
  if (rows.empty() || !common::FromStoredJson(rows[0][0].as<std::string>(), &agenda)) {
    agenda = DefaultAgendaTemplate();
    agenda.set_customized(false);
  } else {
    agenda.set_customized(true);
    if (agenda.speaker_limit_minutes() == 0) {
      agenda.set_speaker_limit_minutes(kDefaultSpeakerLimitMinutes);
    }
  }
  agenda.set_name(absl::StrCat("tenants/", tenant, "/agendaTemplate"));
  return agenda;
}

absl::StatusOr<v1::AgendaTemplate> SessionStore::Template(const db::TenantScope& scope,
                                                          const std::string& tenant) {
  return pool_.InTransaction(scope, "sessions.agenda_templates",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::AgendaTemplate> {
                               return Template(txn, tenant);
                             });
}

absl::StatusOr<v1::AgendaTemplate> SessionStore::ReplaceTemplate(const db::TenantScope& scope,
                                                                 const std::string& tenant,
                                                                 const v1::AgendaTemplate& agenda) {
  return pool_.InTransaction(
      scope, "sessions.agenda_templates",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::AgendaTemplate> {
        if (agenda.steps().empty()) {
          txn.exec_params("DELETE FROM sessions.agenda_templates WHERE tenant_id = $1", tenant);
        } else {
          v1::AgendaTemplate stored;
          *stored.mutable_steps() = agenda.steps();
          stored.set_speaker_limit_minutes(agenda.speaker_limit_minutes());
          txn.exec_params(
              "INSERT INTO sessions.agenda_templates (tenant_id, agenda) VALUES ($1, $2::jsonb)"
              " ON CONFLICT (tenant_id) DO UPDATE SET agenda = excluded.agenda, update_time = "
              "now()",
              tenant, common::StoredJson(stored));
        }
        return Template(txn, tenant);
      });
}

absl::StatusOr<v1::SessionLiveView> SessionStore::LiveView(const db::TenantScope& scope,
                                                           const std::string& tenant,
                                                           const std::string& session_id) {
  return pool_.InTransaction(
      scope, "sessions.sessions",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::SessionLiveView> {
        ASSIGN_OR_RETURN(v1::Session session, ReadSession(txn, tenant, session_id));
        const v1::Attendance attendance = Summary(session);
        v1::SessionLiveView view;
        view.set_session(session.name());
        view.set_title(session.title());
        view.set_state(session.state());
        if (const v1::AgendaStep* step = CurrentStep(session)) *view.mutable_current_step() = *step;
        view.set_step_count(session.agenda_size());
        view.set_speaker_limit_minutes(session.speaker_limit_minutes());
        view.set_expected(attendance.expected());
        view.set_present(attendance.present());
        for (const v1::Speaker& s : Speakers(txn, tenant, session_id)) {
          v1::LiveSpeaker live;
          live.set_position(s.position());
          live.set_full_name(s.full_name());
          live.set_hamlet(s.hamlet());
          live.set_topic(s.topic());
          live.set_written(s.written());
          if (s.state() == v1::SPEAKER_SPEAKING) {
            *live.mutable_call_time() = s.call_time();
            *view.mutable_speaking() = live;
          } else if (s.state() == v1::SPEAKER_WAITING && view.queue_size() < 50) {
            *view.add_queue() = live;
          }
        }
        return view;
      });
}

}  // namespace dialogue::sessions
