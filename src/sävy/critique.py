"""The results sävy returns: frozen dataclasses with a JSON shape (TAXONOMY.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ._version import RULES_VERSION, __version__

SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class Finding:
    """One problem in a reply; ``reply[start:end] == text``.

    ``source`` is ``"rule"`` for phrasing rules and ``"model"`` for the
    classifiers; ``explanation`` says what fired (pattern name, or the words
    that weighed most in a model decision).
    """

    rule: str
    severity: str
    start: int
    end: int
    text: str
    message: str
    suggestion: str
    source: str = "rule"
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            "suggestion": self.suggestion,
            "source": self.source,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Strength:
    """Something the reply does well (TAXONOMY.md strengths), with its span."""

    id: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"strength": self.id, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Critique:
    """The critique of one reply."""

    reply: str
    findings: tuple[Finding, ...]
    signals: Mapping[str, float]
    strengths: tuple[Strength, ...]
    risk: float
    id: str | None = None
    customer: str | None = None
    version: Mapping[str, str] = field(
        default_factory=lambda: {"savy": __version__, "rules": RULES_VERSION, "model": "none"}
    )

    @property
    def rules(self) -> list[str]:
        """The rule ids found, in order of appearance, without repeats."""
        return list(dict.fromkeys(f.rule for f in self.findings))

    @property
    def strength_ids(self) -> list[str]:
        return list(dict.fromkeys(s.id for s in self.strengths))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, reply: str, customer: str | None = None) -> "Critique":
        """The Critique back from its :meth:`to_dict` form (and the reply it is about)."""
        return cls(
            reply=reply,
            findings=tuple(Finding(**f) for f in data.get("findings", ())),
            signals=dict(data.get("signals", {})),
            strengths=tuple(Strength(id=s["strength"], start=s["start"], end=s["end"], text=s["text"])
                            for s in data.get("strengths", ())),
            risk=float(data.get("risk", 0.0)),
            id=data.get("id"),
            customer=customer,
            version=dict(data.get("version", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, as in TAXONOMY.md."""
        return {
            "id": self.id,
            "risk": round(self.risk, 4),
            "findings": [f.to_dict() for f in self.findings],
            "signals": {k: round(float(v), 4) for k, v in self.signals.items()},
            "strengths": [s.to_dict() for s in self.strengths],
            "version": dict(self.version),
        }
