#include "store.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/log.h"
#include "dialogue/common/names.h"
#include "dialogue/common/receipt_code.h"
#include "dialogue/common/status.h"
#include "dialogue/db/commune.h"
#include "dialogue/rpc/call.h"

namespace dialogue::intake {
namespace {

using common::JsonEscape;
using google::protobuf::util::TimeUtil;

constexpr int kMaxPageSize = 500;
constexpr int kImportChunk = 2000;

// Columns every opinion read selects, in the order OpinionFromRow expects.
constexpr const char* kOpinionColumns =
    "o.id::text, o.round_id::text, o.receipt_code, o.hamlet, o.channel, o.text,"
    " o.submitter_name, o.submitter_contact, o.state, o.topic, o.suggested_topic,"
    " o.suggested_individual, o.routed_to, o.route_reason, o.department,"
    " coalesce(o.answer_due::text, ''), o.answer, o.return_note,"
    " coalesce(o.merged_into::text, ''), o.supporter_count, o.version,"
    " (extract(epoch FROM o.create_time) * 1000000)::bigint,"
    " (extract(epoch FROM o.update_time) * 1000000)::bigint,"
    " (o.state IN ('ASSIGNED', 'ANSWER_DRAFTED') AND o.answer_due <"
    "  (now() AT TIME ZONE 'UTC' + interval '7 hours')::date),"
    " o.state_before_merge,"
    " coalesce((SELECT (o.create_time AT TIME ZONE 'UTC' + interval '7 hours')::date >"
    "   r.opinion_deadline FROM intake.rounds r"
    "   WHERE r.tenant_id = o.tenant_id AND r.id = o.round_id), false),"
    " o.reply_via";
constexpr int kOpinionColumnCount = 27;

constexpr const char* kRoundColumns =
    "id::text, title, plan, conference_id, coalesce(opinion_deadline::text, ''),"
    " coalesce(answer_due::text, ''), (extract(epoch FROM create_time) * 1000000)::bigint,"
    " (SELECT count(*) FROM intake.opinions o WHERE o.tenant_id = rounds.tenant_id"
    "   AND o.round_id = rounds.id),"
    " (SELECT count(*) FROM intake.opinions o WHERE o.tenant_id = rounds.tenant_id"
    "   AND o.round_id = rounds.id"
    "   AND (o.create_time AT TIME ZONE 'UTC' + interval '7 hours')::date > "
    "rounds.opinion_deadline)";

std::string Quoted(absl::string_view s) { return absl::StrCat("\"", JsonEscape(s), "\""); }

template <typename Enum, typename Parse>
Enum ParseEnum(const std::string& name, Parse parse) {
  Enum value{};
  parse(name, &value);
  return value;
}

v1::Opinion OpinionFromRow(const std::string& tenant, const pqxx::row& row) {
  v1::Opinion o;
  o.set_name(OpinionName(tenant, row[0].as<std::string>()));
  o.set_round(RoundName(tenant, row[1].as<std::string>()));
  o.set_receipt_code(row[2].as<std::string>());
  o.set_hamlet(row[3].as<std::string>());
  o.set_channel(ParseEnum<v1::Channel>(row[4].as<std::string>(), v1::Channel_Parse));
  o.set_text(row[5].as<std::string>());
  std::string submitter_name = row[6].as<std::string>();
  std::string submitter_contact = row[7].as<std::string>();
  if (!submitter_name.empty() || !submitter_contact.empty()) {
    o.mutable_submitter()->set_name(submitter_name);
    o.mutable_submitter()->set_contact(submitter_contact);
    o.mutable_submitter()->set_reply_via(
        ParseEnum<v1::ReplyVia>(row[26].as<std::string>(), v1::ReplyVia_Parse));
  }
  o.set_state(ParseEnum<v1::OpinionState>(row[8].as<std::string>(), v1::OpinionState_Parse));
  o.set_topic(row[9].as<std::string>());
  o.set_suggested_topic(row[10].as<std::string>());
  o.set_suggested_individual(row[11].as<bool>());
  o.set_routed_to(row[12].as<std::string>());
  o.set_route_reason(row[13].as<std::string>());
  o.set_department(row[14].as<std::string>());
  o.set_answer_due_date(row[15].as<std::string>());
  o.set_answer(row[16].as<std::string>());
  o.set_return_note(row[17].as<std::string>());
  std::string merged_into = row[18].as<std::string>();
  if (!merged_into.empty()) o.set_merged_into(OpinionName(tenant, merged_into));
  o.set_supporter_count(row[19].as<int>());
  o.set_etag(row[20].as<std::string>());
  *o.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[21].as<int64_t>());
  *o.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row[22].as<int64_t>());
  o.set_overdue(!row[23].is_null() && row[23].as<bool>());
  o.set_received_late(row[25].as<bool>());
  return o;
}

v1::Round RoundFromRow(const std::string& tenant, const pqxx::row& row) {
  v1::Round r;
  r.set_name(RoundName(tenant, row[0].as<std::string>()));
  r.set_title(row[1].as<std::string>());
  r.set_plan(row[2].as<std::string>());
  r.set_conference_id(row[3].as<std::string>());
  r.set_opinion_deadline_date(row[4].as<std::string>());
  r.set_answer_due_date(row[5].as<std::string>());
  *r.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[6].as<int64_t>());
  r.set_opinions(row[7].as<int>());
  r.set_received_late(row[8].as<int>());
  return r;
}

std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

absl::Status OpinionNotFound(const std::string& tenant, const std::string& id) {
  return common::Error(absl::StatusCode::kNotFound, "OPINION_NOT_FOUND",
                       absl::StrCat("there is no opinion ", OpinionName(tenant, id)));
}

absl::Status RoundNotFound(const std::string& tenant, const std::string& id) {
  return common::Error(absl::StatusCode::kNotFound, "ROUND_NOT_FOUND",
                       absl::StrCat("there is no round ", RoundName(tenant, id)));
}

void WriteEvents(pqxx::dbtransaction& txn, const std::string& tenant,
                 const std::vector<v1::Event>& events) {
  if (events.empty()) return;
  std::string json = "[";
  for (size_t i = 0; i < events.size(); ++i) {
    absl::StrAppend(&json, i ? "," : "", "{\"id\":", Quoted(events[i].id()),
                    ",\"type\":", Quoted(events[i].type()), ",\"payload\":\"",
                    absl::BytesToHexString(events[i].SerializeAsString()), "\"}");
  }
  json += "]";
  txn.exec_params(
      "INSERT INTO intake.outbox (tenant_id, event_id, event_type, payload)"
      " SELECT $1, e.id, e.type, decode(e.payload, 'hex')"
      " FROM jsonb_to_recordset($2::jsonb) AS e(id uuid, type text, payload text)",
      tenant, json);
}

void WriteHistory(pqxx::dbtransaction& txn, const std::string& tenant,
                  const std::string& opinion_id, v1::OpinionState from, v1::OpinionState to,
                  const std::string& actor, const std::string& note) {
  txn.exec_params(
      "INSERT INTO intake.opinion_history (tenant_id, opinion_id, from_state, to_state, actor,"
      " note) VALUES ($1, $2::uuid, $3, $4, $5, $6)",
      tenant, opinion_id, v1::OpinionState_Name(from), v1::OpinionState_Name(to), actor, note);
}

