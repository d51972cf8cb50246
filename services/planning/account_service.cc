#include "account_service.h"

#include <google/protobuf/util/time_util.h>
#include <openssl/sha.h>

#include <algorithm>
#include <regex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dialogue/auth/password.h"
#include "dialogue/auth/totp.h"
#include "dialogue/common/names.h"

namespace dialogue::planning {
namespace {

using google::protobuf::util::TimeUtil;
using Role = auth::Role;

std::string Sha256Hex(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

bool IsUsername(absl::string_view name) {
  static const std::regex kUsername("^[a-z0-9][a-z0-9._-]{2,63}$");
  return std::regex_match(name.begin(), name.end(), kUsername);
}

// The client the gateway saw, for the log: its X-Forwarded-For, else the gRPC peer.
std::string ClientOf(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("x-forwarded-for");
  if (it != metadata.end()) return std::string(it->second.data(), it->second.size());
  return context.peer();
}

absl::Status SignInFailed() {
  return common::Error(absl::StatusCode::kUnauthenticated, "SIGN_IN_FAILED",
                       "the name or the password is wrong");
}

absl::Status OidcNotConfigured() {
  return common::Error(absl::StatusCode::kFailedPrecondition, "OIDC_NOT_CONFIGURED",
                       "this deployment has no OpenID Connect provider; sign in with an account");
}

absl::Status Locked(absl::Time until) {
  return common::Error(
      absl::StatusCode::kPermissionDenied, "ACCOUNT_LOCKED",
      absl::StrCat("too many failed sign-ins: this account is locked until ",
                   absl::FormatTime("%H:%M", until, absl::FixedTimeZone(7 * 3600)),
                   " (Vietnam time); ask the commune's chair if you forgot the password"));
}

// The roles of `account`, checked against where it belongs: commune roles need a commune,
// `province` a province, `admin` neither.
absl::StatusOr<std::set<Role>> ValidAccount(const v1::Account& account) {
  if (!IsUsername(account.username())) {
    return common::InvalidField("account.username", "USERNAME_INVALID",
                                "use 3 to 64 lower-case letters, digits, '.', '_' or '-', "
                                "starting with a letter or digit, e.g. \"vanphong.dienchau\"");
  }
  if (account.display_name().empty() || account.display_name().size() > 200) {
    return common::InvalidField("account.display_name", "DISPLAY_NAME_REQUIRED",
                                "give the person's full name (at most 200 bytes)");
  }
  if (account.roles().empty()) {
    return common::InvalidField("account.roles", "ROLES_REQUIRED", "give at least one role");
  }
  std::set<Role> roles;
  for (int i = 0; i < account.roles_size(); ++i) {
    auto role = auth::ParseRole(account.roles(i));
    if (!role || *role == Role::kCitizen) {
      return common::InvalidField(
          absl::StrCat("account.roles[", i, "]"), "ROLE_UNKNOWN",
          absl::StrCat("\"", account.roles(i),
                       "\" is not a staff role; use chair, government_office, party_office, "
                       "front, department, secretary, hamlet_lead, province or admin"));
    }
    roles.insert(*role);
  }
  bool commune_role = roles.size() > roles.count(Role::kProvince) + roles.count(Role::kAdmin);
  absl::string_view tenant = account.tenant();
  if (commune_role && (!absl::ConsumePrefix(&tenant, "tenants/") || !common::IsSlug(tenant))) {
    return common::InvalidField("account.tenant", "TENANT_REQUIRED",
                                "commune staff belong to a commune: tenants/{tenant}");
  }
  if (!commune_role && !account.tenant().empty()) {
    return common::InvalidField("account.tenant", "TENANT_NOT_FOR_ROLE",
                                "province and administrator accounts belong to no commune");
  }
  if (roles.count(Role::kProvince) > 0 && account.province().empty()) {
    return common::InvalidField("account.province", "PROVINCE_REQUIRED",
                                "a province account names its province: provinces/{province}");
  }
  if (roles.count(Role::kDepartment) > 0 && account.department().empty()) {
    return common::InvalidField("account.department", "DEPARTMENT_REQUIRED",
                                "a department account names the department it answers for");
  }
  return roles;
}

// The signed-in account's own name from `name` (accounts/{username}); nobody enrols a second
// factor for someone else.
absl::StatusOr<std::string> OwnAccount(const rpc::RequestContext& rc, absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "accounts/") || !IsUsername(name)) {
    return common::InvalidField("name", "NAME_INVALID", "use accounts/{username}");
  }
  if (rc.principal.subject != name) {
    return common::Error(absl::StatusCode::kPermissionDenied, "ACCOUNT_NOT_YOURS",
                         "only the account's own holder sets up its second factor");
  }
  return std::string(name);
}

}  // namespace

