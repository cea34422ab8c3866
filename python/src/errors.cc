// Exception classes of the labstore extension, one per Status code.
#include "errors.h"

#include <Python.h>

namespace labstore::python {
namespace {

namespace py = pybind11;

// Indexed by Status::Code; [0] (kOk) is the base class labstore.Error.
PyObject* g_classes[7] = {};

PyObject* MakeClass(py::module_& m, const char* name, const char* doc, PyObject* bases) {
  std::string qualified = std::string("labstore.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (cls == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(cls));  // the module keeps a reference
  return cls;
}

PyObject* Bases(PyObject* a, PyObject* b) {
  return b == nullptr ? PyTuple_Pack(1, a) : PyTuple_Pack(2, a, b);
}

}  // namespace

void RegisterErrors(py::module_& m) {
  using Code = Status::Code;
  PyObject* base = MakeClass(m, "Error", "Base class of every labstore error; str() is the library's message.",
                             Bases(PyExc_Exception, nullptr));
  g_classes[0] = base;
  auto sub = [&](Code code, const char* name, const char* doc, PyObject* also) {
    g_classes[static_cast<int>(code)] = MakeClass(m, name, doc, Bases(base, also));
  };
  sub(Code::kNotFound, "NotFoundError", "The named experiment, file, execution or store does not exist.",
      PyExc_LookupError);
  sub(Code::kInvalidArgument, "InvalidArgumentError",
      "The input breaks a stated rule (the message names the input and the rule); nothing was changed.",
      PyExc_ValueError);
  sub(Code::kBusy, "BusyError", "Another process holds the store for writing (the message names its process id).",
      nullptr);
  sub(Code::kIOError, "StorageIOError", "The operating system or the database failed to read or write.",
      PyExc_OSError);
  sub(Code::kCorruption, "CorruptionError", "Stored bytes fail their checksum or content hash.", nullptr);
  sub(Code::kNotSupported, "NotSupportedError", "The store was written by a newer labstore.", nullptr);

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusError& e) {
      int code = static_cast<int>(e.status().code());
      PyObject* cls = (code > 0 && code < 7 && g_classes[code] != nullptr) ? g_classes[code] : g_classes[0];
      PyErr_SetString(cls, e.status().message().c_str());
    }
  });
}

}  // namespace labstore::python
