// All SQL of the intake program. Every method runs in a transaction scoped by a
// TenantScope, so Row Level Security bounds what any query can see or change.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "dialogue/db/pool.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/intake.pb.h"
#include "opinion_rules.h"

namespace dialogue::intake {

// What intake needs of the tenant's reference record (tenancy.tenants).
struct TenantInfo {
  std::string display_name;                         // "Xã Bắc Thanh Miện"
  std::vector<std::string> hamlets;                 // ids; empty when the tenant lists none
  std::map<std::string, std::string> hamlet_names;  // id -> name
  int voter_count = 0;
  int threshold_percent = 0;          // 0: the default
  std::set<absl::CivilDay> days_off;  // the commune's own, on top of the national calendar
};

// A new opinion, checked: the service has set every field it stores.
struct NewOpinion {
  std::string id;  // uuid chosen by the service, so its event can name it
  std::string round_id;
  v1::Opinion opinion;     // hamlet, channel, text, submitter, receipt code, suggestions
  std::string normalized;  // Normalize(text)
  std::string created_by;
  std::string request_id;           // may be empty
  absl::optional<v1::Event> event;  // written to the outbox when the row is new
};

struct OpinionFilter {
  std::string round_id;
  std::string topic;
  absl::optional<v1::OpinionState> state;
  std::string hamlet;
  std::string department;
  absl::optional<v1::Channel> channel;
  bool overdue = false;
  std::string due_before;  // YYYY-MM-DD
  std::string text;        // normalised words
};

// Parses ListOpinionsRequest.filter; INVALID_ARGUMENT naming `filter` otherwise.
absl::StatusOr<OpinionFilter> ParseOpinionFilter(const std::string& tenant,
                                                 const std::string& text);

struct OpinionPage {
  std::vector<v1::Opinion> opinions;
  std::string next_page_token;
};

// What a change to an opinion causes besides the row itself, in the same transaction.
struct OpinionEffects {
  std::string actor;
  std::string note;  // kept in the history with the change of state
  std::vector<v1::Event> events;
  // Set: the opinion's petitioners, and those of the opinions merged into it, are told
  // (TellPetitioners) what this returns for each.
  std::function<std::pair<std::string, std::string>(const Petitioner&)> tell;
  std::string traceparent;  // of the request, for the messages' events
};

struct ImportResult {
  int stored = 0;
  int already_stored = 0;
  std::map<std::string, std::string> receipt_codes;  // row key -> the stored opinion's code
};

class IntakeStore {
 public:
  explicit IntakeStore(db::ConnectionPool& pool, absl::Duration tenant_ttl = absl::Seconds(30))
      : pool_(pool), tenant_ttl_(tenant_ttl) {}

  // Cached for tenant_ttl; NOT_FOUND for a tenant that does not exist.
  absl::StatusOr<TenantInfo> Tenant(const db::TenantScope& scope, const std::string& tenant);

  absl::StatusOr<v1::Round> CreateRound(const db::TenantScope& scope, const std::string& tenant,
                                        const v1::Round& round, const std::string& request_id);
  absl::StatusOr<v1::Round> GetRound(const db::TenantScope& scope, const std::string& tenant,
                                     const std::string& round_id);
  // Writes the round's title and dates (checked by the caller).
  absl::StatusOr<v1::Round> UpdateRound(const db::TenantScope& scope, const std::string& tenant,
                                        const std::string& round_id, const v1::Round& round);
  // FAILED_PRECONDITION ROUND_HAS_OPINIONS unless the round is empty.
  absl::Status DeleteRound(const db::TenantScope& scope, const std::string& tenant,
                           const std::string& round_id);
  absl::StatusOr<std::vector<v1::Round>> ListRounds(const db::TenantScope& scope,
                                                    const std::string& tenant);

  // The tenant's topics, and whether they are the defaults. Cached like the tenant.
  absl::StatusOr<std::pair<std::vector<v1::Topic>, bool>> Topics(const db::TenantScope& scope,
                                                                 const std::string& tenant);
  absl::Status ReplaceTopics(const db::TenantScope& scope, const std::string& tenant,
                             const std::vector<v1::Topic>& topics);

  // Stores every opinion of `batch` in one transaction, each checked against its round.
  // One result per item, in order: the opinion stored, the one an earlier request with
  // the same request_id stored, or NOT_FOUND for a round that does not exist.
  std::vector<absl::StatusOr<v1::Opinion>> CreateOpinions(const db::TenantScope& scope,
                                                          const std::string& tenant,
                                                          const std::vector<NewOpinion>& batch);

  // Stores the rows (their key as request_id) of one round in one transaction, with one
  // OpinionsImported event when anything new was stored.
  absl::StatusOr<ImportResult> Import(const db::TenantScope& scope, const std::string& tenant,
                                      const std::string& round_id,
                                      const std::vector<ImportRow>& rows,
                                      const std::string& created_by,
                                      const std::function<v1::Event(int stored)>& event);