// Writes every field a custom method may change.
void WriteOpinion(pqxx::dbtransaction& txn, const std::string& tenant, const std::string& id,
                  const v1::Opinion& o, const std::string& state_before_merge) {
  txn.exec_params(
      "UPDATE intake.opinions SET state = $3, topic = $4, routed_to = $5, route_reason = $6,"
      " department = $7, answer_due = nullif($8, '')::date, answer = $9, return_note = $10,"
      " merged_into = nullif($11, '')::uuid, supporter_count = $12, state_before_merge = $13,"
      " version = version + 1, update_time = now() WHERE tenant_id = $1 AND id = $2::uuid",
      tenant, id, v1::OpinionState_Name(o.state()), o.topic(), o.routed_to(), o.route_reason(),
      o.department(), o.answer_due_date(), o.answer(), o.return_note(),
      o.merged_into().empty() ? std::string() : IdOf(o.merged_into()), o.supporter_count(),
      state_before_merge);
}

struct Locked {
  v1::Opinion opinion;
  std::string state_before_merge;
};

// Reads opinions under row locks, in id order so that concurrent merges cannot deadlock.
absl::StatusOr<std::map<std::string, Locked>> LockOpinions(pqxx::dbtransaction& txn,
                                                           const std::string& tenant,
                                                           std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  std::map<std::string, Locked> out;
  for (const auto& id : ids) {
    auto rows = txn.exec_params(absl::StrCat("SELECT ", kOpinionColumns,
                                             " FROM intake.opinions o WHERE o.tenant_id = $1"
                                             " AND o.id = $2::uuid FOR UPDATE"),
                                tenant, id);
    if (rows.empty()) return OpinionNotFound(tenant, id);
    out[id] = Locked{OpinionFromRow(tenant, rows[0]), rows[0][24].as<std::string>()};
  }
  return out;
}

absl::Status BadPageToken() {
  return common::InvalidField("page_token", "PAGE_TOKEN_INVALID",
                              "the page token is not one this list returned");
}

absl::Status BadFilter(absl::string_view message) {
  return common::InvalidField("filter", "FILTER_INVALID", message);
}

void AddCount(google::protobuf::RepeatedPtrField<v1::Count>* out, const pqxx::result& rows) {
  for (const auto& row : rows) {
    v1::Count* c = out->Add();
    c->set_key(row[0].as<std::string>());
    c->set_opinions(row[1].as<int>());
    c->set_supporters(row[2].as<int>());
  }
}

}  // namespace

std::string OpinionName(const std::string& tenant, const std::string& id) {
  return absl::StrCat("tenants/", tenant, "/opinions/", id);
}

std::string RoundName(const std::string& tenant, const std::string& id) {
  return absl::StrCat("tenants/", tenant, "/rounds/", id);
}

absl::StatusOr<OpinionFilter> ParseOpinionFilter(const std::string& tenant,
                                                 const std::string& text) {
  OpinionFilter filter;
  if (absl::StripAsciiWhitespace(text).empty()) return filter;
  for (absl::string_view term : absl::StrSplit(text, " AND ")) {
    std::vector<absl::string_view> sides = absl::StrSplit(term, absl::MaxSplits('=', 1));
    if (sides.size() != 2) {
      return BadFilter(absl::StrCat("'", term, "' is not a 'field = value' condition"));
    }
    absl::string_view field = absl::StripAsciiWhitespace(sides[0]);
    std::string value(absl::StripAsciiWhitespace(sides[1]));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (field == "round") {
      auto name = common::ParseName(value, "tenants/{tenant}/rounds/{round:uuid}", "filter");
      if (!name.ok() || (*name)["tenant"] != tenant) {
        return BadFilter(absl::StrCat("'", value, "' is not a round of tenants/", tenant));
      }
      filter.round_id = (*name)["round"];
    } else if (field == "topic") {
      filter.topic = value;
    } else if (field == "state") {
      v1::OpinionState state;
      if (!v1::OpinionState_Parse(value, &state) || state == v1::OPINION_STATE_UNSPECIFIED) {
        return BadFilter(absl::StrCat("'", value, "' is not an opinion state"));
      }
      filter.state = state;
    } else if (field == "hamlet") {
      filter.hamlet = value;
    } else if (field == "department") {
      filter.department = value;
    } else if (field == "channel") {
      v1::Channel channel;
      if (!v1::Channel_Parse(value, &channel) || channel == v1::CHANNEL_UNSPECIFIED) {
        return BadFilter(absl::StrCat("'", value, "' is not a channel"));
      }
      filter.channel = channel;
    } else if (field == "overdue") {
      if (value != "true" && value != "false") return BadFilter("overdue is true or false");
      filter.overdue = value == "true";
    } else if (field == "due_before") {
      if (!calendar::ParseDate(value).ok()) {
        return BadFilter(absl::StrCat("due_before: '", value, "' is not a date as YYYY-MM-DD"));
      }
      filter.due_before = value;
    } else {
      return BadFilter(absl::StrCat(
          "opinions are filtered by round, topic, state, hamlet, department, channel, overdue "
          "and due_before, not '",
          field, "'"));
    }
  }
  return filter;
}

absl::StatusOr<TenantInfo> IntakeStore::Tenant(const db::TenantScope& scope,
                                               const std::string& tenant) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tenants_.find(tenant);
    if (it != tenants_.end() && absl::Now() - it->second.first < tenant_ttl_) {
      return it->second.second;
    }
  }
  ASSIGN_OR_RETURN(
      TenantInfo info,
      pool_.InTransaction(
          scope, "tenancy.tenants", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<TenantInfo> {
            auto rows = txn.exec_params(
                "SELECT coalesce((SELECT string_agg(h->>'id', E'\\n')"
                "   FROM jsonb_array_elements(hamlets) AS h), ''), voter_count,"
                " coalesce((SELECT string_agg(coalesce(h->>'display_name', ''),"
                "   E'\\n') FROM jsonb_array_elements(hamlets) AS h), ''),"
                " coalesce((rules->>'dialogue_request_threshold_percent')::int, 0), display_name"
                " FROM tenancy.tenants WHERE id = $1",
                tenant);
            if (rows.empty()) {
              return common::Error(absl::StatusCode::kNotFound, "TENANT_NOT_FOUND",
                                   absl::StrCat("there is no tenant ", tenant));
            }
            TenantInfo out;
            std::string hamlets = rows[0][0].as<std::string>();
            if (!hamlets.empty()) out.hamlets = absl::StrSplit(hamlets, '\n');
            out.voter_count = rows[0][1].as<int>();
            std::vector<std::string> names = absl::StrSplit(rows[0][2].as<std::string>(), '\n');
            for (size_t i = 0; i < out.hamlets.size() && i < names.size(); ++i) {
              if (!names[i].empty()) out.hamlet_names[out.hamlets[i]] = names[i];
            }
            out.threshold_percent = rows[0][3].as<int>();
            out.display_name = rows[0][4].as<std::string>();
            out.days_off = db::ReadDaysOff(txn, tenant);
            return out;
          }));
  std::lock_guard<std::mutex> lock(mu_);
  tenants_[tenant] = {absl::Now(), info};
  return info;
}

