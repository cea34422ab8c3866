"""Records from Python: save(dict), save_columns, to_numpy, to_pandas, rows."""

import math
import threading

import numpy as np
import pytest

import labstore


def test_save_dict_round_trips_every_type(store):
    e = store.create("m", {})
    with e.record_writer("train") as w:
        w.save({"i": 3, "f": 0.25, "b": True, "s": "µ", "n": None, "j": {"b": [1, 2.5]}, "l": [1, "x"]})
        w.save({"i": np.int32(4), "f": np.float32(0.5), "b": np.bool_(False), "t": (1, 2)})
    rows = e.records("train").rows()
    assert rows[0]["i"] == 3 and rows[0]["f"] == 0.25 and rows[0]["b"] is True and rows[0]["s"] == "µ"
    assert rows[0]["n"] is None and rows[0]["j"] == {"b": [1, 2.5]} and rows[0]["l"] == [1, "x"]
    assert rows[1] == {"__timestamp": rows[1]["__timestamp"], "b": False, "f": 0.5, "i": 4, "t": [1, 2]}
    assert list(rows[0]) == sorted(rows[0])  # keys sorted, as machinable's json.dumps(sort_keys=True)


def test_timestamp_key_sets_the_row_instant(store):
    e = store.create("m", {})
    with e.record_writer() as w:
        w.save({"a": 1, "__timestamp": "2023-02-24T10:00:09.012344-05:00"})
    assert e.records().rows()[0]["__timestamp"] == "2023-02-24T10:00:09.012344-05:00"


def test_a_bad_value_drops_the_whole_row(store):
    e = store.create("m", {})
    with e.record_writer() as w:
        with pytest.raises(labstore.InvalidArgumentError, match='column "big"'):
            w.save({"ok": 1, "big": 2**70})
        with pytest.raises(labstore.InvalidArgumentError, match="bytes"):
            w.save({"ok": 1, "raw": b"x"})
        with pytest.raises(labstore.InvalidArgumentError, match="column names are str"):
            w.save({1: 2})
        with pytest.raises(labstore.InvalidArgumentError, match="reserved|__timestamp|invalid"):
            w.save({"a/b": 1})
        w.save({"ok": 2})
    assert [r["ok"] for r in e.records().rows()] == [2]


def test_empty_row_needs_force(store):
    e = store.create("m", {})
    with e.record_writer() as w:
        w.save({})
        w.save({}, force=True)
    assert len(e.records()) == 1


def test_save_columns_and_to_numpy(store):
    e = store.create("m", {})
    n = 10000
    with e.record_writer() as w:
        w.save_columns({"step": np.arange(n), "loss": np.linspace(1, 0, n), "ok": np.ones(n, dtype=bool),
                        "u8": np.arange(n, dtype=np.uint8), "name": ["a"] * n})
        assert w.accepted_rows == n
    cols = e.records().to_numpy()
    assert cols["step"].dtype == np.int64 and (cols["step"] == np.arange(n)).all()
    assert cols["loss"].dtype == np.float64 and cols["loss"][-1] == 0.0
    assert cols["ok"].dtype == bool and cols["u8"][300] == 300 % 256
    assert cols["name"][5] == "a"
    assert cols["__timestamp"].dtype == np.dtype("datetime64[us]")
    assert len(e.records()) == n and len(e.records(start=-10)) == 10


def test_save_columns_stores_the_rows_of_save_per_row(store):
    n = 40000  # more than one chunk
    cols = {"step": np.arange(n) * 3 - 7, "loss": np.linspace(1, 0, n), "ok": np.arange(n) % 3 == 0}
    stamps = np.datetime64("2023-02-24T10:00:09", "us") + np.arange(n).astype("timedelta64[us]")
    by_columns, by_rows = store.create("m", {"way": "columns"}), store.create("m", {"way": "rows"})
    with by_columns.record_writer() as w:
        w.save_columns(dict(cols, __timestamp=stamps))
    with by_rows.record_writer() as w:
        for i in range(n):
            w.save({"step": int(cols["step"][i]), "loss": float(cols["loss"][i]), "ok": bool(cols["ok"][i])})

    def cells(rows):
        return [{k: v for k, v in r.items() if k != "__timestamp"} for r in rows]

    assert cells(by_columns.records().rows()) == cells(by_rows.records().rows())
    assert (by_columns.records().to_numpy()["__timestamp"] == stamps).all()


def test_save_columns_refuses_ragged_columns(store):
    e = store.create("m", {})
    with e.record_writer() as w:
        with pytest.raises(labstore.InvalidArgumentError, match="same length"):
            w.save_columns({"a": np.arange(3), "b": np.arange(4)})
        with pytest.raises(labstore.InvalidArgumentError, match="one-dimensional"):
            w.save_columns({"a": np.zeros((2, 2))})
    assert len(e.records()) == 0


def test_missing_cells_are_nan_masked_or_none(store):
    e = store.create("m", {})
    with e.record_writer() as w:
        w.save({"f": 1.5, "i": 1, "s": "x"})
        w.save({"other": 1})
    cols = e.records().to_numpy()
    assert math.isnan(cols["f"][1])
    assert isinstance(cols["i"], np.ma.MaskedArray) and cols["i"].mask.tolist() == [False, True]
    assert cols["s"].tolist() == ["x", None]
    df = e.records().to_pandas()
    assert str(df["i"].dtype) == "Int64" and df["i"].isna().tolist() == [False, True]


def test_rows_are_seen_only_after_flush(store):
    e = store.create("m", {})
    w = e.record_writer(flush_interval_ms=0)
    w.save({"a": 1})
    assert len(e.records()) == 0
    w.flush()
    assert len(e.records()) == 1 and w.stored_rows == 1
    w.close()


def test_second_writer_on_a_scope_is_busy(store):
    e = store.create("m", {})
    with e.record_writer("s"):
        with pytest.raises(labstore.BusyError):
            e.record_writer("s")


def test_text_forms(store):
    e = store.create("m", {})
    with e.record_writer() as w:
        w.save({"iteration": 0, "accuracy": 0.1, "__timestamp": "2023-02-24T10:00:09.012344-05:00"})
    assert e.records().to_jsonl() == (
        '{"__timestamp": "2023-02-24T10:00:09.012344-05:00", "accuracy": 0.1, "iteration": 0}\n')
    assert e.records().to_csv().splitlines()[0] == "__timestamp,accuracy,iteration"
    assert "accuracy" in e.records().as_table()


def test_flush_and_reads_release_the_gil(store):
    # A thread keeps counting while the main thread flushes and reads: it
    # could not if the GIL were held across the library calls. (Each is tried
    # a few times: on a loaded machine the counter may not be scheduled at once.)
    e = store.create("m", {})
    stop, ticks = threading.Event(), [0]

    def count():
        while not stop.is_set():
            ticks[0] += 1

    def progressed(fn):
        for _ in range(5):
            before = ticks[0]
            fn()
            if ticks[0] > before:
                return True
        return False

    def flush_big(w):
        w.save_columns({"a": np.arange(1_000_000)})  # buffered: flush_rows is larger
        w.flush()

    t = threading.Thread(target=count)
    t.start()
    try:
        with e.record_writer(flush_interval_ms=0, flush_rows=1 << 20) as w:
            flushed = progressed(lambda: flush_big(w))
        read = progressed(lambda: e.records().to_numpy())
    finally:
        stop.set()
        t.join()
    assert flushed and read
