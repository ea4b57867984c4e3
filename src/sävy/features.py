"""Text features for the signal classifiers, computed from the sävy NLP layer.

A parsed text becomes one string of feature tokens: lemmas (so every
inflection of ``pahoitella`` is one feature), lemma bigrams come from the
vectorizer, plus morphology and rule tokens: ``_neg_`` for negation, ``_p1_``
for first-person verbs, ``_p2_`` for second-person forms, ``_imp_`` for
imperatives, ``_q_`` for a question, ``_excl_`` for an exclamation, ``_caps_``
for a shouted word and ``_s:<strength>_`` for every strength rule that fired.
Character n-grams of the raw text are added by the vectorizer to survive typos.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Mapping

from spacy.tokens import Doc

from .tables import resource_rows


@lru_cache(maxsize=1)
def lexicon() -> Mapping[str, str]:
    """Lemma -> class (emo, worry, urgent, fault) from ``resources/lexicon.tsv``."""
    table = {}
    for lemma, cls, *_ in resource_rows("lexicon.tsv"):
        table[lemma] = cls
    return table


def feature_text(doc: Doc, strengths: Iterable[str] = ()) -> str:
    """The feature-token string of one parsed text."""
    out: list[str] = []
    classes = lexicon()
    for token in doc:
        if token.is_space:
            continue
        if token.is_punct:
            if token.text in ("?", "?!"):
                out.append("_q_")
            elif "!" in token.text:
                out.append("_excl_")
            continue
        lemma = token.lemma_.lower()
        out.append(lemma)
        cls = classes.get(lemma) or classes.get(token.lower_)
        if cls:
            out.append(f"_{cls}_")
        morph = token.morph
        if "Neg" in morph.get("Polarity"):
            out.append("_neg_")
        person = morph.get("Person")
        if person:
            if person[0] == "1":
                out.append("_p1_")
            elif person[0] == "2":
                out.append("_p2_")
        if "Imp" in morph.get("Mood"):
            out.append("_imp_")
        if morph.get("Person[psor]") == ["2"]:
            out.append("_psor2_")
        if len(token.text) > 2 and token.text.isupper():
            out.append("_caps_")
    out.extend(f"_s:{s}_" for s in dict.fromkeys(strengths))
    return " ".join(out)
