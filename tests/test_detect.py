"""The rule engine: conditions, scopes, reported speech, downgrades, merging."""

from __future__ import annotations

import pytest

from sävy.detect import RuleEngine
from sävy.ruleset import RuleSet, load_rules, parse_rule_file

RULES = """
family: test
rules:
  - id: t-marker
    kind: marker
    patterns: [[{LOWER: koska}]]
  - id: t-refusal
    name: testikielto
    severity: medium
    message: M
    suggestion: S
    patterns:
      - name: ei-onnistu
        pattern: [{LEMMA: ei}, {LEMMA: onnistua}]
    unless:
      - any: [t-marker]
        scope: sentence
    downgrade:
      - patterns: [[{LOWER: kuitenkin}]]
        scope: reply
        severity: low
  - id: t-word
    name: sana
    severity: high
    message: M
    suggestion: S
    patterns: [[{LOWER: pikkuasia}]]
  - id: t-clause
    name: lause
    severity: low
    message: M
    suggestion: S
    patterns: [[{LOWER: hoidan}]]
    unless:
      - patterns: [[{LEMMA: ei, POS: AUX}]]
        scope: clause
  - id: t-needs-marker
    name: tarvitsee merkin
    severity: low
    message: M
    suggestion: S
    patterns: [[{LOWER: palaan}]]
    requires:
      - any: [t-marker]
        scope: sentence
"""


@pytest.fixture(scope="module")
def engine(nlp):
    rules = load_rules().rules + tuple(parse_rule_file(RULES, "test.yaml"))
    return RuleEngine(nlp.vocab, RuleSet(rules))


def findings(nlp, engine, text):
    """Findings of the test rules only (the built-in rules fire on these texts too)."""
    return [f for f in engine.run(nlp(text))[0] if f.rule.startswith("t-")]


def test_plain_match_and_span(nlp, engine):
    (f,) = findings(nlp, engine, "Ei onnistu.")
    assert (f.rule, f.severity, f.text) == ("t-refusal", "medium", "Ei onnistu")


def test_unless_in_same_sentence_only(nlp, engine):
    assert findings(nlp, engine, "Ei onnistu, koska varasto on tyhjä.") == []
    assert [f.rule for f in findings(nlp, engine, "Ei onnistu. Koska varasto on tyhjä, ei.")] == ["t-refusal"]


def test_downgrade_anywhere_in_reply(nlp, engine):
    (f,) = findings(nlp, engine, "Ei onnistu. Voimme kuitenkin lähettää uuden.")
    assert f.severity == "low"


@pytest.mark.parametrize("text", [
    'Kirjoititte "tämä on pikkuasia" viestissänne.',
    "Kerroitte, että tämä on pikkuasia, ja ymmärrän sen.",
    "Sanoitte, että pikkuasia ei haittaa.",
])
def test_quoted_or_reported_words_are_skipped(nlp, engine, text):
    assert [f.rule for f in findings(nlp, engine, text) if f.rule == "t-word"] == []


def test_agent_own_words_are_not_reported(nlp, engine):
    assert [f.rule for f in findings(nlp, engine, "Kuten sanoin, tämä on pikkuasia.") if f.rule == "t-word"] == ["t-word"]


def test_clause_scope_stops_at_comma(nlp, engine):
    assert [f.rule for f in findings(nlp, engine, "Vika ei ole meidän, mutta hoidan asian.") if f.rule == "t-clause"] == ["t-clause"]
    assert [f.rule for f in findings(nlp, engine, "En hoidan asian.") if f.rule == "t-clause"] == []


def test_overlapping_matches_merge_into_one_finding(nlp, engine):
    found = [f for f in findings(nlp, engine, "Ei onnistu ei onnistu.") if f.rule == "t-refusal"]
    assert len(found) == 2 and found[0].end <= found[1].start


def test_rule_requiring_only_markers_is_deferred_and_exact(nlp, engine):
    """A rule whose requires name only markers is matched only in docs where a marker fired."""
    assert "t-needs-marker" in engine._deferred_rules and "t-refusal" not in engine._deferred_rules
    assert [f.rule for f in findings(nlp, engine, "Palaan asiaan, koska lupasin.")] == ["t-needs-marker"]
    assert findings(nlp, engine, "Palaan asiaan huomenna.") == []  # no marker in the doc: not matched at all
    assert findings(nlp, engine, "Palaan asiaan. Koska lupasin.") == []  # marker in another sentence
    reference = RuleEngine(nlp.vocab, engine.ruleset, backend="spacy")  # no deferral there
    for text in ("Palaan asiaan, koska lupasin.", "Palaan asiaan huomenna.", "Palaan asiaan. Koska lupasin."):
        doc = nlp(text)
        assert engine.run(doc)[0] == reference.run(doc)[0], text
