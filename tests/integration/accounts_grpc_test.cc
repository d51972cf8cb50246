// AccountService over a real gRPC server with the real PostgreSQL behind it: accounts,
// the built-in sign-in with its lock, sessions and their end, the audit log, and the
// isolation the database itself keeps for the accounts schema.
#include <grpcpp/grpcpp.h>

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dialogue/auth/token.h"
#include "dialogue/auth/totp.h"
#include "planning_server.h"

namespace dialogue::planning {
namespace {

using absl::StatusCode;
using auth::Role;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;
using ::dialogue::testing::Token;
using ::dialogue::testing::TokenAs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPassword[] = "mat-khau-dai-du-10";

class AccountsGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stub_ = v1::AccountService::NewStub(server_.channel());
    province_ = testing::NewProvince(2);
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    admin_ = Token("", {Role::kAdmin});
  }

  template <typename Request, typename Response, typename Method>
  absl::Status Call(Method method, const std::string& token, const Request& request,
                    Response* response) {
    return testing::CallWith(*stub_, method, token, request, response);
  }

  // A fresh name, so that tests can run again on the same database.
  std::string Name(absl::string_view who) { return absl::StrCat(who, ".", a_); }

  absl::StatusOr<v1::Account> Create(const std::string& token, const std::string& username,
                                     const std::string& tenant, std::vector<std::string> roles,
                                     const std::string& password = kPassword,
                                     const std::string& department = "") {
    v1::CreateAccountRequest request;
    request.mutable_account()->set_username(username);
    request.mutable_account()->set_display_name("Nguyễn Văn An");
    if (!tenant.empty()) request.mutable_account()->set_tenant("tenants/" + tenant);
    for (auto& role : roles) request.mutable_account()->add_roles(role);
    request.mutable_account()->set_department(department);
    request.set_password(password);
    v1::Account out;
    RETURN_IF_ERROR(Call(&v1::AccountService::Stub::CreateAccount, token, request, &out));
    return out;
  }

  absl::StatusOr<v1::SignInResponse> SignIn(const std::string& username,
                                            const std::string& password = kPassword) {
    v1::SignInRequest request;
    request.set_username(username);
    request.set_password(password);
    request.set_client("203.0.113.7");
    v1::SignInResponse out;
    RETURN_IF_ERROR(Call(&v1::AccountService::Stub::SignIn, "", request, &out));
    return out;
  }

  absl::StatusOr<v1::ResolvedSession> Resolve(const std::string& token) {
    v1::ResolveSessionRequest request;
    request.set_session_token(token);
    v1::ResolvedSession out;
    RETURN_IF_ERROR(Call(&v1::AccountService::Stub::ResolveSession, "", request, &out));
    return out;
  }

  std::vector<std::string> AuditActions(const std::string& tenant, const std::string& actor) {
    std::vector<std::string> out;
    pqxx::connection conn(testing::AdminPgUri());
    pqxx::work txn(conn);
    for (const auto& row : txn.exec_params(
             "SELECT action FROM accounts.audit_events WHERE tenant_id = $1 AND actor = $2"
             " ORDER BY id",
             tenant, actor)) {
      out.push_back(row[0].as<std::string>());
    }
    return out;
  }

  testing::PlanningServer server_;
  std::unique_ptr<v1::AccountService::Stub> stub_;
  testing::Province province_;
  std::string a_, b_, admin_;
};

