"""How findings add up to one risk figure in [0, 1]."""

from __future__ import annotations

from typing import Iterable

from .critique import Finding

#: Chance that one finding of each severity escalates the exchange on its own.
SEVERITY_WEIGHT = {"high": 0.45, "medium": 0.25, "low": 0.1}


def risk_of(findings: Iterable[Finding]) -> float:
    """``1 - Π(1 - w)`` over findings, counting each rule once at its worst severity.

    Independent evidence accumulates but never exceeds 1; a reply with no
    finding has risk 0.
    """
    worst: dict[str, float] = {}
    for f in findings:
        w = SEVERITY_WEIGHT.get(f.severity, 0.0)
        worst[f.rule] = max(worst.get(f.rule, 0.0), w)
    keep = 1.0
    for w in worst.values():
        keep *= 1.0 - w
    return round(1.0 - keep, 4)
