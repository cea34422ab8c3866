"""pytest plugin: run machinable 4.1's own tests with every storage swapped for labstore.

    python3 -m pytest -p machinable_swap tests     # from machinable's source tree

Both routes by which machinable's tests get a storage are redirected: the
``tmp_storage`` fixture (``Storage.filesystem(dir)``, replaced here) and every
resolution of the module ``machinable.storage.filesystem`` (the default
storage, ``Storage.make(...)``, ``get(...)``), by wrapping Project.element.
At the end it prints how many storages of each class were built, so that a
run that silently used the filesystem storage shows.
"""

import collections

import pytest
from machinable.project import Project
from machinable.storage import Storage

SWAPPED = "labstore.machinable"
_built = collections.Counter()
_element = Project.element


def _swapped_element(self, module, version=None, base_class=None, **kwargs):
    if module == "machinable.storage.filesystem":
        module = SWAPPED
    element = _element(self, module, version, base_class, **kwargs)
    if isinstance(element, Storage):
        _built[type(element).__module__ + "." + type(element).__name__] += 1
    return element


def _filesystem(cls, directory, default_group=Storage.__init__.__defaults__[-1]):
    return cls.make(SWAPPED, version={"directory": directory}, default_group=default_group)


Project.element = _swapped_element
Storage.filesystem = classmethod(_filesystem)
Storage.default = [SWAPPED, {"directory": "./storage"}]


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"storages built: {dict(_built)}")
    if any(not name.startswith(SWAPPED) for name in _built):
        terminalreporter.write_line("WARNING: some storages were not swapped for " + SWAPPED)


@pytest.fixture(autouse=True)
def _release_handles():
    yield
    from labstore import _handles

    _handles.close_all()  # each test starts with no writer held (as a fresh process would)
