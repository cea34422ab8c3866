// Reading records from the extension: typed columns as numpy arrays (the
// decoded vectors are handed to numpy without a copy), rows as dicts in
// machinable's form, and the text forms (JSON lines, CSV, table).
#include <algorithm>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "labstore/record_reader.h"
#include "store_box.h"

namespace labstore::python {
namespace {

namespace py = pybind11;
using Box = std::shared_ptr<StoreBox>;

RowRange Range(int64_t start, std::optional<uint64_t> count) {
  return RowRange{.start = start, .count = count.value_or(UINT64_MAX)};
}

// A numpy array owning `v` (moved, not copied).
template <typename T>
py::array Adopt(std::vector<T>&& v, const char* dtype) {
  auto* heap = new std::vector<T>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array(py::dtype(dtype), {static_cast<py::ssize_t>(heap->size())}, {static_cast<py::ssize_t>(sizeof(T))},
                   heap->data(), owner);
}

py::object Mask(std::vector<uint8_t>&& m) {
  if (m.empty()) return py::none();
  return Adopt(std::move(m), "bool");
}

PyObject* JsonLoads() {
  static PyObject* loads = [] {
    PyObject* json = PyImport_ImportModule("json");
    if (json == nullptr) throw py::error_already_set();
    PyObject* f = PyObject_GetAttrString(json, "loads");  // leaked: lives as long as the process
    Py_DECREF(json);
    return f;
  }();
  return loads;
}

py::object Text(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogatepass");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(o);
}

py::object JsonValue(std::string_view s) {
  return py::reinterpret_borrow<py::object>(JsonLoads())(Text(s));
}

// Cell `i` of a column that is valid there, as a Python object.
py::object Cell(const ColumnData& c, size_t i) {
  switch (c.type) {
    case ValueType::kInt64: return py::int_(c.ints[i]);
    case ValueType::kDouble: return py::float_(c.doubles[i]);
    case ValueType::kBool: return py::bool_(c.bools[i] != 0);
    case ValueType::kString: return Text(c.StringAt(i));
    case ValueType::kJson: return JsonValue(c.StringAt(i));
    case ValueType::kNull: break;
  }
  return py::none();
}

// (first_row, rows, timestamps µs, utc offsets, [(name, type, values, valid, present)]).
py::tuple ReadNumpy(StoreBox& b, const std::string& id, const std::string& scope, int64_t start,
                    std::optional<uint64_t> count) {
  RecordColumns rc = Shared(b, [&](Store& st) { return Unwrap(ReadColumns(st, id, scope, Range(start, count))); });
  py::list cols;
  for (ColumnData& c : rc.columns) {
    py::object values;
    switch (c.type) {
      case ValueType::kInt64: values = Adopt(std::move(c.ints), "int64"); break;
      case ValueType::kDouble: values = Adopt(std::move(c.doubles), "float64"); break;
      case ValueType::kBool: values = Adopt(std::move(c.bools), "bool"); break;
      default: {
        py::array objects(py::dtype("O"), std::vector<py::ssize_t>{static_cast<py::ssize_t>(rc.rows)},
                          std::vector<py::ssize_t>{static_cast<py::ssize_t>(sizeof(PyObject*))});
        auto* out = static_cast<PyObject**>(objects.mutable_data());
        for (size_t i = 0; i < rc.rows; ++i) {
          py::object o = c.IsValid(i) ? Cell(c, i) : py::none();
          Py_XDECREF(out[i]);
          out[i] = o.release().ptr();
        }
        values = objects;
      }
    }
    cols.append(py::make_tuple(c.name, ValueTypeName(c.type), values, Mask(std::move(c.valid)),
                               Mask(std::move(c.present))));
  }
  return py::make_tuple(rc.first_row, rc.rows, Adopt(std::move(rc.timestamps), "int64"),
                        Adopt(std::move(rc.utc_offsets), "int32"), cols);
}

// Rows as machinable returns them: dicts with sorted keys, "__timestamp" as
// ISO 8601 text with the offset the row was saved with.
py::list ReadRowDicts(StoreBox& b, const std::string& id, const std::string& scope, int64_t start,
                      std::optional<uint64_t> count, bool with_timestamp) {
  RecordColumns rc = Shared(b, [&](Store& st) { return Unwrap(ReadColumns(st, id, scope, Range(start, count))); });
  // Column order: sorted by name, "__timestamp" among them (index -1).
  std::vector<std::pair<std::string, int>> order;
  if (with_timestamp) order.emplace_back("__timestamp", -1);
  for (size_t i = 0; i < rc.columns.size(); ++i) order.emplace_back(rc.columns[i].name, static_cast<int>(i));
  std::sort(order.begin(), order.end());
  std::vector<py::object> keys;
  for (auto& [name, index] : order) {
    py::object k = Text(name);
    PyUnicode_InternInPlace(&k.ptr());
    keys.push_back(std::move(k));
  }
  py::list out(rc.rows);
  for (size_t r = 0; r < rc.rows; ++r) {
    py::dict d;
    for (size_t k = 0; k < order.size(); ++k) {
      int index = order[k].second;
      if (index < 0) {
        d[keys[k]] = FormatIso(Timestamp{rc.timestamps[r], rc.utc_offsets[r]});
        continue;
      }
      const ColumnData& c = rc.columns[static_cast<size_t>(index)];
      if (!c.IsPresent(r)) continue;
      d[keys[k]] = c.IsValid(r) ? Cell(c, r) : py::none();
    }
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(r), d.release().ptr());
  }
  return out;
}

py::list Scopes(StoreBox& b, const std::string& id) {
  auto v = Shared(b, [&](Store& st) { return Unwrap(ListScopes(st, id)); });
  py::list out;
  for (const ScopeInfo& s : v) {
    py::list columns;
    for (const auto& [name, type] : s.columns) columns.append(py::make_tuple(name, ValueTypeName(type)));
    py::dict d;
    d["name"] = s.name;
    d["rows"] = s.rows;
    d["chunks"] = s.chunks;
    d["bytes"] = s.bytes;
    d["columns"] = columns;
    out.append(d);
  }
  return out;
}

}  // namespace

