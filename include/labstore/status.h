// labstore/status.h — errors as values.
//
// Every fallible labstore function returns a Status or a Result<T>. A Status is
// either ok() or carries a code and a message that names the input and the rule
// it broke, for example:
//
//   invalid scope name "a/b": scope names may not contain '/'
//
//   labstore::Status s = store.MarkFinished("rm3SAJ");
//   if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
//
// Status and Result are plain values: copyable, movable, and safe to pass
// between threads. No exception crosses the public API.
#ifndef LABSTORE_STATUS_H_
#define LABSTORE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace labstore {

class [[nodiscard]] Status {
 public:
  // Codes are reported to users and written in tool exit paths; they are
  // never stored on disk.
  enum class Code {
    kOk = 0,
    kNotFound,         // the named thing does not exist
    kInvalidArgument,  // the input breaks a stated rule; nothing was changed
    kBusy,             // another process holds the store for writing
    kIOError,          // the operating system or RocksDB failed to read/write
    kCorruption,       // stored bytes fail their checksum or content hash
    kNotSupported,     // e.g. a store written by a newer labstore
  };

  // Errors: none: nothing in Status fails (the constructors, accessors,
  // ToString and CodeName below).
  Status() = default;  // ok

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view what, std::string_view context = {}) {
    return Status(Code::kNotFound, what, context);
  }
  static Status InvalidArgument(std::string_view what, std::string_view context = {}) {
    return Status(Code::kInvalidArgument, what, context);
  }
  static Status Busy(std::string_view what, std::string_view context = {}) {
    return Status(Code::kBusy, what, context);
  }
  static Status IOError(std::string_view what, std::string_view context = {}) {
    return Status(Code::kIOError, what, context);
  }
  static Status Corruption(std::string_view what, std::string_view context = {}) {
    return Status(Code::kCorruption, what, context);
  }
  static Status NotSupported(std::string_view what, std::string_view context = {}) {
    return Status(Code::kNotSupported, what, context);
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }

  // The message alone, without the code name.
  const std::string& message() const { return message_; }

  // "OK", or "<Code name>: <message>", e.g. "NotFound: no experiment with id "abc123"".
  std::string ToString() const;

  // Name of a code: "OK", "NotFound", "InvalidArgument", "Busy", "IOError",
  // "Corruption", "NotSupported".
  static const char* CodeName(Code code);

 private:
  Status(Code code, std::string_view what, std::string_view context);

  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a T (ok) or a non-ok Status. Access the value only
// when ok(); value() asserts in debug builds. Errors: none (a Result made
// from an ok Status asserts, and holds InvalidArgument in release builds).
//
//   labstore::Result<labstore::Experiment> r = store.Find("rm3SAJ");
//   if (!r.ok()) return r.status();
//   const labstore::Experiment& e = *r;
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an ok Status without a value");
    if (status_.ok()) status_ = Status::InvalidArgument("Result made from an ok Status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace labstore

#endif  // LABSTORE_STATUS_H_
