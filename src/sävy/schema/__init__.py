"""The JSON Schema of a critique (``Critique.to_dict()``), and a validator.

    from sävy.schema import validate
    validate(analyzer.critique("En tiedä.").to_dict())   # raises ValueError if not

``load_schema()`` needs nothing beyond the standard library; ``validate()``
needs the ``jsonschema`` package.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

__all__ = ["SCHEMA_VERSION", "SCHEMA_ID", "SchemaValidationError", "load_schema", "validate"]

#: Bumped whenever the shape of ``Critique.to_dict()`` changes incompatibly.
SCHEMA_VERSION = "1"
SCHEMA_ID = f"https://savy.invalid/schema/critique/{SCHEMA_VERSION}.json"
_FILENAME = "critique.schema.json"


class SchemaValidationError(ValueError):
    """An object does not match the critique schema; ``path`` says where."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


@functools.lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    text = resources.files(__name__).joinpath(_FILENAME).read_text(encoding="utf-8")
    return json.loads(text)


def load_schema() -> dict[str, Any]:
    """The critique JSON Schema (draft 2020-12) as a dict (a fresh copy each call)."""
    return copy.deepcopy(_schema())


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    try:
        import jsonschema
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "sävy.schema.validate needs the 'jsonschema' package: pip install jsonschema", name=exc.name
        ) from exc
    schema = _schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate(obj: Any) -> None:
    """Check ``obj`` against the critique schema.

    Raises :class:`SchemaValidationError` (a ``ValueError``) naming the JSON
    path of the first (most relevant) error, e.g. ``$.findings[0].severity``.
    """
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(obj))
    if error is None:
        return
    path = error.json_path
    raise SchemaValidationError(f"{path}: {error.message}", path)
