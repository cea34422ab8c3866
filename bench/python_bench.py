"""Rows per second from Python, in one run: labstore's native API next to
machinable 4.1's own record().save() (on its filesystem storage and on
labstore.machinable) and a plain Python JSON-lines writer.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [--rows N] [--machinable-rows M]

The row: step (int), loss, lr, acc (floats), tag (8-byte str) -- save_columns
and to_numpy use the four numeric columns. machinable is imported from the
path or from MACHINABLE_SRC (default ../shared/machinable beside the repo);
its rows are skipped when it is in neither place.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

import labstore

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench_save_dict(store, n):
    e = store.create("bench", {"case": "save_dict"})
    w = e.record_writer()
    rows = [{"step": i, "loss": 0.5, "lr": 0.1, "acc": 0.9, "tag": "abcdefgh"} for i in range(1000)]

    def run():
        save = w.save
        for i in range(n // 1000):
            for row in rows:
                save(row)
        w.flush()

    dt = timed(run)
    w.close()
    return dt


def bench_save_columns(store, n):
    e = store.create("bench", {"case": "save_columns"})
    cols = {"step": np.arange(n), "loss": np.random.rand(n), "lr": np.full(n, 0.1), "acc": np.random.rand(n)}
    w = e.record_writer()

    def run():
        w.save_columns(cols)
        w.flush()

    dt = timed(run)
    w.close()
    return dt, e


def bench_to_numpy(e):
    out = {}
    dt = timed(lambda: out.update(e.records().to_numpy()))
    assert len(out["step"]) > 0
    return dt


def bench_jsonl(path, n):
    def run():
        with open(path, "w") as f:
            for i in range(n):
                f.write(json.dumps({"step": i, "loss": 0.5, "lr": 0.1, "acc": 0.9, "tag": "abcdefgh",
                                    "__timestamp": "2023-02-24T10:00:09.012344-05:00"}, sort_keys=True) + "\n")

    return timed(run)


def machinable_available():
    try:
        import machinable  # noqa: F401

        return True
    except ImportError:
        src = os.environ.get("MACHINABLE_SRC", os.path.join(REPO, "..", "shared", "machinable"))
        if not os.path.isdir(os.path.join(src, "src", "machinable")):
            return False
        sys.path[:0] = [os.path.join(src, "src"), os.path.join(src, "shims")]
        return True


def bench_machinable(module, directory, n):
    from machinable import Experiment, Storage

    with Storage.make(module, {"directory": directory}) as storage:
        e = Experiment()
        storage.commit(e)
        record = e.record()

        def run():
            for i in range(n):
                record["step"] = i
                record["loss"] = 0.5
                record["lr"] = 0.1
                record["acc"] = 0.9
                record["tag"] = "abcdefgh"
                record.save()
            assert len(e.records()) == n  # read back (labstore: after a flush)

        return timed(run)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000, help="rows for save(dict)")
    ap.add_argument("--column-rows", type=int, default=20_000_000, help="rows for save_columns / to_numpy")
    ap.add_argument("--machinable-rows", type=int, default=20_000)
    ap.add_argument("--jsonl-rows", type=int, default=500_000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="python_bench.")
    results = []
    try:
        with labstore.open(os.path.join(tmp, "s.labstore")) as store:
            results.append(("labstore w.save(dict)", args.rows, bench_save_dict(store, args.rows)))
            dt, e = bench_save_columns(store, args.column_rows)
            results.append(("labstore w.save_columns(numpy)", args.column_rows, dt))
            results.append(("labstore records().to_numpy()", args.column_rows, bench_to_numpy(e)))
        results.append(("plain Python JSON lines (open once)", args.jsonl_rows,
                        bench_jsonl(os.path.join(tmp, "plain.jsonl"), args.jsonl_rows)))
        if machinable_available():
            os.environ.setdefault("HOME", tmp)
            m = args.machinable_rows
            results.append(("machinable record().save(), filesystem", m,
                            bench_machinable("machinable.storage.filesystem", os.path.join(tmp, "fs"), m)))
            results.append(("machinable record().save(), labstore.machinable", m,
                            bench_machinable("labstore.machinable", os.path.join(tmp, "lm.labstore"), m)))
        else:
            print("machinable not found: its rows are skipped")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    fs = next((n / dt for name, n, dt in results if name.endswith("filesystem")), None)
    print(f"{'path':52} {'rows':>10} {'rows/s':>14} {'vs machinable fs':>18}")
    for name, n, dt in results:
        rate = n / dt
        ratio = f"{rate / fs:,.1f}x" if fs else "-"
        print(f"{name:52} {n:>10,} {rate:>14,.0f} {ratio:>18}")


if __name__ == "__main__":
    main()
