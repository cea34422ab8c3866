"""labstore as a machinable 4.1 storage.

    from machinable import get
    with get("labstore.machinable", {"directory": "./storage.labstore"}):
        get("estimate_gravity", {"time_dilation": 2.0}).launch()

``Storage.set_default("labstore.machinable", {...})`` and machinable's
``~/.machinable/settings.json`` (``"default_storage": ["labstore.machinable",
{"directory": ...}]``) select it as well. Config:

- ``directory``: the labstore store folder (created on the first write);
- ``local_root``: the real folder that local_directory() returns and that
  storage ids name, default ``<directory>/local``: ``<local_root>/<id>``,
  ``<ancestor id>/derived/<id>``, ``<last member>/execution-<time>`` as
  machinable's filesystem storage names them. A stored file appears there
  when local_directory() is asked for; ``*.sh`` and ``output.log`` are also
  written through at once (jobs execute and append to them);
- ``flush_rows``: rows buffered per record scope before a chunk is written;
- ``idle_seconds`` / ``busy_timeout``: the writer-lock policy (labstore/_handles.py):
  the writer is released after this idle time so that a child process
  (dispatch_code, Slurm, MPI) can write, and a write waits this long for it.

Differences from the filesystem storage, on purpose: file paths with ``..``
are refused (labstore's path rules); an experiment id already in the store
raises instead of overwriting; ``experiment.executions`` lists every
execution, not only the latest; an experiment whose config or predicate is
None is stored with ``{}`` / no predicate.

``record_writer(experiment, scope)`` is the fast path for logging rows
(10x-100x faster than ``experiment.record().save()``).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, List, Optional, Tuple, Union

try:
    from machinable import schema
    from machinable.settings import get_settings
    from machinable.storage.storage import Storage
    from machinable.types import VersionType
    from machinable.utils import load_file, serialize, timestamp_to_directory

    _MACHINABLE_MISSING: Optional[ImportError] = None
    _DEFAULT_GROUP = get_settings().default_group
except ImportError as _missing:  # importable without machinable; the storage then refuses to start
    _MACHINABLE_MISSING = _missing
    Storage = object  # type: ignore[assignment,misc]
    VersionType = Any  # type: ignore[misc]
    _DEFAULT_GROUP = None

from labstore import _handles
from labstore import _labstore as _native

if _MACHINABLE_MISSING is None:
    from labstore._machinable_util import (
        _MISSING, _jn, _json, _parse, _same, _write_real, _written, decode_file, encode_file)

_WRITE_THROUGH = (".sh",)
# The module name stored for an experiment model without one (labstore needs a name).
_NO_MODULE = "_no_module_"
_WRITE_THROUGH_NAMES = ("output.log",)


class LabstoreStorage(Storage):
    """machinable Storage that keeps everything in a labstore store."""

    class Config:
        directory: Optional[str] = None
        local_root: Optional[str] = None
        flush_rows: int = 16384
        idle_seconds: float = 1.0
        busy_timeout: float = 120.0

    def __init__(self, version: VersionType = None, default_group: Optional[str] = _DEFAULT_GROUP):
        if _MACHINABLE_MISSING is not None:
            raise ImportError(f"labstore.machinable needs machinable 4.1: {_MACHINABLE_MISSING}")
        super().__init__(version=version, default_group=default_group)
        self._state: Optional[Tuple[_handles.Handle, str]] = None
        self._ids: Dict[str, str] = {}

    def set_model(self, model: Any) -> "LabstoreStorage":
        super().set_model(model)
        self._state = None
        self._ids = {}
        return self

    # ---- handles -------------------------------------------------------------------
    def _handle(self) -> _handles.Handle:
        state = self._state
        if state is None:
            state = self._resolve()
        return state[0]

    def _root(self) -> str:
        state = self._state
        if state is None:
            state = self._resolve()
        return state[1]

    def _resolve(self) -> Tuple[_handles.Handle, str]:
        c = self.config
        if c.directory is None:
            from machinable.errors import StorageError

            raise StorageError("No labstore directory was provided.")
        directory = os.path.abspath(c.directory)
        root = os.path.abspath(c.local_root) if c.local_root else os.path.join(directory, "local")
        h = _handles.get(directory, float(c.idle_seconds), float(c.busy_timeout))
        h.record_options = {"flush_rows": int(c.flush_rows)}
        self._state = (h, root)
        return self._state

    @property
    def sqlite_file(self) -> str:
        """machinable's storage.sqlite for this store, written now into local_root (its
        storage ids equal this storage's ids), with the records as SQL tables."""
        path = os.path.join(self._root(), "storage.sqlite")
        os.makedirs(self._root(), exist_ok=True)
        self._handle().read(lambda s: s.export_sqlite(path, [], True, "storage"), None)
        return path

    def _id(self, storage_id: str) -> str:
        eid = self._ids.get(storage_id)
        if eid is None:
            eid = _parse(storage_id)[0]
            if len(self._ids) < 4096:
                self._ids[storage_id] = eid
        return eid

    def _sid(self, store: _native.Store, fields: Dict[str, Any]) -> str:
        """The storage id of an experiment (its ancestors' folders included)."""
        chain = [fields["id"]]
        while fields["ancestor"]:
            fields = store.find(fields["ancestor"])
            chain.append("derived")
            chain.append(fields["id"])
        return os.path.join(self._root(), *reversed(chain))

    def _sid_by_id(self, store: _native.Store, experiment_id: str) -> str:
        return self._sid(store, store.find(experiment_id))

    def _execution_sid(self, store: _native.Store, x: Dict[str, Any]) -> str:
        return os.path.join(self._sid_by_id(store, x["members"][-1]),
                            "execution-" + timestamp_to_directory(x["timestamp"]))

    def _find_execution(self, store: _native.Store, storage_id: str) -> Optional[Dict[str, Any]]:
        eid, prefix = _parse(storage_id)
        suffix = prefix[len("execution-"):-1]
        for x in reversed(store.executions(eid)):
            if timestamp_to_directory(x["timestamp"]) == suffix:
                return x
        return None

    # ---- create ----------------------------------------------------------------------
    def _create_experiment(self, experiment: schema.Experiment, group: schema.Group,
                           project: schema.Project, uses: List[schema.Element]) -> str:
        h = self._handle()
        spec: Dict[str, Any] = {
            "id": experiment.experiment_id,
            "module": experiment.module or _NO_MODULE,
            "config": _json(experiment.config, "{}"),
            "version": _json(experiment.version, "[]"),
            "predicate": _json(experiment.predicate, ""),
            "uses": json.dumps([u.dict() for u in uses], default=serialize),
            "lineage": json.dumps(list(experiment.lineage or ())),
            "seed": experiment.seed,
            "timestamp": experiment.timestamp,
            "group": group.pattern,
            "group_path": group.path or "",
            "project": project.name,
            "project_directory": project.directory,
        }
        with h.lock:
            store = h.writable()
            if experiment.derived_from_id is not None:
                try:
                    ancestor = store.find(experiment.derived_from_id)
                    if experiment.derived_from_timestamp in (None, ancestor["timestamp"]):
                        spec["ancestor"] = ancestor["id"]
                except _native.NotFoundError:
                    pass
            fields = store.create(spec)
            return self._sid(store, fields)

    def _create_execution(self, execution: schema.Execution, experiments: List[schema.Experiment]) -> str:
        h = self._handle()
        spec = {
            # machinable may list a member twice; labstore keeps each once (the last
            # occurrence, so that the execution's folder is the last member's as in machinable).
            "members": list(reversed(dict.fromkeys(reversed([e.experiment_id for e in experiments])))),
            "host_info": _json(execution.host_info, "{}"),
            "nickname": execution.nickname,
            "timestamp": float(execution.timestamp),
            "module": execution.module or "machinable.execution",
            "version": _json(execution.version, "[]"),
            "config": _json(execution.config, "null"),
            "predicate": _json(execution.predicate, "null"),
            "lineage": json.dumps(list(execution.lineage or ())),
            "requested_resources": _json(execution.resources, "null"),
        }
        with h.lock:
            store = h.writable()
            x = store.create_execution(spec)
            return self._execution_sid(store, x)

    def _create_element(self, element: schema.Element, experiment: schema.Experiment) -> str:
        h = self._handle()
        raw = json.dumps(element.dict(), default=serialize).encode("utf-8")
        eid = experiment.experiment_id
        with h.lock:
            store = h.writable()
            n = len(store.list_files(eid, ".labstore/elements/"))
            store.save_file(eid, f".labstore/elements/{n}.json", raw)
            return f"{self._sid_by_id(store, eid)}#element/{n}"

    def _create_group(self, group: schema.Group) -> str:
        return group.path  # stored with each experiment

    def _create_project(self, project: schema.Project) -> str:
        return project.name  # stored with each experiment

    def _create_record(self, experiment: schema.Experiment, data: Dict[str, Any],
                       scope: str = "default") -> Dict[str, Any]:
        h = self._handle()
        eid = self._id(experiment._storage_id)
        with h.lock:
            h.record_writer(eid, scope).save(data)
            h.last_write = time.monotonic()
        return data

    def _create_file(self, storage_id: str, filepath: str, data: Any) -> str:
        eid, prefix = _parse(storage_id)
        raw = encode_file(filepath, data)
        self._handle().write(lambda s: s.save_file(eid, prefix + os.path.normpath(filepath), raw))
        path = os.path.join(storage_id, filepath)
        if filepath.endswith(_WRITE_THROUGH) or os.path.basename(filepath) in _WRITE_THROUGH_NAMES:
            _write_real(path, raw)
        return path

    # ---- retrieve ----------------------------------------------------------------------
    def _retrieve_experiment(self, storage_id: str) -> schema.Experiment:
        f = self._handle().read(lambda s: s.find(self._id(storage_id)), None)
        if f is None:
            raise _native.NotFoundError(f"no store at {self.config.directory}")
        return schema.Experiment(
            module=None if f["module"] == _NO_MODULE else f["module"],
            config=json.loads(f["config"]), version=json.loads(f["version"]),
            predicate=json.loads(f["predicate"]) if f["predicate"] else None,
            lineage=tuple(json.loads(f["lineage"])), experiment_id=f["id"], timestamp=f["timestamp"],
            seed=f["seed"], derived_from_id=f["ancestor"] or None,
            derived_from_timestamp=f["ancestor_timestamp"] if f["ancestor"] else None)

    def _retrieve_execution(self, storage_id: str) -> schema.Execution:
        x = self._handle().read(lambda s: self._find_execution(s, storage_id), None)
        if x is None:
            raise _native.NotFoundError(f"no execution {storage_id}")
        return schema.Execution(
            module=x["module"], version=json.loads(x["version"]), config=json.loads(x["config"]),
            predicate=json.loads(x["predicate"]), lineage=tuple(json.loads(x["lineage"])),
            resources=json.loads(x["requested_resources"]), host_info=json.loads(x["host_info"]),
            nickname=x["nickname"], timestamp=x["timestamp"])

    def _retrieve_group(self, storage_id: str) -> schema.Group:
        groups = self._handle().read(lambda s: s.groups(), [])
        for path, pattern in groups:
            if path == storage_id:
                return schema.Group(pattern=pattern, path=path)
        raise _native.NotFoundError(f"no group {storage_id!r}")

    def _retrieve_project(self, storage_id: str) -> schema.Project:
        for name, directory in self._handle().read(lambda s: s.projects(), []):
            if name == storage_id:
                return schema.Project(directory=directory, name=name)
        raise _native.NotFoundError(f"no project {storage_id!r}")

    def _retrieve_element(self, storage_id: str) -> schema.Element:
        sid, _, what = storage_id.partition("#")
        kind, _, n = what.partition("/")
        eid = self._id(sid)

        def load(s: _native.Store) -> Dict[str, Any]:
            if kind == "uses":
                return json.loads(s.find(eid)["uses"])[int(n)]
            return json.loads(s.load_file(eid, f".labstore/elements/{n}.json"))

        d = self._handle().read(load, None)
        if d is None:
            raise _native.NotFoundError(f"no element {storage_id!r}")
        return schema.Element(module=d.get("module"), config=d.get("config"), version=d.get("version", []))

    def _retrieve_records(self, experiment_storage_id: str, scope: str) -> List[Dict[str, Any]]:
        h = self._handle()
        eid = self._id(experiment_storage_id)
        with h.lock:
            h.flush_records(eid, scope)
            store = h.readable()
            if store is None:
                return []
            try:
                return _native.read_rows(store, eid, scope)
            except (_native.NotFoundError, _native.InvalidArgumentError):
                return []

    def _retrieve_file(self, storage_id: str, filepath: str) -> Optional[Any]:
        eid, prefix = _parse(storage_id)
        path = prefix + os.path.normpath(filepath)
        parts = path.split("/")
        if len(parts) == 2 and parts[0] == "records" and parts[1].endswith(".jsonl"):
            rows = self._retrieve_records(storage_id, parts[1][: -len(".jsonl")])
            return rows

        def load(s: _native.Store) -> Optional[bytes]:
            try:
                return s.load_file(eid, path)
            except _native.Error:
                return None

        try:
            raw = self._handle().read(load, None)
        except _native.Error:
            raw = None
        if raw is None:
            real = os.path.join(storage_id, filepath)  # a file a job wrote into local_directory()
            return load_file(real, default=None) if os.path.isfile(real) else None
        return decode_file(filepath, raw)

    def _retrieve_output(self, experiment_storage_id: str) -> Optional[str]:
        real = os.path.join(experiment_storage_id, "output.log")
        if os.path.isfile(real):
            return load_file(real, default=None)
        stored = self._retrieve_file(experiment_storage_id, "output.log")
        if stored is not None:
            return stored
        eid = self._id(experiment_storage_id)

        def read(s: _native.Store) -> Optional[str]:
            try:
                return s.read_output(eid) or None
            except _native.Error:
                return None

        return self._handle().read(read, None)

    def _local_directory(self, storage_id: str, *append: str) -> Optional[str]:
        eid, prefix = _parse(storage_id)

        def materialize(s: _native.Store) -> None:
            try:
                files = s.list_files(eid, prefix)
            except _native.Error:
                return
            for path, size, _hash in files:
                rel = path[len(prefix):]
                if rel.startswith(".labstore/"):
                    continue
                real = os.path.join(storage_id, rel)
                if os.path.isfile(real) and os.path.getsize(real) == size and _written.get(real) in (None, _hash):
                    continue
                _write_real(real, s.load_file(eid, path))
                _written[real] = _hash

        self._handle().read(materialize, None)
        os.makedirs(storage_id, exist_ok=True)
        return os.path.join(storage_id, *append)

    # ---- status --------------------------------------------------------------------------
    def _mark_started(self, experiment: schema.Experiment, timestamp: Any) -> None:
        eid = self._id(experiment._storage_id)
        self._handle().write(lambda s: s.mark_started(eid, str(timestamp)))

    def _update_heartbeat(self, experiment: schema.Experiment, timestamp: Any, mark_finished: bool = False) -> None:
        h = self._handle()
        eid = self._id(experiment._storage_id)
        if _handles._shutting_down:
            return  # machinable's heartbeat timer may still fire while the interpreter exits
        with h.lock:
            store = h.writable()
            if not mark_finished:
                store.update_heartbeat(eid, str(timestamp))
                return
            h.close_records(eid)
            store.mark_finished(eid, str(timestamp))
            h.release_if_idle()

    def _retrieve_status(self, experiment_storage_id: str, field: str) -> Optional[str]:
        eid = self._id(experiment_storage_id)

        def read(s: _native.Store) -> Optional[Dict[str, Any]]:
            try:
                return s.status(eid)
            except _native.Error:
                return None

        st = self._handle().read(read, None)
        if st is None:
            return None
        if field == "started":
            return st["started"][-1] if st["started"] else None
        return st[field]

    # ---- search ---------------------------------------------------------------------------
    def _find_experiment(self, experiment_id: str, timestamp: Optional[int] = None) -> Optional[str]:
        def find(s: _native.Store) -> Optional[str]:
            try:
                f = s.find(experiment_id)
            except (_native.NotFoundError, _native.InvalidArgumentError):
                return None
            if timestamp is not None and f["timestamp"] != timestamp:
                return None
            return self._sid(s, f)

        return self._handle().read(find, None)

    def _find_experiment_by_predicate(self, module: str, predicate: Optional[Dict[str, Any]] = None) -> List[str]:
        def find(s: _native.Store) -> List[str]:
            out = []
            for f in s.list(module=module, newest_first=False):
                if f["module"] != module:
                    continue
                if predicate:
                    stored = json.loads(f["predicate"]) if f["predicate"] else None
                    if not isinstance(stored, dict) or not all(
                            _same(stored.get(k, _MISSING), v) for k, v in predicate.items()):
                        continue
                out.append(self._sid(s, f))
            return out

        return self._handle().read(find, [])

    def _find_related(self, storage_id: str, relation: str) -> Optional[Union[str, List[str]]]:
        def related(s: _native.Store) -> Optional[Union[str, List[str]]]:
            try:
                return self._related(s, storage_id, relation)
            except (_native.NotFoundError, _native.InvalidArgumentError):
                return None

        return self._handle().read(related, None)

    def _related(self, s: _native.Store, storage_id: str, relation: str) -> Optional[Union[str, List[str]]]:
        if relation == "group.experiments":
            return [self._sid(s, f) for f in s.list(group=storage_id, newest_first=False)]
        if relation == "execution.experiments":
            x = self._find_execution(s, storage_id)
            return None if x is None else [self._sid_by_id(s, m) for m in x["members"]]
        if relation == "execution.schedule":
            return None
        eid = self._id(storage_id)
        if relation == "experiment.execution":
            xs = s.executions(eid)
            return self._execution_sid(s, xs[-1]) if xs else None
        if relation == "experiment.executions":
            return [self._execution_sid(s, x) for x in s.executions(eid)]
        f = s.find(eid)
        if relation == "experiment.uses":
            n = len(json.loads(f["uses"]))
            sid = self._sid(s, f)
            extra = len(s.list_files(eid, ".labstore/elements/"))
            return [f"{sid}#uses/{i}" for i in range(n)] + [f"{sid}#element/{i}" for i in range(extra)]
        if relation == "experiment.group":
            return f["group"] or None
        if relation == "experiment.project":
            return f["project"] or None
        if relation == "experiment.ancestor":
            return self._sid_by_id(s, f["ancestor"]) if f["ancestor"] else None
        if relation == "experiment.derived":
            return [self._sid(s, d) for d in s.derived(eid)]
        return None

    def __repr__(self) -> str:
        return f"LabstoreStorage <{self.config.directory}>"


