"""labstore: experiments, records and data files in one embedded store.

    import labstore, numpy as np
    with labstore.open("./storage.labstore") as store:
        e = store.get("estimate_gravity", {"time_dilation": 2.0})
        e.commit()
        with e.record_writer("default") as w:
            w.save({"step": 1, "loss": 0.25})
            w.save_columns({"step": np.arange(2, 1000), "loss": np.linspace(1, 0, 998)})
        cols = e.records("default").to_numpy()      # {"step": array([...]), "loss": ..., "__timestamp": ...}
        store.export("./storage")                   # machinable's folders + storage.sqlite

Errors are exceptions derived from ``labstore.Error`` whose text is the
library's message: ``NotFoundError`` (also a LookupError),
``InvalidArgumentError`` (also a ValueError), ``BusyError`` (another process
writes the store), ``StorageIOError`` (also an OSError), ``CorruptionError``,
``NotSupportedError``.

Thread safety: a Store may be used from many threads; a RecordWriter by one
thread at a time (calls are serialized). The GIL is released while the
library flushes, exports and reads. This package imports neither machinable
nor pydantic; ``labstore.machinable`` is the machinable 4.1 storage backend.
"""

import json
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

from . import _formats
from ._labstore import (
    BusyError,
    CorruptionError,
    Error,
    InvalidArgumentError,
    NotFoundError,
    NotSupportedError,
    StorageIOError,
)
from . import _labstore as _native

__all__ = [
    "open", "Store", "Experiment", "Records", "RecordWriter", "Error", "NotFoundError",
    "InvalidArgumentError", "BusyError", "StorageIOError", "CorruptionError", "NotSupportedError",
]
__version__ = "0.1.0"

RecordWriter = _native.RecordWriter

JsonConfig = Union[Dict[str, Any], str]


def _json_text(value: Any, default: str) -> str:
    if value is None:
        return default
    if isinstance(value, str):
        return value
    return json.dumps(value)


def open(path: str = "./storage.labstore", read_only: bool = False, create: bool = True) -> "Store":  # noqa: A001
    """Opens (and unless ``create=False`` creates) the store in folder ``path``.

    ``read_only=True`` takes no writer lock: any number of readers may run while
    one process writes; ``store.refresh()`` catches up with the writer.
    Raises BusyError (another process writes it; the message names its pid),
    NotFoundError (missing and not ``create``, or ``read_only``),
    InvalidArgumentError (a non-empty folder that is no store), StorageIOError.
    """
    return Store(_native.open_store(str(path), read_only=read_only, create=create and not read_only))


