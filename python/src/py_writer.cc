// The extension's RecordWriter: rows from dicts, many rows from arrays.
//
// save(dict) is the per-row path (machinable's record().save() ends here):
// the dict is read with PyDict_Next, each key resolved to a ColumnId through
// a small cache keyed by the identity of interned str keys, each value set by
// its Python type. No Python object is created per row and the GIL is kept
// (releasing it per row costs more than the row). save_columns() converts
// each column to a contiguous numpy array once, then sets rows from the raw
// buffers with the GIL released when every column is numeric: then all rows
// go to RecordWriter::SaveColumns in one batch (no per-cell dispatch).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "store_box.h"

namespace labstore::python {
namespace {

namespace py = pybind11;
using WBox = std::shared_ptr<WriterBox>;

constexpr uint32_t kTimestampColumn = UINT32_MAX;  // the "__timestamp" key

PyObject* NumpyGeneric() {
  static PyObject* generic = [] {
    PyObject* np = PyImport_ImportModule("numpy");
    if (np == nullptr) {
      PyErr_Clear();
      return static_cast<PyObject*>(nullptr);
    }
    PyObject* g = PyObject_GetAttrString(np, "generic");  // leaked: lives as long as the process
    Py_DECREF(np);
    return g;
  }();
  return generic;
}

std::string TypeName(PyObject* v) { return Py_TYPE(v)->tp_name; }

StatusError BadCell(const WriterBox& b, uint32_t id, const std::string& rule) {
  std::string name = "?";
  for (const auto& [key, index] : b.keys) {
    if (index == id) name = PyUnicode_AsUTF8(key);
  }
  return StatusError(Status::InvalidArgument("invalid value for record column \"" + name + "\" of scope \"" +
                                             b.scope + "\"", rule));
}

// JSON text of a nested value (dict, list, tuple, array), keys sorted.
std::string JsonText(PyObject* v) {
  static PyObject* dumps = [] {
    PyObject* json = PyImport_ImportModule("json");
    if (json == nullptr) throw py::error_already_set();
    PyObject* f = PyObject_GetAttrString(json, "dumps");
    Py_DECREF(json);
    return f;
  }();
  py::object value = py::reinterpret_borrow<py::object>(v);
  if (py::hasattr(value, "tolist")) value = value.attr("tolist")();
  py::object text = py::reinterpret_borrow<py::object>(dumps)(value, py::arg("sort_keys") = true);
  return text.cast<std::string>();
}

std::string_view Utf8(PyObject* s) {
  Py_ssize_t len = 0;
  const char* data = PyUnicode_AsUTF8AndSize(s, &len);
  if (data == nullptr) throw py::error_already_set();
  return {data, static_cast<size_t>(len)};
}

void SetTimestampCell(WriterBox& b, RecordWriter& w, PyObject* v) {
  if (!PyUnicode_Check(v)) {
    py::object s = py::str(py::handle(v));  // arrow and datetime objects print as ISO 8601
    w.SetTimestamp(Unwrap(ParseIso(s.cast<std::string>())));
    return;
  }
  (void)b;
  w.SetTimestamp(Unwrap(ParseIso(Utf8(v))));
}

void SetCell(WriterBox& b, RecordWriter& w, uint32_t id, PyObject* v) {
  if (id == kTimestampColumn) return SetTimestampCell(b, w, v);
  ColumnId c{id};
  if (v == Py_None) return w.Set(c, nullptr);
  if (PyBool_Check(v)) return w.Set(c, v == Py_True);
  if (PyFloat_Check(v)) return w.Set(c, PyFloat_AS_DOUBLE(v));
  if (PyLong_Check(v)) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow != 0) throw BadCell(b, id, "integers must fit in 64 bits (signed)");
    return w.Set(c, static_cast<int64_t>(x));
  }
  if (PyUnicode_Check(v)) {
    Py_ssize_t len = 0;
    const char* data = PyUnicode_AsUTF8AndSize(v, &len);
    if (data != nullptr) return w.Set(c, std::string_view(data, static_cast<size_t>(len)));
    PyErr_Clear();  // lone surrogates: keep them as WTF-8, as Python's json would write \udXXX
    py::bytes raw = py::reinterpret_steal<py::bytes>(PyUnicode_AsEncodedString(v, "utf-8", "surrogatepass"));
    return w.Set(c, std::string_view(raw));
  }
  PyObject* generic = NumpyGeneric();
  if (generic != nullptr && PyObject_IsInstance(v, generic) == 1) {
    py::object item = py::reinterpret_borrow<py::object>(v).attr("item")();
    if (!PyObject_IsInstance(item.ptr(), generic)) return SetCell(b, w, id, item.ptr());
  }
  if (PyBytes_Check(v) || PyByteArray_Check(v)) {
    throw BadCell(b, id, "bytes are not stored in records; decode them to str or save them as a data file");
  }
  try {
    w.Set(c, Json{JsonText(v)});
  } catch (py::error_already_set& e) {
    throw BadCell(b, id, "a " + TypeName(v) + " is not a record value: " + e.what());
  }
}

