"""A lazily created, per-process Voikko handle and a cached ``analyze``.

The ctypes handle cannot be pickled and must not cross ``fork``: it is created
on first use in each process (keyed by PID) and never stored on objects that
spaCy pickles for ``n_process > 1``.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any, Mapping

from .errors import VoikkoUnavailableError

INSTALL_HINT = (
    "sävy needs the Voikko library and its Finnish dictionary. On Debian/Ubuntu run "
    "`sudo apt-get install libvoikko1 voikko-fi` (or `make setup` as root); "
    "on other systems install libvoikko and the voikko-fi (VFST) dictionary, "
    "then `pip install libvoikko`."
)

_lock = threading.Lock()
_handle: Any = None
_handle_pid: int | None = None

Analysis = Mapping[str, str]


def _open() -> Any:
    try:
        import libvoikko  # the PyPI ctypes binding
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise VoikkoUnavailableError(f"The Python package 'libvoikko' is missing. {INSTALL_HINT}") from exc
    try:
        return libvoikko.Voikko("fi")
    except OSError as exc:
        raise VoikkoUnavailableError(f"libvoikko could not be loaded ({exc}). {INSTALL_HINT}") from exc
    except Exception as exc:  # libvoikko.VoikkoException: no dictionary
        raise VoikkoUnavailableError(
            f"The Finnish Voikko dictionary could not be opened ({exc}). {INSTALL_HINT}"
        ) from exc


def handle() -> Any:
    """This process's Voikko handle, created on first use."""
    global _handle, _handle_pid
    pid = os.getpid()
    if _handle is None or _handle_pid != pid:
        with _lock:
            if _handle is None or _handle_pid != pid:
                _handle = _open()
                _handle_pid = pid
    return _handle


def check_available() -> None:
    """Raise :class:`VoikkoUnavailableError` unless Voikko works here."""
    handle()


@lru_cache(maxsize=262_144)
def analyze(word: str) -> tuple[Analysis, ...]:
    """Voikko's analyses of one word, in Voikko's (unranked) order. Cached."""
    if not word or len(word) > 100:
        return ()
    return tuple(handle().analyze(word))
