// gRPC handlers of SessionService: parse and authorise, apply the session rules, call the
// store; planning (the plan's conference) and intake (the synthesis report) are asked
// over gRPC on the caller's behalf. No SQL here.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "dialogue/rpc/call.h"
#include "dialogue/v1/intake.grpc.pb.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "dialogue/v1/sessions.grpc.pb.h"
#include "live_sessions.h"
#include "session_rules.h"
#include "store.h"

namespace dialogue::sessions {

// The services a session depends on; a missing one answers UNAVAILABLE where needed.
struct Upstreams {
  std::shared_ptr<grpc::Channel> planning;
  std::shared_ptr<grpc::Channel> intake;
};

class SessionService final : public v1::SessionService::Service {
 public:
  // `live` serves WatchSession; without it the live view answers UNAVAILABLE.
  SessionService(SessionStore& store, rpc::Authenticator& authenticator, Upstreams upstreams,
                 LiveSessions* live);

  grpc::Status CreateSession(grpc::ServerContext* context, const v1::CreateSessionRequest* request,
                             v1::Session* response) override;
  grpc::Status GetSession(grpc::ServerContext* context, const v1::GetSessionRequest* request,
                          v1::Session* response) override;
  grpc::Status ListSessions(grpc::ServerContext* context, const v1::ListSessionsRequest* request,
                            v1::ListSessionsResponse* response) override;
  grpc::Status UpdateSession(grpc::ServerContext* context, const v1::UpdateSessionRequest* request,
                             v1::Session* response) override;
  grpc::Status AnnounceSession(grpc::ServerContext* context,
                               const v1::AnnounceSessionRequest* request,
                               v1::Session* response) override;
  grpc::Status OpenSession(grpc::ServerContext* context, const v1::OpenSessionRequest* request,
                           v1::Session* response) override;
  grpc::Status PostponeSession(grpc::ServerContext* context,
                               const v1::PostponeSessionRequest* request,
                               v1::Session* response) override;
  grpc::Status CancelSession(grpc::ServerContext* context, const v1::CancelSessionRequest* request,
                             v1::Session* response) override;
  grpc::Status AdvanceAgenda(grpc::ServerContext* context, const v1::AdvanceAgendaRequest* request,
                             v1::Session* response) override;
  grpc::Status RecordAttendance(grpc::ServerContext* context,
                                const v1::RecordAttendanceRequest* request,
                                v1::Attendance* response) override;
  grpc::Status GetAttendance(grpc::ServerContext* context, const v1::GetAttendanceRequest* request,
                             v1::Attendance* response) override;
  grpc::Status RegisterSpeaker(grpc::ServerContext* context,
                               const v1::RegisterSpeakerRequest* request,
                               v1::Speaker* response) override;
  grpc::Status ListSpeakers(grpc::ServerContext* context, const v1::ListSpeakersRequest* request,
                            v1::ListSpeakersResponse* response) override;
  grpc::Status MoveSpeaker(grpc::ServerContext* context, const v1::MoveSpeakerRequest* request,
                           v1::Speaker* response) override;
  grpc::Status CallSpeaker(grpc::ServerContext* context, const v1::CallSpeakerRequest* request,
                           v1::Speaker* response) override;
  grpc::Status RecordStatement(grpc::ServerContext* context,
                               const v1::RecordStatementRequest* request,
                               v1::Speaker* response) override;
  grpc::Status AnswerSpeaker(grpc::ServerContext* context, const v1::AnswerSpeakerRequest* request,
                             v1::Speaker* response) override;
  grpc::Status RecordFollowUp(grpc::ServerContext* context,
                              const v1::RecordFollowUpRequest* request,
                              v1::Speaker* response) override;
  grpc::Status GetPreCollectedOpinions(grpc::ServerContext* context,
                                       const v1::GetPreCollectedOpinionsRequest* request,
                                       v1::PreCollectedOpinions* response) override;
  grpc::Status MarkOpinionsAnswered(grpc::ServerContext* context,
                                    const v1::MarkOpinionsAnsweredRequest* request,
                                    v1::Session* response) override;
  grpc::Status ConcludeSession(grpc::ServerContext* context,
                               const v1::ConcludeSessionRequest* request,
                               v1::Session* response) override;
  grpc::Status GetMinutes(grpc::ServerContext* context, const v1::GetMinutesRequest* request,
                          v1::Minutes* response) override;
  grpc::Status RenderMinutes(grpc::ServerContext* context, const v1::RenderMinutesRequest* request,
                             v1::HttpBody* response) override;
  grpc::Status UpdateMinutes(grpc::ServerContext* context, const v1::UpdateMinutesRequest* request,
                             v1::Minutes* response) override;
  grpc::Status ApproveMinutes(grpc::ServerContext* context,
                              const v1::ApproveMinutesRequest* request,
                              v1::Minutes* response) override;
  grpc::Status WatchSession(grpc::ServerContext* context, const v1::WatchSessionRequest* request,
                            grpc::ServerWriter<v1::SessionLiveView>* writer) override;
  grpc::Status ExportSessionsCalendar(grpc::ServerContext* context,
                                      const v1::ExportSessionsCalendarRequest* request,
                                      v1::HttpBody* response) override;
  grpc::Status GetAgendaTemplate(grpc::ServerContext* context,
                                 const v1::GetAgendaTemplateRequest* request,
                                 v1::AgendaTemplate* response) override;
  grpc::Status UpdateAgendaTemplate(grpc::ServerContext* context,
                                    const v1::UpdateAgendaTemplateRequest* request,
                                    v1::AgendaTemplate* response) override;

 private:
  struct Target {
    std::string tenant;
    std::string session;  // id; empty for a parent
    std::string speaker;  // id, for a speaker's name
    db::TenantScope scope;
  };
  // Parses `name`, then checks the caller's tenant and role, before any data is read.
  absl::StatusOr<Target> Authorize(const rpc::RequestContext& request, const std::string& name,
                                   absl::string_view pattern, absl::string_view field,
                                   SessionAction action);
  // Public routes: staff of the commune with `action` act as themselves; anyone else acts
  // as the public of the commune named, which may only read or add what is public.
  absl::StatusOr<Target> AuthorizePublic(const rpc::RequestContext& request,
                                         const std::string& name, absl::string_view pattern,
                                         absl::string_view field, SessionAction action,
                                         bool* as_staff);
  // The minutes `name` as the caller may see them: staff read the draft; the public sees
  // approved minutes only (a draft is NOT_FOUND, as if there were none).
  absl::StatusOr<v1::Minutes> VisibleMinutes(const rpc::RequestContext& request,
                                             const std::string& name, Target* target);
  // A session-level change: authorise, then change the locked session.
  grpc::Status Change(grpc::ServerContext* context, absl::string_view method,
                      const std::string& name, const std::string& etag, SessionAction action,
                      const std::function<absl::Status(const rpc::RequestContext&, const Target&,
                                                       pqxx::dbtransaction&, v1::Session&)>& change,
                      v1::Session* response);
  grpc::Status ChangeSpeaker(grpc::ServerContext* context, absl::string_view method,
                             const std::string& name, SessionAction action,
                             SessionStore::SpeakerOp op, int position,
                             const SessionStore::SpeakerChange& change, v1::Speaker* response);

  SessionStore& store_;
  rpc::Authenticator& auth_;
  std::unique_ptr<v1::PlanningService::Stub> planning_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
  LiveSessions* live_;
};

}  // namespace dialogue::sessions
