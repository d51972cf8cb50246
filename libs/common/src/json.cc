#include "dialogue/common/json.h"

#include <google/protobuf/util/json_util.h>

namespace dialogue::common {

std::string StoredJson(const google::protobuf::Message& message) {
  std::string json;
  // Serialising a well-formed message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &json);
  return json;
}

bool FromStoredJson(const std::string& json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  return google::protobuf::util::JsonStringToMessage(json, message, options).ok();
}

}  // namespace dialogue::common