absl::StatusOr<v1::Round> IntakeStore::CreateRound(const db::TenantScope& scope,
                                                   const std::string& tenant,
                                                   const v1::Round& round,
                                                   const std::string& request_id) {
  return pool_.InTransaction(
      scope, "intake.rounds", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Round> {
        auto inserted = txn.exec_params(
            absl::StrCat("INSERT INTO intake.rounds (tenant_id, title, plan, conference_id,"
                         " opinion_deadline, answer_due, request_id) VALUES ($1, $2, $3, $4,"
                         " nullif($5, '')::date, nullif($6, '')::date, nullif($7, ''))"
                         " ON CONFLICT (tenant_id, request_id) DO NOTHING RETURNING ",
                         kRoundColumns),
            tenant, round.title(), round.plan(), round.conference_id(),
            round.opinion_deadline_date(), round.answer_due_date(), request_id);
        if (!inserted.empty()) return RoundFromRow(tenant, inserted[0]);
        auto existing = txn.exec_params(
            absl::StrCat("SELECT ", kRoundColumns,
                         " FROM intake.rounds WHERE tenant_id = $1 AND request_id = $2"),
            tenant, request_id);
        if (existing.empty()) return absl::AbortedError("concurrent create; retry");
        return RoundFromRow(tenant, existing[0]);
      });
}

absl::StatusOr<v1::Round> IntakeStore::GetRound(const db::TenantScope& scope,
                                                const std::string& tenant,
                                                const std::string& round_id) {
  return pool_.InTransaction(
      scope, "intake.rounds", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Round> {
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kRoundColumns,
                                                 " FROM intake.rounds WHERE tenant_id = $1"
                                                 " AND id = $2::uuid"),
                                    tenant, round_id);
        if (rows.empty()) return RoundNotFound(tenant, round_id);
        return RoundFromRow(tenant, rows[0]);
      });
}

absl::StatusOr<v1::Round> IntakeStore::UpdateRound(const db::TenantScope& scope,
                                                   const std::string& tenant,
                                                   const std::string& round_id,
                                                   const v1::Round& round) {
  return pool_.InTransaction(
      scope, "intake.rounds", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Round> {
        auto rows =
            txn.exec_params(absl::StrCat("UPDATE intake.rounds SET title = $3,"
                                         " opinion_deadline = nullif($4, '')::date,"
                                         " answer_due = nullif($5, '')::date"
                                         " WHERE tenant_id = $1 AND id = $2::uuid RETURNING ",
                                         kRoundColumns),
                            tenant, round_id, round.title(), round.opinion_deadline_date(),
                            round.answer_due_date());
        if (rows.empty()) return RoundNotFound(tenant, round_id);
        return RoundFromRow(tenant, rows[0]);
      });
}

absl::Status IntakeStore::DeleteRound(const db::TenantScope& scope, const std::string& tenant,
                                      const std::string& round_id) {
  return pool_.InTransaction(scope, "intake.rounds", [&](pqxx::dbtransaction& txn) -> absl::Status {
    auto rows = txn.exec_params(
        "SELECT (SELECT count(*) FROM intake.opinions o WHERE o.tenant_id = r.tenant_id"
        " AND o.round_id = r.id) FROM intake.rounds r WHERE r.tenant_id = $1 AND r.id = $2::uuid"
        " FOR UPDATE",
        tenant, round_id);
    if (rows.empty()) return RoundNotFound(tenant, round_id);
    if (const int held = rows[0][0].as<int>(); held > 0) {
      return common::Error(
          absl::StatusCode::kFailedPrecondition, "ROUND_HAS_OPINIONS",
          absl::StrCat("the round holds ", held, " opinions; a round is deleted only while empty"));
    }
    txn.exec_params("DELETE FROM intake.rounds WHERE tenant_id = $1 AND id = $2::uuid", tenant,
                    round_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Round>> IntakeStore::ListRounds(const db::TenantScope& scope,
                                                               const std::string& tenant) {
  return pool_.InTransaction(
      scope, "intake.rounds",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::Round>> {
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kRoundColumns,
                                                 " FROM intake.rounds WHERE tenant_id = $1"
                                                 " ORDER BY create_time DESC, id LIMIT 1000"),
                                    tenant);
        std::vector<v1::Round> out;
        for (const auto& row : rows) out.push_back(RoundFromRow(tenant, row));
        return out;
      });
}

absl::StatusOr<std::pair<std::vector<v1::Topic>, bool>> IntakeStore::Topics(
    const db::TenantScope& scope, const std::string& tenant) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = topics_.find(tenant);
    if (it != topics_.end() && absl::Now() - it->second.loaded < tenant_ttl_) {
      return std::make_pair(it->second.topics, it->second.defaults);
    }
  }
  using Result = std::pair<std::vector<v1::Topic>, bool>;
  ASSIGN_OR_RETURN(
      Result result,
      pool_.InTransaction(
          scope, "intake.topics", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Result> {
            auto rows = txn.exec_params(
                "SELECT id, display_name, array_to_string(keywords, E'\\n')"
                " FROM intake.topics WHERE tenant_id = $1 ORDER BY position",
                tenant);
            if (rows.empty()) return Result{DefaultTopics(), true};
            Result out{{}, false};
            for (const auto& row : rows) {
              v1::Topic& t = out.first.emplace_back();
              t.set_id(row[0].as<std::string>());
              t.set_display_name(row[1].as<std::string>());
              std::string keywords = row[2].as<std::string>();
              for (absl::string_view k : absl::StrSplit(keywords, '\n', absl::SkipEmpty())) {
                t.add_keywords(std::string(k));
              }
            }
            return out;
          }));
  std::lock_guard<std::mutex> lock(mu_);
  topics_[tenant] = CachedTopics{absl::Now(), result.first, result.second};
  return result;
}

absl::Status IntakeStore::ReplaceTopics(const db::TenantScope& scope, const std::string& tenant,
                                        const std::vector<v1::Topic>& topics) {
  std::string json = "[";
  for (size_t i = 0; i < topics.size(); ++i) {
    std::vector<std::string> keywords;
    for (const auto& k : topics[i].keywords()) keywords.push_back(Quoted(k));
    absl::StrAppend(&json, i ? "," : "", "{\"id\":", Quoted(topics[i].id()), ",\"position\":", i,
                    ",\"display_name\":", Quoted(topics[i].display_name()), ",\"keywords\":[",
                    absl::StrJoin(keywords, ","), "]}");
  }
  json += "]";
  RETURN_IF_ERROR(
      pool_.InTransaction(scope, "intake.topics", [&](pqxx::dbtransaction& txn) -> absl::Status {
        txn.exec_params("DELETE FROM intake.topics WHERE tenant_id = $1", tenant);
        txn.exec_params(
            "INSERT INTO intake.topics (tenant_id, id, position, display_name, keywords)"
            " SELECT $1, t.id, t.position, t.display_name,"
            "        ARRAY(SELECT jsonb_array_elements_text(t.keywords))"
            " FROM jsonb_to_recordset($2::jsonb) AS t(id text, position int, display_name text,"
            "                                        keywords jsonb)",
            tenant, json);
        return absl::OkStatus();
      }));
  std::lock_guard<std::mutex> lock(mu_);
  topics_.erase(tenant);
  return absl::OkStatus();
}

