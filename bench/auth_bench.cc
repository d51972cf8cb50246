// Token verification, which every call pays twice (gateway and service): HS256 and RS256,
// for a token seen for the first time (each iteration a new token) and for one already
// verified (a client's next request).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <functional>
#include <string>
#include <vector>

#include "dialogue/auth/token.h"

namespace {

using dialogue::auth::Role;
constexpr char kSecret[] = "a-local-secret-of-enough-length";

dialogue::auth::TokenRequest Request() {
  dialogue::auth::TokenRequest r;
  r.principal = {"clerk", "dien-chau", "", {Role::kPartyOffice, Role::kChair}};
  return r;
}

// More distinct tokens (subjects differ) than a verifier remembers, so that each is new.
constexpr int kDistinct = 10001;
std::vector<std::string> Tokens(
    const std::function<std::string(const dialogue::auth::TokenRequest&)>& issue) {
  std::vector<std::string> out;
  for (int i = 0; i < kDistinct; ++i) {
    auto r = Request();
    r.principal.subject = "clerk-" + std::to_string(i);
    out.push_back(issue(r));
  }
  return out;
}

// An RSA key pair and its tokens, made once (signing ten thousand tokens takes seconds).
struct Rsa {
  std::string public_pem;
  std::vector<std::string> tokens;
};
const Rsa& RsaTokens() {
  static const Rsa* rsa = [] {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    BIO* priv = BIO_new(BIO_s_mem());
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(pub, key);
    char* data = nullptr;
    long size = BIO_get_mem_data(priv, &data);
    std::string priv_pem(data, static_cast<size_t>(size));
    size = BIO_get_mem_data(pub, &data);
    auto* out = new Rsa{std::string(data, static_cast<size_t>(size)), {}};
    out->tokens = Tokens([&](const auto& r) { return *dialogue::auth::IssueRs256(r, priv_pem); });
    BIO_free(priv);
    BIO_free(pub);
    EVP_PKEY_free(key);
    return out;
  }();
  return *rsa;
}

const std::vector<std::string>& HsTokens() {
  static const auto* tokens = new std::vector<std::string>(
      Tokens([](const auto& r) { return *dialogue::auth::IssueHs256(r, kSecret); }));
  return *tokens;
}

void BM_VerifyHs256(benchmark::State& state) {
  auto verifier = *dialogue::auth::TokenVerifier::Hs256(kSecret, "dialogue-local");
  const auto& tokens = HsTokens();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(tokens[i++ % tokens.size()]));
}
BENCHMARK(BM_VerifyHs256);

void BM_VerifyHs256Again(benchmark::State& state) {
  auto verifier = *dialogue::auth::TokenVerifier::Hs256(kSecret, "dialogue-local");
  const std::string& token = HsTokens()[0];
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(token));
}
BENCHMARK(BM_VerifyHs256Again);

void BM_VerifyRs256(benchmark::State& state) {
  auto verifier = *dialogue::auth::TokenVerifier::Rs256(RsaTokens().public_pem, "");
  const auto& tokens = RsaTokens().tokens;
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(tokens[i++ % tokens.size()]));
}
BENCHMARK(BM_VerifyRs256);

void BM_VerifyRs256Again(benchmark::State& state) {
  auto verifier = *dialogue::auth::TokenVerifier::Rs256(RsaTokens().public_pem, "");
  const std::string& token = RsaTokens().tokens[0];
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(token));
}
BENCHMARK(BM_VerifyRs256Again);

}  // namespace

BENCHMARK_MAIN();
