// Result<T>: either a value or an `Error` (core/error.h), in the spirit of std::expected.
//
// Accessing the value of a failed result, or the error of a successful one, is a bug and aborts
// (LEDGER_ASSERT), in release builds too.
#pragma once

#include <utility>
#include <variant>

#include "core/assert.h"
#include "core/error.h"

namespace ledger {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    LEDGER_ASSERT(ok(), "value() of a failed Result");
    return std::get<0>(storage_);
  }
  const T& value() const& {
    LEDGER_ASSERT(ok(), "value() of a failed Result");
    return std::get<0>(storage_);
  }
  T&& value() && {
    LEDGER_ASSERT(ok(), "value() of a failed Result");
    return std::get<0>(std::move(storage_));
  }
  const Error& error() const& {
    LEDGER_ASSERT(!ok(), "error() of a successful Result");
    return std::get<1>(storage_);
  }
  Error&& error() && {
    LEDGER_ASSERT(!ok(), "error() of a successful Result");
    return std::get<1>(std::move(storage_));
  }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> storage_;
};

// A result with no value: success, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    LEDGER_ASSERT(failed_, "error() of a successful Result");
    return error_;
  }
  Error&& error() && {
    LEDGER_ASSERT(failed_, "error() of a successful Result");
    return std::move(error_);
  }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace ledger
