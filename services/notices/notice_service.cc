#include "notice_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"

namespace dialogue::notices {
namespace {

using auth::Access;

constexpr char kParent[] = "tenants/{tenant}";
constexpr char kNoticePattern[] = "tenants/{tenant}/notices/{notice:uuid}";
constexpr char kWebhooksPattern[] = "tenants/{tenant}/webhooks";

// The fields UpdateNotice may change in a draft.
const std::set<std::string>& EditableFields() {
  static const auto* fields = new std::set<std::string>{
      "title", "body", "recipients", "channels", "air_times", "place", "signer"};
  return *fields;
}

}  // namespace

absl::StatusOr<NoticeService::Target> NoticeService::Authorize(const rpc::RequestContext& request,
                                                               const std::string& name,
                                                               absl::string_view pattern,
                                                               absl::string_view field,
                                                               NoticeAction action) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(name, pattern, field));
  rpc::NoteAuditTarget(name);
  Target target;
  target.tenant = parsed["tenant"];
  if (auto it = parsed.find("notice"); it != parsed.end()) target.id = it->second;
  ASSIGN_OR_RETURN(target.scope,
                   auth_.ScopeFor(request.principal, target.tenant,
                                  action == NoticeAction::kRead ? Access::kRead : Access::kWrite));
  RETURN_IF_ERROR(CheckRole(request.principal, action));
  return target;
}

absl::StatusOr<NoticeService::PublicTarget> NoticeService::Public(const std::string& parent) {
  ASSIGN_OR_RETURN(auto parsed, common::ParseName(parent, kParent, "parent"));
  PublicTarget target;
  target.tenant = parsed["tenant"];
  target.scope = db::TenantScope::Of(target.tenant);
  ASSIGN_OR_RETURN(target.info, store_.Tenant(target.scope, target.tenant));
  return target;
}

absl::Status NoticeService::Complete(const Target& target, v1::Notice& notice) {
  ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(target.scope, target.tenant));
  notice.set_document_text(DocumentText(notice, tenant.display_name));
  notice.set_broadcast_script(BroadcastScript(notice, tenant.display_name));
  return absl::OkStatus();
}

grpc::Status NoticeService::CreateNotice(grpc::ServerContext* context,
                                         const v1::CreateNoticeRequest* request,
                                         v1::Notice* response) {
  return rpc::Serve(
      context, auth_, "CreateNotice", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target,
                         Authorize(rc, request->parent(), kParent, "parent", NoticeAction::kWrite));
        // What a clerk drafts; state, number, dates and derived texts are the server's.
        const v1::Notice& in = request->notice();
        v1::Notice draft;
        draft.set_kind(in.kind());
        draft.set_title(in.title());
        draft.set_body(in.body());
        *draft.mutable_recipients() = in.recipients();
        *draft.mutable_channels() = in.channels();
        *draft.mutable_air_times() = in.air_times();
        draft.set_place(in.place());
        draft.set_signer(in.signer());
        if (!in.due_date().empty()) {
          if (!calendar::ParseDate(in.due_date()).ok()) {
            return common::InvalidField(
                "notice.due_date", "DATE_INVALID",
                absl::StrCat("'", in.due_date(), "' is not a date as YYYY-MM-DD"));
          }
          draft.set_due_date(in.due_date());
        }
        RETURN_IF_ERROR(CheckNotice(draft, "notice."));
        RETURN_IF_ERROR(common::CheckText("request_id", request->request_id(), 100, false));
        ASSIGN_OR_RETURN(*response, store_.CreateDraft(target.scope, target.tenant, draft,
                                                       request->request_id()));
        return Complete(target, *response);
      });
}

grpc::Status NoticeService::GetNotice(grpc::ServerContext* context,
                                      const v1::GetNoticeRequest* request, v1::Notice* response) {
  return rpc::Serve(
      context, auth_, "GetNotice", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kNoticePattern, "name",
                                                  NoticeAction::kRead));
        ASSIGN_OR_RETURN(*response, store_.Get(target.scope, target.tenant, target.id));
        return Complete(target, *response);
      });
}