def record_writer(experiment: Any, scope: str = "default", **options: Any) -> "_native.RecordWriter":
    """The native record writer of a machinable experiment that lives in a labstore storage:
    ``w.save(dict)`` / ``w.save_columns({...})`` without machinable's per-row cost.

        w = labstore.machinable.record_writer(experiment, "train")
        w.save_columns({"step": np.arange(n), "loss": losses}); w.flush()

    Rows appear in experiment.records(scope) once flushed (or closed). The writer lock of
    the store is held while the writer is open: close it (or use ``with``) when done.
    Raises InvalidArgumentError when the experiment is not stored in a LabstoreStorage."""
    model = experiment.__model__
    storage = model._storage_instance
    while storage is not None and not isinstance(storage, LabstoreStorage):
        storage = getattr(storage, "_primary", None) or getattr(storage, "primary", None)
    if storage is None:
        raise _native.InvalidArgumentError(
            f"experiment {model.experiment_id} is not stored in a labstore storage: use "
            "get('labstore.machinable', {'directory': ...})")
    h = storage._handle()
    eid = storage._id(model._storage_id)
    with h.lock:
        if (eid, scope) in h.record_writers:
            h.close_records(eid)
        w = _native.open_writer(h.writable(), eid, scope, **options)
        h.pinned.add(w)
        return w
