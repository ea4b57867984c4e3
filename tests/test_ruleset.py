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