grpc::Status NoticeService::RenderNotice(grpc::ServerContext* context,
                                         const v1::RenderNoticeRequest* request,
                                         v1::HttpBody* response) {
  return rpc::ServePublic(
      context, auth_, "RenderNotice", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(auto parsed, common::ParseName(request->name(), kNoticePattern, "name"));
        bool staff = false;
        ASSIGN_OR_RETURN(db::TenantScope scope,
                         auth_.PublicScopeFor(rc.principal, parsed["tenant"], &staff));
        staff = staff && CheckRole(rc.principal, NoticeAction::kRead).ok();
        auto notice = store_.Get(scope, parsed["tenant"], parsed["notice"]);
        // A draft is the office's: to anyone else it does not exist.
        if (notice.ok() && !staff && notice->state() != v1::NOTICE_ISSUED) {
          notice = common::Error(absl::StatusCode::kNotFound, "NOTICE_NOT_FOUND",
                                 absl::StrCat("there is no issued notice ", request->name()));
        }
        RETURN_IF_ERROR(notice.status());
        ASSIGN_OR_RETURN(TenantInfo tenant, store_.Tenant(scope, parsed["tenant"]));
        return documents::RenderInto(NoticeDocument(*notice, tenant.display_name),
                                     request->format(), parsed["notice"], response);
      });
}

grpc::Status NoticeService::ListNotices(grpc::ServerContext* context,
                                        const v1::ListNoticesRequest* request,
                                        v1::ListNoticesResponse* response) {
  return rpc::Serve(
      context, auth_, "ListNotices", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target,
                         Authorize(rc, request->parent(), kParent, "parent", NoticeAction::kRead));
        NoticeFilter filter;
        filter.kind = request->kind();
        filter.state = request->state();
        filter.overdue = request->overdue();
        filter.session = request->session();
        ASSIGN_OR_RETURN(*response, store_.List(target.scope, target.tenant, filter,
                                                request->page_size(), request->page_token()));
        return absl::OkStatus();
      });
}

grpc::Status NoticeService::UpdateNotice(grpc::ServerContext* context,
                                         const v1::UpdateNoticeRequest* request,
                                         v1::Notice* response) {
  return rpc::Serve(
      context, auth_, "UpdateNotice", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->notice().name(), kNoticePattern,
                                                  "notice.name", NoticeAction::kWrite));
        const auto& paths = request->update_mask().paths();
        if (paths.empty()) {
          return common::InvalidField("update_mask", "UPDATE_MASK_REQUIRED",
                                      "name the fields to change in update_mask");
        }
        for (const auto& path : paths) {
          if (!EditableFields().count(path)) {
            return common::InvalidField(
                "update_mask", "FIELD_NOT_EDITABLE",
                absl::StrCat("'", path,
                             "' cannot be changed; a draft's title, body, recipients, channels, "
                             "air_times, place and signer can"));
          }
        }
        const v1::Notice& in = request->notice();
        ASSIGN_OR_RETURN(*response,
                         store_.UpdateDraft(target.scope, target.tenant, target.id, in.etag(),
                                            [&](v1::Notice& n) -> absl::Status {
                                              for (const auto& path : paths) {
                                                if (path == "title") n.set_title(in.title());
                                                if (path == "body") n.set_body(in.body());
                                                if (path == "recipients") {
                                                  *n.mutable_recipients() = in.recipients();
                                                }
                                                if (path == "channels")
                                                  *n.mutable_channels() = in.channels();
                                                if (path == "air_times") {
                                                  *n.mutable_air_times() = in.air_times();
                                                }
                                                if (path == "place") n.set_place(in.place());
                                                if (path == "signer") n.set_signer(in.signer());
                                              }
                                              return CheckNotice(n, "notice.");
                                            }));
        return Complete(target, *response);
      });
}

