"""labstore's native Python API: experiments, files, status, export, errors."""

import os
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

import labstore


def test_get_returns_a_new_experiment_until_committed(store):
    e = store.get("estimate_gravity", {"time_dilation": 2.0})
    assert not e.stored and e.id == ""
    e.commit()
    assert e.stored and len(e.id) == 6
    again = store.get("estimate_gravity", {"time_dilation": 2})  # 2 == 2.0 as JSON values
    assert again.stored and again.id == e.id
    assert store.find(e.id).config == {"time_dilation": 2.0}


def test_create_list_and_derived(store):
    a = store.create("m", {"x": 1}, group="lab/%Y", project="p", seed=7, timestamp=1700000000)
    b = store.create("m", {"x": 2}, ancestor=a.id)
    assert a.seed == 7 and a.timestamp == 1700000000 and a.project == "p"
    assert [e.id for e in store.list(module="m", newest_first=False)] == [a.id, b.id]
    assert [e.id for e in a.derived()] == [b.id]
    assert b.ancestor == a.id


def test_errors_are_a_hierarchy_with_the_library_message(store):
    with pytest.raises(labstore.NotFoundError, match='no experiment with id "zzzzzz"'):
        store.find("zzzzzz")
    with pytest.raises(labstore.InvalidArgumentError, match="invalid module name"):
        store.get("estimate gravity", {})
    with pytest.raises(LookupError):
        store.find("zzzzzz")
    with pytest.raises(ValueError):
        store.create("m", "[1]")  # config must be a JSON object
    assert issubclass(labstore.BusyError, labstore.Error)
    assert issubclass(labstore.StorageIOError, OSError)


def test_open_missing_store_read_only_is_not_found(tmp_path):
    with pytest.raises(labstore.NotFoundError):
        labstore.open(str(tmp_path / "nothing"), read_only=True)


def test_open_a_folder_that_is_no_store_is_invalid(tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(labstore.InvalidArgumentError, match="not a labstore store"):
        labstore.open(str(tmp_path))


def test_second_writer_process_gets_a_shard(tmp_path):
    path = str(tmp_path / "s.labstore")
    with labstore.open(path):
        code = ("import labstore, sys\ns = labstore.open(sys.argv[1])\nprint('opened')\ns.close()\n")
        out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, check=True)
        assert out.stdout.startswith("opened")
        assert os.path.exists(os.path.join(path, "shards", "1", "SHARD"))


def test_calls_after_close_raise(tmp_path):
    s = labstore.open(str(tmp_path / "s.labstore"))
    e = s.create("m", {})
    w = e.record_writer()
    s.close()
    assert s.closed
    with pytest.raises(labstore.InvalidArgumentError, match="is closed"):
        s.find(e.id)
    with pytest.raises(labstore.InvalidArgumentError):
        w.save({"a": 1})
    s.close()  # idempotent


def test_read_only_store_sees_writes_after_refresh(tmp_path):
    path = str(tmp_path / "s.labstore")
    with labstore.open(path) as w:
        e = w.create("m", {})
        r = labstore.open(path, read_only=True)
        e.mark_started()
        r.refresh()
        assert r.find(e.id).is_started()
        with pytest.raises(labstore.InvalidArgumentError):
            r.create("m", {})
        r.close()


@pytest.mark.parametrize("path,value", [
    ("result.json", {"g": 9.81, "name": "µ"}),
    ("rows.jsonl", [1, 2]),
    ("obj.p", {"a": (1, 2)}),
    ("notes.txt", "hello\nworld"),
])
def test_save_data_round_trips_in_machinables_formats(store, path, value):
    e = store.create("m", {})
    e.save_data(path, value)
    back = e.load_data(path)
    assert back == ([value] if path.endswith(".jsonl") else value)  # machinable writes .jsonl as one line
    assert e.files("data/") == ["data/" + path]


def test_save_data_npy_is_numpy(store):
    e = store.create("m", {})
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    e.save_data("x.npy", a)
    back = e.load_data("x.npy")
    assert back.dtype == np.float32 and back.shape == (3, 4) and (back == a).all()
    assert e.load_data("missing.npy", default="none") == "none"


def test_save_data_before_commit_is_written_by_commit(store):
    e = store.get("m", {"k": 1})
    e.save_data("a.json", {"v": 1})
    e.commit()
    assert e.load_data("a.json") == {"v": 1}


def test_save_file_refuses_dotdot(store):
    e = store.create("m", {})
    with pytest.raises(labstore.InvalidArgumentError):
        e.save_file("../escape.txt", "x")


def test_status_markers(store):
    e = store.create("m", {})
    assert not e.is_started() and not e.is_finished()
    e.mark_started("2023-02-24T10:00:04.567900-05:00")
    e.mark_started()
    e.update_heartbeat()
    assert e.is_active()
    e.mark_finished("2023-02-24T11:00:00-05:00")
    st = e.status()
    assert st["started"][0] == "2023-02-24T10:00:04.567900-05:00" and len(st["started"]) == 2
    assert st["finished"] == "2023-02-24T11:00:00-05:00" and e.is_finished() and not e.is_active()
    with pytest.raises(labstore.InvalidArgumentError):
        e.mark_started("yesterday")


def test_output_and_executions(store):
    e = store.create("m", {})
    e.append_output("line 1\n")
    e.append_output("line 2\n")
    assert e.output() == "line 1\nline 2\n"
    x = store.create_execution([e], host_info={"hostname": "lab1"}, resources={e.id: {"cpu": 2}})
    assert x["members"] == [e.id] and store.find_execution(x["number"])["nickname"] == x["nickname"]
    assert [y["number"] for y in e.executions()] == [x["number"]]


def test_export_and_export_sqlite(store, tmp_path):
    e = store.create("m", {"a": 1})
    with e.record_writer() as w:
        w.save_columns({"step": np.arange(10), "loss": np.linspace(1, 0, 10)})
    e.save_data("r.json", {"x": 1})
    stats = store.export(str(tmp_path / "out"))
    assert stats["record_rows"] == 10
    folder = tmp_path / "out" / e.id
    assert (folder / "data" / "r.json").read_text() == '{"x": 1}'
    assert len((folder / "records" / "default.jsonl").read_text().splitlines()) == 10
    store.export_sqlite(str(tmp_path / "view.sqlite"))
    with sqlite3.connect(str(tmp_path / "view.sqlite")) as db:
        assert db.execute("SELECT COUNT(*) FROM records WHERE scope = 'default'").fetchone()[0] == 10
    with pytest.raises(labstore.InvalidArgumentError):
        store.export_sqlite(str(tmp_path / "view.sqlite"))  # exists, not force
