"""Fixtures of labstore's own Python tests.

machinable 4.1 is needed only by test_machinable_*.py: it is looked up on the
path, else in MACHINABLE_SRC (default: ../shared/machinable beside the repo),
and those tests are skipped with a message when it is in neither place.
"""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MACHINABLE_SRC = os.environ.get("MACHINABLE_SRC", os.path.join(REPO, "..", "shared", "machinable"))


def machinable_paths():
    """The sys.path entries that make machinable importable ([] when it already is)."""
    try:
        import machinable  # noqa: F401

        return []
    except ImportError:
        pass
    src, shims = os.path.join(MACHINABLE_SRC, "src"), os.path.join(MACHINABLE_SRC, "shims")
    if os.path.isdir(os.path.join(src, "machinable")):
        return [src, shims]
    return None


@pytest.fixture()
def store(tmp_path):
    import labstore

    with labstore.open(str(tmp_path / "s.labstore")) as s:
        yield s


@pytest.fixture()
def machinable_env(tmp_path, monkeypatch):
    """machinable importable, HOME in tmp_path, cwd in tmp_path; yields the extra sys.path entries."""
    paths = machinable_paths()
    if paths is None:
        pytest.skip(f"machinable 4.1 is not importable and not found at {MACHINABLE_SRC}")
    for p in reversed(paths):
        if p not in sys.path:
            sys.path.insert(0, p)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    import jsonlines
    import machinable

    import labstore

    def parent(mod):
        return os.path.dirname(os.path.dirname(os.path.abspath(mod.__file__)))

    extra = [parent(labstore), parent(machinable), os.path.dirname(os.path.abspath(jsonlines.__file__))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(extra + [os.environ.get("PYTHONPATH", "")]))
    yield paths
    from labstore import _handles

    _handles.close_all()
