"""sävy: what in a Finnish customer-service reply risks escalating the customer.

    import sävy
    c = sävy.critique("Se ei kuulu minulle.")
    [f.rule for f in c.findings]   # ['responsibility-deflection']

Heavy parts (spaCy, Voikko, the classifiers) load on first use.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .critique import Critique, Finding, Strength
from .errors import ModelIntegrityError, RuleFileError, SavyError, VoikkoUnavailableError

if TYPE_CHECKING:
    from .analyzer import Analyzer

__all__ = [
    "Analyzer", "Critique", "Finding", "Strength", "critique", "default_analyzer",
    "SavyError", "RuleFileError", "ModelIntegrityError", "VoikkoUnavailableError", "__version__",
]

_default: "Analyzer | None" = None
_lock = threading.Lock()


def __getattr__(name: str) -> Any:
    if name == "Analyzer":
        from .analyzer import Analyzer

        return Analyzer
    raise AttributeError(f"module 'sävy' has no attribute {name!r}")


def default_analyzer() -> "Analyzer":
    """The shared default :class:`Analyzer`, created on first use."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                from .analyzer import Analyzer

                _default = Analyzer()
    return _default


def critique(reply: str, customer: str | None = None) -> Critique:
    """Critique one reply with the shared default analyzer."""
    return default_analyzer().critique(reply, customer)
