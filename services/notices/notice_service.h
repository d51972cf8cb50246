// gRPC handlers of NoticeService: parse and authorise, apply the notice rules, call the
// store. No SQL here.
#pragma once

#include "dialogue/rpc/call.h"
#include "dialogue/v1/notices.grpc.pb.h"
#include "live_notices.h"
#include "notice_rules.h"
#include "store.h"

namespace dialogue::notices {

class NoticeService final : public v1::NoticeService::Service {
 public:
  // `live` serves WatchNotices; without it the live channel answers UNAVAILABLE.
  NoticeService(NoticeStore& store, rpc::Authenticator& authenticator, LiveNotices* live)
      : store_(store), auth_(authenticator), live_(live) {}

  grpc::Status CreateNotice(grpc::ServerContext* context, const v1::CreateNoticeRequest* request,
                            v1::Notice* response) override;
  grpc::Status GetNotice(grpc::ServerContext* context, const v1::GetNoticeRequest* request,
                         v1::Notice* response) override;
  grpc::Status ListNotices(grpc::ServerContext* context, const v1::ListNoticesRequest* request,
                           v1::ListNoticesResponse* response) override;
  grpc::Status RenderNotice(grpc::ServerContext* context, const v1::RenderNoticeRequest* request,
                            v1::HttpBody* response) override;
  grpc::Status UpdateNotice(grpc::ServerContext* context, const v1::UpdateNoticeRequest* request,
                            v1::Notice* response) override;
  grpc::Status IssueNotice(grpc::ServerContext* context, const v1::IssueNoticeRequest* request,
                           v1::Notice* response) override;
  grpc::Status ListDeliveries(grpc::ServerContext* context,
                              const v1::ListDeliveriesRequest* request,
                              v1::ListDeliveriesResponse* response) override;
  grpc::Status ListPublishedNotices(grpc::ServerContext* context,
                                    const v1::ListPublishedNoticesRequest* request,
                                    v1::ListPublishedNoticesResponse* response) override;
  grpc::Status ListNoticeTemplates(grpc::ServerContext* context,
                                   const v1::ListNoticeTemplatesRequest* request,
                                   v1::ListNoticeTemplatesResponse* response) override;
  grpc::Status UpdateNoticeTemplate(grpc::ServerContext* context,
                                    const v1::UpdateNoticeTemplateRequest* request,
                                    v1::NoticeTemplate* response) override;
  grpc::Status GetNoticeFeed(grpc::ServerContext* context, const v1::GetNoticeFeedRequest* request,
                             v1::HttpBody* response) override;
  grpc::Status WatchNotices(grpc::ServerContext* context, const v1::WatchNoticesRequest* request,
                            grpc::ServerWriter<v1::PublishedNotice>* writer) override;
  grpc::Status GetWebhooks(grpc::ServerContext* context, const v1::GetWebhooksRequest* request,
                           v1::Webhooks* response) override;
  grpc::Status UpdateWebhooks(grpc::ServerContext* context,
                              const v1::UpdateWebhooksRequest* request,
                              v1::Webhooks* response) override;

 private:
  struct Target {
    std::string tenant;
    std::string id;  // of the notice named; empty for a parent
    db::TenantScope scope;
  };
  // Parses `name`, then checks the caller's tenant and role, before any data is read.
  absl::StatusOr<Target> Authorize(const rpc::RequestContext& request, const std::string& name,
                                   absl::string_view pattern, absl::string_view field,
                                   NoticeAction action);
  // Public routes: the commune named by `parent` must exist; its scope and details.
  struct PublicTarget {
    std::string tenant;
    db::TenantScope scope;
    TenantInfo info;
  };
  absl::StatusOr<PublicTarget> Public(const std::string& parent);
  // Adds the derived texts (document, broadcast script) for reading.
  absl::Status Complete(const Target& target, v1::Notice& notice);

  NoticeStore& store_;
  rpc::Authenticator& auth_;
  LiveNotices* live_;
};

}  // namespace dialogue::notices
