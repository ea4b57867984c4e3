"""Rule packs and detectors from other installed packages (entry points).

A package adds rule files with an entry point in the group ``savy.rules``
whose object is a folder path, a list of paths, a callable returning them,
or a module/package (its ``*.yaml`` files beside ``__init__.py`` are used)::

    [project.entry-points."savy.rules"]
    tilaus = "savy_tilaus"                # the package's own *.yaml files

A Python detector is an entry point in ``savy.detectors`` whose object is a
:class:`Detector` (or a class/factory returning one)::

    [project.entry-points."savy.detectors"]
    huutaminen = "savy_tilaus.detectors:Shouting"

A detector has ``id``, ``severity``, ``message``, ``suggestion`` and is
called with the analysed ``spacy.tokens.Doc``; it returns ``(start, end)``
character spans (or dicts with ``start``, ``end`` and optionally
``message``, ``suggestion``, ``explanation``). sävy makes the findings, so
offsets, disabling and severity overrides work as for rule files.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Protocol, Sequence, runtime_checkable

from .errors import SavyError

RULES_GROUP = "savy.rules"
DETECTORS_GROUP = "savy.detectors"
SEVERITIES = ("low", "medium", "high")


class PluginError(SavyError):
    """An installed plugin is broken; the message names the entry point."""


@runtime_checkable
class Detector(Protocol):
    """What a Python detector provides (see the module docstring)."""

    id: str
    severity: str
    message: str
    suggestion: str

    def __call__(self, doc: Any) -> Iterable[Any]: ...


@dataclass(frozen=True)
class LoadedDetector:
    """A checked detector and where it came from."""

    id: str
    severity: str
    message: str
    suggestion: str
    detect: Any
    source: str
    enabled: bool = True


def _entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
    return sorted(importlib.metadata.entry_points(group=group), key=lambda ep: ep.name)


def _paths_of(obj: Any, ep: importlib.metadata.EntryPoint) -> list[Path]:
    if isinstance(obj, ModuleType):
        if not getattr(obj, "__file__", None):
            raise PluginError(f"rule pack {ep.name!r} ({ep.value}): module has no folder")
        return sorted(Path(obj.__file__).parent.glob("*.y*ml"))
    if callable(obj):
        obj = obj()
    if isinstance(obj, (str, Path)):
        obj = [obj]
    if not isinstance(obj, (list, tuple)):
        raise PluginError(f"rule pack {ep.name!r} ({ep.value}) must give a path, a list of paths or a module")
    return [Path(p) for p in obj]


def plugin_rule_paths() -> list[Path]:
    """Rule files and folders of every installed ``savy.rules`` entry point, by entry point name."""
    paths: list[Path] = []
    for ep in _entry_points(RULES_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must say which one it is
            raise PluginError(f"cannot load rule pack {ep.name!r} ({ep.value}): {exc}") from exc
        paths.extend(_paths_of(obj, ep))
    return paths


def check_detector(obj: Any, source: str) -> LoadedDetector:
    """Validate a detector object (instantiating a class first)."""
    if inspect.isclass(obj):
        obj = obj()
    missing = [a for a in ("id", "severity", "message", "suggestion") if not isinstance(getattr(obj, a, None), str)]
    if missing or not callable(obj):
        raise PluginError(f"detector {source} needs string attributes id, severity, message, suggestion "
                          f"and must be callable with a Doc (missing: {', '.join(missing) or '__call__'})")
    if obj.severity not in SEVERITIES:
        raise PluginError(f"detector {source}: severity must be one of {SEVERITIES}, not {obj.severity!r}")
    return LoadedDetector(obj.id, obj.severity, obj.message, obj.suggestion, obj, source)


def plugin_detectors() -> list[LoadedDetector]:
    """Every installed ``savy.detectors`` entry point, checked."""
    out = []
    for ep in _entry_points(DETECTORS_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:
            raise PluginError(f"cannot load detector {ep.name!r} ({ep.value}): {exc}") from exc
        out.append(check_detector(obj, f"{ep.name!r} ({ep.value})"))
    return out


def run_detector(det: LoadedDetector, doc: Any, offset: int = 0) -> list[Any]:
    """The findings of one detector on one Doc (character offsets shifted by ``offset``)."""
    from .critique import Finding

    text = doc.text
    findings = []
    for hit in det.detect(doc) or ():
        extra: dict[str, Any] = {}
        if isinstance(hit, dict):
            start, end, extra = hit.get("start"), hit.get("end"), hit
        elif isinstance(hit, Sequence) and len(hit) == 2:
            start, end = hit
        else:
            start, end = getattr(hit, "start_char", None), getattr(hit, "end_char", None)  # a spaCy Span
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise PluginError(f"detector {det.source} returned a bad span {hit!r} for a text of {len(text)} chars")
        findings.append(Finding(
            rule=det.id, severity=det.severity, start=start + offset, end=end + offset, text=text[start:end],
            message=str(extra.get("message", det.message)), suggestion=str(extra.get("suggestion", det.suggestion)),
            source="detector", explanation=str(extra.get("explanation", f"detector {det.source}")),
        ))
    return findings
