"""Text features for the signal classifiers, computed from the sävy NLP layer.

A parsed text becomes one string of feature tokens: lemmas (so every
inflection of ``pahoitella`` is one feature), lemma bigrams come from the
vectorizer, plus morphology and rule tokens: ``_neg_`` for negation, ``_p1_``
for first-person verbs, ``_p2_`` for second-person forms, ``_imp_`` for
imperatives, ``_q_`` for a question, ``_excl_`` for an exclamation, ``_caps_``
for a shouted word, ``_<class>_`` for a word of the lexicon (``resources/lexicon.tsv``:
emotion, worry, urgency, fault, acknowledgement) and ``_s:<strength>_`` for every
strength rule that fired.
Character n-grams of the raw text are added by the vectorizer to survive typos.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Mapping

from spacy.tokens import Doc

from .tables import resource_rows
from .tokenmatch import TokenView


@lru_cache(maxsize=1)
def lexicon() -> Mapping[str, str]:
    """Lemma -> class (emo, worry, urgent, fault, ack) from ``resources/lexicon.tsv``.

    An entry ending in ``*`` is a prefix (``turhautum*`` also covers the
    unknown possessive form *turhautumisenne*); see :func:`word_class`.
    """
    table = {}
    for lemma, cls, *_ in resource_rows("lexicon.tsv"):
        table[lemma] = cls
    return table


@lru_cache(maxsize=1)
def _prefixes() -> tuple[tuple[str, ...], Mapping[str, str]]:
    entries = {k[:-1]: v for k, v in lexicon().items() if k.endswith("*")}
    return tuple(sorted(entries, key=len, reverse=True)), entries


@lru_cache(maxsize=65536)
def word_class(lemma: str, form: str) -> str | None:
    """The lexicon class of a word, by its lemma, its form, or the longest prefix entry of either."""
    classes = lexicon()
    cls = classes.get(lemma) or classes.get(form)
    if cls:
        return cls
    prefixes, entries = _prefixes()
    for word in (lemma, form):
        if word.startswith(prefixes):
            return entries[next(p for p in prefixes if word.startswith(p))]
    return None


@lru_cache(maxsize=4096)
def _morph_tokens(morph: frozenset[str]) -> tuple[str, ...]:
    """The feature tokens of one morphology (its ``Feat=Value`` items, as the token view holds them)."""
    feats = dict(f.split("=", 1) for f in morph if "=" in f)
    out = []
    if "Neg" in feats.get("Polarity", "").split(","):
        out.append("_neg_")
    person = feats.get("Person", "")
    if person[:1] == "1":
        out.append("_p1_")
    elif person[:1] == "2":
        out.append("_p2_")
    if "Imp" in feats.get("Mood", "").split(","):
        out.append("_imp_")
    if feats.get("Person[psor]") == "2":
        out.append("_psor2_")
    return tuple(out)


def feature_text(doc: Doc, strengths: Iterable[str] = (), *, view: TokenView | None = None) -> str:
    """The feature-token string of one parsed text.

    ``view`` is the doc's :class:`~sävy.tokenmatch.TokenView` when the caller
    has one (the rule engine reads the same attributes): the tokens are then
    read once for both.
    """
    cols = (view if view is not None else TokenView(doc)).cols
    out: list[str] = []
    append = out.append
    for text, lower, lemma, morph, punct, space in zip(cols["TEXT"], cols["LOWER"], cols["LEMMA"], cols["MORPH"],
                                                      cols["IS_PUNCT"], cols["IS_SPACE"]):
        if space:
            continue
        if punct:
            if text in ("?", "?!"):
                append("_q_")
            elif "!" in text:
                append("_excl_")
            continue
        lemma = lemma.lower()
        append(lemma)
        cls = word_class(lemma, lower)
        if cls:
            append(f"_{cls}_")
        if morph:
            out.extend(_morph_tokens(morph))
        if len(text) > 2 and text.isupper():
            append("_caps_")
    out.extend(f"_s:{s}_" for s in dict.fromkeys(strengths))
    return " ".join(out)