auth::Principal PrincipalOf(const v1::Account& account) {
  auth::Principal principal;
  principal.subject = account.username();
  principal.tenant = std::string(absl::StripPrefix(account.tenant(), "tenants/"));
  principal.province = std::string(absl::StripPrefix(account.province(), "provinces/"));
  principal.department = account.department();
  for (const auto& name : account.roles()) {
    if (auto role = auth::ParseRole(name)) principal.roles.insert(*role);
  }
  return principal;
}

grpc::Status AccountService::CreateAccount(grpc::ServerContext* context,
                                           const v1::CreateAccountRequest* request,
                                           v1::Account* response) {
  return rpc::Serve(context, auth_, "CreateAccount", [&](const rpc::RequestContext& rc) {
    rpc::NoAuditRecord own_record;  // ACCOUNT_CREATED, written with the account
    const auth::Principal& caller = rc.principal;
    bool admin = caller.Has(Role::kAdmin);
    if (!admin && !caller.Has(Role::kChair)) {
      return common::Error(absl::StatusCode::kPermissionDenied, "ACCOUNT_ADMIN_ONLY",
                           "only an administrator, or a commune's chair for its own staff, "
                           "may create accounts");
    }
    ASSIGN_OR_RETURN(std::set<Role> roles, ValidAccount(request->account()));
    std::string tenant(absl::StripPrefix(request->account().tenant(), "tenants/"));
    db::TenantScope scope;
    if (tenant.empty()) {
      if (!admin) {
        return common::Error(absl::StatusCode::kPermissionDenied, "ACCOUNT_ADMIN_ONLY",
                             "only an administrator creates province and administrator accounts");
      }
      scope.admin = true;
    } else {
      ASSIGN_OR_RETURN(scope, auth_.ScopeFor(caller, tenant, auth::Access::kWrite));
    }
    if (!admin && (roles.count(Role::kAdmin) > 0 || roles.count(Role::kProvince) > 0)) {
      return common::Error(absl::StatusCode::kPermissionDenied, "ACCOUNT_ADMIN_ONLY",
                           "a commune's chair creates its own staff's accounts only");
    }
    const std::string& subject = request->account().oidc_subject();
    if (subject.size() > 255 ||
        !std::all_of(subject.begin(), subject.end(), [](char c) { return c > ' ' && c <= '~'; })) {
      return common::InvalidField("account.oidc_subject", "OIDC_SUBJECT_INVALID",
                                  "the provider's subject is at most 255 printable characters");
    }
    if (!subject.empty()) {
      ASSIGN_OR_RETURN(AccountStore::OidcAccount taken, accounts_.LookUpOidc(subject));
      if (!taken.username.empty()) {
        return common::Error(absl::StatusCode::kAlreadyExists, "OIDC_SUBJECT_TAKEN",
                             absl::StrCat("the provider's subject \"", subject,
                                          "\" is linked to another account already"));
      }
    }
    // An account that signs in only at the provider gets a password nobody knows.
    std::string password = request->password();
    if (password.empty() && !subject.empty()) password = auth::RandomToken(32);
    ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password));
    ASSIGN_OR_RETURN(*response, accounts_.Create(scope, request->account(), hash, caller.subject,
                                                 ClientOf(*context)));
    return absl::OkStatus();
  });
}

grpc::Status AccountService::ListAccounts(grpc::ServerContext* context,
                                          const v1::ListAccountsRequest* request,
                                          v1::ListAccountsResponse* response) {
  return rpc::Serve(context, auth_, "ListAccounts", [&](const rpc::RequestContext& rc) {
    std::string tenant(absl::StripPrefix(request->tenant(), "tenants/"));
    if (tenant.empty()) tenant = rc.principal.tenant;
    if (!common::IsSlug(tenant)) {
      return common::InvalidField("tenant", "TENANT_REQUIRED",
                                  "name the commune: tenants/{tenant}");
    }
    ASSIGN_OR_RETURN(auto scope, auth_.ScopeFor(rc.principal, tenant, auth::Access::kRead));
    ASSIGN_OR_RETURN(auto accounts, accounts_.List(scope, tenant));
    for (auto& account : accounts) *response->add_accounts() = std::move(account);
    return absl::OkStatus();
  });
}