TEST_F(AccountsGrpcTest, AnAccountSignsInAndItsSessionCarriesItsRoles) {
  auto created = Create(admin_, Name("chutich"), a_, {"chair"});
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->tenant(), "tenants/" + a_);
  EXPECT_THAT(
      AdminQuery(absl::StrCat("SELECT password_hash FROM accounts.accounts WHERE username = '",
                              Name("chutich"), "'")),
      HasSubstr("$argon2id$"));

  auto signed_in = SignIn(Name("chutich"));
  ASSERT_THAT(signed_in, IsOk());
  EXPECT_EQ(signed_in->session_token().size(), 43u);  // 32 bytes, base64url
  EXPECT_FALSE(signed_in->csrf_token().empty());
  EXPECT_EQ(signed_in->account().username(), Name("chutich"));
  // Only the token's hash is stored.
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM accounts.sessions WHERE token_hash = "
                                    "sha256('",
                                    signed_in->session_token(), "')")),
            "1");
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM accounts.sessions WHERE position('",
                                    signed_in->session_token(),
                                    "' IN encode(token_hash, 'escape') || csrf_token) > 0")),
            "0");

  auto resolved = Resolve(signed_in->session_token());
  ASSERT_THAT(resolved, IsOk());
  EXPECT_EQ(resolved->csrf_token(), signed_in->csrf_token());
  auto verifier = auth::TokenVerifier::Hs256(testing::TokenSecret(), "dialogue-local");
  auto principal = verifier->Verify(resolved->bearer_token());
  ASSERT_THAT(principal, IsOk());
  EXPECT_EQ(principal->subject, Name("chutich"));
  EXPECT_EQ(principal->tenant, a_);
  EXPECT_TRUE(principal->Has(Role::kChair));
  EXPECT_EQ(principal->roles.size(), 1u);
  EXPECT_LE(resolved->bearer_expire_time().seconds() - absl::ToUnixSeconds(absl::Now()), 5 * 60);
  EXPECT_THAT(AuditActions(a_, Name("chutich")), ElementsAre("SIGN_IN"));
}

TEST_F(AccountsGrpcTest, AWrongPasswordAndAnUnknownNameGetTheSameAnswer) {
  ASSERT_THAT(Create(admin_, Name("vanphong"), a_, {"government_office"}), IsOk());
  EXPECT_THAT(SignIn(Name("vanphong"), "mat-khau-sai-roi"),
              StatusIs(StatusCode::kUnauthenticated, "SIGN_IN_FAILED"));
  EXPECT_THAT(SignIn(Name("khong-co-ai")),
              StatusIs(StatusCode::kUnauthenticated, "SIGN_IN_FAILED"));
  EXPECT_THAT(SignIn("KHÔNG HỢP LỆ"), StatusIs(StatusCode::kUnauthenticated, "SIGN_IN_FAILED"));
  EXPECT_THAT(SignIn(Name("vanphong"), ""),
              StatusIs(StatusCode::kInvalidArgument, "CREDENTIALS_REQUIRED"));
  EXPECT_THAT(AuditActions(a_, Name("vanphong")), ElementsAre("SIGN_IN_FAILED"));
  EXPECT_THAT(AuditActions("", Name("khong-co-ai")), ElementsAre("SIGN_IN_FAILED"));
}

TEST_F(AccountsGrpcTest, RepeatedFailuresLockTheAccountUntilTheLockEnds) {
  ASSERT_THAT(Create(admin_, Name("thuky"), a_, {"secretary"}), IsOk());
  EXPECT_THAT(SignIn(Name("thuky"), "doan-sai-lan-1"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(SignIn(Name("thuky"), "doan-sai-lan-2"), StatusIs(StatusCode::kUnauthenticated));
  // The third failure in a row (the test policy's limit) locks the account ...
  EXPECT_THAT(SignIn(Name("thuky"), "doan-sai-lan-3"),
              StatusIs(StatusCode::kPermissionDenied, "ACCOUNT_LOCKED"));
  // ... so that even the right password is refused while the lock lasts.
  EXPECT_THAT(SignIn(Name("thuky")), StatusIs(StatusCode::kPermissionDenied, "ACCOUNT_LOCKED"));
  EXPECT_THAT(AuditActions(a_, Name("thuky")),
              ElementsAre("SIGN_IN_FAILED", "SIGN_IN_FAILED", "SIGN_IN_FAILED", "SIGN_IN_LOCKED"));

  AdminQuery(
      absl::StrCat("UPDATE accounts.accounts SET locked_until = now() - interval '1 second'"
                   " WHERE username = '",
                   Name("thuky"), "'"));
  EXPECT_THAT(SignIn(Name("thuky")), IsOk());
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT failed_attempts FROM accounts.accounts WHERE username"
                                    " = '",
                                    Name("thuky"), "'")),
            "0");
}

