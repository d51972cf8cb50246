// Schema migrations: numbered SQL files per service (0001_name.sql), each applied in
// one transaction and recorded in public.schema_migrations with its checksum.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dialogue::db {

struct MigrationResult {
  std::vector<std::string> applied;  // file names applied by this run
  int already_applied = 0;
};

// Applies the files of `dir` not yet recorded for `service`, in order, over an
// administrator's connection `admin_uri`. Concurrent runs wait on an advisory lock. A
// recorded file whose content changed since is an error: migrations are append-only.
absl::StatusOr<MigrationResult> ApplyMigrations(const std::string& admin_uri,
                                                const std::string& service, const std::string& dir);

class ConnectionPool;

// Waits until `service`'s migration `file` (the newest the program was built with) is
// applied, asking every second for at most `limit`: a program rolled out beside the
// migrations Job starts serving only once the schema it needs is there. FAILED_PRECONDITION
// when `limit` passes first.
absl::Status AwaitSchema(ConnectionPool& pool, const std::string& service, const std::string& file,
                         absl::Duration limit);

}  // namespace dialogue::db
