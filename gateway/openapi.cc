#include "openapi.h"

#include <google/protobuf/descriptor.h>

#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dialogue/common/log.h"

namespace dialogue::gateway {
namespace {

using common::JsonEscape;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

std::string Ref(const Descriptor* d) {
  return absl::StrCat("{\"$ref\":\"#/components/schemas/", d->full_name(), "\"}");
}

std::string FieldSchema(const FieldDescriptor* f, std::vector<const Descriptor*>* pending) {
  std::string item;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      item = "{\"type\":\"string\"}";
      break;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32:
      item = "{\"type\":\"integer\",\"format\":\"int32\"}";
      break;
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64:
      item = "{\"type\":\"string\",\"format\":\"int64\"}";  // proto3 JSON writes 64-bit as strings
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      item = "{\"type\":\"number\"}";
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      item = "{\"type\":\"boolean\"}";
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::vector<std::string> values;
      for (int i = 0; i < f->enum_type()->value_count(); ++i) {
        values.push_back(absl::StrCat("\"", f->enum_type()->value(i)->name(), "\""));
      }
      item = absl::StrCat("{\"type\":\"string\",\"enum\":[", absl::StrJoin(values, ","), "]}");
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const std::string& name = f->message_type()->full_name();
      if (name == "google.protobuf.Timestamp") {
        item = "{\"type\":\"string\",\"format\":\"date-time\"}";
      } else if (name == "google.protobuf.FieldMask") {
        item = "{\"type\":\"string\",\"description\":\"comma-separated field paths\"}";
      } else if (name == "google.protobuf.Any") {
        item = "{\"type\":\"object\"}";
      } else {
        pending->push_back(f->message_type());
        item = Ref(f->message_type());
      }
      break;
    }
  }
  return f->is_repeated() ? absl::StrCat("{\"type\":\"array\",\"items\":", item, "}") : item;
}

// A field a URL's query string can fill.
bool InQuery(const FieldDescriptor* f) {
  if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
  const std::string& name = f->message_type()->full_name();
  return name == "google.protobuf.Timestamp" || name == "google.protobuf.FieldMask";
}

}  // namespace

