#include "store.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"
#include "dialogue/events/outbox.h"
#include "dialogue/telemetry/span.h"
#include "notice_rules.h"

namespace dialogue::notices {
namespace {

using google::protobuf::util::TimeUtil;

// Vietnam's date, for "overdue" (a draft past its due date).
constexpr char kTodayVn[] = "(now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date";

constexpr char kColumns[] =
    "n.id::text, n.kind, n.state, n.title, n.body, n.parts::text, n.place, n.signer,"
    " n.document_number, coalesce(n.issue_date::text, ''), n.session,"
    " coalesce(n.due_date::text, ''), n.due_explanation, n.version,"
    " (extract(epoch FROM n.create_time) * 1000000)::bigint,"
    " (extract(epoch FROM n.update_time) * 1000000)::bigint,"
    " coalesce((extract(epoch FROM n.issue_time) * 1000000)::bigint, 0),"
    " coalesce(n.state = 'NOTICE_DRAFT' AND n.due_date < (now() AT TIME ZONE"
    " 'Asia/Ho_Chi_Minh')::date, false)";

std::string NoticeName(const std::string& tenant, const std::string& id) {
  return absl::StrCat("tenants/", tenant, "/notices/", id);
}

// Recipients, channels, air times, warnings, the conference's day and the results' due
// day: one JSON object in `parts`.
std::string PartsJson(const v1::Notice& notice) {
  v1::Notice parts;
  *parts.mutable_recipients() = notice.recipients();
  *parts.mutable_channels() = notice.channels();
  *parts.mutable_air_times() = notice.air_times();
  *parts.mutable_warnings() = notice.warnings();
  parts.set_conference_date(notice.conference_date());
  parts.set_results_due_date(notice.results_due_date());
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(parts, &json);
  return json;
}

// The columns of kColumns, from row[at] on.
v1::Notice FromRow(const std::string& tenant, const pqxx::row& row, int at = 0) {
  auto col = [&](int k) { return row[at + k]; };
  v1::Notice n;
  (void)google::protobuf::util::JsonStringToMessage(col(5).as<std::string>(), &n);
  n.set_name(NoticeName(tenant, col(0).as<std::string>()));
  v1::NoticeKind kind;
  if (v1::NoticeKind_Parse(col(1).as<std::string>(), &kind)) n.set_kind(kind);
  v1::NoticeState state;
  if (v1::NoticeState_Parse(col(2).as<std::string>(), &state)) n.set_state(state);
  n.set_title(col(3).as<std::string>());
  n.set_body(col(4).as<std::string>());
  n.set_place(col(6).as<std::string>());
  n.set_signer(col(7).as<std::string>());
  n.set_document_number(col(8).as<std::string>());
  n.set_issue_date(col(9).as<std::string>());
  n.set_session(col(10).as<std::string>());
  n.set_due_date(col(11).as<std::string>());
  n.set_due_explanation(col(12).as<std::string>());
  n.set_etag(col(13).as<std::string>());
  *n.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(col(14).as<int64_t>());
  *n.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(col(15).as<int64_t>());
  if (int64_t issued = col(16).as<int64_t>(); issued != 0) {
    *n.mutable_issue_time() = TimeUtil::MicrosecondsToTimestamp(issued);
  }
  n.set_overdue(col(17).as<bool>());
  return n;
}

absl::Status NotFound(const std::string& tenant, const std::string& id) {
  return common::Error(absl::StatusCode::kNotFound, "NOTICE_NOT_FOUND",
                       absl::StrCat("there is no notice ", NoticeName(tenant, id)));
}

// Reads a notice under a row lock for a change.
absl::StatusOr<v1::Notice> Lock(pqxx::dbtransaction& txn, const std::string& tenant,
                                const std::string& id, const std::string& etag) {
  auto rows = txn.exec_params(absl::StrCat("SELECT ", kColumns,
                                           " FROM notices.notices n WHERE n.tenant_id = $1"
                                           " AND n.id = $2::uuid FOR UPDATE"),
                              tenant, id);
  if (rows.empty()) return NotFound(tenant, id);
  v1::Notice n = FromRow(tenant, rows[0]);
  RETURN_IF_ERROR(common::CheckEtag(etag, n.etag(), "the notice"));
  if (n.state() != v1::NOTICE_DRAFT) {
    return common::Error(absl::StatusCode::kFailedPrecondition, "NOTICE_ISSUED",
                         "an issued notice never changes; draft a new one");
  }
  return n;
}

absl::StatusOr<v1::Notice> Write(pqxx::dbtransaction& txn, const std::string& tenant,
                                 const std::string& id, const v1::Notice& n) {
  auto rows = txn.exec_params(
      absl::StrCat("UPDATE notices.notices n SET title = $3, body = $4, parts = $5::jsonb,"
                   " place = $6, signer = $7, document_number = $8,"
                   " issue_date = nullif($9, '')::date, state = $10,"
                   " issue_time = CASE WHEN $10 = 'NOTICE_ISSUED' THEN now() END,"
                   " version = version + 1, update_time = now()"
                   " WHERE n.tenant_id = $1 AND n.id = $2::uuid RETURNING ",
                   kColumns),
      tenant, id, n.title(), n.body(), PartsJson(n), n.place(), n.signer(), n.document_number(),
      n.issue_date(), v1::NoticeState_Name(n.state()));
  return FromRow(tenant, rows[0]);
}

// Local Vietnamese time "YYYY-MM-DDTHH:MM" as a timestamptz literal.
std::string AirTimeUtc(const std::string& local) { return local + ":00+07:00"; }

}  // namespace

absl::StatusOr<int> OffsetFromPageToken(const std::string& token) {
  int offset = 0;
  std::string decoded;
  if (!token.empty() && (!absl::WebSafeBase64Unescape(token, &decoded) ||
                         !absl::SimpleAtoi(decoded, &offset) || offset < 0)) {
    return common::InvalidField("page_token", "PAGE_TOKEN_INVALID",
                                "the page token is not one this service gave");
  }
  return offset;
}

std::string PageTokenAt(int offset) { return absl::WebSafeBase64Escape(absl::StrCat(offset)); }

absl::StatusOr<TenantInfo> NoticeStore::Tenant(const db::TenantScope& scope,
                                               const std::string& tenant) {
  return communes_.Get(scope, tenant);
}

absl::StatusOr<v1::Notice> NoticeStore::InsertDraft(pqxx::dbtransaction& txn,
                                                    const std::string& tenant, const v1::Notice& n,
                                                    const std::string& request_id,
                                                    const std::string& source_event) {
  auto rows = txn.exec_params(
      absl::StrCat("INSERT INTO notices.notices AS n (tenant_id, kind, title, body, parts, place,"
                   " signer, session, due_date, due_explanation, request_id, source_event)"
                   " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, nullif($9, '')::date, $10,"
                   " nullif($11, ''), nullif($12, '')) ON CONFLICT DO NOTHING RETURNING ",
                   kColumns),
      tenant, v1::NoticeKind_Name(n.kind()), n.title(), n.body(), PartsJson(n), n.place(),
      n.signer(), n.session(), n.due_date(), n.due_explanation(), request_id, source_event);
  if (!rows.empty()) return FromRow(tenant, rows[0]);
  auto existing =
      txn.exec_params(absl::StrCat("SELECT ", kColumns,
                                   " FROM notices.notices n WHERE n.tenant_id = $1 AND"
                                   " ((n.request_id = nullif($2, '')) OR"
                                   "  (n.source_event = nullif($3, '') AND n.kind = $4))"),
                      tenant, request_id, source_event, v1::NoticeKind_Name(n.kind()));
  if (existing.empty()) return absl::AbortedError("the notice could not be stored; retry");
  return FromRow(tenant, existing[0]);
}

absl::StatusOr<v1::Notice> NoticeStore::CreateDraft(const db::TenantScope& scope,
                                                    const std::string& tenant,
                                                    const v1::Notice& notice,
                                                    const std::string& request_id) {
  return pool_.InTransaction(scope, "notices.notices", [&](pqxx::dbtransaction& txn) {
    return InsertDraft(txn, tenant, notice, request_id, "");
  });
}

absl::StatusOr<v1::Notice> NoticeStore::Get(const db::TenantScope& scope, const std::string& tenant,
                                            const std::string& id) {
  return pool_.InTransaction(
      scope, "notices.notices", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Notice> {
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kColumns,
                                                 " FROM notices.notices n WHERE n.tenant_id = $1"
                                                 " AND n.id = $2::uuid"),
                                    tenant, id);
        if (rows.empty()) return NotFound(tenant, id);
        return FromRow(tenant, rows[0]);
      });
}

