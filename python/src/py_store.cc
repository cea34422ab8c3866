// The extension's Store: experiments, markers, output, executions, files,
// export. Values cross as plain Python objects (dicts, str, bytes); the
// Python package (labstore/__init__.py) wraps them in classes.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "labstore/data.h"
#include "labstore/export.h"
#include "labstore/record_reader.h"
#include "store_box.h"

namespace labstore::python {
namespace {

namespace py = pybind11;
using Box = std::shared_ptr<StoreBox>;

std::optional<Timestamp> ParseAt(const std::optional<std::string>& at) {
  if (!at) return std::nullopt;
  return Unwrap(ParseIso(*at));
}

py::object IsoOrNone(const std::optional<Timestamp>& t) {
  if (!t) return py::none();
  return py::str(FormatIso(*t));
}

py::dict ToDict(const Experiment& e) {
  py::dict d;
  d["id"] = e.id;
  d["module"] = e.module;
  d["config"] = e.config;
  d["version"] = e.version;
  d["predicate"] = e.predicate;
  d["uses"] = e.uses;
  d["lineage"] = e.lineage;
  d["seed"] = e.seed;
  d["timestamp"] = e.timestamp;
  d["group"] = e.group_path;
  d["group_pattern"] = e.group_pattern;
  d["project"] = e.project;
  d["project_directory"] = e.project_directory;
  d["ancestor"] = e.ancestor;
  d["ancestor_timestamp"] = e.ancestor_timestamp;
  d["stored"] = e.stored;
  return d;
}

py::list ToList(const std::vector<Experiment>& v) {
  py::list out;
  for (const Experiment& e : v) out.append(ToDict(e));
  return out;
}

py::dict ToDict(const Execution& x) {
  py::dict d;
  d["number"] = x.number;
  d["module"] = x.module;
  d["nickname"] = x.nickname;
  d["timestamp"] = x.timestamp;
  d["host_info"] = x.host_info;
  d["members"] = x.members;
  d["resources"] = x.resources;
  d["env"] = x.env;
  d["version"] = x.version;
  d["config"] = x.config;
  d["predicate"] = x.predicate;
  d["lineage"] = x.lineage;
  d["requested_resources"] = x.requested_resources;
  return d;
}

// Reads an optional str/int entry of a spec dict.
template <typename T>
void Take(const py::dict& d, const char* key, T* out) {
  if (d.contains(key) && !d[key].is_none()) *out = d[key].cast<T>();
}

ExperimentSpec SpecFrom(const py::dict& d) {
  ExperimentSpec s;
  Take(d, "module", &s.module);
  Take(d, "config", &s.config);
  Take(d, "version", &s.version);
  Take(d, "predicate", &s.predicate);
  Take(d, "uses", &s.uses);
  Take(d, "lineage", &s.lineage);
  Take(d, "seed", &s.seed);
  Take(d, "timestamp", &s.timestamp);
  Take(d, "group", &s.group);
  Take(d, "group_path", &s.group_path);
  Take(d, "project", &s.project);
  Take(d, "project_directory", &s.project_directory);
  Take(d, "ancestor", &s.ancestor);
  Take(d, "id", &s.id);
  return s;
}

ExecutionSpec ExecutionSpecFrom(const py::dict& d) {
  ExecutionSpec s;
  Take(d, "members", &s.members);
  Take(d, "host_info", &s.host_info);
  Take(d, "nickname", &s.nickname);
  Take(d, "timestamp", &s.timestamp);
  Take(d, "module", &s.module);
  Take(d, "resources", &s.resources);
  Take(d, "version", &s.version);
  Take(d, "config", &s.config);
  Take(d, "predicate", &s.predicate);
  Take(d, "lineage", &s.lineage);
  Take(d, "requested_resources", &s.requested_resources);
  return s;
}

ExportOptions ExportOptionsFrom(const std::vector<std::string>& experiments, bool force,
                                const std::string& records_sql, unsigned threads, bool sync) {
  ExportOptions o;
  o.experiments = experiments;
  o.force = force;
  o.threads = threads;
  o.sync = sync;
  if (records_sql == "storage") {
    o.records_sql = RecordsSql::kInStorage;
  } else if (records_sql == "separate") {
    o.records_sql = RecordsSql::kSeparateFile;
  } else if (records_sql == "none") {
    o.records_sql = RecordsSql::kNone;
  } else {
    throw StatusError(Status::InvalidArgument("invalid records_sql \"" + records_sql + "\"",
                                              "use \"storage\", \"separate\" or \"none\""));
  }
  return o;
}

py::dict ToDict(const ExportStats& s) {
  py::dict d;
  d["experiments"] = s.experiments;
  d["experiments_added"] = s.experiments_added;
  d["files_written"] = s.files_written;
  d["files_unchanged"] = s.files_unchanged;
  d["files_removed"] = s.files_removed;
  d["record_rows"] = s.record_rows;
  d["record_sql_rows"] = s.record_sql_rows;
  d["bytes_written"] = s.bytes_written;
  d["warnings"] = s.warnings;
  return d;
}

Box OpenBox(const std::string& dir, bool read_only, bool create, size_t cache) {
  auto box = std::make_shared<StoreBox>();
  box->dir = dir;
  box->read_only = read_only;
  StoreOptions o{.create_if_missing = create, .read_only = read_only, .block_cache_bytes = cache};
  py::gil_scoped_release nogil;
  box->store.emplace(Unwrap(Store::Open(o, dir)));
  return box;
}

void CloseBox(StoreBox& b) {
  py::gil_scoped_release nogil;
  std::unique_lock lock(b.mu);
  if (!b.store) return;
  Status s = CloseWriters(b);
  Status c = b.store->Close();
  b.store.reset();
  Check(s.ok() ? c : s);
}

// After fork(): the child must neither flush nor close what the parent owns
// (RocksDB's threads do not exist in the child). The handle is leaked.
void ForgetBox(StoreBox& b) {
  std::unique_lock lock(b.mu, std::try_to_lock);
  {
    std::lock_guard wl(b.writers_mu);
    for (auto& weak : b.writers) {
      if (auto w = weak.lock(); w && w->writer) {
        new RecordWriter(std::move(*w->writer));  // NOLINT: leaked on purpose
        w->writer.reset();
      }
    }
    b.writers.clear();
  }
  if (b.store) {
    new Store(std::move(*b.store));  // NOLINT: leaked on purpose
    b.store.reset();
  }
}

}  // namespace

Status CloseWriters(StoreBox& b) {
  std::vector<std::shared_ptr<WriterBox>> open;
  {
    std::lock_guard wl(b.writers_mu);
    for (auto& weak : b.writers) {
      if (auto w = weak.lock()) open.push_back(std::move(w));
    }
    b.writers.clear();
  }
  Status first;
  for (auto& w : open) {
    std::lock_guard l(w->mu);
    if (!w->writer) continue;
    Status s = w->writer->Close();
    w->writer.reset();
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

void RegisterStore(py::module_& m) {
  py::class_<StoreBox, Box> c(m, "Store", "A labstore store (native handle); see labstore.Store.");
  m.def("open_store", &OpenBox, py::arg("dir"), py::arg("read_only") = false, py::arg("create") = true,
        py::arg("block_cache_bytes") = size_t{64} << 20,
        "Opens the store in `dir`. Raises BusyError when another process writes it, NotFoundError when "
        "it is missing and create is False (or read_only), InvalidArgumentError for a folder that is no store.");
  c.def("close", &CloseBox, "Closes the record writers, flushes and closes the store. Idempotent.");
  c.def("forget", &ForgetBox, "After fork(), in the child: drops the handle without flushing or closing it.");
  c.def_property_readonly("dir", [](StoreBox& b) { return b.dir; });
  c.def_property_readonly("read_only", [](StoreBox& b) { return b.read_only; });
  c.def_property_readonly("closed", [](StoreBox& b) { return !b.store.has_value(); });
  c.def("refresh", [](StoreBox& b) {
    py::gil_scoped_release nogil;
    std::unique_lock lock(b.mu);
    Check(b.Get().Refresh());
  });

  c.def("create", [](StoreBox& b, const py::dict& spec) {
    ExperimentSpec s = SpecFrom(spec);
    return ToDict(Shared(b, [&](Store& st) { return Unwrap(st.Create(s)); }));
  });
  c.def("get", [](StoreBox& b, const std::string& module, const std::string& config) {
    return ToDict(Shared(b, [&](Store& st) { return Unwrap(st.Get(module, config)); }));
  });
  c.def("find", [](StoreBox& b, const std::string& id) {
    return ToDict(Shared(b, [&](Store& st) { return Unwrap(st.Find(id)); }));
  });
  c.def("list", [](StoreBox& b, const std::string& module, const std::string& group, const std::string& project,
                   std::optional<int64_t> since, std::optional<int64_t> until, bool newest_first, size_t limit) {
    ListOptions o{.module = module, .group = group, .project = project, .since = since, .until = until,
                  .newest_first = newest_first, .limit = limit};
    return ToList(Shared(b, [&](Store& st) { return Unwrap(st.List(o)); }));
  }, py::arg("module") = "", py::arg("group") = "", py::arg("project") = "", py::arg("since") = py::none(),
     py::arg("until") = py::none(), py::arg("newest_first") = true, py::arg("limit") = 0);
  c.def("derived", [](StoreBox& b, const std::string& id) {
    return ToList(Shared(b, [&](Store& st) { return Unwrap(st.Derived(id)); }));
  });
  c.def("default_group", [](StoreBox& b) { return Shared(b, [&](Store& st) { return Unwrap(st.DefaultGroup()); }); });
  c.def("set_default_group", [](StoreBox& b, const std::string& p) {
    Shared(b, [&](Store& st) { Check(st.SetDefaultGroup(p)); return 0; });
  });
  c.def("groups", [](StoreBox& b) {
    auto v = Shared(b, [&](Store& st) { return Unwrap(st.Groups()); });
    py::list out;
    for (const Group& g : v) out.append(py::make_tuple(g.path, g.pattern));
    return out;
  });
  c.def("projects", [](StoreBox& b) {
    auto v = Shared(b, [&](Store& st) { return Unwrap(st.Projects()); });
    py::list out;
    for (const Project& p : v) out.append(py::make_tuple(p.name, p.directory));
    return out;
  });

  c.def("mark_started", [](StoreBox& b, const std::string& id, std::optional<std::string> at) {
    Timestamp t = ParseAt(at).value_or(Now());
    Shared(b, [&](Store& st) { Check(st.MarkStarted(id, t)); return 0; });
  }, py::arg("id"), py::arg("at") = py::none());
  c.def("update_heartbeat", [](StoreBox& b, const std::string& id, std::optional<std::string> at) {
    Timestamp t = ParseAt(at).value_or(Now());
    Shared(b, [&](Store& st) { Check(st.UpdateHeartbeat(id, t)); return 0; });
  }, py::arg("id"), py::arg("at") = py::none());
  c.def("mark_finished", [](StoreBox& b, const std::string& id, std::optional<std::string> at) {
    Timestamp t = ParseAt(at).value_or(Now());
    Shared(b, [&](Store& st) { Check(st.MarkFinished(id, t)); return 0; });
  }, py::arg("id"), py::arg("at") = py::none());
  c.def("status", [](StoreBox& b, const std::string& id) {
    ExperimentStatus s = Shared(b, [&](Store& st) { return Unwrap(st.GetStatus(id)); });
    py::list started;
    for (const Timestamp& t : s.started_at) started.append(FormatIso(t));
    py::dict d;
    d["started"] = started;
    d["heartbeat"] = IsoOrNone(s.heartbeat_at);
    d["finished"] = IsoOrNone(s.finished_at);
    d["active"] = s.IsActive(Now());
    return d;
  });
  c.def("append_output", [](StoreBox& b, const std::string& id, const std::string& text) {
    Shared(b, [&](Store& st) { Check(st.AppendOutput(id, text)); return 0; });
  });
  c.def("read_output", [](StoreBox& b, const std::string& id) {
    return Shared(b, [&](Store& st) { return Unwrap(st.ReadOutput(id)); });
  });

  c.def("create_execution", [](StoreBox& b, const py::dict& spec) {
    ExecutionSpec s = ExecutionSpecFrom(spec);
    return ToDict(Shared(b, [&](Store& st) { return Unwrap(st.CreateExecution(s)); }));
  });
  c.def("set_execution_env", [](StoreBox& b, uint64_t number, const std::string& member, const std::string& env) {
    Shared(b, [&](Store& st) { Check(st.SetExecutionEnv(number, member, env)); return 0; });
  });
  c.def("find_execution", [](StoreBox& b, uint64_t number) {
    return ToDict(Shared(b, [&](Store& st) { return Unwrap(st.FindExecution(number)); }));
  });
  c.def("executions", [](StoreBox& b, const std::string& id) {
    auto v = Shared(b, [&](Store& st) { return Unwrap(st.Executions(id)); });
    py::list out;
    for (const Execution& x : v) out.append(ToDict(x));
    return out;
  });

  c.def("save_file", [](StoreBox& b, const std::string& id, const std::string& path, const py::bytes& data) {
    std::string_view bytes = data;
    Shared(b, [&](Store& st) { Check(SaveFile(st, id, path, bytes)); return 0; });
  });
  c.def("load_file", [](StoreBox& b, const std::string& id, const std::string& path) {
    std::string bytes = Shared(b, [&](Store& st) { return Unwrap(LoadFile(st, id, path)); });
    return py::bytes(bytes);
  });
  c.def("delete_file", [](StoreBox& b, const std::string& id, const std::string& path) {
    Shared(b, [&](Store& st) { Check(DeleteFile(st, id, path)); return 0; });
  });
  c.def("list_files", [](StoreBox& b, const std::string& id, const std::string& prefix) {
    auto v = Shared(b, [&](Store& st) { return Unwrap(ListFiles(st, id, prefix)); });
    py::list out;
    for (const FileInfo& f : v) out.append(py::make_tuple(f.path, f.size, f.content_hash));
    return out;
  }, py::arg("id"), py::arg("prefix") = "");

  c.def("export", [](StoreBox& b, const std::string& dest, const std::vector<std::string>& experiments, bool force,
                     const std::string& records_sql, unsigned threads, bool sync) {
    ExportOptions o = ExportOptionsFrom(experiments, force, records_sql, threads, sync);
    return ToDict(Shared(b, [&](Store& st) { return Unwrap(Export(st, dest, o)); }));
  }, py::arg("dest"), py::arg("experiments") = std::vector<std::string>{}, py::arg("force") = false,
     py::arg("records_sql") = "storage", py::arg("threads") = 0, py::arg("sync") = false);
  c.def("export_sqlite", [](StoreBox& b, const std::string& file, const std::vector<std::string>& experiments,
                            bool force, const std::string& records_sql) {
    ExportOptions o = ExportOptionsFrom(experiments, force, records_sql, 0, false);
    return ToDict(Shared(b, [&](Store& st) { return Unwrap(ExportSqlite(st, file, o)); }));
  }, py::arg("file"), py::arg("experiments") = std::vector<std::string>{}, py::arg("force") = false,
     py::arg("records_sql") = "storage");
}

}  // namespace labstore::python