std::vector<absl::StatusOr<v1::Opinion>> IntakeStore::CreateOpinions(
    const db::TenantScope& scope, const std::string& tenant, const std::vector<NewOpinion>& batch) {
  std::vector<absl::StatusOr<v1::Opinion>> results(batch.size(), absl::UnknownError("not written"));
  std::string json = "[";
  for (size_t i = 0; i < batch.size(); ++i) {
    const NewOpinion& n = batch[i];
    const v1::Opinion& o = n.opinion;
    absl::StrAppend(
        &json, i ? "," : "", "{\"id\":", Quoted(n.id), ",\"round_id\":", Quoted(n.round_id),
        ",\"receipt_code\":", Quoted(o.receipt_code()), ",\"hamlet\":", Quoted(o.hamlet()),
        ",\"channel\":", Quoted(v1::Channel_Name(o.channel())), ",\"text\":", Quoted(o.text()),
        ",\"norm_text\":", Quoted(n.normalized),
        ",\"submitter_name\":", Quoted(o.submitter().name()),
        ",\"submitter_contact\":", Quoted(o.submitter().contact()), ",\"reply_via\":",
        Quoted(o.submitter().reply_via() == v1::REPLY_VIA_UNSPECIFIED
                   ? ""
                   : v1::ReplyVia_Name(o.submitter().reply_via())),
        ",\"suggested_topic\":", Quoted(o.suggested_topic()),
        ",\"suggested_individual\":", o.suggested_individual() ? "true" : "false",
        ",\"created_by\":", Quoted(n.created_by),
        ",\"request_id\":", n.request_id.empty() ? "null" : Quoted(n.request_id), "}");
  }
  json += "]";
  auto written =
      pool_.InTransaction(scope, "intake.opinions", [&](pqxx::dbtransaction& txn) -> absl::Status {
        // A row whose round does not exist is left out by the join, as is one whose
        // request_id was seen before; the two are told apart below.
        auto inserted = txn.exec_params(
            absl::StrCat(
                "INSERT INTO intake.opinions AS o (tenant_id, id, round_id, receipt_code, hamlet,"
                " channel, text, norm_text, submitter_name, submitter_contact, reply_via, state,"
                " suggested_topic, suggested_individual, created_by, request_id)"
                " SELECT $1, i.id, i.round_id, i.receipt_code, i.hamlet, i.channel, i.text,"
                "        i.norm_text, i.submitter_name, i.submitter_contact, i.reply_via,"
                "        'RECEIVED', i.suggested_topic, i.suggested_individual, i.created_by,"
                "        i.request_id"
                " FROM jsonb_to_recordset($2::jsonb) AS i(id uuid, round_id uuid, receipt_code "
                "text,"
                "      hamlet text, channel text, text text, norm_text text, submitter_name text,"
                "      submitter_contact text, reply_via text, suggested_topic text,"
                "      suggested_individual boolean, created_by text, request_id text)"
                " JOIN intake.rounds r ON r.tenant_id = $1 AND r.id = i.round_id"
                " ON CONFLICT (tenant_id, request_id) DO NOTHING RETURNING ",
                kOpinionColumns),
            tenant, json);
        std::map<std::string, v1::Opinion> by_id;
        for (const auto& row : inserted)
          by_id[row[0].as<std::string>()] = OpinionFromRow(tenant, row);
        std::vector<v1::Event> events;
        std::vector<std::string> replayed;
        for (size_t i = 0; i < batch.size(); ++i) {
          auto it = by_id.find(batch[i].id);
          if (it != by_id.end()) {
            results[i] = it->second;
            if (batch[i].event) events.push_back(*batch[i].event);
          } else if (!batch[i].request_id.empty()) {
            replayed.push_back(Quoted(batch[i].request_id));
          } else {
            results[i] = RoundNotFound(tenant, batch[i].round_id);
          }
        }
        WriteEvents(txn, tenant, events);
        if (replayed.empty()) return absl::OkStatus();
        auto existing = txn.exec_params(
            absl::StrCat("SELECT ", kOpinionColumns, ", o.request_id FROM intake.opinions o",
                         " WHERE o.tenant_id = $1 AND o.request_id IN"
                         " (SELECT jsonb_array_elements_text($2::jsonb))"),
            tenant, absl::StrCat("[", absl::StrJoin(replayed, ","), "]"));
        std::map<std::string, v1::Opinion> by_request;
        for (const auto& row : existing) {
          by_request[row[kOpinionColumnCount].as<std::string>()] = OpinionFromRow(tenant, row);
        }
        for (size_t i = 0; i < batch.size(); ++i) {
          if (results[i].ok() || batch[i].request_id.empty()) continue;
          auto it = by_request.find(batch[i].request_id);
          if (it != by_request.end()) {
            results[i] = it->second;
          } else if (!by_id.count(batch[i].id)) {
            results[i] = RoundNotFound(tenant, batch[i].round_id);
          }
        }
        return absl::OkStatus();
      });
  if (!written.ok()) {
    for (auto& r : results) r = written;
  }
  return results;
}

absl::StatusOr<ImportResult> IntakeStore::Import(const db::TenantScope& scope,
                                                 const std::string& tenant,
                                                 const std::string& round_id,
                                                 const std::vector<ImportRow>& rows,
                                                 const std::string& created_by,
                                                 const std::function<v1::Event(int)>& event) {
  return pool_.InTransaction(
      scope, "intake.opinions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<ImportResult> {
        auto round = txn.exec_params(
            "SELECT 1 FROM intake.rounds WHERE tenant_id = $1 AND id = $2::uuid", tenant, round_id);
        if (round.empty()) return RoundNotFound(tenant, round_id);
        ImportResult result;
        std::string json;
        for (size_t start = 0; start < rows.size(); start += kImportChunk) {
          size_t end = std::min(rows.size(), start + kImportChunk);
          json.clear();
          json += "[";
          for (size_t i = start; i < end; ++i) {
            const ImportRow& r = rows[i];
            absl::StrAppend(
                &json, i > start ? "," : "", "{\"id\":", Quoted(common::NewUuid()),
                ",\"receipt_code\":", Quoted(common::ReceiptCode::New().text()),
                ",\"hamlet\":", Quoted(r.fields.hamlet()),
                ",\"channel\":", Quoted(v1::Channel_Name(r.fields.channel())),
                ",\"text\":", Quoted(r.fields.text()), ",\"norm_text\":", Quoted(r.normalized),
                ",\"submitter_name\":", Quoted(r.fields.submitter_name()),
                ",\"submitter_contact\":", Quoted(r.fields.submitter_contact()),
                ",\"suggested_topic\":", Quoted(r.suggestion.topic),
                ",\"suggested_individual\":", r.suggestion.individual ? "true" : "false",
                ",\"request_id\":", Quoted(r.key), "}");
          }
          json += "]";
          auto inserted = txn.exec_params(
              "INSERT INTO intake.opinions (tenant_id, id, round_id, receipt_code, hamlet, channel,"
              " text, norm_text, submitter_name, submitter_contact, state, suggested_topic,"
              " suggested_individual, created_by, request_id)"
              " SELECT $1, i.id, $2::uuid, i.receipt_code, i.hamlet, i.channel, i.text, "
              "i.norm_text,"
              "        i.submitter_name, i.submitter_contact, 'RECEIVED', i.suggested_topic,"
              "        i.suggested_individual, $3, i.request_id"
              " FROM jsonb_to_recordset($4::jsonb) AS i(id uuid, receipt_code text, hamlet text,"
              "      channel text, text text, norm_text text, submitter_name text,"
              "      submitter_contact text, suggested_topic text, suggested_individual boolean,"
              "      request_id text)"
              " ON CONFLICT (tenant_id, request_id) DO NOTHING",
              tenant, round_id, created_by, json);
          result.stored += static_cast<int>(inserted.affected_rows());
        }
        result.already_stored = static_cast<int>(rows.size()) - result.stored;
        // Each row's receipt code, whether stored now or by an earlier import.
        for (size_t start = 0; start < rows.size(); start += kImportChunk) {
          size_t end = std::min(rows.size(), start + kImportChunk);
          json = "[";
          for (size_t i = start; i < end; ++i) {
            absl::StrAppend(&json, i > start ? "," : "", Quoted(rows[i].key));
          }
          json += "]";
          for (const auto& row : txn.exec_params(
                   "SELECT request_id, receipt_code FROM intake.opinions WHERE tenant_id = $1"
                   " AND request_id IN (SELECT jsonb_array_elements_text($2::jsonb))",
                   tenant, json)) {
            result.receipt_codes[row[0].as<std::string>()] = row[1].as<std::string>();
          }
        }
        if (result.stored > 0) WriteEvents(txn, tenant, {event(result.stored)});
        return result;
      });
}