TEST_F(AccountsGrpcTest, SigningOutEndsTheSessionAtOnceAndIdleOrOldSessionsEnd) {
  ASSERT_THAT(Create(admin_, Name("mttq"), a_, {"front"}), IsOk());
  auto first = SignIn(Name("mttq"));
  auto second = SignIn(Name("mttq"));
  auto third = SignIn(Name("mttq"));
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  ASSERT_THAT(third, IsOk());

  v1::SignOutRequest out;
  out.set_session_token(first->session_token());
  v1::SignOutResponse ignored;
  ASSERT_THAT(Call(&v1::AccountService::Stub::SignOut, "", out, &ignored), IsOk());
  EXPECT_THAT(Resolve(first->session_token()),
              StatusIs(StatusCode::kUnauthenticated, "SESSION_EXPIRED"));
  EXPECT_THAT(Resolve(second->session_token()), IsOk());  // the others go on

  AdminQuery(
      absl::StrCat("UPDATE accounts.sessions SET last_seen_time = now() - interval '2 hours'"
                   " WHERE token_hash = sha256('",
                   second->session_token(), "')"));
  EXPECT_THAT(Resolve(second->session_token()),
              StatusIs(StatusCode::kUnauthenticated, "SESSION_EXPIRED"));
  AdminQuery(
      absl::StrCat("UPDATE accounts.sessions SET expire_time = now() - interval '1 second'"
                   " WHERE token_hash = sha256('",
                   third->session_token(), "')"));
  EXPECT_THAT(Resolve(third->session_token()),
              StatusIs(StatusCode::kUnauthenticated, "SESSION_EXPIRED"));
  EXPECT_THAT(Resolve("not-a-session"), StatusIs(StatusCode::kUnauthenticated, "SESSION_EXPIRED"));
  EXPECT_THAT(AuditActions(a_, Name("mttq")),
              ElementsAre("SIGN_IN", "SIGN_IN", "SIGN_IN", "SIGN_OUT"));
}

TEST_F(AccountsGrpcTest, AChairResetsItsStaffsPasswordWhichLiftsTheLockAndEndsTheirSessions) {
  ASSERT_THAT(Create(admin_, Name("quen"), a_, {"secretary"}), IsOk());
  auto before = SignIn(Name("quen"));
  ASSERT_THAT(before, IsOk());
  for (int i = 0; i < 3; ++i) (void)SignIn(Name("quen"), "doan-sai-mat-khau");
  EXPECT_THAT(SignIn(Name("quen")), StatusIs(StatusCode::kPermissionDenied, "ACCOUNT_LOCKED"));

  auto reset = [&](const std::string& token, const std::string& name,
                   const std::string& password = "mat-khau-moi-2026") {
    v1::ResetPasswordRequest request;
    request.set_name("accounts/" + name);
    request.set_password(password);
    v1::Account out;
    return Call(&v1::AccountService::Stub::ResetPassword, token, request, &out);
  };
  // Only the account's own commune's chair, or an administrator, and a sound password.
  EXPECT_THAT(reset(Token(b_, {Role::kChair}), Name("quen")),
              StatusIs(StatusCode::kNotFound, "ACCOUNT_NOT_FOUND"));
  EXPECT_THAT(reset(Token(a_, {Role::kSecretary}), Name("quen")),
              StatusIs(StatusCode::kPermissionDenied, "ACCOUNT_ADMIN_ONLY"));
  EXPECT_THAT(reset(Token(a_, {Role::kChair}), Name("quen"), "ngan"),
              StatusIs(StatusCode::kInvalidArgument, "PASSWORD_TOO_SHORT"));
  EXPECT_THAT(reset(Token(a_, {Role::kChair}), "KHÔNG"),
              StatusIs(StatusCode::kInvalidArgument, "NAME_INVALID"));
  EXPECT_THAT(Resolve(before->session_token()), IsOk());  // nothing changed so far

  ASSERT_THAT(reset(TokenAs("chutich-a", a_, {Role::kChair}), Name("quen")), IsOk());
  EXPECT_THAT(Resolve(before->session_token()),
              StatusIs(StatusCode::kUnauthenticated, "SESSION_EXPIRED"));
  EXPECT_THAT(SignIn(Name("quen")), StatusIs(StatusCode::kUnauthenticated, "SIGN_IN_FAILED"));
  EXPECT_THAT(SignIn(Name("quen"), "mat-khau-moi-2026"), IsOk());
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT actor || ' ' || target FROM accounts.audit_events"
                                    " WHERE action = 'PASSWORD_RESET' AND tenant_id = '",
                                    a_, "'")),
            absl::StrCat("chutich-a ", Name("quen")));

  // A province account is beyond any commune's chair.
  v1::CreateAccountRequest province;
  province.mutable_account()->set_username(Name("tinh"));
  province.mutable_account()->set_display_name("Cán bộ tỉnh");
  province.mutable_account()->set_province("provinces/" + province_.id);
  province.mutable_account()->add_roles("province");
  province.set_password(kPassword);
  v1::Account created;
  ASSERT_THAT(Call(&v1::AccountService::Stub::CreateAccount, admin_, province, &created), IsOk());
  EXPECT_THAT(reset(Token(a_, {Role::kChair}), Name("tinh")),
              StatusIs(StatusCode::kNotFound, "ACCOUNT_NOT_FOUND"));
  EXPECT_THAT(reset(admin_, Name("tinh")), IsOk());
}

