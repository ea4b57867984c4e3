"""The public API contract (issue 2): names, shapes, offsets, ordering."""

from __future__ import annotations

import json

import pytest

import sävy
from sävy import Critique, Finding

TAXONOMY_SIGNALS = {"apology", "empathy", "complaint"}


def test_critique_shape(analyzer):
    c = analyzer.critique("Tämä ei valitettavasti kuulu meidän vastuullemme.")
    assert isinstance(c, Critique)
    (f,) = [f for f in c.findings if f.rule == "responsibility-deflection"]
    assert isinstance(f, Finding)
    assert f.severity == "high" and f.source == "rule"
    assert c.reply[f.start:f.end] == f.text
    assert "kuulu" in f.text
    assert f.message and f.suggestion
    assert set(c.signals) >= TAXONOMY_SIGNALS
    assert all(0.0 <= v <= 1.0 for v in c.signals.values())
    assert 0.0 < c.risk <= 1.0


def test_to_dict_is_json_and_matches_taxonomy(analyzer):
    c = analyzer.critique("En tiedä.", customer="Missä tilaukseni on? Olen odottanut kaksi viikkoa!", id="t-1")
    d = json.loads(json.dumps(c.to_dict(), ensure_ascii=False))
    assert set(d) == {"id", "risk", "findings", "signals", "strengths", "version"}
    assert d["id"] == "t-1"
    assert set(d["version"]) >= {"savy", "rules", "model"}
    for f in d["findings"]:
        assert set(f) >= {"rule", "severity", "start", "end", "text", "message", "suggestion", "source"}
        assert c.reply[f["start"]:f["end"]] == f["text"]


def test_clean_reply_has_no_rule_findings_and_zero_risk(rules_analyzer):
    c = rules_analyzer.critique("Kiitos viestistä! Tarkistan tilauksenne tilan ja palaan teille tänään klo 15 mennessä.")
    assert c.findings == ()
    assert c.risk == 0.0
    assert "ownership" in c.strength_ids


def test_critique_many_keeps_order_and_ids(analyzer):
    items = [{"id": f"r{i}", "reply": text} for i, text in enumerate(
        ["En tiedä.", "Hoidan asian heti.", "Ei onnistu.", "Kiitos, hyvää päivänjatkoa!"] * 3)]
    out = list(analyzer.critique_many(items, batch_size=5))
    assert [c.id for c in out] == [i["id"] for i in items]
    assert [c.reply for c in out] == [i["reply"] for i in items]
    single = [analyzer.critique(i["reply"]).to_dict()["findings"] for i in items]
    assert [c.to_dict()["findings"] for c in out] == single


def test_critique_many_accepts_strings_and_customer(analyzer):
    out = list(analyzer.critique_many(["En tiedä.", {"reply": "Lähetä kuva.", "customer": "Paketti tuli rikki!"}]))
    assert len(out) == 2 and out[1].customer == "Paketti tuli rikki!"


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["list"], {"reply": "x"}])
def test_non_string_reply_is_type_error(analyzer, bad):
    with pytest.raises(TypeError):
        analyzer.critique(bad)


def test_non_string_customer_is_type_error(analyzer):
    with pytest.raises(TypeError):
        analyzer.critique("Hei", customer=5)


def test_module_level_critique_uses_shared_analyzer():
    c = sävy.critique("Se ei kuulu minulle.")
    assert "responsibility-deflection" in c.rules
    assert sävy.default_analyzer() is sävy.default_analyzer()


def test_disable_and_severity_override(nlp):
    a = sävy.Analyzer(nlp=nlp, models=None, severities={"responsibility-deflection": "low"})
    (f,) = a.critique("Se ei kuulu minulle.").findings
    assert f.severity == "low"
    b = sävy.Analyzer(nlp=nlp, models=None, disable=["responsibility-deflection"])
    assert b.critique("Se ei kuulu minulle.").findings == ()
    with pytest.raises(ValueError, match="unknown rule"):
        sävy.Analyzer(nlp=nlp, models=None, disable=["no-such-rule"])


def test_long_reply_is_chunked_with_exact_offsets(rules_analyzer):
    filler = "Tilauksenne on käsittelyssä ja se lähtee varastolta huomenna. " * 2500
    reply = filler + "Se ei kuulu minulle."
    assert len(reply) > 150_000
    c = rules_analyzer.critique(reply)
    (f,) = [f for f in c.findings if f.rule == "responsibility-deflection"]
    assert reply[f.start:f.end] == f.text and f.start > 150_000


def test_analyzer_exposes_spacy_language(analyzer):
    import spacy

    assert isinstance(analyzer.nlp, spacy.language.Language)
    assert "savy_lemmatizer" in analyzer.nlp.pipe_names
    assert "parser" not in analyzer.nlp.pipe_names and "ner" not in analyzer.nlp.pipe_names


@pytest.mark.slow
def test_critique_many_two_processes_matches_one(analyzer):
    items = [{"id": str(i), "reply": t, "customer": "Lasku on väärin ja olen tosi vihainen!" if i % 2 else None}
             for i, t in enumerate(["En tiedä.", "Pahoittelen, hoidan asian.", "Ei onnistu.", "Katso netistä."] * 10)]
    one = [c.to_dict() for c in analyzer.critique_many(items, batch_size=4)]
    two = [c.to_dict() for c in analyzer.critique_many(items, batch_size=4, n_process=2)]
    assert one == two
