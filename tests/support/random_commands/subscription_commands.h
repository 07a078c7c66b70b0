// Random subscription commands for the property test (tests/support/random_ledger.h):
// subscriptions activated (paid from the wallet, which may be short, or not), advanced by the
// timer as the clock moves (reminders, renewals charged or invoiced, renewals failing and
// retried, access ended when a renewal invoice's grace period passes), their renewal invoices
// paid (the wallet may be short) or voided, and cancelled (by an admin, by the subscriber, or by
// another client). Some commands name subscriptions never activated, reuse their ids, or carry
// malformed values, on purpose.
//
// Invariants (`check_invariants`): a subscription has its active-subscription row (what the timer
// scans) exactly while it is not cancelled; no renewal date has two invoices; the open renewal
// invoice a subscription waits for is issued (neither paid nor void) and bills it; a past-due
// subscription billed by invoice waits for one.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/domain/billing_fold.h"
#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "core/domain/subscription.h"
#include "events/billing_state.pb.h"
#include "events/timestamp.h"
#include "tests/support/random_ledger.h"

namespace ledger::testing {

class SubscriptionCommands {
 public:
  explicit SubscriptionCommands(RandomLedger& ledger) : l_(ledger) {}

  void step() {
    using Command = void (SubscriptionCommands::*)();
    static constexpr Command kCommands[] = {
        &SubscriptionCommands::activate,       &SubscriptionCommands::advance,
        &SubscriptionCommands::advance,        &SubscriptionCommands::cancel,
        &SubscriptionCommands::settle_renewal,
    };
    (this->*l_.pick(kCommands))();
  }

  void check_invariants() {
    for (const auto& id : subscriptions_) {
      auto subscription = load(id);
      REQUIRE(subscription);
      CAPTURE(id);
      const bool scanned =
          l_.f.log->read_state(domain::kBillingKeyspace, domain::active_subscription_key(id))
              ->has_value();
      CHECK(scanned == !cancelled(*subscription));
      if (!subscription->open_invoice_id().empty()) {
        auto invoice = l_.f.row<events::InvoiceState>(
            domain::kBillingKeyspace, domain::invoice_key(subscription->open_invoice_id()));
        REQUIRE(invoice);
        CHECK(invoice->status() == events::INVOICE_STATUS_ISSUED);
        CHECK(invoice->subscription_id() == id);
      } else if (!subscription->pays_from_wallet()) {
        CHECK(subscription->status() != events::SUBSCRIPTION_STATUS_PAST_DUE);
      }
    }
    std::set<std::pair<std::string, std::string>> renewals_billed;
    REQUIRE(l_.f.log
                ->scan_state(
                    domain::kBillingKeyspace, domain::kInvoiceKeyPrefix,
                    store::ReadDirection::forward,
                    [&](std::string_view, std::string_view value) {
                      events::InvoiceState invoice;
                      REQUIRE(invoice.ParseFromArray(value.data(), static_cast<int>(value.size())));
                      if (invoice.subscription_id().empty()) return true;
                      const bool first =
                          renewals_billed.emplace(invoice.subscription_id(), invoice.renewal_date())
                              .second;
                      CHECK_MESSAGE(first, "two invoices for one renewal date");
                      return true;
                    })
                .ok());
  }

 private:
  using UnitOfWork = domain::UnitOfWork;
  using Answer = events::SubscriptionState;

  std::optional<events::SubscriptionState> load(const std::string& id) {
    return l_.f.row<events::SubscriptionState>(domain::kBillingKeyspace,
                                               domain::subscription_key(id));
  }
  // A subscription is cancelled once it has a cancellation time.
  static bool cancelled(const events::SubscriptionState& subscription) {
    return subscription.cancelled_at_us() != 0;
  }

  void activate() {
    const bool reused = !subscriptions_.empty() && l_.chance(5);
    const bool malformed = !reused && l_.chance(5);
    const std::string id = reused ? l_.pick(subscriptions_) : l_.f.id();
    const std::string client = l_.pick(l_.clients);
    // The first renewal one to 40 days ahead; a malformed one is today or earlier.
    const std::int64_t renews_at =
        l_.f.clock.now_us() + (malformed ? -1 : l_.between(1, 40)) * kMicrosPerDay;
    const std::string renews_on = events::format_date(renews_at);
    const Money price = l_.amount(3'000);
    const bool from_wallet = l_.chance(70);
    const std::string transaction = l_.f.id();
    auto result =
        l_.run<Answer>(refused_as_if(reused || malformed, kInvalid), [&](UnitOfWork& uow) {
          return domain::activate_subscription(
              uow, {domain::SubscriptionId{id}, domain::UserId{client}, "Growth", "marketing",
                    price, renews_on, from_wallet, "admin", domain::TransactionId{transaction}});
        });
    if (result.ok()) subscriptions_.push_back(id);
  }

  void advance() {
    // The timer runs as days pass.
    if (l_.chance(50)) l_.advance_clock();
    const std::string id = l_.known_or_unknown(subscriptions_);
    const std::string transaction = l_.f.id();
    const std::string invoice = l_.f.id();
    l_.send<Answer>(RandomLedger::refusable_about(id), [&](UnitOfWork& uow) {
      return domain::advance_subscription(
          uow, {domain::SubscriptionId{id}, domain::TransactionId{transaction},
                domain::InvoiceId{invoice}});
    });
  }

  // The subscriber pays the open renewal invoice (the wallet may be short), or an admin voids it.
  void settle_renewal() {
    if (subscriptions_.empty()) return;
    auto subscription = load(l_.pick(subscriptions_));
    REQUIRE(subscription);
    if (subscription->open_invoice_id().empty()) return;
    const domain::InvoiceId invoice{subscription->open_invoice_id()};
    if (l_.chance(80)) {
      const domain::UserId client{subscription->client_id()};
      const std::string transaction = l_.f.id();
      l_.send<events::InvoiceState>({kRule}, [&](UnitOfWork& uow) {
        return domain::pay_invoice(uow, {invoice, client, domain::TransactionId{transaction}});
      });
    } else {
      l_.send<events::InvoiceState>({kRule}, [&](UnitOfWork& uow) {
        return domain::void_invoice(uow, {invoice, "admin", "waived"});
      });
    }
  }

  void cancel() {
    const std::string id = l_.known_or_unknown(subscriptions_);
    auto subscription = load(id);
    // The subscriber, an admin (no client named) or another client (not_found).
    const auto who = l_.between(0, 2);
    const std::string client = who == 0   ? (subscription ? subscription->client_id() : "")
                               : who == 1 ? ""
                                          : "stranger";
    l_.send<Answer>(
        who == 2 ? Refusable::certain({kUnknown}) : RandomLedger::refusable_about(id),
        [&](UnitOfWork& uow) {
          return domain::cancel_subscription(
              uow, {domain::SubscriptionId{id}, domain::UserId{client}, "admin", "moving on"});
        });
  }

  RandomLedger& l_;
  std::vector<std::string> subscriptions_;
};

}  // namespace ledger::testing
