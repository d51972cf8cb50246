// proto3 JSON printing by reflection: the same text as protobuf's MessageToJsonString
// with default options (lowerCamelCase names, defaults omitted, 64-bit integers as
// strings, well-known types in their JSON forms), at a fraction of its cost. Every
// response and error the gateway writes goes through it.
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace dialogue::gateway {

// False only when an Any holds a type this binary does not know.
bool PrintJson(const google::protobuf::Message& message, std::string* out);

}  // namespace dialogue::gateway
