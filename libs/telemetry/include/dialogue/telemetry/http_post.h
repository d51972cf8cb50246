// A JSON POST over libcurl, for the programs' outgoing HTTP (span export, webhooks).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dialogue::telemetry {

// One handle, reused from call to call so that its connection is kept; one thread at a
// time.
class JsonPost {
 public:
  JsonPost();
  ~JsonPost();
  JsonPost(const JsonPost&) = delete;
  JsonPost& operator=(const JsonPost&) = delete;

  // Sends `body` as application/json with `headers` ("Name: value") and returns the HTTP
  // status the server answered, whatever it is; UNAVAILABLE when none came (refused,
  // timed out, a malformed URL), with libcurl's reason.
  absl::StatusOr<int> Send(const std::string& url, const std::vector<std::string>& headers,
                           const std::string& body, absl::Duration timeout);

 private:
  void* curl_;  // CURL*, kept out of this header
};

}  // namespace dialogue::telemetry
