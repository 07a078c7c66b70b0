// Text limits by kind: the one table of how long each kind of client text may be, in bytes.
//
// A kind is named for what the text is, not for where it appears, so a description is as long
// on a course as on a payment. The deciders check these (core/domain/validation.h) and the API
// reads request fields by them (http/json_fields.h), so a request the API lets through is never
// refused by the decider for its length, and the two cannot disagree.
#pragma once

#include <cstddef>

namespace ledger::domain::text_limits {

// Ids sent by clients (a user, a campaign, a purchase, ...).
inline constexpr std::size_t kId = 64;
// An email address (RFC 5321's path limit).
inline constexpr std::size_t kEmail = 254;
inline constexpr std::size_t kPassword = 200;
// The code of an email verification.
inline constexpr std::size_t kVerificationCode = 20;
// A password reset token, as emailed.
inline constexpr std::size_t kResetToken = 64;
// A person, a campaign, a website project, a course title, a subscription plan.
inline constexpr std::size_t kName = 200;
// A service (marketing, website, courses), a social platform or a website phase.
inline constexpr std::size_t kServiceName = 40;
// A date, "YYYY-MM-DD".
inline constexpr std::size_t kDate = 10;
// A web address (a media file, a preview or a deployed site).
inline constexpr std::size_t kUrl = 2000;
// A payment provider's or a client's reference for a payment.
inline constexpr std::size_t kReference = 200;
// A redeem code, and the prefix of generated ones.
inline constexpr std::size_t kRedeemCode = 40;
inline constexpr std::size_t kRedeemCodePrefix = 20;
// A social media handle a post goes out on.
inline constexpr std::size_t kHandle = 100;
// A hashtag or a mention of a social post, with its sigil ("#launch", "@agency").
inline constexpr std::size_t kTag = 100;
// A currency code as a payment provider sends it.
inline constexpr std::size_t kCurrency = 8;
// A website version number ("1.2.0") and a technology it uses ("React").
inline constexpr std::size_t kVersionNumber = 20;
inline constexpr std::size_t kTechnology = 50;
// An uploaded file's name.
inline constexpr std::size_t kFileName = 255;
// A campaign's goal: one line.
inline constexpr std::size_t kGoal = 500;
// Reasons, notes, answers, feedback, a failure's message: a paragraph.
inline constexpr std::size_t kNote = 2000;
// A social post's caption (the longest platform's limit).
inline constexpr std::size_t kCaption = 2200;
// Descriptions (of a course, a campaign, an invoice, a payment, a batch of codes) and a
// version's notes and changelog.
inline constexpr std::size_t kDescription = 5000;
// A message one person writes to another: a reply on a support ticket's thread.
inline constexpr std::size_t kMessage = 5000;
// The text of a course's lesson: a chapter.
inline constexpr std::size_t kLessonBody = 64 * 1024;

}  // namespace ledger::domain::text_limits