class Store:
    """An open store; also a context manager that closes it."""

    def __init__(self, native: "_native.Store"):
        self._native = native

    # ---- lifetime -----------------------------------------------------------
    def close(self) -> None:
        """Closes every record writer of this store, flushes and closes it. Idempotent."""
        self._native.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def path(self) -> str:
        """The store's folder as given to open()."""
        return self._native.dir

    @property
    def read_only(self) -> bool:
        return self._native.read_only

    @property
    def closed(self) -> bool:
        return self._native.closed

    def refresh(self) -> None:
        """Read-only stores: catch up with what the writer stored since open. No-op for a writer."""
        self._native.refresh()

    def __repr__(self) -> str:
        return f"labstore.Store({self.path!r}{', read_only=True' if self.read_only else ''})"

    # ---- experiments --------------------------------------------------------
    def get(self, module: str, config: Optional[JsonConfig] = None) -> "Experiment":
        """The latest stored experiment of (module, config), or a new one not yet stored
        (``e.stored`` is False; ``e.commit()`` stores it). Configs are equal as JSON
        values (key order, 2 vs 2.0 and keys ending in '_' do not matter).
        Raises InvalidArgumentError (module name, config not a JSON object)."""
        d = self._native.get(module, _json_text(config, "{}"))
        return Experiment(self, d)

    def create(self, module: str, config: Optional[JsonConfig] = None, **spec: Any) -> "Experiment":
        """Stores a new experiment. Keyword fields: id, version, predicate, uses, lineage
        (JSON values or text), seed, timestamp (epoch s), group (strftime pattern),
        group_path, project, project_directory, ancestor (id).
        Raises InvalidArgumentError (bad field, id in use), NotFoundError (ancestor)."""
        d: Dict[str, Any] = {"module": module, "config": _json_text(config, "{}")}
        for key, value in spec.items():
            if key in ("version", "predicate", "uses", "lineage") and not isinstance(value, str):
                value = json.dumps(value)
            d[key] = value
        return Experiment(self, self._native.create(d))

    def find(self, id: str) -> "Experiment":
        """The stored experiment with this id. Raises NotFoundError, InvalidArgumentError (not an id)."""
        return Experiment(self, self._native.find(id))

    def list(self, module: str = "", group: str = "", project: str = "", since: Optional[int] = None,
             until: Optional[int] = None, newest_first: bool = True, limit: int = 0) -> List["Experiment"]:
        """Stored experiments that match (empty strings match all), by timestamp."""
        return [Experiment(self, d) for d in self._native.list(module, group, project, since, until,
                                                                newest_first, limit)]

    def __iter__(self) -> Iterator["Experiment"]:
        return iter(self.list(newest_first=False))

    def derived(self, id: str) -> List["Experiment"]:
        """Experiments derived from ``id``, oldest first."""
        return [Experiment(self, d) for d in self._native.derived(id)]

    @property
    def default_group(self) -> str:
        """The group pattern used for experiments without one ("%Y_%U_%a/" unless set)."""
        return self._native.default_group()

    @default_group.setter
    def default_group(self, pattern: str) -> None:
        self._native.set_default_group(pattern)

    def groups(self) -> List[Dict[str, str]]:
        return [{"path": p, "pattern": q} for p, q in self._native.groups()]

    def projects(self) -> List[Dict[str, str]]:
        return [{"name": n, "directory": d} for n, d in self._native.projects()]

    # ---- executions ---------------------------------------------------------
    def create_execution(self, members: Sequence[Union[str, "Experiment"]], **spec: Any) -> Dict[str, Any]:
        """Stores an execution of stored experiments; returns it as a dict (``number``, ``nickname``, ...).
        Keyword fields: host_info, nickname, timestamp, module, resources ({member: {...}}), version,
        config, predicate, lineage, requested_resources."""
        d: Dict[str, Any] = {"members": [m.id if isinstance(m, Experiment) else m for m in members]}
        for key, value in spec.items():
            if key == "resources":
                value = [(k, _json_text(v, "{}")) for k, v in value.items()]
            elif key in ("host_info", "version", "config", "predicate", "lineage", "requested_resources"):
                value = _json_text(value, "null")
            d[key] = value
        return self._native.create_execution(d)

    def find_execution(self, number: int) -> Dict[str, Any]:
        """One execution by number. Raises NotFoundError."""
        return self._native.find_execution(number)

    # ---- export -------------------------------------------------------------
    def export(self, dest: str, experiments: Optional[Sequence[str]] = None, force: bool = False,
               records_sql: str = "storage", threads: int = 0, sync: bool = False) -> Dict[str, Any]:
        """Writes machinable's storage folders and storage.sqlite into ``dest`` (incremental:
        only what changed). records_sql: "storage", "separate" (records.sqlite) or "none".
        Returns counts (files_written, record_rows, ...). Raises InvalidArgumentError (dest not
        empty and not an export), BusyError (another export into dest), StorageIOError."""
        return self._native.export(str(dest), list(experiments or []), force, records_sql, threads, sync)

    def export_sqlite(self, file: str, experiments: Optional[Sequence[str]] = None, force: bool = False,
                      records_sql: str = "storage") -> Dict[str, Any]:
        """Writes only the SQLite view (machinable's tables and the records as SQL tables) to ``file``.
        Raises InvalidArgumentError when ``file`` exists and not ``force``."""
        return self._native.export_sqlite(str(file), list(experiments or []), force, records_sql)


def _loads(text: str) -> Any:
    return json.loads(text) if text else None


