#include "dialogue/events/outbox.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace dialogue::events {

void AppendToOutbox(pqxx::dbtransaction& txn, const std::string& outbox, const std::string& tenant,
                    const ::dialogue::v1::Event& event) {
  const size_t dot = outbox.find('.');
  const std::string table = dot == std::string::npos
                                ? txn.quote_name(outbox)
                                : absl::StrCat(txn.quote_name(outbox.substr(0, dot)), ".",
                                               txn.quote_name(outbox.substr(dot + 1)));
  txn.exec_params(absl::StrCat("INSERT INTO ", table,
                               " (tenant_id, event_id, event_type, payload)"
                               " VALUES ($1, $2::uuid, $3, decode($4, 'hex'))"),
                  tenant, event.id(), event.type(),
                  absl::BytesToHexString(event.SerializeAsString()));
}

}  // namespace dialogue::events