TEST_F(AccountsGrpcTest, ASecondFactorIsSetUpByItsHolderAskedAtSignInAndNeverTakenTwice) {
  ASSERT_THAT(Create(admin_, Name("hai"), a_, {"secretary"}), IsOk());
  const std::string own = TokenAs(Name("hai"), a_, {Role::kSecretary});
  v1::BeginTotpRequest begin;
  begin.set_name("accounts/" + Name("hai"));
  v1::TotpEnrollment enrollment;
  // Nobody sets it up for someone else, not even the chair.
  EXPECT_THAT(
      Call(&v1::AccountService::Stub::BeginTotp, Token(a_, {Role::kChair}), begin, &enrollment),
      StatusIs(StatusCode::kPermissionDenied, "ACCOUNT_NOT_YOURS"));
  ASSERT_THAT(Call(&v1::AccountService::Stub::BeginTotp, own, begin, &enrollment), IsOk());
  EXPECT_EQ(enrollment.secret().size(), 32u);  // 20 bytes in base32
  EXPECT_THAT(enrollment.uri(), HasSubstr("secret=" + enrollment.secret()));
  const std::string secret = absl::HexStringToBytes(AdminQuery(
      absl::StrCat("SELECT encode(totp_secret, 'hex') FROM accounts.accounts WHERE username = '",
                   Name("hai"), "'")));
  ASSERT_EQ(auth::Base32(secret), enrollment.secret());
  // Until confirmed, signing in asks for nothing more.
  EXPECT_THAT(SignIn(Name("hai")), IsOk());

  const int64_t now = auth::TotpStep(absl::Now());
  v1::ConfirmTotpRequest confirm;
  confirm.set_name(begin.name());
  confirm.set_code(auth::TotpCode(secret, now + 50));
  v1::Account account;
  EXPECT_THAT(Call(&v1::AccountService::Stub::ConfirmTotp, own, confirm, &account),
              StatusIs(StatusCode::kInvalidArgument, "TOTP_CODE_INVALID"));
  confirm.set_code(auth::TotpCode(secret, now));
  ASSERT_THAT(Call(&v1::AccountService::Stub::ConfirmTotp, own, confirm, &account), IsOk());
  EXPECT_TRUE(account.totp_enabled());
  EXPECT_THAT(Call(&v1::AccountService::Stub::BeginTotp, own, begin, &enrollment),
              StatusIs(StatusCode::kFailedPrecondition, "TOTP_ALREADY_ENABLED"));

  auto sign_in = [&](const std::string& password, const std::string& code) {
    v1::SignInRequest request;
    request.set_username(Name("hai"));
    request.set_password(password);
    request.set_totp_code(code);
    v1::SignInResponse out;
    return Call(&v1::AccountService::Stub::SignIn, "", request, &out);
  };
  // The right password alone is not enough; a wrong code counts as a failure.
  EXPECT_THAT(SignIn(Name("hai")), StatusIs(StatusCode::kUnauthenticated, "TOTP_REQUIRED"));
  EXPECT_THAT(sign_in(kPassword, auth::TotpCode(secret, now + 50)),
              StatusIs(StatusCode::kUnauthenticated, "SIGN_IN_FAILED"));
  // The code used to confirm is spent; the next one (a phone a little ahead) works, once.
  EXPECT_THAT(sign_in(kPassword, auth::TotpCode(secret, now)),
              StatusIs(StatusCode::kUnauthenticated, "SIGN_IN_FAILED"));
  EXPECT_THAT(sign_in(kPassword, auth::TotpCode(secret, now + 1)), IsOk());
  EXPECT_THAT(sign_in(kPassword, auth::TotpCode(secret, now + 1)),
              StatusIs(StatusCode::kUnauthenticated, "SIGN_IN_FAILED"));
  // A wrong password with a good code says nothing about the code.
  EXPECT_THAT(sign_in("mat-khau-sai-roi", auth::TotpCode(secret, now + 1)),
              StatusIs(StatusCode::kUnauthenticated, "SIGN_IN_FAILED"));
  EXPECT_THAT(AuditActions(a_, Name("hai")), Contains("TOTP_ENABLED"));

  v1::ListAccountsRequest list;
  list.set_tenant("tenants/" + a_);
  v1::ListAccountsResponse listed;
  ASSERT_THAT(Call(&v1::AccountService::Stub::ListAccounts, own, list, &listed), IsOk());
  for (const auto& a : listed.accounts()) EXPECT_EQ(a.totp_enabled(), a.username() == Name("hai"));

  // The planning role never reads the secret itself.
  {
    pqxx::connection conn(testing::PlanningPgUri());
    pqxx::work txn(conn);
    txn.exec_params("SELECT set_config('app.tenant_id', $1, true)", a_);
    EXPECT_THROW(txn.exec("SELECT totp_secret FROM accounts.accounts"), pqxx::sql_error);
  }

  // A lost phone: the chair's password reset turns the second factor off.
  v1::ResetPasswordRequest reset;
  reset.set_name(begin.name());
  reset.set_password("mat-khau-moi-2026");
  ASSERT_THAT(
      Call(&v1::AccountService::Stub::ResetPassword, Token(a_, {Role::kChair}), reset, &account),
      IsOk());
  EXPECT_THAT(SignIn(Name("hai"), "mat-khau-moi-2026"), IsOk());
}