class Experiment:
    """A stored experiment, or one made by Store.get() and not yet stored.

    Attributes: id, module, config (dict), version, predicate, uses, lineage,
    seed, timestamp (epoch s), group, group_pattern, project, project_directory,
    ancestor, ancestor_timestamp, stored."""

    def __init__(self, store: Store, fields: Dict[str, Any]):
        self._store = store
        self._f = fields
        self._pending: List[Any] = []

    def __getattr__(self, name: str) -> Any:
        f = self.__dict__.get("_f")
        if f is not None and name in f and name not in ("config", "version", "predicate", "uses", "lineage"):
            return f[name]
        raise AttributeError(name)

    @property
    def config(self) -> Dict[str, Any]:
        return json.loads(self._f["config"])

    @property
    def config_json(self) -> str:
        """The config as stored: minified JSON text in the caller's key order."""
        return self._f["config"]

    @property
    def version(self) -> Any:
        return _loads(self._f["version"])

    @property
    def predicate(self) -> Any:
        return _loads(self._f["predicate"])

    @property
    def uses(self) -> Any:
        return _loads(self._f["uses"])

    @property
    def lineage(self) -> Any:
        return _loads(self._f["lineage"])

    def __repr__(self) -> str:
        return f"labstore.Experiment({self._f['id'] or '<not stored>'} {self._f['module']} {self._f['config']})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Experiment) and self._f == other._f

    def _id(self) -> str:
        if not self._f["stored"]:
            raise InvalidArgumentError(f"experiment {self._f['module']} {self._f['config']} is not stored: "
                                       "call commit() first")
        return self._f["id"]

    def commit(self) -> "Experiment":
        """Stores the experiment (no-op when stored), then the data saved before. Returns self."""
        if not self._f["stored"]:
            spec = {k: self._f[k] for k in ("module", "config", "version", "uses", "lineage")}
            if self._f["predicate"]:
                spec["predicate"] = self._f["predicate"]
            self._f = self._store._native.create(spec)
        pending, self._pending = self._pending, []
        for path, raw in pending:
            self._store._native.save_file(self._f["id"], path, raw)
        return self

    # ---- records ------------------------------------------------------------
    def record_writer(self, scope: str = "default", flush_rows: int = 16384, flush_interval_ms: int = 1000,
                      sync: bool = False, compression: str = "lz4") -> "_native.RecordWriter":
        """Opens the writer of ``scope`` (rows already there are kept). Also a context manager.
        Raises BusyError when this process already has a writer on the scope,
        InvalidArgumentError (scope name, read-only store, not stored)."""
        return _native.open_writer(self._store._native, self._id(), scope, flush_rows, flush_interval_ms,
                                   sync, compression)

    def records(self, scope: str = "default", start: int = 0, count: Optional[int] = None) -> "Records":
        """The stored rows of ``scope`` (optionally ``count`` rows from ``start``; negative counts from
        the end). Rows accepted by a writer but not flushed are not seen."""
        return Records(self._store, self._id(), scope, start, count)

    def scopes(self) -> List[Dict[str, Any]]:
        """The scopes with rows: name, rows, chunks, bytes, columns [(name, type)]."""
        return _native.scopes(self._store._native, self._id())

    # ---- files --------------------------------------------------------------
    def save_file(self, path: str, value: Any) -> None:
        """Writes ``path`` (relative) in machinable's format for its extension; deferred to
        commit() while not stored. Raises InvalidArgumentError (path rules: no '..', no leading '/')."""
        raw = _formats.encode(path, value)
        if not self._f["stored"]:
            self._pending.append((path, raw))
            return
        self._store._native.save_file(self._f["id"], path, raw)

    def load_file(self, path: str, default: Any = None) -> Any:
        """The value at ``path`` decoded by extension, or ``default`` when there is no such file."""
        try:
            raw = self._store._native.load_file(self._id(), path)
        except NotFoundError:
            return default
        return _formats.decode(path, raw)

    def save_data(self, path: str, value: Any) -> None:
        """save_file("data/" + path): .json, .jsonl, .npy (numpy arrays), .p (pickle), else text."""
        self.save_file("data/" + path, value)

    def load_data(self, path: str, default: Any = None) -> Any:
        """load_file("data/" + path): a .npy file comes back as a numpy array."""
        return self.load_file("data/" + path, default)

    def files(self, prefix: str = "") -> List[str]:
        """Paths of the stored files under ``prefix``, sorted."""
        return [p for p, _, _ in self._store._native.list_files(self._id(), prefix)]

    # ---- status and output --------------------------------------------------
    def mark_started(self, at: Optional[str] = None) -> None:
        """Appends a start (ISO 8601 text; now when None)."""
        self._store._native.mark_started(self._id(), at)

    def update_heartbeat(self, at: Optional[str] = None) -> None:
        self._store._native.update_heartbeat(self._id(), at)

    def mark_finished(self, at: Optional[str] = None) -> None:
        """Sets finished_at (and the heartbeat)."""
        self._store._native.mark_finished(self._id(), at)

    def status(self) -> Dict[str, Any]:
        """{"started": [iso...], "heartbeat": iso|None, "finished": iso|None, "active": bool}."""
        return self._store._native.status(self._id())

    def is_started(self) -> bool:
        return bool(self.status()["started"])

    def is_finished(self) -> bool:
        return self.status()["finished"] is not None

    def is_active(self) -> bool:
        """A heartbeat within the last 30 s and not finished."""
        return bool(self.status()["active"])

    def append_output(self, text: str) -> None:
        self._store._native.append_output(self._id(), text)

    def output(self) -> str:
        return self._store._native.read_output(self._id())

    def executions(self) -> List[Dict[str, Any]]:
        return self._store._native.executions(self._id())

    def derived(self) -> List["Experiment"]:
        return self._store.derived(self._id())


