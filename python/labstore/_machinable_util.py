"""Helpers of labstore.machinable that hold no state: machinable's file
encoding in memory, storage id parsing, predicate comparison, real files.
(machinable.py keeps only the Storage class, as machinable's loader wants.)"""

import io
import json
import os
from typing import Any, Dict, List, Tuple, Union

from machinable.utils import load_file, save_file, serialize

def _jn(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=serialize)


def _json(value: Any, none: str) -> str:
    if value is None:
        return none
    return json.dumps(value, default=serialize)


class _Sink:
    """A file object that keeps what save_file writes."""

    def __init__(self, binary: bool):
        self.binary = binary
        self.parts: List[Union[str, bytes]] = []

    def write(self, data: Union[str, bytes]) -> int:
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> "_Sink":
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def value(self) -> bytes:
        if self.binary:
            return b"".join(self.parts)  # type: ignore[arg-type]
        return "".join(self.parts).encode("utf-8", "surrogatepass")  # type: ignore[arg-type]


def encode_file(filepath: str, data: Any) -> bytes:
    """The bytes machinable's save_file(filepath, data) writes."""
    sinks: List[_Sink] = []

    def opener(path: str, mode: str = "w", **kwargs: Any) -> _Sink:
        sinks.append(_Sink("b" in mode))
        return sinks[-1]

    save_file(filepath, data, makedirs=False, opener=opener)
    return b"".join(s.value() for s in sinks)


def decode_file(filepath: str, raw: bytes) -> Any:
    """What machinable's load_file(filepath) returns for these bytes (None on any error)."""

    def opener(path: str, mode: str = "r", **kwargs: Any) -> Any:
        if "b" in mode:
            return io.BytesIO(raw)
        return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")

    return load_file(filepath, default=None, opener=opener)


def _parse(storage_id: str) -> Tuple[str, str]:
    """(experiment id, path prefix inside it) of a storage id: ``<...>/<id>`` -> (id, ""),
    ``<...>/<id>/execution-<t>`` -> (id, "execution-<t>/"). Ids are parsed, not looked up,
    so that ids handed over by machinable's Multiple storage work as well."""
    parts = str(storage_id).rstrip("/").split("/")
    if parts[-1].startswith("execution-") and len(parts) > 1:
        return parts[-2], parts[-1] + "/"
    return parts[-1], ""


_MISSING = object()
# Content hash of each file materialized under local_root by this process.
_written: Dict[str, str] = {}


def _same(stored: Any, wanted: Any) -> bool:
    """json_extract(predicate, '$.key') = ? as the filesystem storage compares."""
    if stored is _MISSING or stored is None:
        return False
    if isinstance(wanted, (str, int, float)) and not isinstance(stored, (dict, list)):
        return stored == wanted
    return _jn(stored) == _jn(wanted)


def _write_real(path: str, raw: bytes) -> None:
    """Writes a file under local_root (atomically: a job may be reading it)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.labstore-tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(raw)
    if path.endswith(".sh"):
        os.chmod(tmp, 0o755)
    os.replace(tmp, path)


