// Token verification, which every call pays twice (gateway and service): HS256 and RS256.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "dialogue/auth/token.h"

namespace {

using dialogue::auth::Role;
constexpr char kSecret[] = "a-local-secret-of-enough-length";

dialogue::auth::TokenRequest Request() {
  dialogue::auth::TokenRequest r;
  r.principal = {"clerk", "dien-chau", "", {Role::kPartyOffice, Role::kChair}};
  return r;
}

void BM_VerifyHs256(benchmark::State& state) {
  auto verifier = *dialogue::auth::TokenVerifier::Hs256(kSecret, "dialogue-local");
  std::string token = *dialogue::auth::IssueHs256(Request(), kSecret);
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(token));
}
BENCHMARK(BM_VerifyHs256);

void BM_VerifyRs256(benchmark::State& state) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  char* data = nullptr;
  std::string priv_pem(data, BIO_get_mem_data(priv, &data));
  priv_pem.assign(data, BIO_get_mem_data(priv, &data));
  std::string pub_pem;
  pub_pem.assign(data, BIO_get_mem_data(pub, &data));
  auto verifier = *dialogue::auth::TokenVerifier::Rs256(pub_pem, "");
  std::string token = *dialogue::auth::IssueRs256(Request(), priv_pem);
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(token));
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
}
BENCHMARK(BM_VerifyRs256);

}  // namespace

BENCHMARK_MAIN();