TEST_F(AccountsGrpcTest, AccountsAreRefusedWithTheFieldAtFault) {
  EXPECT_THAT(Create(admin_, "A", a_, {"chair"}),
              StatusIs(StatusCode::kInvalidArgument, "USERNAME_INVALID"));
  EXPECT_THAT(Create(admin_, Name("ngan"), a_, {"chair"}, "ngan"),
              StatusIs(StatusCode::kInvalidArgument, "PASSWORD_TOO_SHORT"));
  EXPECT_THAT(Create(admin_, Name("la"), a_, {"mayor"}),
              StatusIs(StatusCode::kInvalidArgument, "ROLE_UNKNOWN"));
  EXPECT_THAT(Create(admin_, Name("dan"), a_, {"citizen"}),
              StatusIs(StatusCode::kInvalidArgument, "ROLE_UNKNOWN"));
  EXPECT_THAT(Create(admin_, Name("khongxa"), "", {"chair"}),
              StatusIs(StatusCode::kInvalidArgument, "TENANT_REQUIRED"));
  EXPECT_THAT(Create(admin_, Name("phong"), a_, {"department"}),
              StatusIs(StatusCode::kInvalidArgument, "DEPARTMENT_REQUIRED"));
  EXPECT_THAT(Create(admin_, Name("khongco"), "xa-khong-co-that", {"chair"}),
              StatusIs(StatusCode::kNotFound));
  ASSERT_THAT(Create(admin_, Name("trung"), a_, {"chair"}), IsOk());
  EXPECT_THAT(Create(admin_, Name("trung"), b_, {"chair"}),
              StatusIs(StatusCode::kAlreadyExists, "USERNAME_TAKEN"));
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT tenant_id FROM accounts.accounts WHERE username = '",
                                    Name("trung"), "'")),
            a_);  // the first is kept as it was
}

