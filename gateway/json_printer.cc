#include "json_printer.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/strutil.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dialogue::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void String(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '<':
        out->append("\\u003c");
        break;  // as protobuf 3.21 writes them
      case '>':
        out->append("\\u003e");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void Double(double v, bool is_float, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    // The shortest text that reads back as the same value, as protobuf writes it.
    out->append(is_float ? google::protobuf::SimpleFtoa(static_cast<float>(v))
                         : google::protobuf::SimpleDtoa(v));
  }  // shortest text that reads back as the same double
}

bool Value(const Message& m, const FieldDescriptor* f, int index, std::string* out);
bool Object(const Message& m, std::string* out);

std::string CamelPath(absl::string_view path) {
  std::string out;
  bool upper = false;
  for (char c : path) {
    if (c == '_') {
      upper = true;
    } else {
      out.push_back(upper ? absl::ascii_toupper(c) : c);
      upper = false;
    }
  }
  return out;
}

// Well-known types written as JSON primitives; false if `m` is not one.
bool WellKnown(const Message& m, std::string* out, bool* ok) {
  const Descriptor* d = m.GetDescriptor();
  const std::string& name = d->full_name();
  if (name.rfind("google.protobuf.", 0) != 0) return false;
  const Reflection* r = m.GetReflection();
  *ok = true;
  if (name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration") {
    int64_t seconds = r->GetInt64(m, d->FindFieldByNumber(1));
    int32_t nanos = r->GetInt32(m, d->FindFieldByNumber(2));
    if (name == "google.protobuf.Timestamp") {
      google::protobuf::Timestamp t;
      t.set_seconds(seconds);
      t.set_nanos(nanos);
      String(google::protobuf::util::TimeUtil::ToString(t), out);
    } else {
      google::protobuf::Duration t;
      t.set_seconds(seconds);
      t.set_nanos(nanos);
      String(google::protobuf::util::TimeUtil::ToString(t), out);
    }
    return true;
  }
  if (name == "google.protobuf.FieldMask") {
    std::string joined;
    const FieldDescriptor* paths = d->FindFieldByNumber(1);
    for (int i = 0; i < r->FieldSize(m, paths); ++i) {
      if (i > 0) joined.push_back(',');
      joined += CamelPath(r->GetRepeatedString(m, paths, i));
    }
    String(joined, out);
    return true;
  }
  if (name == "google.protobuf.Empty") {
    out->append("{}");
    return true;
  }
  static const std::set<std::string> kWrappers = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  if (kWrappers.count(name) > 0) {
    *ok = Value(m, d->field(0), -1, out);  // wrappers: the bare value
    return true;
  }
  if (name == "google.protobuf.Struct") {
    const FieldDescriptor* fields = d->FindFieldByNumber(1);
    out->push_back('{');
    for (int i = 0; i < r->FieldSize(m, fields); ++i) {
      const Message& entry = r->GetRepeatedMessage(m, fields, i);
      if (i > 0) out->push_back(',');
      String(entry.GetReflection()->GetString(entry, entry.GetDescriptor()->FindFieldByNumber(1)),
             out);
      out->push_back(':');
      const Message& v =
          entry.GetReflection()->GetMessage(entry, entry.GetDescriptor()->FindFieldByNumber(2));
      if (!WellKnown(v, out, ok) || !*ok) return true;
    }
    out->push_back('}');
    return true;
  }
  if (name == "google.protobuf.ListValue") {
    const FieldDescriptor* values = d->FindFieldByNumber(1);
    out->push_back('[');
    for (int i = 0; i < r->FieldSize(m, values); ++i) {
      if (i > 0) out->push_back(',');
      if (!WellKnown(r->GetRepeatedMessage(m, values, i), out, ok) || !*ok) return true;
    }
    out->push_back(']');
    return true;
  }
  if (name == "google.protobuf.Value") {
    const auto* oneof = d->oneof_decl(0);
    const FieldDescriptor* set = r->GetOneofFieldDescriptor(m, oneof);
    if (set == nullptr || set->number() == 1) {
      out->append("null");
    } else if (set->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      WellKnown(r->GetMessage(m, set), out, ok);
    } else {
      *ok = Value(m, set, -1, out);
    }
    return true;
  }
  if (name == "google.protobuf.Any") {
    std::string url = r->GetString(m, d->FindFieldByNumber(1));
    std::string type = url.substr(url.rfind('/') + 1);
    const Descriptor* inner =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    if (inner == nullptr) {
      *ok = false;
      return true;
    }
    std::unique_ptr<Message> value(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(inner)->New());
    if (!value->ParseFromString(r->GetString(m, d->FindFieldByNumber(2)))) {
      *ok = false;
      return true;
    }
    std::string body;
    bool inner_ok = true;
    if (WellKnown(*value, &body, &inner_ok)) {
      absl::StrAppend(out, "{\"@type\":");
      String(url, out);
      absl::StrAppend(out, ",\"value\":", body, "}");
      *ok = inner_ok;
      return true;
    }
    *ok = Object(*value, &body);
    absl::StrAppend(out, "{\"@type\":");
    String(url, out);
    if (body.size() > 2)
      absl::StrAppend(out, ",", absl::string_view(body).substr(1));
    else
      out->push_back('}');
    return true;
  }
  return false;
}

bool Value(const Message& m, const FieldDescriptor* f, int index, std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out, rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out, "\"", rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), "\"");
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(out, "\"", rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f),
                      "\"");
      return true;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      Double(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), false, out);
      return true;
    case FieldDescriptor::CPPTYPE_FLOAT:
      Double(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), true, out);
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      return true;
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* v = f->enum_type()->FindValueByNumber(number);
      if (f->enum_type()->full_name() == "google.protobuf.NullValue") {
        out->append("null");
      } else if (v != nullptr) {
        String(v->name(), out);
      } else {
        absl::StrAppend(out, number);
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        String(absl::Base64Escape(s), out);
      } else {
        String(s, out);
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      bool ok = true;
      if (WellKnown(sub, out, &ok)) return ok;
      return Object(sub, out);
    }
  }
  return false;
}

bool Object(const Message& m, std::string* out) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated() ? r->FieldSize(m, f) == 0 : !r->HasField(m, f)) continue;
    if (!first) out->push_back(',');
    first = false;
    String(f->json_name(), out);
    out->push_back(':');
    if (f->is_map()) {
      const FieldDescriptor* key = f->message_type()->map_key();
      const FieldDescriptor* value = f->message_type()->map_value();
      out->push_back('{');
      for (int k = 0; k < r->FieldSize(m, f); ++k) {
        const Message& entry = r->GetRepeatedMessage(m, f, k);
        if (k > 0) out->push_back(',');
        std::string key_text;
        if (!Value(entry, key, -1, &key_text)) return false;
        if (key_text.front() != '"') key_text = absl::StrCat("\"", key_text, "\"");
        out->append(key_text);
        out->push_back(':');
        if (!Value(entry, value, -1, out)) return false;
      }
      out->push_back('}');
    } else if (f->is_repeated()) {
      out->push_back('[');
      for (int k = 0; k < r->FieldSize(m, f); ++k) {
        if (k > 0) out->push_back(',');
        if (!Value(m, f, k, out)) return false;
      }
      out->push_back(']');
    } else if (!Value(m, f, -1, out)) {
      return false;
    }
  }
  out->push_back('}');
  return true;
}

}  // namespace

bool PrintJson(const Message& message, std::string* out) {
  bool ok = true;
  if (WellKnown(message, out, &ok)) return ok;
  return Object(message, out);
}

}  // namespace dialogue::gateway
