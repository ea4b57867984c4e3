"""The fast token matcher gives exactly what spaCy's Matcher (greedy LONGEST) gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

from sävy.detect import RuleEngine, _token_anchors, anchor_of
from sävy.ruleset import load_rules
from sävy.tokenmatch import TokenView, Unsupported, compile_pattern, longest, match_around, match_from

REPO = Path(__file__).resolve().parents[1]

SENTENCES = [
    "En tiedä, mutta selvitän asian ja palaan huomenna klo 12.",
    "Tämä ei valitettavasti kuulu meidän vastuullemme!!",
    "Mä en tiiä yhtään, kato ite netistä www.esimerkki.fi",
    "Olisitte lukeneet ehdot ennen tilaamista, EI MEIDÄN VIKA.",
    "Pahoittelen viivettä. Palaan asiaan 3.12. mennessä.",
    "ei ei ei olla olla ja ja ja ei tiedä",
]


def _fast(tokens, doc):
    found = anchor_of(tokens)
    required = [a for t in tokens for a in _token_anchors(t) if a]
    pattern = compile_pattern("k", tokens, *(found if found else (None, None)), required)
    view = TokenView(doc)
    n = len(doc)
    if pattern.anchor is None:
        pairs = match_from(pattern, view, range(n), n)
    else:
        where = sorted({p for w in pattern.anchor for p in view.words().get(w, ())})
        pairs = match_around(pattern, view, where, 0, n) if pattern.has_words(view.words()) else []
    return sorted(longest(pairs))


def _spacy(nlp, tokens, doc):
    matcher = Matcher(nlp.vocab, validate=True)
    matcher.add("k", [tokens], greedy="LONGEST")
    return sorted((s, e) for _, s, e in matcher(doc))


@pytest.fixture(scope="module")
def docs(nlp):
    return list(nlp.pipe(SENTENCES))


@pytest.mark.parametrize("tokens", [
    [{"LEMMA": "ei"}, {"LEMMA": "tietää"}],
    [{"LEMMA": "ei"}, {"OP": "{0,2}", "IS_PUNCT": False}, {"LEMMA": {"IN": ["tietää", "kuulua"]}}],
    [{"LEMMA": "ei", "MORPH": {"IS_SUPERSET": ["Person=1"]}}, {"OP": "*"}, {"LEMMA": "tietää"}],
    [{"OP": "?", "POS": "ADV"}, {"LEMMA": "kuulua"}, {"OP": "+", "IS_PUNCT": False}],
    [{"LOWER": {"REGEX": "^(www\\.|https?://)"}}],
    [{"TEXT": {"REGEX": "^[!?]+$"}}, {"TEXT": {"REGEX": "^[!?]+$"}, "OP": "+"}],
    [{"IS_UPPER": True, "LENGTH": {">=": 2}}, {"IS_UPPER": True, "OP": "+"}],
    [{"LEMMA": {"NOT_IN": ["ei"]}, "IS_ALPHA": True}, {"LEMMA": "olla"}],
    [{"LEMMA": "ei"}, {"LEMMA": "ei"}, {"OP": "?", "LEMMA": "ei"}],
    [{"OP": "*", "LEMMA": "ja"}, {"LEMMA": "ei"}, {"OP": "{1,3}"}],
    [{"LEMMA": "ei"}, {"OP": "{2}"}, {"IS_PUNCT": True}],
    [{"TEXT": {"REGEX": "^\\d{1,2}\\.\\d{1,2}\\.$"}}, {"LOWER": "mennessä", "OP": "?"}],
    [{"IS_SENT_START": True}, {"LIKE_NUM": False, "OP": "?"}],
    [{"MORPH": {"IS_SUPERSET": ["Mood=Cnd", "Person=2"]}}, {"LEMMA": "lukea"}],
])
def test_same_matches_as_spacy(nlp, docs, tokens):
    for doc in docs:
        assert _fast(tokens, doc) == _spacy(nlp, tokens, doc), doc.text


SPEC = st.fixed_dictionaries({}, optional={
    "LEMMA": st.sampled_from(["ei", "olla", "tietää", "ja", "asia", "kuulua", "me", "palata"]),
    "IS_PUNCT": st.booleans(),
    "POS": st.sampled_from(["VERB", "AUX", "PRON", "ADV", "NOUN", "PUNCT"]),
    "LOWER": st.fixed_dictionaries({"IN": st.lists(st.sampled_from(["ei", "en", "mä", "tiiä", ",", "."]), min_size=1, max_size=3)}),
    "MORPH": st.fixed_dictionaries({"IS_SUPERSET": st.lists(st.sampled_from(["Person=1", "Number=Sing", "Polarity=Neg"]), max_size=2)}),
    "OP": st.sampled_from(["?", "*", "+", "{0,2}", "{1,3}", "{1}", "{,2}"]),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(SPEC, min_size=1, max_size=4))
def test_random_patterns_match_like_spacy(nlp, docs, tokens):
    """Property: any pattern over these attributes and operators matches as spaCy's Matcher does."""
    if all(t.get("OP") in ("?", "*") for t in tokens):
        tokens = [*tokens, {"IS_PUNCT": False}]  # spaCy refuses patterns that can match nothing
    for doc in docs:
        assert _fast(tokens, doc) == _spacy(nlp, tokens, doc), (tokens, doc.text)