absl::StatusOr<v1::ListNoticesResponse> NoticeStore::List(const db::TenantScope& scope,
                                                          const std::string& tenant,
                                                          const NoticeFilter& filter, int page_size,
                                                          const std::string& page_token) {
  ASSIGN_OR_RETURN(int offset, OffsetFromPageToken(page_token));
  const int limit = page_size <= 0 ? 50 : std::min(page_size, 500);
  return pool_.InTransaction(
      scope, "notices.notices",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::ListNoticesResponse> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kColumns, " FROM notices.notices n WHERE n.tenant_id = $1",
                         " AND ($2 = '' OR n.kind = $2) AND ($3 = '' OR n.state = $3)",
                         " AND (NOT $4 OR (n.state = 'NOTICE_DRAFT' AND n.due_date < ", kTodayVn,
                         "))", " AND ($5 = '' OR n.session = $5)",
                         " ORDER BY n.create_time DESC, n.id LIMIT $6 OFFSET $7"),
            tenant,
            filter.kind == v1::NOTICE_KIND_UNSPECIFIED ? "" : v1::NoticeKind_Name(filter.kind),
            filter.state == v1::NOTICE_STATE_UNSPECIFIED ? "" : v1::NoticeState_Name(filter.state),
            filter.overdue, filter.session, limit + 1, offset);
        v1::ListNoticesResponse response;
        for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
          *response.add_notices() = FromRow(tenant, rows[i]);
        }
        if (static_cast<int>(rows.size()) > limit) {
          response.set_next_page_token(PageTokenAt(offset + limit));
        }
        return response;
      });
}