uint32_t Resolve(WriterBox& b, RecordWriter& w, PyObject* key) {
  auto& keys = b.keys;
  if (b.cursor < keys.size() && keys[b.cursor].first == key) return keys[b.cursor++].second;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].first == key) {
      b.cursor = i + 1;
      return keys[i].second;
    }
  }
  if (!PyUnicode_Check(key)) {
    throw StatusError(Status::InvalidArgument("invalid record column name of type " + TypeName(key),
                                              "column names are str"));
  }
  std::string_view name = Utf8(key);
  uint32_t id = name == "__timestamp" ? kTimestampColumn : Unwrap(w.Column(name)).index;
  if (PyUnicode_CHECK_INTERNED(key) && keys.size() < 256) {
    Py_INCREF(key);
    keys.emplace_back(key, id);
    b.cursor = keys.size();
  }
  return id;
}

void SaveRow(WriterBox& b, const py::handle& row, bool force) {
  std::lock_guard lock(b.mu);
  RecordWriter& w = b.Get();
  if (!row.is_none()) {
    if (!PyDict_Check(row.ptr())) {
      throw StatusError(Status::InvalidArgument("invalid record row of type " + TypeName(row.ptr()),
                                                "a row is a dict of column name to value"));
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    try {
      while (PyDict_Next(row.ptr(), &pos, &key, &value)) SetCell(b, w, Resolve(b, w, key), value);
    } catch (...) {
      w.Discard();
      throw;
    }
  }
  Check(w.Save(force));
}

// One column of save_columns, as a contiguous array.
struct Col {
  uint32_t id = 0;
  char kind = 'O';  // 'q' int64, 'd' float64, '?' bool, 't' timestamp micros, 'O' objects
  py::array arr;
  const void* data = nullptr;
};

void SaveColumns(WriterBox& b, const py::dict& columns) {
  py::module_ np = py::module_::import("numpy");
  std::lock_guard lock(b.mu);
  RecordWriter& w = b.Get();
  std::vector<Col> cols;
  int64_t rows = -1;
  std::string first_name;
  for (auto [k, v] : columns) {
    Col c;
    c.id = Resolve(b, w, k.ptr());
    std::string name = py::str(k);
    py::array a = np.attr("asarray")(v);
    if (a.ndim() != 1) {
      throw StatusError(Status::InvalidArgument("invalid column \"" + name + "\" for save_columns",
                                                "each column is one-dimensional, got " + std::to_string(a.ndim()) +
                                                    " dimensions"));
    }
    char kind = a.dtype().kind();
    if (c.id == kTimestampColumn && kind == 'M') {
      c.kind = 't';
      a = np.attr("ascontiguousarray")(a.attr("astype")("datetime64[us]").attr("view")("int64"));
    } else if (c.id == kTimestampColumn) {
      c.kind = 'O';
      a = np.attr("ascontiguousarray")(a, py::arg("dtype") = "object");
    } else if (kind == 'i' || (kind == 'u' && a.itemsize() < 8)) {
      c.kind = 'q';
      a = np.attr("ascontiguousarray")(a, py::arg("dtype") = "int64");
    } else if (kind == 'u') {
      if (a.size() > 0 && np.attr("any")(a > py::int_(INT64_MAX)).cast<bool>()) {
        throw StatusError(Status::InvalidArgument("invalid column \"" + name + "\" for save_columns",
                                                  "integers must fit in 64 bits (signed)"));
      }
      c.kind = 'q';
      a = np.attr("ascontiguousarray")(a, py::arg("dtype") = "int64");
    } else if (kind == 'f') {
      c.kind = 'd';
      a = np.attr("ascontiguousarray")(a, py::arg("dtype") = "float64");
    } else if (kind == 'b') {
      c.kind = '?';
      a = np.attr("ascontiguousarray")(a, py::arg("dtype") = "bool");
    } else {
      c.kind = 'O';
      a = np.attr("ascontiguousarray")(a, py::arg("dtype") = "object");
    }
    if (rows < 0) {
      rows = a.shape(0);
      first_name = name;
    } else if (a.shape(0) != rows) {
      throw StatusError(Status::InvalidArgument(
          "invalid columns for save_columns: \"" + first_name + "\" has " + std::to_string(rows) + " rows and \"" +
              name + "\" has " + std::to_string(a.shape(0)), "every column has the same length"));
    }
    c.data = a.data();
    c.arr = std::move(a);
    cols.push_back(std::move(c));
  }
  if (rows <= 0) return;
  bool numeric = true;
  for (const Col& c : cols) numeric = numeric && c.kind != 'O';
  auto set_numeric = [&w](const Col& c, int64_t i) {
    switch (c.kind) {
      case 'q': w.Set(ColumnId{c.id}, static_cast<const int64_t*>(c.data)[i]); break;
      case 'd': w.Set(ColumnId{c.id}, static_cast<const double*>(c.data)[i]); break;
      case '?': w.Set(ColumnId{c.id}, static_cast<const bool*>(c.data)[i]); break;
      case 't': w.SetTimestamp(Timestamp{static_cast<const int64_t*>(c.data)[i], 0}); break;
      default: break;
    }
  };
  if (numeric) {
    ColumnBatch batch{.rows = static_cast<size_t>(rows)};
    for (const Col& c : cols) {
      if (c.kind == 't') {
        batch.timestamps = static_cast<const int64_t*>(c.data);
        continue;
      }
      ValueType type = c.kind == 'q' ? ValueType::kInt64 : c.kind == 'd' ? ValueType::kDouble : ValueType::kBool;
      batch.columns.push_back({.id = ColumnId{c.id}, .type = type, .values = c.data});
    }
    if (batch.columns.empty()) {  // only "__timestamp": rows without cells, as save(force=True) per row
      py::gil_scoped_release nogil;
      for (int64_t i = 0; i < rows; ++i) {
        for (const Col& c : cols) set_numeric(c, i);
        Check(w.Save(true));
      }
      return;
    }
    py::gil_scoped_release nogil;
    Check(w.SaveColumns(batch));
    return;
  }
  for (int64_t i = 0; i < rows; ++i) {
    try {
      for (const Col& c : cols) {
        if (c.kind == 'O') {
          SetCell(b, w, c.id, static_cast<PyObject* const*>(c.data)[i]);
        } else {
          set_numeric(c, i);
        }
      }
    } catch (...) {
      w.Discard();
      throw;
    }
    Check(w.Save(true));
  }
}

void Flush(WriterBox& b) {
  py::gil_scoped_release nogil;
  std::lock_guard lock(b.mu);
  Check(b.Get().Flush());
}

void Close(WriterBox& b) {
  py::gil_scoped_release nogil;
  std::lock_guard lock(b.mu);
  if (!b.writer) return;
  Status s = b.writer->Close();
  b.writer.reset();
  Check(s);
}

}  // namespace

