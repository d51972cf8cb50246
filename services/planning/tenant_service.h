// gRPC handlers of TenantService: provinces and tenants, read by anyone signed in and
// changed only by administrators.
#pragma once

#include "dialogue/db/tenant_directory.h"
#include "dialogue/rpc/call.h"
#include "dialogue/v1/tenants.grpc.pb.h"
#include "store.h"

namespace dialogue::planning {

class TenantService final : public v1::TenantService::Service {
 public:
  TenantService(TenantStore& tenants, db::TenantDirectory& directory,
                rpc::Authenticator& authenticator)
      : tenants_(tenants), directory_(directory), auth_(authenticator) {}

  grpc::Status CreateProvince(grpc::ServerContext* context,
                              const v1::CreateProvinceRequest* request,
                              v1::Province* response) override;
  grpc::Status ListProvinces(grpc::ServerContext* context, const v1::ListProvincesRequest* request,
                             v1::ListProvincesResponse* response) override;
  grpc::Status CreateTenant(grpc::ServerContext* context, const v1::CreateTenantRequest* request,
                            v1::Tenant* response) override;
  grpc::Status GetTenant(grpc::ServerContext* context, const v1::GetTenantRequest* request,
                         v1::Tenant* response) override;
  grpc::Status ListTenants(grpc::ServerContext* context, const v1::ListTenantsRequest* request,
                           v1::ListTenantsResponse* response) override;
  grpc::Status UpdateTenant(grpc::ServerContext* context, const v1::UpdateTenantRequest* request,
                            v1::Tenant* response) override;

 private:
  TenantStore& tenants_;
  db::TenantDirectory& directory_;
  rpc::Authenticator& auth_;
};

}  // namespace dialogue::planning