TEST_F(AccountsGrpcTest, AnAccountLinkedToTheProvidersSubjectNeedsNoPasswordAndOwnsItsSubject) {
  auto linked = [&](const std::string& username, const std::string& subject,
                    const std::string& password) {
    v1::CreateAccountRequest request;
    request.mutable_account()->set_username(username);
    request.mutable_account()->set_display_name("Lê Thị Hoa");
    request.mutable_account()->set_tenant("tenants/" + a_);
    request.mutable_account()->add_roles("secretary");
    request.mutable_account()->set_oidc_subject(subject);
    request.set_password(password);
    v1::Account out;
    absl::Status status = Call(&v1::AccountService::Stub::CreateAccount, admin_, request, &out);
    return status.ok() ? absl::StatusOr<v1::Account>(out) : status;
  };
  const std::string subject = absl::StrCat("cccd-", a_);
  auto created = linked(Name("hoa"), subject, "");
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->oidc_subject(), subject);
  // Its password is one nobody knows: the built-in sign-in does not let it in.
  EXPECT_THAT(SignIn(Name("hoa"), ""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SignIn(Name("hoa"), kPassword), StatusIs(StatusCode::kUnauthenticated));
  // One account per subject; a subject is printable and short; no subject, no empty password.
  EXPECT_THAT(linked(Name("hoa2"), subject, kPassword),
              StatusIs(StatusCode::kAlreadyExists, "OIDC_SUBJECT_TAKEN"));
  EXPECT_THAT(linked(Name("hoa3"), "cccd 001", kPassword),
              StatusIs(StatusCode::kInvalidArgument, "OIDC_SUBJECT_INVALID"));
  EXPECT_THAT(linked(Name("hoa4"), std::string(256, 'x'), kPassword),
              StatusIs(StatusCode::kInvalidArgument, "OIDC_SUBJECT_INVALID"));
  EXPECT_THAT(linked(Name("hoa5"), "", ""),
              StatusIs(StatusCode::kInvalidArgument, "PASSWORD_TOO_SHORT"));
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM accounts.accounts WHERE username LIKE '",
                                    "hoa_.", a_, "'")),
            "0");  // nothing refused was stored
  v1::ListAccountsRequest list;
  list.set_tenant("tenants/" + a_);
  v1::ListAccountsResponse listed;
  ASSERT_THAT(Call(&v1::AccountService::Stub::ListAccounts, admin_, list, &listed), IsOk());
  bool shown = false;
  for (const auto& account : listed.accounts()) {
    shown = shown || (account.username() == Name("hoa") && account.oidc_subject() == subject);
  }
  EXPECT_TRUE(shown);
}

TEST_F(AccountsGrpcTest, WithoutAProviderOidcSignInIsRefusedAndNotOffered) {
  v1::SignInMethods methods;
  ASSERT_THAT(Call(&v1::AccountService::Stub::GetSignInMethods, "", v1::GetSignInMethodsRequest(),
                   &methods),
              IsOk());
  EXPECT_EQ(methods.oidc_provider(), "");
  v1::BeginOidcSignInRequest begin;
  begin.set_redirect_uri("https://doithoai.example/auth/oidc/callback");
  v1::OidcAuthorization authorization;
  EXPECT_THAT(Call(&v1::AccountService::Stub::BeginOidcSignIn, "", begin, &authorization),
              StatusIs(StatusCode::kFailedPrecondition, "OIDC_NOT_CONFIGURED"));
  v1::FinishOidcSignInRequest finish;
  finish.set_code("code");
  v1::SignInResponse response;
  EXPECT_THAT(Call(&v1::AccountService::Stub::FinishOidcSignIn, "", finish, &response),
              StatusIs(StatusCode::kFailedPrecondition, "OIDC_NOT_CONFIGURED"));
}

TEST_F(AccountsGrpcTest, AChairCreatesItsOwnStaffOnlyAndNobodyElseCreatesAny) {
  std::string chair_a = Token(a_, {Role::kChair});
  ASSERT_THAT(Create(chair_a, Name("phong-dc"), a_, {"department"}, kPassword, "Phòng Kinh tế"),
              IsOk());
  EXPECT_THAT(Create(chair_a, Name("sang-b"), b_, {"chair"}),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Create(chair_a, Name("quantri"), a_, {"chair", "admin"}),
              StatusIs(StatusCode::kPermissionDenied, "ACCOUNT_ADMIN_ONLY"));
  EXPECT_THAT(Create(Token(a_, {Role::kSecretary}), Name("them"), a_, {"secretary"}),
              StatusIs(StatusCode::kPermissionDenied, "ACCOUNT_ADMIN_ONLY"));
  EXPECT_THAT(Create("", Name("vodanh"), a_, {"secretary"}),
              StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM accounts.accounts WHERE username IN ('",
                                    Name("sang-b"), "', '", Name("quantri"), "', '", Name("them"),
                                    "', '", Name("vodanh"), "')")),
            "0");
}

