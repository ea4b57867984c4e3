"""Rule files are validated at load time; every error names file and rule."""

from __future__ import annotations

import pytest

from sävy.detect import RuleEngine
from sävy.errors import RuleFileError
from sävy.ruleset import RuleSet, load_rules, parse_rule_file

GOOD = """
family: demo
rules:
  - id: demo-rule
    name: demo
    severity: low
    message: Viesti.
    suggestion: Ehdotus.
    patterns:
      - name: p
        pattern: [{LEMMA: demo}]
"""


def test_good_file_parses():
    (rule,) = parse_rule_file(GOOD, "demo.yaml")
    assert rule.id == "demo-rule" and rule.severity == "low" and rule.patterns[0].name == "p"


@pytest.mark.parametrize(
    "change, fragment",
    [
        (("severity: low", "severity: huge"), "severity"),
        (("name: demo\n", "name: demo\n    colour: red\n"), "unknown key"),
        (("    message: Viesti.\n", ""), "message"),
        (("family: demo\n", ""), "family"),
        (("pattern: [{LEMMA: demo}]", "pattern: []"), "non-empty"),
        (("pattern: [{LEMMA: demo}]", "pattern: [{LEMMA: demo"), "YAML"),
    ],
)
def test_bad_files_are_refused_with_file_and_rule(change, fragment):
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(RuleFileError) as err:
        parse_rule_file(text, "demo.yaml")
    assert "demo.yaml" in str(err.value)
    assert fragment.lower() in str(err.value).lower()


def test_duplicate_ids_are_refused():
    rules = parse_rule_file(GOOD, "a.yaml") + parse_rule_file(GOOD, "b.yaml")
    with pytest.raises(RuleFileError, match="duplicate"):
        RuleSet(tuple(rules))


def test_unknown_condition_id_is_refused():
    text = GOOD + "    unless:\n      - any: [no-such-strength]\n"
    (rule,) = parse_rule_file(text, "demo.yaml")
    with pytest.raises(RuleFileError, match="no-such-strength"):
        RuleSet((rule,))


def _other(rule_id: str, kind: str = "finding") -> str:
    return GOOD.replace("demo-rule", rule_id).replace("rules:\n", f"kind: {kind}\nrules:\n")


@pytest.mark.parametrize(
    "first, second, refused",
    [
        (_other("earlier-finding"), GOOD + "    unless:\n      - any: [earlier-finding]\n", False),
        (GOOD + "    unless:\n      - any: [later-finding]\n", _other("later-finding"), True),
        (_other("apology", "strength") + "    unless:\n      - any: [a-finding]\n", _other("a-finding"), True),
        (_other("a-marker", "marker"), GOOD + "    requires:\n      - any: [a-marker]\n", False),
        (GOOD + "    unless:\n      - any: [demo-rule]\n", _other("unrelated"), True),  # itself
    ],
)
def test_conditions_may_name_only_rules_resolved_before_their_own(first, second, refused):
    rules = parse_rule_file(first, "a.yaml") + parse_rule_file(second, "b.yaml")
    if refused:
        with pytest.raises(RuleFileError, match="resolved after this rule"):
            RuleSet(tuple(rules))
    else:
        RuleSet(tuple(rules))


def test_a_refusal_citing_the_rule_is_rigid_policy_only(rules_analyzer):
    """flat-refusal yields to rigid-policy in the same sentence (one problem, one finding)."""
    rules = lambda t: sorted({f.rule for f in rules_analyzer.critique(t).findings})  # noqa: E731
    assert rules("Emme tee poikkeuksia kenellekään.") == ["rigid-policy"]
    assert rules("Ei onnistu.") == ["flat-refusal"]
    assert rules("Emme voi hyvittää. Sääntö on sääntö.") == ["flat-refusal", "rigid-policy"]


def test_invalid_token_pattern_is_refused_by_spacy(nlp):
    text = GOOD.replace("pattern: [{LEMMA: demo}]", "pattern: [{LEMMA: demo, NOSUCHATTR: 1}]")
    (rule,) = parse_rule_file(text, "demo.yaml")
    with pytest.raises(RuleFileError, match="demo-rule"):
        RuleEngine(nlp.vocab, RuleSet((rule,)))


def test_builtin_rules_load_and_compile(nlp):
    ruleset = load_rules()
    engine = RuleEngine(nlp.vocab, ruleset)
    assert len(engine.rules) == len(ruleset.rules) > 20


def test_extra_rule_file_is_loaded(tmp_path):
    path = tmp_path / "local.yaml"
    path.write_text(GOOD, encoding="utf-8")
    ids = {r.id for r in load_rules([path]).rules}
    assert "demo-rule" in ids and "responsibility-deflection" in ids


def test_builtin_file_named_again_is_read_once():
    from sävy.ruleset import builtin_rule_files

    again = builtin_rule_files()[0]
    assert len(load_rules([again]).rules) == len(load_rules().rules)
