"""One handle per (process, store folder), shared by every Storage instance.

labstore lets one process at a time write a store, and a second writer open in
the same process is refused as well. machinable builds Storage objects all the
time (per commit, clone(), from_json()) and runs experiments in child
processes (dispatch_code, Slurm, MPI) while the parent lives, so the
machinable backend goes through these handles, which follow this policy:

- the writer is taken lazily, on the first write (or on a read when no other
  process holds it), and retried while another process holds it (BusyError),
  for up to ``busy_timeout`` seconds;
- it is held while rows are being logged, and released (record writers
  flushed and closed, the store closed) after ``idle_seconds`` without a
  write, after mark_finished with no record writer left, before fork() and
  at exit, so that another process can take it;
- reads go through our writer when we hold it, else through a read-only
  handle; either is refreshed before each read, so the parent sees what a
  child wrote (a child that finds the writer taken writes a shard of its own).

This module keeps process-wide state and is imported once (labstore/
machinable.py may be executed several times by machinable's loader).
Thread safety: every handle operation runs under the handle's RLock.
"""

import atexit
import os
import threading
import time
import weakref
from typing import Callable, Dict, Optional, Tuple, TypeVar

from . import _labstore as _native

T = TypeVar("T")

_registry: Dict[Tuple[int, str], "Handle"] = {}
_registry_lock = threading.Lock()
_shutting_down = False
# True in a child made by fork() after this process had opened a store: the
# database's background threads (and the state of their locks) do not survive
# fork(), and opening a store there would hang, so it is refused.
_forked_after_open = False
FORK_ERROR = ("labstore cannot open a store in a child made by fork() after the parent opened one "
              "(the database's background threads do not survive fork()): start the child with "
              "multiprocessing's 'spawn' or 'forkserver' method, or a subprocess")


class Handle:
    """The writer/reader handles of one store folder in this process."""

    def __init__(self, path: str, idle_seconds: float = 1.0, busy_timeout: float = 120.0):
        self.path = path
        self.idle_seconds = idle_seconds
        self.busy_timeout = busy_timeout
        self.lock = threading.RLock()
        self.writer: Optional[_native.Store] = None
        self.reader: Optional[_native.Store] = None
        self.record_writers: Dict[Tuple[str, str], _native.RecordWriter] = {}
        self.record_options: Dict[str, object] = {}
        self.last_write = 0.0
        # Native writers handed to users (labstore.machinable.record_writer): the
        # writer handle is kept while one of them is open.
        self.pinned: "weakref.WeakSet[_native.RecordWriter]" = weakref.WeakSet()
        self._idle_thread: Optional[threading.Thread] = None

    # ---- the writer ------------------------------------------------------------
    def writable(self) -> _native.Store:
        """The writer handle, opened if needed (waiting while another process holds it).
        Call with ``lock`` held. Raises BusyError after busy_timeout seconds."""
        _check_fork()
        if _shutting_down:
            raise _native.InvalidArgumentError(f"store {self.path} is closed: the interpreter is exiting")
        self.last_write = time.monotonic()
        if self.writer is not None:
            return self.writer
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.005
        while True:
            try:
                self.writer = _native.open_store(self.path, create=True)
                break
            except _native.BusyError:
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        self._drop_reader()
        self.last_write = time.monotonic()
        self._start_idle_thread()
        return self.writer

    def record_writer(self, experiment_id: str, scope: str) -> _native.RecordWriter:
        """The open record writer of (experiment, scope); opened on first use. Call with ``lock`` held."""
        w = self.record_writers.get((experiment_id, scope))
        if w is None:
            store = self.writable()
            w = _native.open_writer(store, experiment_id, scope, **self.record_options)
            self.record_writers[(experiment_id, scope)] = w
        return w

    def flush_records(self, experiment_id: str, scope: Optional[str] = None) -> None:
        """Flushes this process's record writers of an experiment (one scope, or all)."""
        for (eid, s), w in list(self.record_writers.items()):
            if eid == experiment_id and (scope is None or s == scope):
                w.flush()

    def close_records(self, experiment_id: Optional[str] = None) -> None:
        """Flushes and closes the record writers (of one experiment, or all)."""
        first: Optional[BaseException] = None
        for key, w in list(self.record_writers.items()):
            if experiment_id is None or key[0] == experiment_id:
                del self.record_writers[key]
                try:
                    w.close()
                except _native.Error as e:
                    first = first or e
        if first is not None:
            raise first

    def release(self) -> None:
        """Closes the record writers and the writer handle (others may then write)."""
        try:
            self.close_records()
        finally:
            writer, self.writer = self.writer, None
            if writer is not None:
                writer.close()

    def release_if_idle(self) -> None:
        """release() when no record writer is open (after mark_finished)."""
        if not self.record_writers and not self._pinned() and self.writer is not None:
            self.release()

    def _pinned(self) -> bool:
        return any(not w.closed for w in list(self.pinned))

    # ---- reads -----------------------------------------------------------------
    def readable(self) -> Optional[_native.Store]:
        """A handle that sees everything stored so far, or None when there is no store yet.
        Call with ``lock`` held. A read does not keep the writer from being released."""
        if self.writer is not None:
            # Other processes write shards of their own (a child running an
            # experiment): the writer's views catch up (cheap when unchanged).
            self.writer.refresh()
            return self.writer
        _check_fork()
        if not _shutting_down:
            try:
                self.writer = _native.open_store(self.path, create=False)
                self._drop_reader()
                self.last_write = time.monotonic()
                self._start_idle_thread()
                return self.writer
            except _native.BusyError:
                pass
            except _native.NotFoundError:
                return None
        try:
            if self.reader is None:
                self.reader = _native.open_store(self.path, read_only=True, create=False)
            else:
                self.reader.refresh()
        except _native.NotFoundError:
            return None
        return self.reader

    def read(self, fn: Callable[[_native.Store], T], missing: T) -> T:
        """fn(store) under the lock through readable(); ``missing`` when there is no store."""
        with self.lock:
            store = self.readable()
            if store is None:
                return missing
            return fn(store)

    def write(self, fn: Callable[[_native.Store], T]) -> T:
        """fn(store) under the lock through writable()."""
        with self.lock:
            return fn(self.writable())

    def _drop_reader(self) -> None:
        reader, self.reader = self.reader, None
        if reader is not None:
            reader.close()

    # ---- idle release ----------------------------------------------------------
    def _start_idle_thread(self) -> None:
        if self._idle_thread is not None and self._idle_thread.is_alive():
            return
        t = threading.Thread(target=self._idle_loop, name=f"labstore-idle {self.path}", daemon=True)
        self._idle_thread = t
        t.start()

    def _idle_loop(self) -> None:
        while not _shutting_down:
            time.sleep(min(0.1, self.idle_seconds / 4))
            with self.lock:
                if self.writer is None:
                    self._idle_thread = None
                    return
                if time.monotonic() - self.last_write >= self.idle_seconds and not self._pinned():
                    try:
                        self.release()
                    except _native.Error:
                        pass  # the writer is dropped anyway; the next write reports a real failure
                    self._idle_thread = None
                    return

    # ---- fork and exit -----------------------------------------------------------
    def close_all(self) -> None:
        with self.lock:
            try:
                self.release()
            finally:
                self._drop_reader()


