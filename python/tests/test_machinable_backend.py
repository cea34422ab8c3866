"""labstore.machinable in what machinable's own suite does not cover: a child
process writing while the parent reads, the heartbeat thread, fork, records
read right after save(), the native record_writer on a machinable experiment."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest


def _storage(tmp_path, **config):
    from machinable import Storage

    return Storage.make("labstore.machinable", {"directory": str(tmp_path / "s.labstore"), **config})


def _committed(storage):
    from machinable import Experiment

    e = Experiment()
    storage.commit(e)
    return e


def test_records_are_read_right_after_save(machinable_env, tmp_path):
    with _storage(tmp_path) as storage:
        e = _committed(storage)
        r = e.record()
        r["loss"] = 0.25
        r.save()
        assert [row["loss"] for row in e.records()] == [0.25]  # no flush, no close: read at once
        r["loss"] = 0.5
        r.save()
        assert len(e.records()) == 2
        assert e.load_file("records/default.jsonl")[1]["loss"] == 0.5


CHILD = """
import sys, time
from machinable import Storage, Experiment
Storage.from_json(sys.argv[1]).__enter__()
e = Experiment.find(sys.argv[2])
e.mark_started()
r = e.record()
for i in range(int(sys.argv[3])):
    r["i"] = i
    r.save()
    if i % 50 == 0:
        time.sleep(0.01)
e.__model__._storage_instance.update_heartbeat(e, mark_finished=True)
e.save_data("child.json", {"pid": __import__("os").getpid()})
"""


def test_a_child_process_writes_while_the_parent_reads(machinable_env, tmp_path):
    with _storage(tmp_path, idle_seconds=0.3) as storage:
        e = _committed(storage)  # the parent now holds the writer; the child waits for its release
        n = 1000
        child = subprocess.Popen([sys.executable, "-c", CHILD, storage.as_json(), e.experiment_id, str(n)])
        seen = []
        while child.poll() is None:
            # reads while the child holds the writer: a refreshed read-only handle
            # (not e.records(): machinable caches what it reads once is_finished() turns true)
            seen.append(len(storage.retrieve_records(e, "default")))
            time.sleep(0.05)
        assert child.returncode == 0
        assert e.is_finished() and e.is_started()
        rows = e.records()
        assert [row["i"] for row in rows] == list(range(n))
        assert e.load_data("child.json")["pid"] == child.pid
        assert seen == sorted(seen)  # never went backwards


def test_heartbeat_thread_beats_while_rows_are_saved(machinable_env, tmp_path):
    with _storage(tmp_path) as storage:
        e = _committed(storage)
        errors, stop = [], threading.Event()

        def beat():  # machinable's heartbeat Timer calls this every 15 s from its own thread
            while not stop.is_set():
                try:
                    storage.update_heartbeat(e)
                except Exception as ex:  # noqa: BLE001
                    errors.append(ex)

        t = threading.Thread(target=beat, daemon=True)
        t.start()
        r = e.record()
        for i in range(3000):
            r["i"] = i
            r.save()
        stop.set()
        t.join()
        assert errors == []
        assert e.heartbeat_at is not None and not e.is_finished()
        assert len(e.records()) == 3000
        storage.update_heartbeat(e, mark_finished=True)
        assert e.is_finished()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_child_gets_a_clear_error_and_the_parent_loses_nothing(machinable_env, tmp_path):
    import labstore

    with _storage(tmp_path) as storage:
        e = _committed(storage)
        r = e.record()
        r["who"] = "parent"
        r.save()  # buffered when the process forks: flushed before the fork, not twice
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                r["who"] = "child"
                r.save()
            except labstore.NotSupportedError as ex:
                code = 0 if "spawn" in str(ex) else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        r["who"] = "parent again"
        r.save()
        assert [row["who"] for row in e.records()] == ["parent", "parent again"]


def test_multiprocessing_spawn_children_write(machinable_env, tmp_path):
    import multiprocessing

    with _storage(tmp_path, idle_seconds=0.2) as storage:
        e = _committed(storage)
        ctx = multiprocessing.get_context("spawn")
        p = ctx.Process(target=_spawned_child, args=(storage.as_json(), e.experiment_id))
        p.start()
        p.join(120)
        assert p.exitcode == 0
        assert [row["i"] for row in e.records()] == list(range(10))


def _spawned_child(storage_json, experiment_id):
    from machinable import Experiment, Storage

    Storage.from_json(storage_json).__enter__()
    e = Experiment.find(experiment_id)
    for i in range(10):
        e.record().update(i=i)
        e.record().save()


def test_native_record_writer_on_a_machinable_experiment(machinable_env, tmp_path):
    import numpy as np

    import labstore.machinable

    with _storage(tmp_path) as storage:
        e = _committed(storage)
        with labstore.machinable.record_writer(e, "train") as w:
            w.save_columns({"step": np.arange(1000), "loss": np.linspace(1, 0, 1000)})
        rows = e.records("train")
        assert len(rows) == 1000 and rows[999]["step"] == 999


def test_local_directory_shows_stored_files_and_sqlite_file(machinable_env, tmp_path):
    with _storage(tmp_path) as storage:
        e = _committed(storage)
        e.save_data("x.json", {"a": 1})
        e.save_file("run.sh", "#!/bin/sh\necho hi\n")
        folder = e.local_directory()
        assert folder.startswith(str(tmp_path / "s.labstore" / "local"))
        assert json.load(open(os.path.join(folder, "data", "x.json"))) == {"a": 1}
        assert os.access(os.path.join(folder, "run.sh"), os.X_OK)
        with open(os.path.join(folder, "output.log"), "w") as f:
            f.write("from a job\n")
        assert e.output() == "from a job\n"
        import sqlite3

        with sqlite3.connect(storage.sqlite_file) as db:
            sid = db.execute("SELECT storage_id FROM experiments WHERE experiment_id = ?",
                             (e.experiment_id,)).fetchone()[0]
        assert sid == e.storage_id