absl::StatusOr<v1::Opinion> IntakeStore::GetOpinion(const db::TenantScope& scope,
                                                    const std::string& tenant,
                                                    const std::string& opinion_id) {
  return pool_.InTransaction(
      scope, "intake.opinions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Opinion> {
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kOpinionColumns,
                                                 " FROM intake.opinions o WHERE o.tenant_id = $1"
                                                 " AND o.id = $2::uuid"),
                                    tenant, opinion_id);
        if (rows.empty()) return OpinionNotFound(tenant, opinion_id);
        return OpinionFromRow(tenant, rows[0]);
      });
}

absl::StatusOr<OpinionPage> IntakeStore::ListOpinions(const db::TenantScope& scope,
                                                      const std::string& tenant,
                                                      const OpinionFilter& filter, int page_size,
                                                      const std::string& page_token) {
  // Order: oldest first, then id. The token is the last (create time, id) returned.
  int64_t after_micros = -1;
  std::string after_id = "00000000-0000-0000-0000-000000000000";
  if (!page_token.empty()) {
    std::string decoded;
    std::vector<std::string> parts;
    if (absl::WebSafeBase64Unescape(page_token, &decoded)) parts = absl::StrSplit(decoded, '|');
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_micros) || parts[1].size() != 36) {
      return BadPageToken();
    }
    after_id = parts[1];
  }
  const int limit = page_size <= 0 ? 50 : std::min(page_size, kMaxPageSize);
  // Words in order, each anywhere after the last: a LIKE pattern the trigram index serves.
  // Normalised text has only letters, digits and spaces, so nothing needs escaping.
  std::string pattern;
  if (!filter.text.empty()) {
    pattern = absl::StrCat("%", absl::StrJoin(absl::StrSplit(filter.text, ' '), "%"), "%");
  }
  return pool_.InTransaction(
      scope, "intake.opinions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<OpinionPage> {
        auto rows = txn.exec_params(
            absl::StrCat(
                "SELECT ", kOpinionColumns, " FROM intake.opinions o WHERE o.tenant_id = $1",
                " AND ($2 = '' OR o.round_id = nullif($2, '')::uuid)",
                " AND ($3 = '' OR o.topic = $3) AND ($4 = '' OR o.state = $4)",
                " AND ($5 = '' OR o.hamlet = $5) AND ($6 = '' OR o.department = $6)",
                " AND ($7 = '' OR o.channel = $7)",
                " AND (NOT $8 OR (o.state IN ('ASSIGNED', 'ANSWER_DRAFTED') AND o.answer_due <",
                "      (now() AT TIME ZONE 'UTC' + interval '7 hours')::date))",
                " AND ($9 = '' OR (o.state IN ('ASSIGNED', 'ANSWER_DRAFTED')",
                "      AND o.answer_due < nullif($9, '')::date))",
                " AND ($10 = '' OR o.norm_text LIKE $10)",
                " AND (o.create_time, o.id) > (to_timestamp($11::double precision / 1000000), "
                "$12::uuid)",
                " ORDER BY o.create_time, o.id LIMIT $13"),
            tenant, filter.round_id, filter.topic,
            filter.state ? v1::OpinionState_Name(*filter.state) : std::string(), filter.hamlet,
            filter.department, filter.channel ? v1::Channel_Name(*filter.channel) : std::string(),
            filter.overdue, filter.due_before, pattern, after_micros, after_id, limit + 1);
        OpinionPage page;
        for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
          page.opinions.push_back(OpinionFromRow(tenant, rows[i]));
        }
        if (static_cast<int>(rows.size()) > limit) {
          const auto& last = rows[limit - 1];
          page.next_page_token = absl::WebSafeBase64Escape(
              absl::StrCat(last[21].as<int64_t>(), "|", last[0].as<std::string>()));
        }
        return page;
      });
}

absl::StatusOr<v1::OpinionStatus> IntakeStore::Follow(const db::TenantScope& scope,
                                                      const std::string& tenant,
                                                      const std::string& code) {
  return pool_.InTransaction(
      scope, "intake.opinions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::OpinionStatus> {
        // A merged opinion is answered through the one that stands for it.
        auto rows = txn.exec_params(
            absl::StrCat(
                "SELECT ", kOpinionColumns,
                " FROM intake.opinions m JOIN intake.opinions o ON o.tenant_id = m.tenant_id"
                " AND o.id = coalesce(m.merged_into, m.id)"
                " WHERE m.tenant_id = $1 AND m.receipt_code = $2"),
            tenant, code);
        if (rows.empty()) {
          return common::Error(
              absl::StatusCode::kNotFound, "RECEIPT_NOT_FOUND",
              absl::StrCat("no opinion of tenants/", tenant, " has the receipt code ", code,
                           "; check it against the receipt"));
        }
        v1::Opinion o = OpinionFromRow(tenant, rows[0]);
        v1::OpinionStatus status;
        status.set_receipt_code(code);
        status.set_state(o.state());
        status.set_topic(o.topic());
        if (o.state() == v1::ANSWER_APPROVED || o.state() == v1::ANSWERED) {
          status.set_answer(o.answer());
        }
        status.set_routed_to(o.routed_to());
        status.set_route_reason(o.route_reason());
        status.set_supporter_count(o.supporter_count());
        status.set_opinion(o.name());
        *status.mutable_receive_time() = o.create_time();
        *status.mutable_update_time() = o.update_time();
        return status;
      });
}

absl::StatusOr<v1::Opinion> IntakeStore::Mutate(const db::TenantScope& scope,
                                                const std::string& tenant,
                                                const std::string& opinion_id,
                                                const std::string& etag, const Change& change) {
  return pool_.InTransaction(
      scope, "intake.opinions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Opinion> {
        ASSIGN_OR_RETURN(auto locked, LockOpinions(txn, tenant, {opinion_id}));
        Locked& current = locked.begin()->second;
        v1::Opinion opinion = current.opinion;
        RETURN_IF_ERROR(common::CheckEtag(etag, opinion.etag(), "the opinion"));
        OpinionEffects effects;
        RETURN_IF_ERROR(change(opinion, effects));
        WriteOpinion(txn, tenant, opinion_id, opinion, current.state_before_merge);
        if (opinion.state() != current.opinion.state() || !effects.note.empty()) {
          WriteHistory(txn, tenant, opinion_id, current.opinion.state(), opinion.state(),
                       effects.actor, effects.note);
        }
        WriteEvents(txn, tenant, effects.events);
        if (effects.tell) {
          TellPetitioners(txn, tenant, {opinion_id}, effects.tell, effects.traceparent);
        }
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kOpinionColumns,
                                                 " FROM intake.opinions o WHERE o.tenant_id = $1"
                                                 " AND o.id = $2::uuid"),
                                    tenant, opinion_id);
        return OpinionFromRow(tenant, rows[0]);
      });
}

