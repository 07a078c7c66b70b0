#include "core/domain/keyspaces.h"

namespace ledger::domain {

std::vector<std::string> domain_keyspaces() {
  return {kAccountsKeyspace,      kWalletsKeyspace,  kRedeemCodesKeyspace, kCoursesKeyspace,
          kBillingKeyspace,       kIdentityKeyspace, kOutboxKeyspace,      kMarketingKeyspace,
          kWebsitesKeyspace,      kTasksKeyspace,    kMessagesKeyspace,    kSupportKeyspace,
          kProjectionRowsKeyspace};
}

}  // namespace ledger::domain