std::shared_ptr<WriterBox> OpenWriter(const std::shared_ptr<StoreBox>& box, const std::string& id,
                                      const std::string& scope, const RecordOptions& options) {
  auto wb = std::shared_ptr<WriterBox>(new WriterBox, [](WriterBox* p) {
    for (auto& [key, index] : p->keys) Py_DECREF(key);  // the last reference goes with the GIL held
    delete p;
  });
  wb->owner = box;
  wb->experiment_id = id;
  wb->scope = scope;
  {
    py::gil_scoped_release nogil;
    std::shared_lock lock(box->mu);
    wb->writer.emplace(Unwrap(RecordWriter::Open(box->Get(), id, scope, options)));
    std::lock_guard wl(box->writers_mu);
    std::erase_if(box->writers, [](const std::weak_ptr<WriterBox>& w) { return w.expired(); });
    box->writers.push_back(wb);
  }
  return wb;
}

void RegisterWriter(py::module_& m) {
  py::class_<WriterBox, WBox> c(m, "RecordWriter",
                                "Appends rows to one scope of one experiment (native); see labstore.RecordWriter.");
  m.def("open_writer", [](const std::shared_ptr<StoreBox>& box, const std::string& id, const std::string& scope,
                          uint32_t flush_rows, uint32_t flush_interval_ms, bool sync, const std::string& compression) {
    RecordOptions o{.flush_rows = flush_rows, .flush_interval_ms = flush_interval_ms, .sync = sync};
    if (compression == "lz4") {
      o.compression = Compression::kLz4;
    } else if (compression == "zstd") {
      o.compression = Compression::kZstd;
    } else if (compression == "none") {
      o.compression = Compression::kNone;
    } else {
      throw StatusError(Status::InvalidArgument("invalid compression \"" + compression + "\"",
                                                "use \"lz4\", \"zstd\" or \"none\""));
    }
    return OpenWriter(box, id, scope, o);
  }, py::arg("store"), py::arg("id"), py::arg("scope"), py::arg("flush_rows") = 16384,
     py::arg("flush_interval_ms") = 1000, py::arg("sync") = false, py::arg("compression") = "lz4");
  c.def("save", &SaveRow, py::arg("row") = py::none(), py::arg("force") = false,
        "Appends one row from a dict {column: value}. A \"__timestamp\" key (ISO 8601 text) sets the row's "
        "instant. Values: None, bool, int (64-bit), float, str, numpy scalars; dict/list/tuple/ndarray are "
        "stored as nested JSON. An empty row is saved only with force=True. Raises InvalidArgumentError "
        "(the row is then dropped whole), StorageIOError.");
  c.def("save_columns", &SaveColumns, py::arg("columns"),
        "Appends len(column) rows from a dict {column: 1-d array or list}; every column has the same "
        "length. Numeric columns are read from their buffers without the GIL.");
  c.def("flush", &Flush, "Stores every accepted row and waits until written (the GIL is released).");
  c.def("close", &Close, "flush(), then releases the scope. Idempotent.");
  c.def("forget", [](WriterBox& b) {
    if (b.writer) {
      new RecordWriter(std::move(*b.writer));  // NOLINT: leaked on purpose (after fork)
      b.writer.reset();
    }
  }, "After fork(), in the child: drops the writer without flushing it.");
  c.def_property_readonly("closed", [](WriterBox& b) { return !b.writer.has_value(); });
  c.def_property_readonly("accepted_rows", [](WriterBox& b) {
    std::lock_guard lock(b.mu);
    return b.Get().accepted_rows();
  });
  c.def_property_readonly("stored_rows", [](WriterBox& b) {
    std::lock_guard lock(b.mu);
    return b.Get().stored_rows();
  });
  c.def_property_readonly("experiment_id", [](WriterBox& b) { return b.experiment_id; });
  c.def_property_readonly("scope", [](WriterBox& b) { return b.scope; });
  c.def("__enter__", [](const WBox& b) { return b; });
  c.def("__exit__", [](WriterBox& b, py::handle, py::handle, py::handle) { Close(b); return false; });
}

}  // namespace labstore::python
