"""Project configuration: ``savy.toml``, or ``[tool.savy]`` in ``pyproject.toml``.

    # savy.toml (all keys optional)
    rules = ["rules/local.yaml", "rules/more/"]     # extra rule files/folders, relative to this file
    disable = ["unprofessional-register"]           # rule ids switched off
    plugins = true                                  # use installed rule packs and detectors
    models = true                                   # the bundled classifiers

    [severities]
    vague-commitment = "high"

The nearest ``savy.toml`` (or ``pyproject.toml`` with a ``[tool.savy]``
table) from the current folder upwards is used by the ``savy`` command
unless ``--no-config``; in Python, ``Analyzer(**load_config().analyzer_kwargs())``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import SavyError

KEYS = {"rules", "disable", "severities", "plugins", "models"}


class ConfigError(SavyError):
    """The project config is malformed; the message names the file and key."""


@dataclass(frozen=True)
class ProjectConfig:
    """The settings of a project config file (defaults when there is none)."""

    path: Path | None = None
    rules: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    severities: Mapping[str, str] = field(default_factory=dict)
    plugins: bool = True
    models: bool = True

    def analyzer_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :class:`sävy.Analyzer`."""
        return {"rule_files": self.rules, "disable": self.disable, "severities": dict(self.severities),
                "plugins": self.plugins, "models": "default" if self.models else None}


def find_config(start: str | Path | None = None) -> Path | None:
    """The nearest ``savy.toml`` or ``pyproject.toml`` with ``[tool.savy]``, from ``start`` upwards."""
    folder = Path(start or Path.cwd()).resolve()
    for directory in (folder, *folder.parents):
        candidate = directory / "savy.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "savy" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                    return pyproject
            except tomllib.TOMLDecodeError:
                continue
    return None


def _strings(value: Any, path: Path, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return tuple(value)


def load_config(path: str | Path | None = None) -> ProjectConfig:
    """Read a config file (or the nearest one; defaults when none is found)."""
    path = Path(path) if path else find_config()
    if path is None:
        return ProjectConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config: {exc}") from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("savy", {})
    unknown = set(data) - KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}; known: {sorted(KEYS)}")
    severities = data.get("severities", {})
    if not isinstance(severities, dict) or not all(isinstance(v, str) for v in severities.values()):
        raise ConfigError(f"{path}: 'severities' must be a table of rule = \"low\"|\"medium\"|\"high\"")
    for key in ("plugins", "models"):
        if not isinstance(data.get(key, True), bool):
            raise ConfigError(f"{path}: '{key}' must be true or false")
    rules = tuple(str((path.parent / r).resolve()) for r in _strings(data.get("rules", []), path, "rules"))
    return ProjectConfig(path=path, rules=rules, disable=_strings(data.get("disable", []), path, "disable"),
                         severities=dict(severities), plugins=data.get("plugins", True),
                         models=data.get("models", True))