absl::StatusOr<v1::Notice> NoticeStore::UpdateDraft(
    const db::TenantScope& scope, const std::string& tenant, const std::string& id,
    const std::string& etag, const std::function<absl::Status(v1::Notice&)>& edit) {
  return pool_.InTransaction(scope, "notices.notices",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Notice> {
                               ASSIGN_OR_RETURN(v1::Notice n, Lock(txn, tenant, id, etag));
                               RETURN_IF_ERROR(edit(n));
                               return Write(txn, tenant, id, n);
                             });
}

absl::StatusOr<v1::Notice> NoticeStore::Issue(
    const db::TenantScope& scope, const std::string& tenant, const std::string& id,
    const std::string& etag, const std::function<absl::Status(v1::Notice&)>& complete,
    const std::function<v1::Event(const v1::Notice&)>& event) {
  return pool_.InTransaction(
      scope, "notices.deliveries", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Notice> {
        ASSIGN_OR_RETURN(v1::Notice n, Lock(txn, tenant, id, etag));
        RETURN_IF_ERROR(complete(n));
        n.set_state(v1::NOTICE_ISSUED);
        ASSIGN_OR_RETURN(v1::Notice issued, Write(txn, tenant, id, n));
        std::map<std::string, bool> hooked;  // channel name -> has a webhook
        for (const auto& row :
             txn.exec_params("SELECT channel FROM notices.webhooks WHERE tenant_id = $1", tenant)) {
          hooked[row[0].as<std::string>()] = true;
        }
        // The deliveries join the trace of the request that issued the notice.
        const telemetry::TraceContext* trace = telemetry::ActiveTrace();
        const std::string traceparent = trace == nullptr ? "" : trace->Traceparent();
        // One statement per delivery is plenty: a notice has tens of recipients, not more.
        auto add = [&](v1::NoticeChannel channel, const std::string& recipient,
                       const std::string& contact, const std::string& at, bool sent_now) {
          const std::string name = v1::NoticeChannel_Name(channel);
          const bool can_send = sent_now || hooked.count(name) > 0;
          txn.exec_params(
              "INSERT INTO notices.deliveries (tenant_id, notice_id, channel, recipient, contact,"
              " state, last_error, next_attempt_time, sent_time, traceparent)"
              " VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, coalesce(nullif($8, '')::timestamptz,"
              " now()), CASE WHEN $9 THEN now() END, $10)",
              tenant, id, name, recipient, contact,
              sent_now   ? "DELIVERY_SENT"
              : can_send ? "DELIVERY_QUEUED"
                         : "DELIVERY_FAILED",
              can_send ? "" : absl::StrCat("the commune has no webhook for ", name),
              at.empty() ? at : AirTimeUtc(at), sent_now, traceparent);
        };
        for (const auto& r : n.recipients()) {
          for (int c : r.channels())
            add(static_cast<v1::NoticeChannel>(c), r.name(), r.contact(), "", false);
        }
        for (int c : n.channels()) {
          auto channel = static_cast<v1::NoticeChannel>(c);
          if (channel == v1::VIA_LOUDSPEAKER) {
            for (const auto& at : n.air_times()) add(channel, "Loa truyền thanh", "", at, false);
          } else {
            add(channel, channel == v1::VIA_WEB ? "Trang thông tin điện tử" : "Màn hình trực tiếp",
                "", "", true);
          }
        }
        v1::Event e = event(issued);
        events::AppendToOutbox(txn, "notices.outbox", tenant, e);
        return issued;
      });
}

