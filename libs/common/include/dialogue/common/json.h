// Messages kept as proto3 JSON in jsonb columns: written with the JSON names, read back
// leniently (fields a newer version wrote are skipped, so its rows stay readable).
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace dialogue::common {

std::string StoredJson(const google::protobuf::Message& message);
// Parses into `message` (cleared first); false when `json` does not parse.
bool FromStoredJson(const std::string& json, google::protobuf::Message* message);

}  // namespace dialogue::common