grpc::Status AccountService::ResetPassword(grpc::ServerContext* context,
                                           const v1::ResetPasswordRequest* request,
                                           v1::Account* response) {
  return rpc::Serve(context, auth_, "ResetPassword", [&](const rpc::RequestContext& rc) {
    rpc::NoAuditRecord own_record;  // PASSWORD_RESET, written with the new hash
    const auth::Principal& caller = rc.principal;
    absl::string_view username = request->name();
    if (!absl::ConsumePrefix(&username, "accounts/") || !IsUsername(username)) {
      return common::InvalidField("name", "NAME_INVALID", "use accounts/{username}");
    }
    db::TenantScope scope;
    std::string tenant;  // empty: any account
    if (caller.Has(Role::kAdmin)) {
      scope.admin = true;
    } else if (caller.Has(Role::kChair) && !caller.tenant.empty()) {
      tenant = caller.tenant;  // the function touches only this commune's accounts
      scope = db::TenantScope::Of(tenant);
    } else {
      return common::Error(absl::StatusCode::kPermissionDenied, "ACCOUNT_ADMIN_ONLY",
                           "only an administrator, or a commune's chair for its own staff, "
                           "may reset a password");
    }
    ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(request->password()));
    ASSIGN_OR_RETURN(*response, accounts_.ResetPassword(scope, std::string(username), hash, tenant,
                                                        caller.subject, ClientOf(*context)));
    return absl::OkStatus();
  });
}

