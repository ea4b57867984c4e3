"""Every must-flag / must-not-flag example of every built-in rule file."""

from __future__ import annotations

import pytest

from sävy.detect import RuleEngine
from sävy.examples import example_cases, fired_ids
from sävy.ruleset import load_rules

RULESET = load_rules()
CASES = list(example_cases(RULESET.rules))
FINDING_RULES = [r for r in RULESET.rules if r.kind == "finding"]


@pytest.fixture(scope="module")
def engine(nlp):
    return RuleEngine(nlp.vocab, RULESET)


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_example(case, nlp, engine):
    fired = case.rule.id in fired_ids(nlp, engine, case.text)
    assert fired == case.expect, f"{case.rule.id} {'missed' if case.expect else 'wrongly flagged'}: {case.text}"


@pytest.mark.parametrize("rule", FINDING_RULES, ids=[r.id for r in FINDING_RULES])
def test_every_finding_rule_has_enough_examples(rule):
    assert len(rule.flag_examples) >= 25, f"{rule.id}: {len(rule.flag_examples)} must-flag examples"
    assert len(rule.pass_examples) >= 10, f"{rule.id}: {len(rule.pass_examples)} must-not-flag examples"
    assert rule.message and rule.suggestion


def test_all_taxonomy_rules_present():
    ids = {r.id for r in FINDING_RULES}
    assert ids >= {
        "responsibility-deflection", "rigid-policy", "dismissive-unknowing", "self-service-pushback",
        "customer-blaming", "minimizing", "unprofessional-register", "defensive-justification",
        "flat-refusal", "vague-commitment", "premature-closure",
    }
