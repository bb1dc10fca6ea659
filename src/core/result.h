// Result<T>: a value or an Error, returned by library code that can fail for reasons outside
// the program (missing files, corrupt input). Library code never prints or exits; the CLI
// turns an Error into one message and an exit status.
// Thread-safety: a value type; distinct objects may be used from distinct threads.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace logan {

// An error that stops an operation: a one-line, human-readable message that names the
// thing at fault (an input, a flag, a file).
struct Error {
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// The result of an operation that returns nothing on success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace logan
