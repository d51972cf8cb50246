// gRPC handlers of AccountService: accounts and their audit log for the console, and the
// built-in sign-in that the gateway turns into a browser session (see accounts.proto).
#pragma once

#include "dialogue/auth/token.h"
#include "dialogue/rpc/call.h"
#include "dialogue/v1/accounts.grpc.pb.h"
#include "oidc_provider.h"
#include "store.h"

namespace dialogue::planning {

struct SignInPolicy {
  int lock_after_failures = 5;  // failed sign-ins in a row before a lock
  absl::Duration lock_for = absl::Minutes(15);
  absl::Duration session_lifetime = absl::Hours(10);  // a working day, then sign in again
  absl::Duration session_idle = absl::Hours(1);
  absl::Duration bearer_lifetime = absl::Minutes(5);  // the gateway asks again after that
};

class AccountService final : public v1::AccountService::Service {
 public:
  // `oidc` is the province's provider, or null when it has none.
  AccountService(AccountStore& accounts, rpc::Authenticator& authenticator,
                 auth::TokenIssuer issuer, SignInPolicy policy = {}, OidcProvider* oidc = nullptr)
      : accounts_(accounts),
        auth_(authenticator),
        issuer_(std::move(issuer)),
        policy_(policy),
        oidc_(oidc) {}

  grpc::Status CreateAccount(grpc::ServerContext* context, const v1::CreateAccountRequest* request,
                             v1::Account* response) override;
  grpc::Status ListAccounts(grpc::ServerContext* context, const v1::ListAccountsRequest* request,
                            v1::ListAccountsResponse* response) override;
  grpc::Status ResetPassword(grpc::ServerContext* context, const v1::ResetPasswordRequest* request,
                             v1::Account* response) override;
  grpc::Status ListAuditEvents(grpc::ServerContext* context,
                               const v1::ListAuditEventsRequest* request,
                               v1::ListAuditEventsResponse* response) override;
  grpc::Status BeginTotp(grpc::ServerContext* context, const v1::BeginTotpRequest* request,
                         v1::TotpEnrollment* response) override;
  grpc::Status ConfirmTotp(grpc::ServerContext* context, const v1::ConfirmTotpRequest* request,
                           v1::Account* response) override;
  grpc::Status SignIn(grpc::ServerContext* context, const v1::SignInRequest* request,
                      v1::SignInResponse* response) override;
  grpc::Status ResolveSession(grpc::ServerContext* context,
                              const v1::ResolveSessionRequest* request,
                              v1::ResolvedSession* response) override;
  grpc::Status SignOut(grpc::ServerContext* context, const v1::SignOutRequest* request,
                       v1::SignOutResponse* response) override;
  grpc::Status GetSignInMethods(grpc::ServerContext* context,
                                const v1::GetSignInMethodsRequest* request,
                                v1::SignInMethods* response) override;
  grpc::Status BeginOidcSignIn(grpc::ServerContext* context,
                               const v1::BeginOidcSignInRequest* request,
                               v1::OidcAuthorization* response) override;
  grpc::Status FinishOidcSignIn(grpc::ServerContext* context,
                                const v1::FinishOidcSignInRequest* request,
                                v1::SignInResponse* response) override;

 private:
  // A new session for `username`, signed in by `method`, into `response`.
  absl::Status StartSession(const std::string& username, const std::string& client,
                            const std::string& user_agent, const std::string& method,
                            v1::SignInResponse* response);

  AccountStore& accounts_;
  rpc::Authenticator& auth_;
  auth::TokenIssuer issuer_;
  SignInPolicy policy_;
  OidcProvider* oidc_;
};

// The principal a token of `account` carries.
auth::Principal PrincipalOf(const v1::Account& account);

}  // namespace dialogue::planning
