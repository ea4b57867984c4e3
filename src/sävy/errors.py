"""Errors sävy raises. Each message says what to do about it."""

from __future__ import annotations


class SavyError(Exception):
    """Base class of every error sävy raises on purpose."""


class VoikkoUnavailableError(SavyError):
    """libvoikko or its Finnish dictionary cannot be loaded."""


class PipelineUnavailableError(SavyError):
    """The Finnish spaCy pipeline package is not installed."""


class RuleFileError(SavyError):
    """A rule file is malformed: the message names the file and the rule."""

    def __init__(self, path: object, message: str, rule: str | None = None) -> None:
        where = f"{path}" + (f", rule {rule!r}" if rule else "")
        super().__init__(f"{where}: {message}")
        self.path = path
        self.rule = rule


class ModelIntegrityError(SavyError):
    """A model file does not match its manifest, or is not trusted."""