std::string OpenApiJson(const RouteTable& table) {
  std::map<std::string, std::vector<std::string>> paths;  // path -> operations
  std::vector<const Descriptor*> pending;
  for (const Route& r : table.routes()) {
    const auto* m = r.method;
    std::vector<std::string> params;
    for (const auto& [name, field] : r.path.OpenApiParameters()) {
      params.push_back(absl::StrCat("{\"name\":\"", name, "\",\"in\":\"path\",\"required\":true,",
                                    "\"description\":\"fills ", field,
                                    "\",\"schema\":{\"type\":\"string\"}}"));
    }
    std::string op = absl::StrCat("\"", absl::AsciiStrToLower(r.http_method),
                                  "\":{\"operationId\":\"", m->service()->name(), "_", m->name(),
                                  r.binding ? absl::StrCat("_", r.binding + 1) : "",
                                  "\",\"tags\":[\"", m->service()->name(), "\"]");
    // What neither the path nor the body fills is read from the query string
    // (?solarDate=2026-04-26&pageSize=20): scalars, enums, their lists, and the well-known
    // types written as strings.
    if (r.body != "*") {
      std::set<std::string> bound;
      for (const auto& [name, field] : r.path.OpenApiParameters()) {
        bound.insert(field.substr(0, field.find('.')));
      }
      if (!r.body.empty()) bound.insert(r.body);
      for (int i = 0; i < m->input_type()->field_count(); ++i) {
        const FieldDescriptor* f = m->input_type()->field(i);
        if (bound.count(f->name()) > 0 || !InQuery(f)) continue;
        params.push_back(absl::StrCat("{\"name\":\"", f->json_name(),
                                      "\",\"in\":\"query\",\"schema\":", FieldSchema(f, &pending),
                                      "}"));
      }
    }
    if (!params.empty()) absl::StrAppend(&op, ",\"parameters\":[", absl::StrJoin(params, ","), "]");
    const Descriptor* body = nullptr;
    if (r.body == "*") {
      body = m->input_type();
    } else if (!r.body.empty()) {
      body = m->input_type()->FindFieldByName(r.body)->message_type();
    }
    if (body != nullptr) {
      pending.push_back(body);
      absl::StrAppend(
          &op, ",\"requestBody\":{\"required\":true,\"content\":{\"application/json\":{\"schema\":",
          Ref(body), "}}}");
    } else if (!r.body.empty()) {
      // A text field as the whole body (a CSV upload).
      absl::StrAppend(&op,
                      ",\"requestBody\":{\"required\":true,\"content\":{\"text/csv\":{\"schema\":"
                      "{\"type\":\"string\"}}}}");
    }
    pending.push_back(m->output_type());
    absl::StrAppend(
        &op, ",\"responses\":{\"200\":{\"description\":\"OK\",\"content\":{\"",
        m->server_streaming() ? "text/event-stream" : "application/json",
        "\":{\"schema\":", Ref(m->output_type()), "}}},",
        "\"default\":{\"description\":\"An error\",\"content\":{\"application/json\":{\"schema\":",
        "{\"$ref\":\"#/components/schemas/Error\"}}}}}");
    if (r.is_public) absl::StrAppend(&op, ",\"security\":[]");
    op += "}";
    paths[r.path.OpenApiPath()].push_back(op);
  }
  std::map<std::string, std::string> schemas;
  while (!pending.empty()) {
    const Descriptor* d = pending.back();
    pending.pop_back();
    if (schemas.count(d->full_name()) > 0) continue;
    std::vector<std::string> props;
    for (int i = 0; i < d->field_count(); ++i) {
      props.push_back(
          absl::StrCat("\"", d->field(i)->json_name(), "\":", FieldSchema(d->field(i), &pending)));
    }
    schemas[d->full_name()] =
        absl::StrCat("{\"type\":\"object\",\"properties\":{", absl::StrJoin(props, ","), "}}");
  }
  std::vector<std::string> path_items, schema_items;
  for (const auto& [path, ops] : paths) {
    path_items.push_back(
        absl::StrCat("\"", JsonEscape(path), "\":{", absl::StrJoin(ops, ","), "}"));
  }
  for (const auto& [name, schema] : schemas)
    schema_items.push_back(absl::StrCat("\"", name, "\":", schema));
  schema_items.push_back(
      "\"Error\":{\"type\":\"object\",\"properties\":{\"error\":{\"type\":\"object\","
      "\"properties\":{"
      "\"code\":{\"type\":\"integer\"},\"status\":{\"type\":\"string\"},\"message\":{\"type\":"
      "\"string\"},"
      "\"details\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}}}");
  return absl::StrCat(
      "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Dialogue platform API\",\"version\":\"v1\","
      "\"description\":\"Citizen dialogue conferences of Vietnamese communes. Generated from the "
      "gRPC contract.\"},",
      "\"components\":{\"securitySchemes\":{\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\","
      "\"bearerFormat\":\"JWT\"}},",
      "\"schemas\":{", absl::StrJoin(schema_items, ","), "}},\"security\":[{\"bearer\":[]}],",
      "\"paths\":{", absl::StrJoin(path_items, ","), "}}");
}

std::string ApiPageHtml(const RouteTable& table) {
  std::string rows;
  for (const Route& r : table.routes()) {
    absl::StrAppend(&rows, "<tr><td><code>", r.http_method, "</code></td><td><code>", r.path.text(),
                    "</code></td><td>", r.method->service()->name(), ".", r.method->name(),
                    "</td><td>", r.is_public ? "no account needed" : "bearer token",
                    "</td></tr>\n");
  }
  return absl::StrCat(
      "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Dialogue API</title>"
      "<style>body{font-family:sans-serif;margin:2em}td{padding:.2em 1em;border-bottom:1px solid "
      "#ddd}</style>"
      "</head><body><h1>Dialogue platform API</h1><p>Every route below comes from the gRPC "
      "contract. "
      "Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>. Errors are "
      "<code>{\"error\":{\"code\",\"status\",\"message\",\"details\"}}</code>.</p>"
      "<table><tr><th>method</th><th>path</th><th>RPC</th><th>access</th></tr>\n",
      rows, "</table></body></html>");
}

}  // namespace dialogue::gateway
