#include "transcoder.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"
#include "google/rpc/status.pb.h"
#include "json_printer.h"

namespace dialogue::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

absl::Status Invalid(absl::string_view field, absl::string_view message) {
  return common::InvalidField(field, "INVALID_FIELD", message);
}

const FieldDescriptor* FindField(const google::protobuf::Descriptor* type, absl::string_view name) {
  if (const auto* f = type->FindFieldByName(std::string(name))) return f;
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == name) return type->field(i);
  }
  return nullptr;
}

// proto3 JSON parse with the field named in the error ("Cannot find field: x" and the like).
absl::Status ParseJson(absl::string_view json, Message* message, absl::string_view where) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(json), message, options);
  if (status.ok()) return absl::OkStatus();
  // protobuf names the field as "colour: Cannot find field." or "(year): invalid value ...";
  // report it as a path from the request ("plan.colour").
  std::string text = status.message().as_string();
  std::string field(where);
  absl::string_view head = text;
  head = head.substr(0, head.find(": "));
  absl::ConsumePrefix(&head, "(");
  absl::ConsumeSuffix(&head, ")");
  bool named = head.size() < text.size() && !head.empty() &&
               head.find_first_not_of(
                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]") ==
                   absl::string_view::npos;
  if (named) field = where == "body" ? std::string(head) : absl::StrCat(where, ".", head);
  return Invalid(field, absl::StrCat("the JSON does not fit ", message->GetTypeName(), ": ", text));
}

absl::Status SetScalar(Message* message, const FieldDescriptor* field, absl::string_view value,
                       absl::string_view path) {
  const auto* reflection = message->GetReflection();
  const bool repeated = field->is_repeated();
  auto bad = [&](absl::string_view what) {
    return Invalid(path, absl::StrCat("'", value, "' is not ", what));
  };
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      repeated ? reflection->AddString(message, field, std::string(value))
               : reflection->SetString(message, field, std::string(value));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a whole number");
      repeated ? reflection->AddInt32(message, field, v) : reflection->SetInt32(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a whole number");
      repeated ? reflection->AddInt64(message, field, v) : reflection->SetInt64(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a non-negative whole number");
      repeated ? reflection->AddUInt32(message, field, v)
               : reflection->SetUInt32(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a non-negative whole number");
      repeated ? reflection->AddUInt64(message, field, v)
               : reflection->SetUInt64(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(value, &v)) return bad("a number");
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        repeated ? reflection->AddFloat(message, field, static_cast<float>(v))
                 : reflection->SetFloat(message, field, static_cast<float>(v));
      } else {
        repeated ? reflection->AddDouble(message, field, v)
                 : reflection->SetDouble(message, field, v);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(value, &v)) return bad("true or false");
      repeated ? reflection->AddBool(message, field, v) : reflection->SetBool(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = field->enum_type()->FindValueByName(std::string(value));
      int number;
      if (e == nullptr && absl::SimpleAtoi(value, &number))
        e = field->enum_type()->FindValueByNumber(number);
      if (e == nullptr) return bad(absl::StrCat("a value of ", field->enum_type()->name()));
      repeated ? reflection->AddEnum(message, field, e) : reflection->SetEnum(message, field, e);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      // Well-known types written as JSON strings in a URL: FieldMask, Timestamp, Duration.
      Message* sub = repeated ? reflection->AddMessage(message, field)
                              : reflection->MutableMessage(message, field);
      return ParseJson(absl::StrCat("\"", common::JsonEscape(value), "\""), sub, path);
    }
  }
  return bad("a supported value");
}

// Sets a (possibly nested, dotted) field from its text in a URL.
absl::Status SetPath(Message* message, absl::string_view path, absl::string_view value) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* field = FindField(message->GetDescriptor(), parts[i]);
    if (field == nullptr) {
      return Invalid(path, absl::StrCat(message->GetTypeName(), " has no field '", parts[i], "'"));
    }
    if (i + 1 == parts.size()) return SetScalar(message, field, value, path);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
      return Invalid(path, absl::StrCat("'", parts[i], "' is not a message field"));
    }
    message = message->GetReflection()->MutableMessage(message, field);
  }
  return absl::OkStatus();
}

std::string UrlDecode(absl::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && absl::ascii_isxdigit(in[i + 1]) &&
               absl::ascii_isxdigit(in[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Bindings> ParseQuery(absl::string_view query) {
  Bindings out;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::vector<absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    out.emplace_back(UrlDecode(kv[0]), kv.size() > 1 ? UrlDecode(kv[1]) : "");
  }
  return out;
}

absl::Status BuildRequest(const Route& route, const Bindings& path_bindings,
                          absl::string_view query, absl::string_view body, Message* request) {
  if (route.body == "*") {
    RETURN_IF_ERROR(ParseJson(body.empty() ? "{}" : body, request, "body"));
  } else if (!route.body.empty()) {
    const FieldDescriptor* field = request->GetDescriptor()->FindFieldByName(route.body);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !field->is_repeated()) {
      // A text or bytes body field takes the request body as it is (a CSV upload).
      request->GetReflection()->SetString(request, field, std::string(body));
    } else if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
      return absl::InternalError(absl::StrCat("body field ", route.body, " is not a message"));
    } else {
      Message* sub = request->GetReflection()->MutableMessage(request, field);
      RETURN_IF_ERROR(ParseJson(body.empty() ? "{}" : body, sub, route.body));
    }
  } else if (!body.empty() && body.find_first_not_of(" \t\r\n") != absl::string_view::npos) {
    return Invalid("body",
                   absl::StrCat(route.http_method, " ", route.path.text(), " takes no body"));
  }
  for (const auto& [path, value] : path_bindings) RETURN_IF_ERROR(SetPath(request, path, value));
  if (route.body != "*") {
    ASSIGN_OR_RETURN(Bindings params, ParseQuery(query));
    for (const auto& [path, value] : params) RETURN_IF_ERROR(SetPath(request, path, value));
  }
  // Bytes no service can take as text are refused here, whichever part of the request
  // they came in, rather than failing in the upstream's parser or PostgreSQL.
  return common::CheckStrings(*request);
}

std::string ToJson(const Message& message) {
  std::string out;
  if (PrintJson(message, &out)) return out;
  // An Any of a type this binary lacks: protobuf's printer says what it can.
  out.clear();
  (void)google::protobuf::util::MessageToJsonString(message, &out);
  return out;
}

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

std::string ErrorJson(const grpc::Status& status, int http_status) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int code = static_cast<int>(status.error_code());
  std::string details = "[]";
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    std::string json = ToJson(rich);  // {"code":..,"message":..,"details":[...]}
    auto at = json.find("\"details\":");
    if (at != std::string::npos) details = json.substr(at + 10, json.size() - at - 11);
  }
  if (http_status == 0) http_status = HttpStatusFor(status.error_code());
  return absl::StrCat("{\"error\":{\"code\":", http_status, ",\"status\":\"",
                      code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN", "\",\"message\":\"",
                      common::JsonEscape(status.error_message()), "\",\"details\":", details, "}}");
}

}  // namespace dialogue::gateway
