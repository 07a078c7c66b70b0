// Analytics: what each service earns and who pays for it, folded from the postings of the log.
//
// Revenue is the sum of the postings to `revenue:<service>` (gross: refunds post to `refunds`,
// not back to revenue). The client of a revenue event is the event's `user_id`. Days are UTC.
// Rows (under "analytics/<generation>/"):
//   day/<service>/<YYYY-MM-DD>            ServiceDay (revenue and payment count of that day)
//   active/<service>/<YYYY-MM-DD>/<user>  "" (the user paid for the service that day)
//   first/<service>/<user>                the day of the user's first payment for the service
//   service/<service>                     "" (the services that ever earned anything)
//   agent/<agent_id>                      AgentActivity (campaigns active or paused, completed;
//                                         posts published)
//   awaiting/<ticket_id>                  when the support ticket was opened (microseconds, in
//                                         decimal), until staff first reply to it
//   first-reply/<agent_id>/<seconds, 12 digits>/<ticket_id>
//                                         "" (the agent gave the ticket's first staff reply, that
//                                         many whole seconds after it was opened)
#pragma once

#include <memory>

#include "projections/projection.h"

namespace google::protobuf {
class Message;
}

namespace ledger::projections {

inline constexpr char kAnalyticsProjection[] = "analytics";

class AnalyticsProjection final : public Projection {
 public:
  AnalyticsProjection();
  ~AnalyticsProjection() override;
  std::string_view name() const override { return kAnalyticsProjection; }
  // 2: campaigns, 3: posts, 4: versions, 5: first replies to support tickets
  std::uint32_t version() const override { return 5; }
  Status apply(const events::Envelope& event, ProjectionState& state) override;

 private:
  struct Decoder;
  std::unique_ptr<Decoder> decoder_;
};

// Row keys, for readers.
std::string analytics_day_key(std::string_view service, std::string_view date);
std::string analytics_active_prefix(std::string_view service, std::string_view date);
std::string analytics_first_key(std::string_view service, std::string_view user_id);
std::string analytics_agent_key(std::string_view agent_id);
std::string analytics_first_reply_prefix(std::string_view agent_id);
inline constexpr char kAnalyticsServicePrefix[] = "service/";

}  // namespace ledger::projections
