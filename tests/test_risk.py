"""Risk: findings add up without exceeding 1; each rule counts once at its worst."""

from __future__ import annotations

import pytest

from sävy.critique import Finding
from sävy.risk import SEVERITY_WEIGHT, risk_of


def finding(rule: str, severity: str) -> Finding:
    return Finding(rule, severity, 0, 1, "x", "m", "s")


def test_no_findings_no_risk():
    assert risk_of([]) == 0.0


@pytest.mark.parametrize("severity", ["low", "medium", "high"])
def test_one_finding_is_its_weight(severity):
    assert risk_of([finding("a", severity)]) == pytest.approx(SEVERITY_WEIGHT[severity])


def test_independent_rules_accumulate_below_one():
    many = [finding(f"r{i}", "high") for i in range(20)]
    assert 0.99 < risk_of(many) <= 1.0
    assert risk_of([finding("a", "high"), finding("b", "medium")]) > risk_of([finding("a", "high")])


def test_repeats_of_one_rule_count_once_at_worst_severity():
    assert risk_of([finding("a", "low"), finding("a", "high"), finding("a", "high")]) == pytest.approx(0.45)