class Records:
    """The rows of one scope, read when a method is called (not cached)."""

    def __init__(self, store: Store, id: str, scope: str, start: int = 0, count: Optional[int] = None):
        self._store, self.experiment_id, self.scope = store, id, scope
        self._start, self._count = start, count

    def __len__(self) -> int:
        n = _native.count_rows(self._store._native, self.experiment_id, self.scope)
        if self._start == 0 and self._count is None:
            return n
        start = self._start if self._start >= 0 else max(0, n + self._start)
        start = min(start, n)
        return min(n - start, self._count if self._count is not None else n)

    def rows(self) -> List[Dict[str, Any]]:
        """Rows as dicts with sorted keys and "__timestamp" (ISO 8601 text), as machinable returns them."""
        return _native.read_rows(self._store._native, self.experiment_id, self.scope, self._start, self._count)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.rows())

    def to_numpy(self, timestamps: bool = True) -> Dict[str, Any]:
        """{column: numpy array}, in column order, plus "__timestamp" (datetime64[us], UTC).

        int64/float64/bool columns are arrays of that dtype; where a row has no value, a float
        column holds NaN and an int or bool column is a numpy.ma.MaskedArray masked there.
        str and nested JSON columns (and columns of mixed types) are object arrays with None
        where a row has no value."""
        import numpy as np

        _, _, ts, _, cols = _native.read_numpy(self._store._native, self.experiment_id, self.scope,
                                                self._start, self._count)
        out: Dict[str, Any] = {}
        for name, type_name, values, valid, _present in cols:
            if valid is not None:
                if type_name == "double":
                    values[~valid] = np.nan
                elif type_name in ("int64", "bool"):
                    values = np.ma.MaskedArray(values, mask=~valid)
            out[name] = values
        if timestamps:
            out["__timestamp"] = ts.view("datetime64[us]")
        return out

    def to_pandas(self, timestamps: bool = True) -> Any:
        """A pandas DataFrame of to_numpy(); int and bool columns with missing cells use pandas'
        nullable "Int64" / "boolean" dtypes."""
        import pandas as pd

        data = {}
        for name, values in self.to_numpy(timestamps).items():
            if hasattr(values, "mask") and values.dtype.kind == "i":
                values = pd.arrays.IntegerArray(values.data, values.mask)
            elif hasattr(values, "mask") and values.dtype.kind == "b":
                values = pd.arrays.BooleanArray(values.data, values.mask)
            data[name] = values
        return pd.DataFrame(data)

    def to_jsonl(self) -> str:
        """machinable's records/<scope>.jsonl text."""
        return _native.to_jsonl(self._store._native, self.experiment_id, self.scope, self._start, self._count)

    def to_csv(self) -> str:
        return _native.to_csv(self._store._native, self.experiment_id, self.scope, self._start, self._count)

    def as_table(self) -> str:
        """The table machinable's records(scope).as_table() prints."""
        return _native.as_table(self._store._native, self.experiment_id, self.scope, self._start, self._count)