def _check_fork() -> None:
    if _forked_after_open:
        raise _native.NotSupportedError(FORK_ERROR)


def get(path: str, idle_seconds: float = 1.0, busy_timeout: float = 120.0) -> Handle:
    """The handle of store folder ``path`` (made absolute) for this process."""
    key = (os.getpid(), os.path.realpath(path))
    h = _registry.get(key)
    if h is None:
        with _registry_lock:
            h = _registry.get(key)
            if h is None:
                h = Handle(key[1], idle_seconds, busy_timeout)
                _registry[key] = h
    return h


def close_all() -> None:
    """Closes every handle of this process (flushes logged rows). Called at exit and before fork()."""
    pid = os.getpid()
    for (p, _), h in list(_registry.items()):
        if p == pid:
            try:
                h.close_all()
            except _native.Error:
                pass


def _at_exit() -> None:
    global _shutting_down
    close_all()
    _shutting_down = True


_held_for_fork: list = []


def _before_fork() -> None:
    # Close everything (buffered rows are flushed once, here) and hold every
    # handle's lock across fork(), so that no thread of ours (the idle release,
    # machinable's heartbeat) holds one at the instant of the fork: the child's
    # copy of such a lock would stay held forever.
    pid = os.getpid()
    for (p, _), h in list(_registry.items()):
        if p != pid:
            continue
        h.lock.acquire()
        _held_for_fork.append(h)
        try:
            h.close_all()
        except _native.Error:
            pass


def _after_fork_in_parent() -> None:
    while _held_for_fork:
        _held_for_fork.pop().lock.release()


def _after_fork_in_child() -> None:
    # Nothing is open here (closed before the fork). Storage objects still refer
    # to the parent's handles: give them fresh locks; opening a store is refused
    # (see _forked_after_open).
    global _registry_lock, _forked_after_open
    for h in _registry.values():
        h.lock = threading.RLock()
        h._idle_thread = None
    _held_for_fork.clear()
    _registry_lock = threading.Lock()
    _forked_after_open = _forked_after_open or bool(_registry)
    _registry.clear()


atexit.register(_at_exit)
os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)
