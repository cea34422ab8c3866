// Status -> Python exceptions for the labstore extension.
//
// The exception classes (labstore.Error and one subclass per Status code)
// are created when the module loads; a non-ok Status becomes the class of
// its code, with the library's message as its text:
//
//   labstore.NotFoundError: no experiment with id "abc123"
//
// Functions here may be called without the GIL (throwing is fine): the
// translation to a Python exception happens after pybind11 has taken it back.
#ifndef LABSTORE_PYTHON_ERRORS_H_
#define LABSTORE_PYTHON_ERRORS_H_

#include <exception>
#include <string>
#include <utility>

#include <pybind11/pybind11.h>

#include "labstore/status.h"

namespace labstore::python {

// Carries a non-ok Status out of C++ code; turned into a Python exception.
class StatusError : public std::exception {
 public:
  explicit StatusError(Status status) : status_(std::move(status)) {}
  const Status& status() const { return status_; }
  const char* what() const noexcept override { return status_.message().c_str(); }

 private:
  Status status_;
};

// Throws StatusError when `s` is not ok.
inline void Check(const Status& s) {
  if (!s.ok()) throw StatusError(s);
}

// The value of `r`, or throws its Status.
template <typename T>
T Unwrap(Result<T>&& r) {
  if (!r.ok()) throw StatusError(r.status());
  return std::move(*r);
}

// Creates labstore.Error and its subclasses in `m` and registers the translator.
void RegisterErrors(pybind11::module_& m);

}  // namespace labstore::python

#endif  // LABSTORE_PYTHON_ERRORS_H_
