"""The NLP layer: disambiguated Voikko lemmas, spoken forms, UD accuracy."""

from __future__ import annotations

from pathlib import Path

import pytest

from sävy.lemmatizer import analyse_token, lemmatize

UD_TEST = Path(__file__).resolve().parents[2] / "shared" / "data" / "ud_finnish_tdt" / "fi_tdt-ud-test.conllu"

#: Lemma accuracy reached on the UD_Finnish-TDT test split (see README);
#: the stock spacy-fi lemmatizer reaches 0.9413 there.
LEMMA_FLOOR = 0.94


@pytest.mark.parametrize(
    "sentence, word, lemma",
    [
        ("Tämä ei kuulu meidän vastuullemme.", "vastuullemme", "vastuu"),
        ("Tilanne on hankala.", "Tilanne", "tilanne"),
        ("Tämä on varmaan oikein.", "varmaan", "varmaan"),
        ("Katsokaa nettisivuilta.", "nettisivuilta", "nettisivu"),
        ("Mä en tiiä.", "Mä", "minä"),
        ("Mä en tiiä.", "tiiä", "tietää"),
        ("Mä en voi tolle mitään.", "tolle", "tuo"),
        ("Ei se mun homma oo.", "oo", "olla"),
        ("Ei se mun homma oo.", "mun", "minä"),
        ("Ette ole lukeneet ehtoja.", "lukeneet", "lukea"),
        # participles of verbs whose analysis carries an inflection-class tag ([Lt][Ira][Xp]voida…)
        ("En voinut hyväksyä palautusta.", "voinut", "voida"),
        ("Emme olisi voineet asialle mitään.", "voineet", "voida"),
        ("En pystynyt auttamaan.", "pystynyt", "pystyä"),
        ("Asia on nyt hoidettu.", "hoidettu", "hoitaa"),
        ("Ne ovat tulleet perille.", "Ne", "se"),
        ("Ikävä kuulla, että näin kävi.", "kuulla", "kuulla"),
        ("Hoidan asian kanssanne.", "kanssanne", "kanssa"),
    ],
)
def test_lemma_in_context(nlp, sentence, word, lemma):
    doc = nlp(sentence)
    (token,) = [t for t in doc if t.text == word]
    assert token.lemma_ == lemma


def test_punctuation_and_unknown_words_do_not_break(nlp):
    doc = nlp("(tilanne)... xqzv!! ?!")
    assert all(t.lemma_ for t in doc)
    assert lemmatize("xqzvw", "NOUN", "") == "xqzvw"


def test_cache_makes_repeat_lookups_free():
    analyse_token.cache_clear()
    lemmatize("vastuullemme", "NOUN", "Case=All|Number=Sing")
    lemmatize("vastuullemme", "NOUN", "Case=All|Number=Sing")
    assert analyse_token.cache_info().hits >= 1


def test_dictionary_corrects_unambiguous_case_and_possessive(nlp):
    # the statistical morphologizer tags this form Case=Ess/Nom; Voikko knows it is allative, 1st plural possessor
    token = [t for t in nlp("Tämä ei kuulu meidän vastuullemme.") if t.text == "vastuullemme"][0]
    assert token.morph.get("Case") == ["All"]
    assert token.morph.get("Person[psor]") == ["1"] and token.morph.get("Number[psor]") == ["Plur"]


@pytest.mark.skipif(not UD_TEST.exists(), reason="shared UD data is not beside the repo")
def test_lemma_accuracy_on_ud_test_split(nlp):
    from sävy.morph_eval import evaluate

    scores = evaluate(nlp, UD_TEST).as_dict()
    assert scores["tokens"] > 20000
    assert scores["lemma_accuracy"] >= LEMMA_FLOOR
    assert scores["Polarity_accuracy"] >= 0.97
    assert scores["Person[psor]_accuracy"] >= 0.90  # stock pipeline: 0.836
    assert scores["Case_accuracy"] >= 0.955


@pytest.mark.parametrize(
    "sentence, word, lemma",
    [
        ("En tieda.", "tieda", "tietää"),
        ("Mutta tama ei kuulu meille.", "tama", "tämä"),
        ("Paatos tehdaan huomenna.", "tehdaan", "tehdä"),
        ("Paatos tehdaan huomenna.", "Paatos", "paatos"),  # a real word (pathos) is left alone
    ],
)
def test_words_typed_without_umlauts(nlp, sentence, word, lemma):
    token = next(t for t in nlp(sentence) if t.text == word)
    assert token.lemma_ == lemma