absl::StatusOr<std::vector<v1::Delivery>> NoticeStore::Deliveries(const db::TenantScope& scope,
                                                                  const std::string& tenant,
                                                                  const std::string& notice_id) {
  return pool_.InTransaction(
      scope, "notices.deliveries",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::Delivery>> {
        auto exists =
            txn.exec_params("SELECT 1 FROM notices.notices WHERE tenant_id = $1 AND id = $2::uuid",
                            tenant, notice_id);
        if (exists.empty()) return NotFound(tenant, notice_id);
        auto rows = txn.exec_params(
            "SELECT id::text, channel, recipient, state, attempts, last_error,"
            " (extract(epoch FROM next_attempt_time) * 1000000)::bigint,"
            " coalesce((extract(epoch FROM sent_time) * 1000000)::bigint, 0)"
            " FROM notices.deliveries WHERE tenant_id = $1 AND notice_id = $2::uuid"
            " ORDER BY channel, recipient, next_attempt_time",
            tenant, notice_id);
        std::vector<v1::Delivery> out;
        for (const auto& row : rows) {
          v1::Delivery d;
          d.set_name(absl::StrCat(NoticeName(tenant, notice_id), "/deliveries/",
                                  row[0].as<std::string>()));
          v1::NoticeChannel channel;
          if (v1::NoticeChannel_Parse(row[1].as<std::string>(), &channel)) d.set_channel(channel);
          d.set_recipient(row[2].as<std::string>());
          v1::DeliveryState state;
          if (v1::DeliveryState_Parse(row[3].as<std::string>(), &state)) d.set_state(state);
          d.set_attempts(row[4].as<int>());
          d.set_last_error(row[5].as<std::string>());
          *d.mutable_next_attempt_time() = TimeUtil::MicrosecondsToTimestamp(row[6].as<int64_t>());
          if (int64_t sent = row[7].as<int64_t>(); sent != 0) {
            *d.mutable_sent_time() = TimeUtil::MicrosecondsToTimestamp(sent);
          }
          out.push_back(std::move(d));
        }
        return out;
      });
}

absl::StatusOr<std::vector<v1::Notice>> NoticeStore::Published(const db::TenantScope& scope,
                                                               const std::string& tenant, int limit,
                                                               int offset) {
  return pool_.InTransaction(
      scope, "notices.notices",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::Notice>> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kColumns,
                         " FROM notices.notices n WHERE n.tenant_id = $1"
                         " AND n.state = 'NOTICE_ISSUED' AND n.parts->'channels' ? 'VIA_WEB'"
                         " ORDER BY n.issue_time DESC, n.id LIMIT $2 OFFSET $3"),
            tenant, limit, offset);
        std::vector<v1::Notice> out;
        for (const auto& row : rows) out.push_back(FromRow(tenant, row));
        return out;
      });
}

absl::StatusOr<v1::Webhooks> NoticeStore::Webhooks(const db::TenantScope& scope,
                                                   const std::string& tenant) {
  return pool_.InTransaction(
      scope, "notices.webhooks", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Webhooks> {
        v1::Webhooks hooks;
        hooks.set_name(absl::StrCat("tenants/", tenant, "/webhooks"));
        for (const auto& row : txn.exec_params(
                 "SELECT channel, url FROM notices.webhooks WHERE tenant_id = $1 ORDER BY channel",
                 tenant)) {
          v1::Webhook* h = hooks.add_hooks();
          v1::NoticeChannel channel;
          if (v1::NoticeChannel_Parse(row[0].as<std::string>(), &channel)) h->set_channel(channel);
          h->set_url(row[1].as<std::string>());
          h->set_has_secret(true);
        }
        return hooks;
      });
}

