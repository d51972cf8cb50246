#include "dialogue/db/migrations.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/evp.h>
#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/common/log.h"
#include "dialogue/db/pool.h"

namespace dialogue::db {
namespace {

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
}

}  // namespace

absl::StatusOr<MigrationResult> ApplyMigrations(const std::string& admin_uri,
                                                const std::string& service,
                                                const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("migrations folder '", dir, "' does not exist"));
  }
  // NNNN_lower_snake.sql
  auto well_named = [](const std::string& name) {
    if (name.size() < 10 || name[4] != '_' || name.substr(name.size() - 4) != ".sql") return false;
    for (size_t i = 0; i < name.size() - 4; ++i) {
      char c = name[i];
      bool ok = i < 4 ? (c >= '0' && c <= '9')
                      : (c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
      if (!ok) return false;
    }
    return true;
  };
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    if (!well_named(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration file '", name, "' is not named NNNN_lower_snake.sql"));
    }
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  MigrationResult result;
  try {
    pqxx::connection conn(admin_uri);
    {
      pqxx::work txn(conn);
      txn.exec(
          "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
          " service text NOT NULL, file text NOT NULL, checksum text NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (service, file))");
      // The programs read which files are applied (AwaitSchema); nothing else is here.
      txn.exec("GRANT SELECT ON public.schema_migrations TO PUBLIC");
      txn.commit();
    }
    // A session-level lock: concurrent runs for the same service wait here.
    auto session = [&](const char* sql) {
      pqxx::nontransaction n(conn);
      n.exec_params(sql, "schema_migrations:" + service);
    };
    session("SELECT pg_advisory_lock(hashtext($1))");
    for (const auto& path : files) {
      std::ifstream in(path);
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::string sql = buffer.str();
      std::string name = path.filename().string();
      std::string checksum = Sha256Hex(sql);
      pqxx::work txn(conn);
      auto rows = txn.exec_params(
          "SELECT checksum FROM public.schema_migrations WHERE service = $1 AND file = $2", service,
          name);
      if (!rows.empty()) {
        if (rows[0][0].as<std::string>() != checksum) {
          return absl::FailedPreconditionError(
              absl::StrCat("migration ", service, "/", name,
                           " was changed after it was applied; add a new file instead"));
        }
        ++result.already_applied;
        continue;
      }
      txn.exec(sql);
      txn.exec_params(
          "INSERT INTO public.schema_migrations (service, file, checksum)"
          " VALUES ($1, $2, $3)",
          service, name, checksum);
      txn.commit();
      result.applied.push_back(name);
      common::Log(common::LogLevel::kInfo, "migration applied",
                  {{"service", service}, {"file", name}});
    }
    session("SELECT pg_advisory_unlock(hashtext($1))");
  } catch (const pqxx::sql_error& e) {
    return absl::InternalError(absl::StrCat("migration of ", service, " failed: ", e.what()));
  } catch (const std::exception& e) {
    return StatusFromException(e);
  }
  return result;
}

absl::Status AwaitSchema(ConnectionPool& pool, const std::string& service, const std::string& file,
                         absl::Duration limit) {
  const absl::Time deadline = absl::Now() + limit;
  bool said = false;
  for (;;) {
    absl::StatusOr<bool> applied = pool.InTransaction(
        TenantScope{}, "public.schema_migrations",
        [&](pqxx::dbtransaction& txn) -> absl::StatusOr<bool> {
          auto table = txn.exec1("SELECT to_regclass('public.schema_migrations') IS NOT NULL");
          if (!table[0].as<bool>()) return false;
          return !txn.exec_params(
                         "SELECT 1 FROM public.schema_migrations"
                         " WHERE service = $1 AND file = $2",
                         service, file)
                      .empty();
        });
    if (applied.ok() && *applied) {
      if (said) common::Log(common::LogLevel::kInfo, "schema ready", {{"file", file}});
      return absl::OkStatus();
    }
    if (absl::Now() >= deadline) {
      return absl::FailedPreconditionError(
          absl::StrCat("the database has no migration ", service, "/", file,
                       " yet: run the migrations (dialoguectl migrate) for this release",
                       applied.ok() ? "" : absl::StrCat(" (", applied.status().message(), ")")));
    }
    if (!said) {
      said = true;
      common::Log(common::LogLevel::kInfo, "waiting for the schema",
                  {{"service", service},
                   {"file", file},
                   {"error", applied.ok() ? "" : std::string(applied.status().message())}});
    }
    absl::SleepFor(std::min(absl::Seconds(1), deadline - absl::Now()));
  }
}

}  // namespace dialogue::db