grpc::Status NoticeService::IssueNotice(grpc::ServerContext* context,
                                        const v1::IssueNoticeRequest* request,
                                        v1::Notice* response) {
  return rpc::Serve(
      context, auth_, "IssueNotice", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kNoticePattern, "name",
                                                  NoticeAction::kIssue));
        RETURN_IF_ERROR(
            common::CheckText("document_number", request->document_number(), 100, false));
        RETURN_IF_ERROR(common::CheckText("signer", request->signer(), kMaxShortChars, false));
        std::string date = request->issue_date();
        if (date.empty()) {
          date = calendar::FormatDate(calendar::TodayInVietnam(absl::Now()));
        } else if (!calendar::ParseDate(date).ok()) {
          return common::InvalidField("issue_date", "DATE_INVALID",
                                      absl::StrCat("'", date, "' is not a date as YYYY-MM-DD"));
        }
        ASSIGN_OR_RETURN(*response, store_.Issue(
                                        target.scope, target.tenant, target.id, request->etag(),
                                        [&](v1::Notice& n) -> absl::Status {
                                          n.set_document_number(request->document_number());
                                          n.set_issue_date(date);
                                          if (!request->signer().empty())
                                            n.set_signer(request->signer());
                                          RETURN_IF_ERROR(CheckIssuable(n));
                                          NoteLateResults(n);
                                          return absl::OkStatus();
                                        },
                                        [&](const v1::Notice& n) {
                                          v1::NoticeIssued issued;
                                          issued.set_notice(n.name());
                                          issued.set_kind(n.kind());
                                          issued.set_title(n.title());
                                          issued.set_document_number(n.document_number());
                                          issued.set_session(n.session());
                                          issued.set_issue_date(n.issue_date());
                                          issued.set_due_date(n.due_date());
                                          return rpc::NewEvent(rc, target.tenant, "notices",
                                                               issued);
                                        }));
        return Complete(target, *response);
      });
}

grpc::Status NoticeService::ListDeliveries(grpc::ServerContext* context,
                                           const v1::ListDeliveriesRequest* request,
                                           v1::ListDeliveriesResponse* response) {
  return rpc::Serve(
      context, auth_, "ListDeliveries", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->parent(), kNoticePattern, "parent",
                                                  NoticeAction::kRead));
        ASSIGN_OR_RETURN(auto deliveries,
                         store_.Deliveries(target.scope, target.tenant, target.id));
        for (auto& d : deliveries) *response->add_deliveries() = std::move(d);
        return absl::OkStatus();
      });
}

grpc::Status NoticeService::ListPublishedNotices(grpc::ServerContext* context,
                                                 const v1::ListPublishedNoticesRequest* request,
                                                 v1::ListPublishedNoticesResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ListPublishedNotices", [&](const rpc::RequestContext&) -> absl::Status {
        ASSIGN_OR_RETURN(PublicTarget target, Public(request->parent()));
        ASSIGN_OR_RETURN(int offset, OffsetFromPageToken(request->page_token()));
        const int limit = request->page_size() <= 0 ? 20 : std::min(request->page_size(), 100);
        ASSIGN_OR_RETURN(auto notices,
                         store_.Published(target.scope, target.tenant, limit + 1, offset));
        response->set_commune(target.info.display_name);
        for (int i = 0; i < static_cast<int>(notices.size()) && i < limit; ++i) {
          *response->add_notices() = ToPublished(notices[i], target.info.display_name);
        }
        if (static_cast<int>(notices.size()) > limit) {
          response->set_next_page_token(PageTokenAt(offset + limit));
        }
        return absl::OkStatus();
      });
}

grpc::Status NoticeService::ListNoticeTemplates(grpc::ServerContext* context,
                                                const v1::ListNoticeTemplatesRequest* request,
                                                v1::ListNoticeTemplatesResponse* response) {
  return rpc::Serve(
      context, auth_, "ListNoticeTemplates", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target,
                         Authorize(rc, request->parent(), kParent, "parent", NoticeAction::kRead));
        ASSIGN_OR_RETURN(auto templates, store_.Templates(target.scope, target.tenant));
        for (auto& t : templates) *response->add_notice_templates() = std::move(t);
        return absl::OkStatus();
      });
}

grpc::Status NoticeService::UpdateNoticeTemplate(grpc::ServerContext* context,
                                                 const v1::UpdateNoticeTemplateRequest* request,
                                                 v1::NoticeTemplate* response) {
  return rpc::Serve(
      context, auth_, "UpdateNoticeTemplate", [&](const rpc::RequestContext& rc) -> absl::Status {
        const v1::NoticeTemplate& in = request->notice_template();
        ASSIGN_OR_RETURN(auto parsed,
                         common::ParseName(in.name(), "tenants/{tenant}/noticeTemplates/{kind:id}",
                                           "notice_template.name"));
        ASSIGN_OR_RETURN(Target target,
                         Authorize(rc, absl::StrCat("tenants/", parsed["tenant"]), kParent,
                                   "notice_template.name", NoticeAction::kWrite));
        v1::NoticeKind kind = v1::NOTICE_KIND_UNSPECIFIED;
        for (v1::NoticeKind k : TemplateKinds()) {
          if (TemplateId(k) == parsed["kind"]) kind = k;
        }
        if (kind == v1::NOTICE_KIND_UNSPECIFIED) {
          return common::Error(
              absl::StatusCode::kNotFound, "TEMPLATE_NOT_FOUND",
              absl::StrCat("there is no template '", parsed["kind"],
                           "'; there are announcement, invitation and conclusion"));
        }
        RETURN_IF_ERROR(CheckTemplate(in, kind));
        ASSIGN_OR_RETURN(*response, store_.ReplaceTemplate(target.scope, target.tenant, kind, in));
        return absl::OkStatus();
      });
}