absl::StatusOr<v1::Webhooks> NoticeStore::ReplaceWebhooks(const db::TenantScope& scope,
                                                          const std::string& tenant,
                                                          const v1::Webhooks& hooks) {
  RETURN_IF_ERROR(
      pool_.InTransaction(scope, "notices.webhooks", [&](pqxx::dbtransaction& txn) -> absl::Status {
        std::map<std::string, std::string> secrets;
        for (const auto& row : txn.exec_params(
                 "SELECT channel, secret FROM notices.webhooks WHERE tenant_id = $1 FOR UPDATE",
                 tenant)) {
          secrets[row[0].as<std::string>()] = row[1].as<std::string>();
        }
        txn.exec_params("DELETE FROM notices.webhooks WHERE tenant_id = $1", tenant);
        for (int i = 0; i < hooks.hooks_size(); ++i) {
          const v1::Webhook& h = hooks.hooks(i);
          const std::string channel = v1::NoticeChannel_Name(h.channel());
          std::string secret = h.secret().empty() ? secrets[channel] : h.secret();
          if (secret.empty()) {
            return common::InvalidField(
                absl::StrCat("webhooks.hooks[", i, "].secret"), "SECRET_REQUIRED",
                absl::StrCat("a new webhook for ", channel, " needs a secret"));
          }
          txn.exec_params(
              "INSERT INTO notices.webhooks (tenant_id, channel, url, secret) VALUES ($1, $2, $3, "
              "$4)",
              tenant, channel, h.url(), secret);
        }
        return absl::OkStatus();
      }));
  return Webhooks(scope, tenant);
}

absl::StatusOr<std::vector<DueDelivery>> NoticeStore::ClaimDue(int limit, absl::Duration lease) {
  return pool_.InTransaction(
      db::TenantScope{}, "notices.deliveries",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<DueDelivery>> {
        txn.exec("SELECT set_config('app.delivery_worker', 'on', true)");
        auto rows = txn.exec_params(
            absl::StrCat(
                "WITH due AS (SELECT tenant_id, id FROM notices.deliveries"
                "   WHERE state = 'DELIVERY_QUEUED' AND next_attempt_time <= now()"
                "   ORDER BY next_attempt_time LIMIT $1 FOR UPDATE SKIP LOCKED),"
                " claimed AS (UPDATE notices.deliveries d SET attempts = d.attempts + 1,"
                "   next_attempt_time = now() + make_interval(secs => $2)"
                "   FROM due WHERE d.tenant_id = due.tenant_id AND d.id = due.id"
                "   RETURNING d.tenant_id, d.id, d.notice_id, d.channel, d.recipient, d.contact,"
                "   d.attempts, d.traceparent, d.title, d.text, d.link, d.about)"
                " SELECT c.tenant_id, c.id::text, coalesce(c.notice_id::text, ''), c.channel,"
                " c.recipient, c.contact, c.attempts, coalesce(w.url, ''),"
                " coalesce(w.secret, ''), c.traceparent, c.title, c.text, c.link, c.about, ",
                kColumns,
                " FROM claimed c LEFT JOIN notices.notices n ON n.tenant_id = c.tenant_id"
                " AND n.id = c.notice_id"
                " LEFT JOIN notices.webhooks w ON w.tenant_id = c.tenant_id AND w.channel = "
                "c.channel"),
            limit, absl::ToDoubleSeconds(lease));
        std::vector<DueDelivery> out;
        for (const auto& row : rows) {
          DueDelivery d;
          d.tenant = row[0].as<std::string>();
          d.id = row[1].as<std::string>();
          d.notice_id = row[2].as<std::string>();
          v1::NoticeChannel channel;
          if (v1::NoticeChannel_Parse(row[3].as<std::string>(), &channel)) d.channel = channel;
          d.recipient = row[4].as<std::string>();
          d.contact = row[5].as<std::string>();
          d.attempts = row[6].as<int>();
          d.url = row[7].as<std::string>();
          d.secret = row[8].as<std::string>();
          d.traceparent = row[9].as<std::string>();
          if (d.notice_id.empty()) {
            d.message.set_title(row[10].as<std::string>());
            d.message.set_text(row[11].as<std::string>());
            d.message.set_follow_path(row[12].as<std::string>());
            d.message.set_opinion(row[13].as<std::string>());
            d.message.set_channel(d.channel);
            d.message.set_contact(d.contact);
          } else {
            d.notice = FromRow(d.tenant, row, 14);  // the notice's columns follow these
          }
          out.push_back(std::move(d));
        }
        return out;
      });
}

