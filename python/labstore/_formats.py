"""machinable's file formats, by extension, as bytes (no machinable import).

``.json``  ``json.dumps(value, ensure_ascii=False)`` (datetimes as ``str``)
``.jsonl`` the value as one JSON line with sorted keys (as machinable's ``save_file``)
``.npy``   ``numpy.save`` of the array; loaded with ``numpy.load``
``.p``     ``pickle.dumps``
other      ``str(value)`` as UTF-8 text; loaded as ``str``
"""

import datetime
import io
import json
import os
import pickle
from typing import Any


def _serialize(obj: Any) -> Any:
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return str(obj)
    if hasattr(obj, "isoformat") and hasattr(obj, "timestamp"):  # arrow.Arrow
        return str(obj)
    raise TypeError(f"Unserializable object {obj} of type {type(obj)}")


def extension(path: str) -> str:
    """The extension machinable uses to pick a format (os.path.splitext)."""
    return os.path.splitext(os.path.basename(path))[1]


def encode(path: str, value: Any) -> bytes:
    """The bytes machinable's ``save_file(path, value)`` writes."""
    ext = extension(path)
    if ext == ".json":
        return json.dumps(value, ensure_ascii=False, default=_serialize).encode("utf-8")
    if ext == ".jsonl":
        return (json.dumps(value, sort_keys=True, default=_serialize) + "\n").encode("utf-8")
    if ext == ".npy":
        import numpy as np

        buf = io.BytesIO()
        np.save(buf, value)
        return buf.getvalue()
    if ext == ".p":
        return pickle.dumps(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8", "surrogatepass")


def decode(path: str, raw: bytes) -> Any:
    """The value machinable's ``load_file(path)`` returns for these bytes."""
    ext = extension(path)
    if ext == ".p":
        return pickle.loads(raw)
    if ext == ".json":
        return json.loads(raw.decode("utf-8"))
    if ext == ".jsonl":
        return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    if ext == ".npy":
        import numpy as np

        return np.load(io.BytesIO(raw), allow_pickle=True)
    return raw.decode("utf-8", "surrogateescape")
