// labstore._labstore: the native half of the labstore Python package.
// The package (labstore/__init__.py) builds the documented API on top.
#include <pybind11/pybind11.h>

#include "errors.h"
#include "store_box.h"

PYBIND11_MODULE(_labstore, m) {
  m.doc() = "Native bindings of the labstore C++ library (use the labstore package).";
  labstore::python::RegisterErrors(m);
  labstore::python::RegisterStore(m);
  labstore::python::RegisterWriter(m);
  labstore::python::RegisterReads(m);
}