absl::StatusOr<v1::NoticeTemplate> NoticeStore::Template(pqxx::dbtransaction& txn,
                                                         const std::string& tenant,
                                                         v1::NoticeKind kind) {
  v1::NoticeTemplate t = DefaultTemplate(kind);
  t.set_name(absl::StrCat("tenants/", tenant, "/noticeTemplates/", TemplateId(kind)));
  auto rows = txn.exec_params(
      "SELECT title, body FROM notices.templates WHERE tenant_id = $1 AND kind = $2", tenant,
      v1::NoticeKind_Name(kind));
  if (!rows.empty()) {
    t.set_title(rows[0][0].as<std::string>());
    t.set_body(rows[0][1].as<std::string>());
    t.set_customized(true);
  }
  return t;
}

absl::StatusOr<std::vector<v1::NoticeTemplate>> NoticeStore::Templates(const db::TenantScope& scope,
                                                                       const std::string& tenant) {
  return pool_.InTransaction(
      scope, "notices.templates",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::NoticeTemplate>> {
        std::vector<v1::NoticeTemplate> out;
        for (v1::NoticeKind kind : TemplateKinds()) {
          ASSIGN_OR_RETURN(v1::NoticeTemplate t, Template(txn, tenant, kind));
          out.push_back(std::move(t));
        }
        return out;
      });
}

absl::StatusOr<v1::NoticeTemplate> NoticeStore::ReplaceTemplate(const db::TenantScope& scope,
                                                                const std::string& tenant,
                                                                v1::NoticeKind kind,
                                                                const v1::NoticeTemplate& text) {
  return pool_.InTransaction(
      scope, "notices.templates",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::NoticeTemplate> {
        if (text.title().empty() && text.body().empty()) {
          txn.exec_params("DELETE FROM notices.templates WHERE tenant_id = $1 AND kind = $2",
                          tenant, v1::NoticeKind_Name(kind));
        } else {
          txn.exec_params(
              "INSERT INTO notices.templates (tenant_id, kind, title, body) VALUES ($1, $2, $3, $4)"
              " ON CONFLICT (tenant_id, kind) DO UPDATE SET title = excluded.title,"
              " body = excluded.body, update_time = now()",
              tenant, v1::NoticeKind_Name(kind), text.title(), text.body());
        }
        return Template(txn, tenant, kind);
      });
}

absl::StatusOr<std::vector<std::pair<std::string, v1::Notice>>> NoticeStore::DueDrafts(
    absl::CivilDay until) {
  using Result = std::vector<std::pair<std::string, v1::Notice>>;
  return pool_.InTransaction(
      db::TenantScope{}, "notices.notices",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Result> {
        txn.exec("SELECT set_config('app.delivery_worker', 'on', true)");
        auto rows = txn.exec_params(
            absl::StrCat("SELECT n.tenant_id, ", kColumns,
                         " FROM notices.notices n WHERE n.state = 'NOTICE_DRAFT'"
                         " AND n.due_date <= $1::date ORDER BY n.due_date LIMIT 10000"),
            absl::FormatCivilTime(until));
        Result out;
        for (const auto& row : rows) {
          std::string tenant = row[0].as<std::string>();
          v1::Notice n = FromRow(tenant, row, 1);
          out.emplace_back(std::move(tenant), std::move(n));
        }
        return out;
      });
}

absl::StatusOr<bool> NoticeStore::InsertReminder(const std::string& tenant,
                                                 const v1::Notice& reminder, const std::string& key,
                                                 const std::string& event_id) {
  return pool_.InTransaction(db::TenantScope::Of(tenant), "notices.notices",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<bool> {
                               return InsertReminder(txn, tenant, reminder, key, event_id);
                             });
}

