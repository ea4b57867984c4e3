"""The `savy` spaCy component, tested the way spaCy tests its own components."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import pytest
import spacy
from spacy.tokens import Doc

import sävy.spacy_component  # noqa: F401  (registers the factory in this process)

LOCAL_RULE = textwrap.dedent("""\
    family: local
    rules:
      - id: local-banana
        name: banaani
        severity: low
        message: Paikallinen testisääntö.
        suggestion: Älä puhu banaaneista.
        patterns:
          - name: banaani
            pattern: [{LEMMA: banaani}]
        examples:
          flag: ["Banaanit ovat loppu."]
          pass: ["Omenat ovat loppu."]
""")

TEXTS = ["Se ei ole minun vastuullani.", "Pahoittelen viivettä, hoidan asian tänään.", "En tiedä.",
         "Katsokaa nettisivuilta.", "Kiitos viestistä!", "Ei se mun homma oo."]


@pytest.fixture(scope="module")
def stock():
    nlp = spacy.load("spacy_fi_experimental_web_md")
    nlp.add_pipe("savy")
    return nlp


@pytest.fixture
def rule_file(tmp_path):
    path = tmp_path / "local.yaml"
    path.write_text(LOCAL_RULE, encoding="utf-8")
    return path


def labels(doc: Doc) -> list[str]:
    return [span.label_ for span in doc.spans["savy"]]


def test_factory_loads_through_the_entry_point_in_a_fresh_process():
    code = ("import spacy; nlp = spacy.load('spacy_fi_experimental_web_md'); nlp.add_pipe('savy'); "
            "print(nlp('Se ei ole minun vastuullani.').spans['savy'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[ei ole minun vastuullani]"


def test_spans_and_critique_on_the_stock_pipeline(stock, analyzer):
    for text in TEXTS:
        doc = stock(text)
        expected = analyzer.critique(text)
        assert labels(doc) == [f.rule for f in expected.findings], text
        assert doc._.savy.to_dict() == expected.to_dict()
        for span, finding in zip(doc.spans["savy"], expected.findings):
            assert (span.start_char, span.end_char) == (finding.start, finding.end)


def test_on_the_savy_pipeline_nothing_is_lemmatised_twice(nlp, analyzer):
    nlp2 = spacy.blank("fi")
    assert nlp2.pipe_names == []
    from sävy.nlp import load_pipeline

    pipeline = load_pipeline()
    pipeline.add_pipe("savy")
    assert not pipeline.get_pipe("savy")._relemmatize()
    doc = pipeline("Ei se mun homma oo.")
    assert labels(doc) == [f.rule for f in analyzer.critique("Ei se mun homma oo.").findings]


def test_customer_message_gives_model_findings(stock):
    doc = stock.make_doc("Tilaus lähtee huomenna.")
    doc._.savy_customer = "Paketti tuli rikki ja olen todella pettynyt!"
    doc = stock(doc)
    assert {"missing-apology", "missing-empathy"} <= set(labels(doc))
    assert labels(stock("Tilaus lähtee huomenna.")) == []


def test_config_disables_rules_and_sets_severities():
    nlp = spacy.load("spacy_fi_experimental_web_md", exclude=["parser", "ner"])  # no sentences: set by savy
    nlp.add_pipe("savy", config={"disable": ["dismissive-unknowing"], "models": False,
                                 "severities": {"responsibility-deflection": "low"}})
    assert labels(nlp("En tiedä.")) == []
    (finding,) = nlp("Se ei ole minun vastuullani.")._.savy.findings
    assert finding.severity == "low"


def test_a_blank_pipeline_gets_a_clear_error():
    from sävy.errors import PipelineUnavailableError

    nlp = spacy.blank("fi")
    nlp.add_pipe("savy", config={"models": False})
    with pytest.raises(PipelineUnavailableError, match="morphologizer"):
        nlp("En tiedä.")
    assert labels(nlp("")) == []


def test_unknown_rule_in_config_is_an_error():
    nlp = spacy.blank("fi")
    with pytest.raises(ValueError, match="unknown rule"):
        nlp.add_pipe("savy", config={"disable": ["no-such-rule"]})


def test_to_disk_from_disk_round_trip_keeps_local_rules(stock, rule_file, tmp_path):
    nlp = spacy.load("spacy_fi_experimental_web_md", exclude=["ner"])
    nlp.add_pipe("savy", config={"rules": [str(rule_file)], "models": False})
    assert "local-banana" in labels(nlp("Banaanit ovat loppu."))
    nlp.to_disk(tmp_path / "pipeline")
    rule_file.unlink()  # the saved pipeline must not depend on the original file
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    assert labels(loaded("Banaanit ovat loppu.")) == ["local-banana"]
    assert labels(loaded("En tiedä.")) == ["dismissive-unknowing"]


def test_to_bytes_from_bytes_round_trip(rule_file, nlp):
    component = nlp.add_pipe("savy", name="savy_bytes", config={"rules": [str(rule_file)], "models": False})
    data = component.to_bytes()
    nlp.remove_pipe("savy_bytes")
    nlp2 = spacy.load("spacy_fi_experimental_web_md", exclude=["ner"])
    nlp2.add_pipe("savy", config={"models": False}).from_bytes(data)
    assert labels(nlp2("Banaanit ovat loppu.")) == ["local-banana"]


def test_pickle_round_trip(rule_file):
    # spaCy cannot pickle this model's tok2vec listeners (nor the stock Voikko lemmatizer's ctypes
    # handle), so the component is pickled inside a blank pipeline; its config and rules survive.
    nlp = spacy.blank("fi")
    nlp.add_pipe("savy", config={"rules": [str(rule_file)], "disable": ["minimizing"], "models": False,
                                 "severities": {"flat-refusal": "low"}})
    clone = pickle.loads(pickle.dumps(nlp))
    original, copy = nlp.get_pipe("savy"), clone.get_pipe("savy")
    assert copy.cfg == original.cfg
    rules = {r.id: (r.enabled, r.severity) for r in copy._analyzer.ruleset.rules}
    assert rules["local-banana"] == (True, "low") and rules["minimizing"][0] is False
    assert rules["flat-refusal"] == (True, "low")


def test_doc_serialisation_keeps_the_result(stock):
    doc = stock("En tiedä.")
    copy = Doc(stock.vocab).from_bytes(doc.to_bytes())
    assert copy._.savy.to_dict() == doc._.savy.to_dict()
    assert [s.label_ for s in copy.spans["savy"]] == ["dismissive-unknowing"]


@pytest.mark.slow
def test_pipe_with_two_processes_matches_one(stock):
    texts = TEXTS * 8
    one = [(labels(d), d._.savy.to_dict()) for d in stock.pipe(texts)]
    two = [(labels(d), d._.savy.to_dict()) for d in stock.pipe(texts, n_process=2, batch_size=8)]
    assert one == two