void RegisterReads(py::module_& m) {
  m.def("read_numpy", &ReadNumpy, py::arg("store"), py::arg("id"), py::arg("scope"), py::arg("start") = 0,
        py::arg("count") = py::none(), "Typed columns of a row range (the GIL is released while reading).");
  m.def("read_rows", &ReadRowDicts, py::arg("store"), py::arg("id"), py::arg("scope"), py::arg("start") = 0,
        py::arg("count") = py::none(), py::arg("timestamp") = true, "Rows as dicts with sorted keys.");
  m.def("count_rows", [](const Box& b, const std::string& id, const std::string& scope) {
    return Shared(*b, [&](Store& st) { return Unwrap(CountRows(st, id, scope)); });
  });
  m.def("scopes", [](const Box& b, const std::string& id) { return Scopes(*b, id); });
  m.def("to_jsonl", [](const Box& b, const std::string& id, const std::string& scope, int64_t start,
                       std::optional<uint64_t> count) {
    std::string s = Shared(*b, [&](Store& st) { return Unwrap(ToJsonLines(st, id, scope, Range(start, count))); });
    return Text(s);
  }, py::arg("store"), py::arg("id"), py::arg("scope"), py::arg("start") = 0, py::arg("count") = py::none());
  m.def("to_csv", [](const Box& b, const std::string& id, const std::string& scope, int64_t start,
                     std::optional<uint64_t> count) {
    std::string s = Shared(*b, [&](Store& st) { return Unwrap(ToCsv(st, id, scope, Range(start, count))); });
    return Text(s);
  }, py::arg("store"), py::arg("id"), py::arg("scope"), py::arg("start") = 0, py::arg("count") = py::none());
  m.def("as_table", [](const Box& b, const std::string& id, const std::string& scope, int64_t start,
                       std::optional<uint64_t> count) {
    std::string s = Shared(*b, [&](Store& st) { return Unwrap(AsTable(st, id, scope, Range(start, count))); });
    return Text(s);
  }, py::arg("store"), py::arg("id"), py::arg("scope"), py::arg("start") = 0, py::arg("count") = py::none());
}

}  // namespace labstore::python