bool NoticeStore::InsertReminder(pqxx::dbtransaction& txn, const std::string& tenant,
                                 const v1::Notice& reminder, const std::string& key,
                                 const std::string& event_id) {
  auto rows = txn.exec_params(
      "INSERT INTO notices.notices (tenant_id, kind, state, title, body, parts, session,"
      " issue_date, issue_time, source_event) VALUES ($1, $2, 'NOTICE_ISSUED', $3, $4,"
      " $5::jsonb, $6, $7::date, now(), $8) ON CONFLICT DO NOTHING RETURNING id::text",
      tenant, v1::NoticeKind_Name(reminder.kind()), reminder.title(), reminder.body(),
      PartsJson(reminder), reminder.session(), reminder.issue_date(), key);
  if (rows.empty()) return false;
  v1::NoticeIssued issued;
  issued.set_notice(NoticeName(tenant, rows[0][0].as<std::string>()));
  issued.set_kind(reminder.kind());
  issued.set_title(reminder.title());
  v1::Event event;
  event.set_id(event_id);
  event.set_type(issued.GetTypeName());
  event.set_tenant("tenants/" + tenant);
  event.set_source("notices");
  *event.mutable_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
  event.mutable_payload()->PackFrom(issued);
  events::AppendToOutbox(txn, "notices.outbox", tenant, event);
  return true;
}

absl::Status NoticeStore::QueueMessage(pqxx::dbtransaction& txn, const std::string& tenant,
                                       const v1::PetitionerMessage& message,
                                       const std::string& event_id,
                                       const std::string& traceparent) {
  const int channel = message.channel();
  if (channel != v1::VIA_SMS && channel != v1::VIA_ZALO && channel != v1::VIA_EMAIL) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a message to a petitioner goes by SMS, Zalo or e-mail, not channel ", channel));
  }
  if (message.text().empty() || message.contact().empty()) {
    return absl::InvalidArgumentError("a message to a petitioner needs its text and a contact");
  }
  const std::string name = v1::NoticeChannel_Name(static_cast<v1::NoticeChannel>(channel));
  txn.exec_params(
      "INSERT INTO notices.deliveries (tenant_id, channel, recipient, contact, state, last_error,"
      " title, text, link, about, source_event, traceparent)"
      " SELECT $1, $2, $3, $4,"
      " CASE WHEN w.url IS NULL THEN 'DELIVERY_FAILED' ELSE 'DELIVERY_QUEUED' END,"
      " CASE WHEN w.url IS NULL THEN 'the commune has no webhook for ' || $2 ELSE '' END,"
      " $5, $6, $7, $8, $9, $10"
      " FROM (SELECT 1) one LEFT JOIN notices.webhooks w ON w.tenant_id = $1 AND w.channel = $2"
      " ON CONFLICT (tenant_id, source_event) DO NOTHING",
      tenant, name,
      message.receipt_code().empty() ? std::string("Cử tri đề nghị tổ chức đối thoại")
                                     : absl::StrCat("Người gửi ý kiến mã ", message.receipt_code()),
      message.contact(), message.title(), message.text(), message.follow_path(), message.opinion(),
      event_id, traceparent);
  return absl::OkStatus();
}

absl::Status NoticeStore::Settle(const DueDelivery& d, bool sent, const std::string& error,
                                 absl::Duration retry_after) {
  return pool_.InTransaction(db::TenantScope{}, "notices.deliveries",
                             [&](pqxx::dbtransaction& txn) -> absl::Status {
                               txn.exec("SELECT set_config('app.delivery_worker', 'on', true)");
                               txn.exec_params(
                                   "UPDATE notices.deliveries SET state = $3, last_error = $4,"
                                   " next_attempt_time = now() + make_interval(secs => $5),"
                                   " sent_time = CASE WHEN $3 = 'DELIVERY_SENT' THEN now() END"
                                   " WHERE tenant_id = $1 AND id = $2::uuid",
                                   d.tenant, d.id,
                                   sent                                 ? "DELIVERY_SENT"
                                   : retry_after > absl::ZeroDuration() ? "DELIVERY_QUEUED"
                                                                        : "DELIVERY_FAILED",
                                   sent ? "" : error, absl::ToDoubleSeconds(retry_after));
                               return absl::OkStatus();
                             });
}

}  // namespace dialogue::notices