  absl::StatusOr<v1::Opinion> GetOpinion(const db::TenantScope& scope, const std::string& tenant,
                                         const std::string& opinion_id);
  absl::StatusOr<OpinionPage> ListOpinions(const db::TenantScope& scope, const std::string& tenant,
                                           const OpinionFilter& filter, int page_size,
                                           const std::string& page_token);
  // By receipt code; for a MERGED opinion, the state and answer of the one standing for it.
  absl::StatusOr<v1::OpinionStatus> Follow(const db::TenantScope& scope, const std::string& tenant,
                                           const std::string& code);

  // Reads the opinion under a row lock, checks `etag` when given (ABORTED on mismatch),
  // lets `change` edit it, then writes it, its history (when the state changed) and events.
  using Change = std::function<absl::Status(v1::Opinion& opinion, OpinionEffects& effects)>;
  absl::StatusOr<v1::Opinion> Mutate(const db::TenantScope& scope, const std::string& tenant,
                                     const std::string& opinion_id, const std::string& etag,
                                     const Change& change);

  // Inside the caller's transaction (the event consumer's): the opinions of `tenant` named
  // by `ids` were answered at the conference `session` held on `held`. Each in a state
  // short of ANSWERED, but MERGED or ROUTED_ELSEWHERE, becomes ANSWERED; one whose answer
  // was not approved gets the conference as its answer. Unknown ids and opinions already
  // answered are left alone. The opinions changed, by id.
  static std::vector<std::string> AnswerAtConference(pqxx::dbtransaction& txn,
                                                     const std::string& tenant,
                                                     std::vector<std::string> ids,
                                                     const std::string& session,
                                                     absl::CivilDay held);

  // Inside the caller's transaction: a PetitionerMessage event (to the outbox) for each
  // petitioner of the opinions `ids` and of the opinions merged into them, at any depth,
  // who left a contact and a way to reach them; `text` gives its title and text, and an
  // empty text tells nobody. How many were told.
  static int TellPetitioners(
      pqxx::dbtransaction& txn, const std::string& tenant, const std::vector<std::string>& ids,
      const std::function<std::pair<std::string, std::string>(const Petitioner&)>& text,
      const std::string& traceparent);

  // Folds `sources` into `target` (same round, mergeable states), all or nothing.
  absl::StatusOr<v1::Opinion> Merge(const db::TenantScope& scope, const std::string& tenant,
                                    const std::string& target_id,
                                    const std::vector<std::string>& source_ids,
                                    const std::string& actor);
  // Gives a MERGED opinion back the state it had; its item loses its supporters.
  absl::StatusOr<v1::Opinion> Unmerge(const db::TenantScope& scope, const std::string& tenant,
                                      const std::string& opinion_id, const std::string& actor,
                                      const std::string& note);

  absl::StatusOr<std::vector<v1::DuplicateCandidate>> FindDuplicates(const db::TenantScope& scope,
                                                                     const std::string& tenant,
                                                                     const std::string& opinion_id,
                                                                     int limit);

  absl::StatusOr<std::vector<v1::HistoryEntry>> History(const db::TenantScope& scope,
                                                        const std::string& tenant,
                                                        const std::string& opinion_id);

  absl::StatusOr<v1::SynthesisReport> Synthesis(const db::TenantScope& scope,
                                                const std::string& tenant,
                                                const std::string& round_id);

  // Records the request (ALREADY_EXISTS when the voter has one open). When open requests
  // reach `threshold` (> 0), they become FORWARDED and `required` goes to the outbox.
  absl::StatusOr<v1::DialogueRequest> RequestDialogue(
      const db::TenantScope& scope, const std::string& tenant, const v1::DialogueRequest& request,
      const std::string& voter_key, int threshold,
      const std::function<v1::Event(const v1::DialogueRequired&)>& required);
  absl::StatusOr<v1::ListDialogueRequestsResponse> ListDialogueRequests(
      const db::TenantScope& scope, const std::string& tenant);
  absl::StatusOr<v1::DialogueRequest> RejectDialogueRequest(const db::TenantScope& scope,
                                                            const std::string& tenant,
                                                            const std::string& id,
                                                            const std::string& reason);

 private:
  db::ConnectionPool& pool_;
  absl::Duration tenant_ttl_;
  std::mutex mu_;
  std::map<std::string, std::pair<absl::Time, TenantInfo>> tenants_;
  struct CachedTopics {
    absl::Time loaded;
    std::vector<v1::Topic> topics;
    bool defaults;
  };
  std::map<std::string, CachedTopics> topics_;
};

std::string OpinionName(const std::string& tenant, const std::string& id);
std::string RoundName(const std::string& tenant, const std::string& id);

}  // namespace dialogue::intake