std::vector<std::string> IntakeStore::AnswerAtConference(pqxx::dbtransaction& txn,
                                                         const std::string& tenant,
                                                         std::vector<std::string> ids,
                                                         const std::string& session,
                                                         absl::CivilDay held) {
  std::sort(ids.begin(), ids.end());  // lock in id order, as LockOpinions does
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const std::string spoken =
      absl::StrFormat("Đã trả lời trực tiếp tại hội nghị đối thoại ngày %02d/%02d/%04d.",
                      held.day(), held.month(), held.year());
  std::vector<std::string> changed;
  for (const auto& id : ids) {
    auto rows = txn.exec_params(absl::StrCat("SELECT ", kOpinionColumns,
                                             " FROM intake.opinions o WHERE o.tenant_id = $1"
                                             " AND o.id = $2::uuid FOR UPDATE"),
                                tenant, id);
    if (rows.empty()) continue;
    const v1::Opinion before = OpinionFromRow(tenant, rows[0]);
    if (before.state() == v1::ANSWERED || before.state() == v1::MERGED ||
        before.state() == v1::ROUTED_ELSEWHERE) {
      continue;
    }
    v1::Opinion after = before;
    after.set_state(v1::ANSWERED);
    after.clear_return_note();
    std::string note = absl::StrCat("answered at the conference ", session);
    if (before.state() != v1::ANSWER_APPROVED) {
      // What was said in the room is the answer; a draft nobody approved is kept in the
      // history, not published.
      if (!before.answer().empty()) absl::StrAppend(&note, "; unapproved draft: ", before.answer());
      after.set_answer(spoken);
    }
    WriteOpinion(txn, tenant, id, after, rows[0][24].as<std::string>());
    WriteHistory(txn, tenant, id, before.state(), v1::ANSWERED, "sessions", note);
    changed.push_back(id);
  }
  return changed;
}

int IntakeStore::TellPetitioners(
    pqxx::dbtransaction& txn, const std::string& tenant, const std::vector<std::string>& ids,
    const std::function<std::pair<std::string, std::string>(const Petitioner&)>& text,
    const std::string& traceparent) {
  if (ids.empty()) return 0;
  auto rows = txn.exec_params(
      "WITH RECURSIVE tree (id) AS (SELECT unnest($2::uuid[])"
      "   UNION SELECT o.id FROM intake.opinions o JOIN tree"
      "   ON o.tenant_id = $1 AND o.merged_into = tree.id)"
      " SELECT o.id::text, o.receipt_code, o.submitter_name, o.submitter_contact, o.reply_via"
      " FROM intake.opinions o JOIN tree ON o.id = tree.id"
      " WHERE o.tenant_id = $1 AND o.submitter_contact <> '' ORDER BY o.create_time, o.id",
      tenant, absl::StrCat("{", absl::StrJoin(ids, ","), "}"));
  std::vector<v1::Event> events;
  for (const auto& row : rows) {
    Petitioner p;
    p.opinion = OpinionName(tenant, row[0].as<std::string>());
    p.receipt_code = row[1].as<std::string>();
    p.submitter.set_name(row[2].as<std::string>());
    p.submitter.set_contact(row[3].as<std::string>());
    p.submitter.set_reply_via(
        ParseEnum<v1::ReplyVia>(row[4].as<std::string>(), v1::ReplyVia_Parse));
    auto [title, body] = text(p);
    auto message = MessageTo(p, tenant, std::move(title), std::move(body));
    if (message) events.push_back(rpc::NewEvent(tenant, "intake", *message, traceparent));
  }
  WriteEvents(txn, tenant, events);
  return static_cast<int>(events.size());
}

absl::StatusOr<v1::Opinion> IntakeStore::Merge(const db::TenantScope& scope,
                                               const std::string& tenant,
                                               const std::string& target_id,
                                               const std::vector<std::string>& source_ids,
                                               const std::string& actor) {
  return pool_.InTransaction(
      scope, "intake.opinions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Opinion> {
        std::vector<std::string> ids = source_ids;
        ids.push_back(target_id);
        ASSIGN_OR_RETURN(auto locked, LockOpinions(txn, tenant, ids));
        Locked& target = locked[target_id];
        RETURN_IF_ERROR(CheckMergeable(target.opinion, /*as_target=*/true));
        int supporters = target.opinion.supporter_count();
        for (const auto& id : source_ids) {
          Locked& source = locked[id];
          RETURN_IF_ERROR(CheckMergeable(source.opinion, /*as_target=*/false));
          if (source.opinion.round() != target.opinion.round()) {
            return common::Error(
                absl::StatusCode::kFailedPrecondition, "ROUND_MISMATCH",
                absl::StrCat(source.opinion.name(), " belongs to ", source.opinion.round(),
                             ", not to the round of ", target.opinion.name()));
          }
          v1::Opinion merged = source.opinion;
          merged.set_state(v1::MERGED);
          merged.set_merged_into(target.opinion.name());
          WriteOpinion(txn, tenant, id, merged, v1::OpinionState_Name(source.opinion.state()));
          WriteHistory(txn, tenant, id, source.opinion.state(), v1::MERGED, actor,
                       absl::StrCat("merged into ", target.opinion.name()));
          supporters += source.opinion.supporter_count();
        }
        v1::Opinion updated = target.opinion;
        updated.set_supporter_count(supporters);
        WriteOpinion(txn, tenant, target_id, updated, target.state_before_merge);
        WriteHistory(txn, tenant, target_id, updated.state(), updated.state(), actor,
                     absl::StrCat("stands for ", source_ids.size(), " more opinion(s); ",
                                  supporters, " supporters"));
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kOpinionColumns,
                                                 " FROM intake.opinions o WHERE o.tenant_id = $1"
                                                 " AND o.id = $2::uuid"),
                                    tenant, target_id);
        return OpinionFromRow(tenant, rows[0]);
      });
}

