"""Bundled data files, the user's cache directory, and bundled YAML data parsed once per machine.

Parsing the 90 KB labels table with PyYAML costs about 100 ms, more than the rest of a one-file check;
its marshal copy loads in under a millisecond.  A copy is keyed by the sha256 of the text it was parsed
from, so an edited file is parsed again.  EGOV_RULES_CACHE=0 turns every cache off; any problem with a
cache file is only a missed shortcut.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

PACKAGE_DIR = Path(__file__).resolve().parent


def package_text(name: str) -> str:
    """A file the package ships (``data/labels.yaml``), read beside this module: the wheel installs plain
    files.  (``importlib.resources`` would find them too, but importing it costs a one-file check about
    15 ms: it brings tempfile, random, shutil and zipfile.)"""
    return (PACKAGE_DIR / name).read_text("utf-8")


def cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/egov-rules`` (default ``~/.cache/egov-rules``), or None when caching is off."""
    if os.environ.get("EGOV_RULES_CACHE", "1") == "0":
        return None
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "egov-rules"


def code_key(names: tuple[str, ...], *extra: str) -> hashlib._Hash:
    """A cache key over package files (size and mtime, no read: this runs at every start) and the Python
    version (marshal and pickle formats follow it); the caller may add more."""
    key = hashlib.sha256(f"py{sys.version_info[0]}{sys.version_info[1]}".encode())
    for name in names:
        st = (PACKAGE_DIR / name).stat()
        key.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    for text in extra:
        key.update(text.encode("utf-8", "surrogateescape"))
    return key


def write_cache_file(path: Path, data: bytes) -> None:
    """Write atomically (a unique temporary file, then rename): concurrent runs never see half a file."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)


def load_yaml_cached(text: str, name: str) -> Any:
    """``yaml.safe_load(text)``, from the cache when the same text was parsed before (plain data only)."""
    root = cache_dir()
    path = None
    if root is not None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
        path = root / f"{name}-{digest}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
        with contextlib.suppress(Exception):  # missing, stale or broken: parse again
            return marshal.loads(path.read_bytes())
    import yaml  # only when the cache misses

    data = yaml.safe_load(text)
    if path is not None:
        with contextlib.suppress(ValueError):  # a value marshal cannot keep (a date): no cache, same data
            write_cache_file(path, marshal.dumps(data))
    return data


class ColdFields:
    """A cached object whose cold fields (``_cold``: read for few rules, or by few commands) are pickled
    together as one blob and unpickled on first access.  A check reads a rule's message templates only
    when the rule fires and its examples never; unpickling them for every rule was half of loading the
    rulebook cache.  Only pickling changes: attribute access, equality and copies see the fields."""

    _cold: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        if "_cold_blob" in self.__dict__:  # still packed: unpack, so that the fields are packed afresh
            getattr(self, self._cold[0])
        state = dict(self.__dict__)
        cold = {name: state.pop(name) for name in self._cold if name in state}
        if cold:
            import pickle

            state["_cold_blob"] = pickle.dumps(cold, protocol=pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # what pickle does without it, but found by ordinary lookup: pickle asks for __setstate__ on every
        # object it builds, and a miss would run __getattr__ below
        self.__dict__.update(state)

    if not TYPE_CHECKING:  # for mypy the fields are ordinary attributes (a __getattr__ would hide typos)

        def __getattr__(self, name: str) -> Any:  # only when the attribute is not set: a cold field
            if name not in self._cold or "_cold_blob" not in self.__dict__:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            with _UNPACKING:  # once, even when threads share the rulebook: one set of objects for all
                if "_cold_blob" in self.__dict__:
                    import pickle

                    self.__dict__.update(pickle.loads(self.__dict__["_cold_blob"]))
                    del self.__dict__["_cold_blob"]
            return self.__dict__[name]


_UNPACKING = threading.Lock()