def test_unsupported_construct_is_reported():
    with pytest.raises(Unsupported):
        compile_pattern("k", [{"LEMMA": "ei", "OP": "!"}], None, None)
    with pytest.raises(Unsupported):
        compile_pattern("k", [{"LEMMA": {"FUZZY": "tietää"}}], None, None)


def test_engine_falls_back_to_spacy_for_unsupported_patterns(nlp):
    from sävy.ruleset import RuleSet, parse_rule_file

    rules = parse_rule_file("""
family: t
rules:
  - id: t-neg
    name: t
    severity: low
    message: M
    suggestion: S
    patterns: [[{LEMMA: ei}, {LEMMA: olla, OP: "!"}, {LEMMA: tietää}]]
""", "t.yaml")
    engine = RuleEngine(nlp.vocab, RuleSet(tuple(rules)))
    assert not engine._fast and len(engine.anchored) == 1
    doc = nlp("En minä tiedä. En tiedä.")
    expected = _spacy(nlp, [{"LEMMA": "ei"}, {"LEMMA": "olla", "OP": "!"}, {"LEMMA": "tietää"}], doc)
    assert expected
    assert [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e in expected] == \
        [(f.start, f.end) for f in engine.run(doc)[0]]


def _corpus() -> list[str]:
    texts = []
    for rule in load_rules().rules:
        texts += [*rule.flag_examples, *rule.pass_examples]
    for path in sorted((REPO / "data" / "eval").glob("*.tsv")):
        texts += [line.split("\t", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]
    for path in sorted((REPO / "data" / "eval").glob("*.jsonl")):
        texts += [json.loads(line)["reply"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(texts))


def _outcome(result):
    findings, strengths, hits = result
    return ([(f.rule, f.start, f.end, f.severity, f.explanation) for f in findings],
            [(s.id, s.start, s.end) for s in strengths],
            {k: [(h.start, h.end, h.patterns) for h in v] for k, v in hits.items() if v})


@pytest.mark.slow
def test_both_backends_agree_on_every_example_and_eval_reply(nlp):
    rules = load_rules()
    fast, reference = RuleEngine(nlp.vocab, rules), RuleEngine(nlp.vocab, rules, backend="spacy")
    assert fast._fast and not reference._fast
    texts = _corpus()
    assert len(texts) > 1500
    differ = [doc.text for doc in nlp.pipe(texts, batch_size=256) if _outcome(fast.run(doc)) != _outcome(reference.run(doc))]
    assert differ == []


def test_unknown_backend_is_refused(nlp):
    with pytest.raises(ValueError, match="backend"):
        RuleEngine(nlp.vocab, load_rules(), backend="regex")