absl::StatusOr<v1::Opinion> IntakeStore::Unmerge(const db::TenantScope& scope,
                                                 const std::string& tenant,
                                                 const std::string& opinion_id,
                                                 const std::string& actor,
                                                 const std::string& note) {
  return pool_.InTransaction(
      scope, "intake.opinions", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Opinion> {
        ASSIGN_OR_RETURN(auto first, LockOpinions(txn, tenant, {opinion_id}));
        const Locked source = first.begin()->second;
        if (source.opinion.state() != v1::MERGED) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "INVALID_OPINION_STATE",
                               absl::StrCat(source.opinion.name(), " is ",
                                            v1::OpinionState_Name(source.opinion.state()),
                                            "; only a MERGED opinion can be unmerged"));
        }
        std::string target_id = IdOf(source.opinion.merged_into());
        ASSIGN_OR_RETURN(auto second, LockOpinions(txn, tenant, {target_id}));
        Locked& target = second.begin()->second;
        v1::Opinion restored = source.opinion;
        v1::OpinionState before = v1::RECEIVED;
        v1::OpinionState_Parse(source.state_before_merge, &before);
        restored.set_state(before);
        restored.clear_merged_into();
        WriteOpinion(txn, tenant, opinion_id, restored, "");
        WriteHistory(
            txn, tenant, opinion_id, v1::MERGED, before, actor,
            note.empty() ? absl::StrCat("no longer merged into ", target.opinion.name()) : note);
        v1::Opinion updated = target.opinion;
        updated.set_supporter_count(
            std::max(1, updated.supporter_count() - source.opinion.supporter_count()));
        WriteOpinion(txn, tenant, target_id, updated, target.state_before_merge);
        WriteHistory(txn, tenant, target_id, updated.state(), updated.state(), actor,
                     absl::StrCat(source.opinion.name(), " no longer merged into it"));
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kOpinionColumns,
                                                 " FROM intake.opinions o WHERE o.tenant_id = $1"
                                                 " AND o.id = $2::uuid"),
                                    tenant, opinion_id);
        return OpinionFromRow(tenant, rows[0]);
      });
}

absl::StatusOr<std::vector<v1::DuplicateCandidate>> IntakeStore::FindDuplicates(
    const db::TenantScope& scope, const std::string& tenant, const std::string& opinion_id,
    int limit) {
  return pool_.InTransaction(
      scope, "intake.opinions",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::DuplicateCandidate>> {
        auto self = txn.exec_params(
            "SELECT round_id::text, norm_text FROM intake.opinions WHERE tenant_id = $1"
            " AND id = $2::uuid",
            tenant, opinion_id);
        if (self.empty()) return OpinionNotFound(tenant, opinion_id);
        txn.exec("SET LOCAL pg_trgm.similarity_threshold = 0.3");
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kOpinionColumns, ", similarity(o.norm_text, $3)",
                         " FROM intake.opinions o WHERE o.tenant_id = $1",
                         " AND o.round_id = $2::uuid AND o.id <> $4::uuid",
                         " AND o.state NOT IN ('MERGED', 'ROUTED_ELSEWHERE')",
                         " AND o.norm_text % $3 ORDER BY ", kOpinionColumnCount + 1,
                         " DESC, o.id LIMIT $5"),
            tenant, self[0][0].as<std::string>(), self[0][1].as<std::string>(), opinion_id, limit);
        std::vector<v1::DuplicateCandidate> out;
        for (const auto& row : rows) {
          v1::DuplicateCandidate& c = out.emplace_back();
          *c.mutable_opinion() = OpinionFromRow(tenant, row);
          c.set_similarity(row[kOpinionColumnCount].as<double>());
        }
        return out;
      });
}

absl::StatusOr<std::vector<v1::HistoryEntry>> IntakeStore::History(const db::TenantScope& scope,
                                                                   const std::string& tenant,
                                                                   const std::string& opinion_id) {
  return pool_.InTransaction(
      scope, "intake.opinion_history",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::HistoryEntry>> {
        auto created = txn.exec_params(
            "SELECT created_by, (extract(epoch FROM create_time) * 1000000)::bigint"
            " FROM intake.opinions WHERE tenant_id = $1 AND id = $2::uuid",
            tenant, opinion_id);
        if (created.empty()) return OpinionNotFound(tenant, opinion_id);
        std::vector<v1::HistoryEntry> out;
        v1::HistoryEntry& first = out.emplace_back();
        first.set_to_state(v1::RECEIVED);
        first.set_actor(created[0][0].as<std::string>());
        first.set_note("received");
        *first.mutable_time() = TimeUtil::MicrosecondsToTimestamp(created[0][1].as<int64_t>());
        auto rows = txn.exec_params(
            "SELECT from_state, to_state, actor, note,"
            " (extract(epoch FROM time) * 1000000)::bigint FROM intake.opinion_history"
            " WHERE tenant_id = $1 AND opinion_id = $2::uuid ORDER BY seq",
            tenant, opinion_id);
        for (const auto& row : rows) {
          v1::HistoryEntry& e = out.emplace_back();
          e.set_from_state(
              ParseEnum<v1::OpinionState>(row[0].as<std::string>(), v1::OpinionState_Parse));
          e.set_to_state(
              ParseEnum<v1::OpinionState>(row[1].as<std::string>(), v1::OpinionState_Parse));
          e.set_actor(row[2].as<std::string>());
          e.set_note(row[3].as<std::string>());
          *e.mutable_time() = TimeUtil::MicrosecondsToTimestamp(row[4].as<int64_t>());
        }
        return out;
      });
}

absl::StatusOr<v1::SynthesisReport> IntakeStore::Synthesis(const db::TenantScope& scope,
                                                           const std::string& tenant,
                                                           const std::string& round_id) {
  return pool_.InTransaction(
      scope, "intake.opinions",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::SynthesisReport> {
        auto round = txn.exec_params(
            "SELECT title, coalesce(opinion_deadline::text, '') FROM intake.rounds"
            " WHERE tenant_id = $1 AND id = $2::uuid",
            tenant, round_id);
        if (round.empty()) return RoundNotFound(tenant, round_id);
        v1::SynthesisReport report;
        report.set_round(RoundName(tenant, round_id));
        report.set_title(round[0][0].as<std::string>());
        report.set_opinion_deadline_date(round[0][1].as<std::string>());
        auto totals = txn.exec_params(
            "SELECT count(*), count(*) FILTER (WHERE state NOT IN ('MERGED', 'ROUTED_ELSEWHERE')),"
            " count(*) FILTER (WHERE state = 'ROUTED_ELSEWHERE'),"
            " count(*) FILTER (WHERE (create_time AT TIME ZONE 'UTC' + interval '7 hours')::date"
            "   > nullif($3, '')::date)"
            " FROM intake.opinions WHERE tenant_id = $1 AND round_id = $2::uuid",
            tenant, round_id, report.opinion_deadline_date());
        report.set_received(totals[0][0].as<int>());
        report.set_items(totals[0][1].as<int>());
        report.set_routed_elsewhere(totals[0][2].as<int>());
        report.set_received_late(totals[0][3].as<int>());
        // One basis for every breakdown: each opinion received, merged ones included, so
        // that each adds up to `received`; a merged opinion's supporters are counted once,
        // in the item it was merged into.
        const std::string where =
            "FROM intake.opinions WHERE tenant_id = $1 AND round_id = $2::uuid";
        const std::pair<const char*, google::protobuf::RepeatedPtrField<v1::Count>*> breakdowns[] =
            {{"topic", report.mutable_by_topic()},
             {"channel", report.mutable_by_channel()},
             {"hamlet", report.mutable_by_hamlet()},
             {"state", report.mutable_by_state()}};
        for (const auto& [column, counts] : breakdowns) {
          AddCount(counts,
                   txn.exec_params(absl::StrCat("SELECT ", column,
                                                ", count(*), coalesce(sum("
                                                "supporter_count) FILTER (WHERE state <> 'MERGED'),"
                                                " 0) ",
                                                where, " GROUP BY 1 ORDER BY 2 DESC, 1"),
                                   tenant, round_id));
        }
        auto items = txn.exec_params(
            absl::StrCat("SELECT ", kOpinionColumns, " FROM intake.opinions o",
                         " WHERE o.tenant_id = $1 AND o.round_id = $2::uuid",
                         " AND o.state NOT IN ('MERGED', 'ROUTED_ELSEWHERE')",
                         " ORDER BY o.topic, o.supporter_count DESC, o.create_time, o.id"),
            tenant, round_id);
        for (const auto& row : items) {
          v1::Opinion o = OpinionFromRow(tenant, row);
          v1::SynthesisItem* item = report.add_items_list();
          item->set_opinion(o.name());
          item->set_topic(o.topic());
          item->set_hamlet(o.hamlet());
          item->set_channel(o.channel());
          item->set_text(o.text());
          item->set_supporter_count(o.supporter_count());
          item->set_state(o.state());
          item->set_department(o.department());
          if (o.state() == v1::ANSWER_APPROVED || o.state() == v1::ANSWERED)
            item->set_answer(o.answer());
        }
        *report.mutable_generate_time() =
            TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
        return report;
      });
}

