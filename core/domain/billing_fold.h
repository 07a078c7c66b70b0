// The "billing" fold: invoices and subscriptions, each with the index row its deadline timer
// scans, from the invoice and subscription events.
//
//   invoice/<invoice_id>                   InvoiceState
//   open-invoice/<invoice_id>              InvoiceState, the same row while the invoice is
//                                          INVOICE_STATUS_ISSUED (neither paid nor void)
//   subscription/<subscription_id>         SubscriptionState
//   active-subscription/<subscription_id>  SubscriptionState, the same row while the
//                                          subscription is not cancelled
//
// A renewal invoice's row names its subscription and renewal date; the subscription's row names
// its open renewal invoice from the SubscriptionRenewed that billed it until the
// SubscriptionRenewalSettled of that invoice.
//
// invoice_key and subscription_key (and the prefixes) are declared in invoice.h and
// subscription.h.
#pragma once

#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

std::string open_invoice_key(std::string_view invoice_id);
std::string active_subscription_key(std::string_view subscription_id);

InlineFold billing_fold();

}  // namespace ledger::domain
