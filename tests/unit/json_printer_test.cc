#include "json_printer.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "dialogue/common/status.h"
#include "dialogue/v1/calendar.pb.h"
#include "dialogue/v1/events.pb.h"
#include "google/rpc/status.pb.h"
#include "test_support.h"

namespace dialogue::gateway {
namespace {

namespace v1 = ::dialogue::v1;

// Our printer must write exactly what protobuf's MessageToJsonString writes.
void ExpectSameAsProtobuf(const google::protobuf::Message& m) {
  std::string ours, theirs;
  ASSERT_TRUE(PrintJson(m, &ours));
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(m, &theirs).ok());
  EXPECT_EQ(ours, theirs) << m.GetTypeName();
}

TEST(JsonPrinter, WritesTheSeedPlansAsProtobufDoes) {
  for (const auto& seed : testing::SeedPlans()) {
    v1::Plan plan = seed.plan();
    plan.set_name("tenants/x/plans/y");
    plan.set_state(v1::PUBLISHED);
    plan.set_revision(2);
    *plan.mutable_create_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1767225600);
    *plan.mutable_update_time() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(1767225600123456789);
    ExpectSameAsProtobuf(plan);
    ExpectSameAsProtobuf(seed);
  }
}

TEST(JsonPrinter, WritesEscapesNumbersEnumsAndWellKnownTypesAsProtobufDoes) {
  v1::Plan plan;
  plan.set_title("Quote \" back\\slash <tag> & 'x'= \n\t\x01 Diễn Châu");
  plan.set_year(-5);
  plan.add_topics("");
  plan.add_topics("a");
  plan.set_state(static_cast<v1::PlanState>(42));  // a number no name has
  ExpectSameAsProtobuf(plan);

  v1::UpdatePlanRequest update;
  update.mutable_update_mask()->add_paths("participant_groups");
  update.mutable_update_mask()->add_paths("signer.full_name");
  ExpectSameAsProtobuf(update);

  google::protobuf::Struct s;
  (*s.mutable_fields())["n"].set_number_value(0.1);
  (*s.mutable_fields())["big"].set_number_value(1e21);
  (*s.mutable_fields())["t"].set_bool_value(true);
  (*s.mutable_fields())["z"].set_null_value(google::protobuf::NULL_VALUE);
  (*s.mutable_fields())["l"].mutable_list_value()->add_values()->set_string_value("x");
  ExpectSameAsProtobuf(s);

  v1::Event event;
  event.set_id("e1");
  v1::PlanPublished published;
  published.set_plan("tenants/x/plans/y");
  published.set_year(2026);
  event.mutable_payload()->PackFrom(published);
  *event.mutable_time() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(1767225600500);
  ExpectSameAsProtobuf(event);

  ExpectSameAsProtobuf(v1::YearCalendar());
}

TEST(JsonPrinter, WritesErrorDetailsAsProtobufDoes) {
  absl::Status status = common::InvalidField("plan.title", "TITLE_REQUIRED", "cần có tiêu đề");
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(common::ToGrpcStatus(status).error_details()));
  ExpectSameAsProtobuf(rich);
}

}  // namespace
}  // namespace dialogue::gateway