namespace {

constexpr const char* kRequestColumns =
    "id::text, voter_name, hamlet, contact, matter, state, reject_reason,"
    " (extract(epoch FROM create_time) * 1000000)::bigint";

v1::DialogueRequest RequestFromRow(const std::string& tenant, const pqxx::row& row) {
  v1::DialogueRequest r;
  r.set_name(absl::StrCat("tenants/", tenant, "/dialogueRequests/", row[0].as<std::string>()));
  r.set_voter_name(row[1].as<std::string>());
  r.set_hamlet(row[2].as<std::string>());
  r.set_contact(row[3].as<std::string>());
  r.set_matter(row[4].as<std::string>());
  r.set_state(ParseEnum<v1::DialogueRequestState>(row[5].as<std::string>(),
                                                  v1::DialogueRequestState_Parse));
  r.set_reject_reason(row[6].as<std::string>());
  *r.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[7].as<int64_t>());
  return r;
}

}  // namespace

absl::StatusOr<v1::DialogueRequest> IntakeStore::RequestDialogue(
    const db::TenantScope& scope, const std::string& tenant, const v1::DialogueRequest& request,
    const std::string& voter_key, int threshold,
    const std::function<v1::Event(const v1::DialogueRequired&)>& required) {
  return pool_.InTransaction(
      scope, "intake.dialogue_requests",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::DialogueRequest> {
        // One counter per tenant: requests of the same tenant are counted one at a time.
        txn.exec_params("SELECT pg_advisory_xact_lock(hashtext('intake.dialogue_requests/' || $1))",
                        tenant);
        auto inserted = txn.exec_params(
            absl::StrCat("INSERT INTO intake.dialogue_requests (tenant_id, voter_key, voter_name,"
                         " hamlet, contact, matter, state) VALUES ($1, $2, $3, $4, $5, $6, 'OPEN')"
                         " ON CONFLICT (tenant_id, voter_key) WHERE state = 'OPEN' DO NOTHING"
                         " RETURNING ",
                         kRequestColumns),
            tenant, voter_key, request.voter_name(), request.hamlet(), request.contact(),
            request.matter());
        if (inserted.empty()) {
          return common::Error(
              absl::StatusCode::kAlreadyExists, "VOTER_ALREADY_ASKED",
              "this voter has asked for a dialogue already; the request counts once");
        }
        v1::DialogueRequest stored = RequestFromRow(tenant, inserted[0]);
        if (threshold <= 0) return stored;
        auto open = txn.exec_params(
            "SELECT count(*) FROM intake.dialogue_requests WHERE tenant_id = $1 AND state = 'OPEN'",
            tenant);
        int count = open[0][0].as<int>();
        if (count < threshold) return stored;
        v1::DialogueRequired event;
        event.set_requests(count);
        event.set_threshold(threshold);
        auto matters = txn.exec_params(
            "SELECT matter FROM intake.dialogue_requests WHERE tenant_id = $1 AND state = 'OPEN'"
            " GROUP BY matter ORDER BY count(*) DESC, matter LIMIT 50",
            tenant);
        for (const auto& row : matters) event.add_matters(row[0].as<std::string>());
        auto forwarded = txn.exec_params(
            "UPDATE intake.dialogue_requests SET state = 'FORWARDED' WHERE tenant_id = $1"
            " AND state = 'OPEN' RETURNING id::text, voter_name, contact",
            tenant);
        std::vector<v1::Event> events = {required(event)};
        // Each voter who left a phone number or an e-mail address is told.
        const auto [title, text] = DialogueRequiredText(count, threshold);
        for (const auto& row : forwarded) {
          Petitioner p;
          p.opinion =
              absl::StrCat("tenants/", tenant, "/dialogueRequests/", row[0].as<std::string>());
          p.submitter.set_name(row[1].as<std::string>());
          p.submitter.set_contact(row[2].as<std::string>());
          auto message = MessageTo(p, tenant, title, text);
          if (!message) continue;
          message->set_follow_path(absl::StrCat("/xa/", tenant, "/thong-bao"));
          events.push_back(rpc::NewEvent(tenant, "intake", *message, events.front().traceparent()));
        }
        WriteEvents(txn, tenant, events);
        stored.set_state(v1::FORWARDED);
        return stored;
      });
}

absl::StatusOr<v1::ListDialogueRequestsResponse> IntakeStore::ListDialogueRequests(
    const db::TenantScope& scope, const std::string& tenant) {
  return pool_.InTransaction(
      scope, "intake.dialogue_requests",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::ListDialogueRequestsResponse> {
        auto rows =
            txn.exec_params(absl::StrCat("SELECT ", kRequestColumns,
                                         " FROM intake.dialogue_requests WHERE tenant_id = $1"
                                         " ORDER BY create_time DESC, id LIMIT 1000"),
                            tenant);
        v1::ListDialogueRequestsResponse out;
        int open = 0;
        for (const auto& row : rows) {
          *out.add_requests() = RequestFromRow(tenant, row);
          if (out.requests().rbegin()->state() == v1::OPEN) ++open;
        }
        out.set_open_count(open);
        return out;
      });
}

absl::StatusOr<v1::DialogueRequest> IntakeStore::RejectDialogueRequest(const db::TenantScope& scope,
                                                                       const std::string& tenant,
                                                                       const std::string& id,
                                                                       const std::string& reason) {
  return pool_.InTransaction(
      scope, "intake.dialogue_requests",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::DialogueRequest> {
        auto rows = txn.exec_params(
            absl::StrCat(
                "UPDATE intake.dialogue_requests SET state = 'REJECTED', reject_reason = $3"
                " WHERE tenant_id = $1 AND id = $2::uuid AND state = 'OPEN' RETURNING ",
                kRequestColumns),
            tenant, id, reason);
        if (!rows.empty()) return RequestFromRow(tenant, rows[0]);
        auto exists = txn.exec_params(
            "SELECT state FROM intake.dialogue_requests WHERE tenant_id = $1 AND id = $2::uuid",
            tenant, id);
        if (exists.empty()) {
          return common::Error(
              absl::StatusCode::kNotFound, "DIALOGUE_REQUEST_NOT_FOUND",
              absl::StrCat("there is no request tenants/", tenant, "/dialogueRequests/", id));
        }
        return common::Error(absl::StatusCode::kFailedPrecondition, "INVALID_REQUEST_STATE",
                             absl::StrCat("the request is ", exists[0][0].as<std::string>(),
                                          "; only an OPEN request can be rejected"));
      });
}

}  // namespace dialogue::intake