grpc::Status NoticeService::GetNoticeFeed(grpc::ServerContext* context,
                                          const v1::GetNoticeFeedRequest* request,
                                          v1::HttpBody* response) {
  return rpc::ServePublic(
      context, auth_, "GetNoticeFeed", [&](const rpc::RequestContext&) -> absl::Status {
        ASSIGN_OR_RETURN(PublicTarget target, Public(request->parent()));
        ASSIGN_OR_RETURN(auto notices, store_.Published(target.scope, target.tenant, 20, 0));
        response->set_content_type("application/atom+xml; charset=utf-8");
        response->set_data(AtomFeed(target.tenant, target.info.display_name, notices, absl::Now()));
        return absl::OkStatus();
      });
}

grpc::Status NoticeService::WatchNotices(grpc::ServerContext* context,
                                         const v1::WatchNoticesRequest* request,
                                         grpc::ServerWriter<v1::PublishedNotice>* writer) {
  return rpc::ServePublic(context, auth_, "WatchNotices",
                          [&](const rpc::RequestContext&) -> absl::Status {
                            ASSIGN_OR_RETURN(PublicTarget target, Public(request->parent()));
                            if (live_ == nullptr)
                              return absl::UnavailableError("the live channel is not running");
                            auto subscription = live_->Subscribe(target.tenant);
                            // Until the viewer leaves or the server stops.
                            while (!context->IsCancelled()) {
                              v1::PublishedNotice notice;
                              if (!subscription->Next(&notice, std::chrono::milliseconds(250)))
                                continue;
                              if (!writer->Write(notice)) break;
                            }
                            return absl::OkStatus();
                          });
}

grpc::Status NoticeService::GetWebhooks(grpc::ServerContext* context,
                                        const v1::GetWebhooksRequest* request,
                                        v1::Webhooks* response) {
  return rpc::Serve(
      context, auth_, "GetWebhooks", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), kWebhooksPattern, "name",
                                                  NoticeAction::kManageWebhooks));
        ASSIGN_OR_RETURN(*response, store_.Webhooks(target.scope, target.tenant));
        return absl::OkStatus();
      });
}

grpc::Status NoticeService::UpdateWebhooks(grpc::ServerContext* context,
                                           const v1::UpdateWebhooksRequest* request,
                                           v1::Webhooks* response) {
  return rpc::Serve(
      context, auth_, "UpdateWebhooks", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->webhooks().name(), kWebhooksPattern,
                                                  "webhooks.name", NoticeAction::kManageWebhooks));
        std::set<int> seen;
        for (int i = 0; i < request->webhooks().hooks_size(); ++i) {
          const v1::Webhook& h = request->webhooks().hooks(i);
          const std::string at = absl::StrCat("webhooks.hooks[", i, "].");
          if (!IsPersonalChannel(h.channel()) && h.channel() != v1::VIA_LOUDSPEAKER) {
            return common::InvalidField(
                at + "channel", "CHANNEL_NOT_WEBHOOK",
                "webhooks carry VIA_ZALO, VIA_SMS, VIA_EMAIL and VIA_LOUDSPEAKER");
          }
          if (!seen.insert(h.channel()).second) {
            return common::InvalidField(at + "channel", "CHANNEL_REPEATED",
                                        "one webhook per channel");
          }
          RETURN_IF_ERROR(common::CheckText(at + "url", h.url(), 2000));
          if (!absl::StartsWith(h.url(), "http://") && !absl::StartsWith(h.url(), "https://")) {
            return common::InvalidField(at + "url", "URL_INVALID",
                                        "a webhook URL starts with http:// or https://");
          }
          RETURN_IF_ERROR(common::CheckText(at + "secret", h.secret(), 500, false));
        }
        ASSIGN_OR_RETURN(*response,
                         store_.ReplaceWebhooks(target.scope, target.tenant, request->webhooks()));
        return absl::OkStatus();
      });
}

}  // namespace dialogue::notices