grpc::Status AccountService::ListAuditEvents(grpc::ServerContext* context,
                                             const v1::ListAuditEventsRequest* request,
                                             v1::ListAuditEventsResponse* response) {
  return rpc::Serve(context, auth_, "ListAuditEvents", [&](const rpc::RequestContext& rc) {
    absl::string_view tenant = request->parent();
    if (!absl::ConsumePrefix(&tenant, "tenants/") || !common::IsSlug(tenant)) {
      return common::InvalidField("parent", "PARENT_INVALID", "use tenants/{tenant}");
    }
    ASSIGN_OR_RETURN(auto scope,
                     auth_.ScopeFor(rc.principal, std::string(tenant), auth::Access::kRead));
    ASSIGN_OR_RETURN(auto page, accounts_.ListAudit(scope, std::string(tenant),
                                                    request->page_size(), request->page_token()));
    for (auto& event : page.events) *response->add_events() = std::move(event);
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status AccountService::SignIn(grpc::ServerContext* context, const v1::SignInRequest* request,
                                    v1::SignInResponse* response) {
  return rpc::ServePublic(context, auth_, "SignIn", [&](const rpc::RequestContext&) {
    if (request->username().empty() || request->password().empty()) {
      return common::InvalidField(request->username().empty() ? "username" : "password",
                                  "CREDENTIALS_REQUIRED", "give the account's name and password");
    }
    const std::string& name = request->username();
    ASSIGN_OR_RETURN(auto credentials,
                     IsUsername(name) ? accounts_.LookUp(name) : AccountStore::Credentials{});
    absl::Time now = absl::Now();
    if (credentials.found && credentials.locked_until && *credentials.locked_until > now) {
      RETURN_IF_ERROR(accounts_
                          .SignInFailed(name, request->client(), /*locked_now=*/true,
                                        policy_.lock_after_failures, policy_.lock_for)
                          .status());
      return Locked(*credentials.locked_until);
    }
    // An unknown name costs the same Argon2id check as a wrong password.
    bool matches = auth::VerifyPassword(
        credentials.found ? credentials.password_hash : auth::DecoyPasswordHash(),
        request->password());
    auto refuse = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(auto locked_until,
                       accounts_.SignInFailed(name.substr(0, 64), request->client(), false,
                                              policy_.lock_after_failures, policy_.lock_for));
      if (locked_until) return Locked(*locked_until);
      return SignInFailed();
    };
    if (!credentials.found || !matches) return refuse();
    // The second factor, for an account that has one: asked for once the password is right;
    // a wrong or reused code counts as a failure like a wrong password.
    ASSIGN_OR_RETURN(AccountStore::Totp totp, accounts_.TotpOf(name));
    if (totp.enabled) {
      if (request->totp_code().empty()) {
        return common::Error(absl::StatusCode::kUnauthenticated, "TOTP_REQUIRED",
                             "this account also needs the 6-digit code of its authenticator app");
      }
      std::optional<int64_t> step =
          auth::MatchTotp(totp.secret, request->totp_code(), now, totp.last_step);
      bool fresh = false;
      if (step) {
        ASSIGN_OR_RETURN(fresh, accounts_.TotpUsed(name, *step));
      }
      if (!fresh) return refuse();
    }
    return StartSession(name, request->client(), request->user_agent(), "", response);
  });
}

absl::Status AccountService::StartSession(const std::string& username, const std::string& client,
                                          const std::string& user_agent, const std::string& method,
                                          v1::SignInResponse* response) {
  std::string token = auth::RandomToken(32);
  std::string csrf = auth::RandomToken(24);
  ASSIGN_OR_RETURN(absl::Time expires,
                   accounts_.SignInSucceeded(username, Sha256Hex(token), csrf, client, user_agent,
                                             policy_.session_lifetime, method));
  ASSIGN_OR_RETURN(auto live, accounts_.Resolve(Sha256Hex(token), policy_.session_idle));
  response->set_session_token(token);
  response->set_csrf_token(csrf);
  *response->mutable_expire_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(expires));
  *response->mutable_account() = std::move(live.account);
  return absl::OkStatus();
}

grpc::Status AccountService::GetSignInMethods(grpc::ServerContext* context,
                                              const v1::GetSignInMethodsRequest*,
                                              v1::SignInMethods* response) {
  return rpc::ServePublic(context, auth_, "GetSignInMethods", [&](const rpc::RequestContext&) {
    if (oidc_ != nullptr) response->set_oidc_provider(oidc_->name());
    return absl::OkStatus();
  });
}

grpc::Status AccountService::BeginOidcSignIn(grpc::ServerContext* context,
                                             const v1::BeginOidcSignInRequest* request,
                                             v1::OidcAuthorization* response) {
  return rpc::ServePublic(context, auth_, "BeginOidcSignIn", [&](const rpc::RequestContext&) {
    if (oidc_ == nullptr) return OidcNotConfigured();
    if (request->redirect_uri().empty() || request->redirect_uri().size() > 500) {
      return common::InvalidField("redirect_uri", "REDIRECT_URI_REQUIRED",
                                  "give the gateway's /auth/oidc/callback URL");
    }
    ASSIGN_OR_RETURN(*response, oidc_->Begin(request->redirect_uri()));
    return absl::OkStatus();
  });
}

grpc::Status AccountService::FinishOidcSignIn(grpc::ServerContext* context,
                                              const v1::FinishOidcSignInRequest* request,
                                              v1::SignInResponse* response) {
  return rpc::ServePublic(context, auth_, "FinishOidcSignIn", [&](const rpc::RequestContext&) {
    if (oidc_ == nullptr) return OidcNotConfigured();
    const std::pair<const char*, const std::string*> given[] = {
        {"code", &request->code()},
        {"code_verifier", &request->code_verifier()},
        {"nonce", &request->nonce()},
        {"redirect_uri", &request->redirect_uri()}};
    for (const auto& [field, value] : given) {
      if (value->empty() || value->size() > 2000) {
        return common::InvalidField(field, "OIDC_REQUEST_INVALID",
                                    absl::StrCat("give the sign-in's ", field));
      }
    }
    ASSIGN_OR_RETURN(auth::OidcIdentity identity,
                     oidc_->Finish(request->code(), request->code_verifier(), request->nonce(),
                                   request->redirect_uri()));
    ASSIGN_OR_RETURN(AccountStore::OidcAccount account, accounts_.LookUpOidc(identity.subject));
    if (account.username.empty()) {
      // Logged as a refused sign-in under the subject, which names no account.
      std::string actor = absl::StrCat("oidc:", identity.subject).substr(0, 64);
      RETURN_IF_ERROR(accounts_
                          .SignInFailed(actor, request->client(), false,
                                        policy_.lock_after_failures, policy_.lock_for)
                          .status());
      return common::Error(
          absl::StatusCode::kUnauthenticated, "OIDC_UNKNOWN_SUBJECT",
          absl::StrCat("the provider signed in \"",
                       identity.name.empty() ? identity.subject : identity.name.substr(0, 64),
                       "\", but no account here is linked to that person; ask the commune's "
                       "chair or the province to link one"));
    }
    return StartSession(account.username, request->client(), request->user_agent(), "oidc",
                        response);
  });
}

grpc::Status AccountService::BeginTotp(grpc::ServerContext* context,
                                       const v1::BeginTotpRequest* request,
                                       v1::TotpEnrollment* response) {
  return rpc::Serve(context, auth_, "BeginTotp", [&](const rpc::RequestContext& rc) {
    rpc::NoAuditRecord nothing_changed_yet;  // TOTP_ENABLED is written on confirmation
    ASSIGN_OR_RETURN(std::string username, OwnAccount(rc, request->name()));
    std::string secret = auth::NewTotpSecret();
    ASSIGN_OR_RETURN(bool begun, accounts_.BeginTotp(username, secret));
    if (!begun) {
      ASSIGN_OR_RETURN(AccountStore::Totp totp, accounts_.TotpOf(username));
      if (totp.enabled) {
        return common::Error(absl::StatusCode::kFailedPrecondition, "TOTP_ALREADY_ENABLED",
                             "this account has a second factor in use; the chair's password "
                             "reset turns it off");
      }
      return common::Error(absl::StatusCode::kNotFound, "ACCOUNT_NOT_FOUND",
                           absl::StrCat("no account \"", username, "\""));
    }
    response->set_secret(auth::Base32(secret));
    response->set_uri(auth::TotpUri("Đối thoại với Nhân dân", username, secret));
    return absl::OkStatus();
  });
}

grpc::Status AccountService::ConfirmTotp(grpc::ServerContext* context,
                                         const v1::ConfirmTotpRequest* request,
                                         v1::Account* response) {
  return rpc::Serve(context, auth_, "ConfirmTotp", [&](const rpc::RequestContext& rc) {
    rpc::NoAuditRecord own_record;  // TOTP_ENABLED, written with the change
    ASSIGN_OR_RETURN(std::string username, OwnAccount(rc, request->name()));
    ASSIGN_OR_RETURN(AccountStore::Totp totp, accounts_.TotpOf(username));
    if (totp.enabled) {
      return common::Error(absl::StatusCode::kFailedPrecondition, "TOTP_ALREADY_ENABLED",
                           "this account's second factor is already on");
    }
    if (totp.secret.empty()) {
      return common::Error(absl::StatusCode::kFailedPrecondition, "TOTP_NOT_STARTED",
                           "begin with BeginTotp, then confirm with a code of the app");
    }
    std::optional<int64_t> step = auth::MatchTotp(totp.secret, request->code(), absl::Now(), 0);
    if (!step) {
      return common::InvalidField("code", "TOTP_CODE_INVALID",
                                  "this is not the code the app shows now; check the phone's "
                                  "clock and try the next code");
    }
    ASSIGN_OR_RETURN(bool confirmed, accounts_.ConfirmTotp(username, *step, ClientOf(*context)));
    if (!confirmed) {
      return common::Error(absl::StatusCode::kFailedPrecondition, "TOTP_NOT_STARTED",
                           "begin with BeginTotp, then confirm with a code of the app");
    }
    response->set_username(username);
    response->set_totp_enabled(true);
    return absl::OkStatus();
  });
}

grpc::Status AccountService::ResolveSession(grpc::ServerContext* context,
                                            const v1::ResolveSessionRequest* request,
                                            v1::ResolvedSession* response) {
  return rpc::ServePublic(context, auth_, "ResolveSession", [&](const rpc::RequestContext&) {
    if (request->session_token().empty() || request->session_token().size() > 128) {
      return common::Error(absl::StatusCode::kUnauthenticated, "SESSION_EXPIRED",
                           "this sign-in has ended; sign in again");
    }
    auto live = accounts_.Resolve(Sha256Hex(request->session_token()), policy_.session_idle);
    if (live.status().code() == absl::StatusCode::kNotFound) {
      return common::Error(absl::StatusCode::kUnauthenticated, "SESSION_EXPIRED",
                           "this sign-in has ended; sign in again");
    }
    RETURN_IF_ERROR(live.status());
    absl::Time now = absl::Now();
    absl::Duration ttl = std::min(policy_.bearer_lifetime, live->expire_time - now);
    ASSIGN_OR_RETURN(std::string bearer, issuer_.Issue(PrincipalOf(live->account), ttl, now));
    response->set_bearer_token(std::move(bearer));
    *response->mutable_bearer_expire_time() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now + ttl));
    response->set_csrf_token(live->csrf_token);
    *response->mutable_expire_time() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(live->expire_time));
    *response->mutable_account() = std::move(live->account);
    return absl::OkStatus();
  });
}

grpc::Status AccountService::SignOut(grpc::ServerContext* context,
                                     const v1::SignOutRequest* request, v1::SignOutResponse*) {
  return rpc::ServePublic(context, auth_, "SignOut", [&](const rpc::RequestContext&) {
    if (request->session_token().empty() || request->session_token().size() > 128) {
      return absl::OkStatus();  // nothing to end
    }
    return accounts_.End(Sha256Hex(request->session_token()), request->client()).status();
  });
}

}  // namespace dialogue::planning