TEST_F(AccountsGrpcTest, TheCommuneAndItsProvinceReadItsAccountsAndLogOthersDoNot) {
  ASSERT_THAT(Create(admin_, Name("doc"), a_, {"chair"}), IsOk());
  ASSERT_THAT(SignIn(Name("doc")), IsOk());

  v1::ListAccountsRequest list;
  list.set_tenant("tenants/" + a_);
  v1::ListAccountsResponse accounts;
  ASSERT_THAT(
      Call(&v1::AccountService::Stub::ListAccounts, Token(a_, {Role::kSecretary}), list, &accounts),
      IsOk());
  ASSERT_EQ(accounts.accounts_size(), 1);
  EXPECT_EQ(accounts.accounts(0).username(), Name("doc"));
  EXPECT_TRUE(accounts.accounts(0).has_last_sign_in_time());
  EXPECT_THAT(
      Call(&v1::AccountService::Stub::ListAccounts, Token(b_, {Role::kChair}), list, &accounts),
      StatusIs(StatusCode::kPermissionDenied));

  v1::ListAuditEventsRequest audit;
  audit.set_parent("tenants/" + a_);
  audit.set_page_size(1);
  v1::ListAuditEventsResponse page;
  ASSERT_THAT(Call(&v1::AccountService::Stub::ListAuditEvents,
                   Token("", {Role::kProvince}, province_.id), audit, &page),
              IsOk());
  ASSERT_EQ(page.events_size(), 1);
  EXPECT_EQ(page.events(0).action(), "SIGN_IN");  // newest first
  EXPECT_EQ(page.events(0).client(), "203.0.113.7");
  audit.set_page_token(page.next_page_token());
  ASSERT_THAT(
      Call(&v1::AccountService::Stub::ListAuditEvents, Token(a_, {Role::kChair}), audit, &page),
      IsOk());
  ASSERT_EQ(page.events_size(), 1);
  EXPECT_EQ(page.events(0).action(), "ACCOUNT_CREATED");
  EXPECT_EQ(page.events(0).target(), Name("doc"));
  EXPECT_THAT(
      Call(&v1::AccountService::Stub::ListAuditEvents, Token(b_, {Role::kChair}), audit, &page),
      StatusIs(StatusCode::kPermissionDenied));
}

// What the planning role can do with its own connection, whatever its code does.
TEST_F(AccountsGrpcTest, TheDatabaseKeepsHashesSessionsAndOtherCommunesFromThePlanningRole) {
  ASSERT_THAT(Create(admin_, Name("rls"), a_, {"chair"}), IsOk());
  auto signed_in = SignIn(Name("rls"));
  ASSERT_THAT(signed_in, IsOk());

  pqxx::connection conn(testing::PlanningPgUri());
  {
    pqxx::work txn(conn);
    txn.exec_params("SELECT set_config('app.tenant_id', $1, true)", b_);
    EXPECT_EQ(
        txn.exec_params("SELECT count(*) FROM accounts.accounts WHERE tenant_id = $1", a_)[0][0]
            .as<int>(),
        0);
    EXPECT_EQ(
        txn.exec_params("SELECT count(*) FROM accounts.audit_events WHERE tenant_id = $1", a_)[0][0]
            .as<int>(),
        0);
  }
  {
    pqxx::work txn(conn);
    txn.exec_params("SELECT set_config('app.tenant_id', $1, true)", a_);
    EXPECT_THROW(txn.exec("SELECT password_hash FROM accounts.accounts"), pqxx::sql_error);
  }
  {
    pqxx::work txn(conn);  // sessions are reached only through the sign-in functions
    EXPECT_THROW(txn.exec("SELECT count(*) FROM accounts.sessions"), pqxx::sql_error);
  }
  {
    pqxx::work txn(conn);
    txn.exec_params("SELECT set_config('app.tenant_id', $1, true)", a_);
    EXPECT_THROW(txn.exec("UPDATE accounts.audit_events SET action = 'NOTHING'"), pqxx::sql_error);
  }
  {
    pqxx::work txn(conn);
    txn.exec_params("SELECT set_config('app.tenant_id', $1, true)", b_);
    EXPECT_THROW(txn.exec_params("INSERT INTO accounts.audit_events (tenant_id, actor, action)"
                                 " VALUES ($1, 'ke-gia', 'SIGN_IN')",
                                 a_),
                 pqxx::sql_error);
  }
  // Not even the owner edits the log.
  pqxx::connection admin(testing::AdminPgUri());
  pqxx::work txn(admin);
  EXPECT_THROW(txn.exec_params("DELETE FROM accounts.audit_events WHERE tenant_id = $1", a_),
               pqxx::sql_error);
}

}  // namespace
}  // namespace dialogue::planning
