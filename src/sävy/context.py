"""Where a match stands in its reply: sentences, scopes and reported speech."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from spacy.tokens import Doc

#: Lemmas of verbs that introduce the customer's own (reported) words.
REPORTING_LEMMAS = frozenset({
    "kertoa", "sanoa", "mainita", "kirjoittaa", "todeta", "valittaa", "ihmetellä",
    "kysyä", "epäillä", "huomauttaa", "arvella", "väittää", "kommentoida", "toivoa",
    "pyytää", "viitata", "harmitella", "tiedustella",
})
_CLAUSE_BREAKS = frozenset({"mutta", "kuitenkin", "–", "—", ";", "silti"})
_QUOTES = re.compile(r"\"[^\"\n]{1,400}\"|“[^”\n]{1,400}”|”[^”\n]{1,400}”|«[^»\n]{1,400}»|„[^“”\n]{1,400}[“”]")


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the sentences of ``doc``."""
    return [(s.start, s.end) for s in doc.sents] if len(doc) else []


def sentence_index(sents: list[tuple[int, int]], n: int) -> list[int]:
    """Token index -> index of its sentence in ``sents`` (token ranges covering ``n`` tokens)."""
    out = [0] * n
    for k, (a, b) in enumerate(sents):
        out[a:b] = [k] * (b - a)
    return out


#: Words and marks that end a clause, for the ``clause`` scope.
CLAUSE_BOUNDARIES = frozenset({
    ",", ";", ":", "–", "—", "-", "(", ")", ".", "!", "?", "mutta", "vaan", "ja", "sekä", "tai", "koska",
    "että", "kun", "jos", "vaikka", "sillä", "joten", "eli", "mikäli", "kunnes", "jotta", "mut", "ku", "et",
})


def clause_range(lower: Sequence[str], alpha: Sequence[bool], sentence: tuple[int, int],
                 start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): out to the nearest comma, conjunction or sentence edge.

    ``lower`` and ``alpha`` are the tokens' lower-cased forms and ``is_alpha``
    flags, ``sentence`` the token range of the sentence holding ``start``.
    """
    first, last = sentence
    a = start
    while a > first and lower[a - 1] not in CLAUSE_BOUNDARIES:
        a -= 1
    if a > first and alpha[a - 1]:
        a -= 1  # the conjunction that opens the clause belongs to it ("jos", "kun", "mutta")
    b = end
    while b < last and lower[b] not in CLAUSE_BOUNDARIES:
        b += 1
    return a, b


def scope_range(scope: str, start: int, end: int, sents: list[tuple[int, int]], n: int,
                sent_of: Sequence[int] | None = None, lower: Sequence[str] | None = None,
                alpha: Sequence[bool] | None = None) -> tuple[int, int]:
    """The token range [a, b) that ``scope`` covers around the non-empty match [start, end).

    ``sent_of`` maps a token to its sentence's index in ``sents``; the
    ``clause`` scope also needs the tokens' ``lower`` forms and ``alpha`` flags.
    """
    if scope == "reply":
        return 0, n
    if scope == "after":
        return end, n
    if scope == "before":
        return 0, start
    if scope == "match":
        return start, end
    if not sents:
        return 0, n
    if sent_of is None:
        sent_of = sentence_index(sents, n)
    first = sent_of[start]
    if scope == "clause":
        if lower is None or alpha is None:
            raise ValueError("the clause scope needs the tokens' lower forms and is_alpha flags")
        return clause_range(lower, alpha, sents[first], start, end)
    last = max(sent_of[end - 1], first)
    if scope == "following":
        last = min(last + 1, len(sents) - 1)
    elif scope == "preceding":
        first = max(first - 1, 0)
    return sents[first][0], sents[last][1]


#: Words that open the reported part after a reporting verb.
_REPORT_COMPLEMENTS = frozenset({"että", "ettei", "ettette", "etten", "ettemme", "et", ":", "kuinka", "miten",
                                 "mitä", "miksi", "onko", "oliko", "jos", "\"", "”", "“", "»", "'"})


def _is_reporting(token) -> bool:
    if token.lemma_ not in REPORTING_LEMMAS:
        return False
    morph = token.morph
    if "Imp" in morph.get("Mood") or token.lower_.endswith(("kaa", "kää")):
        return False  # "Kysykää …" asks the customer to do something; it reports nothing
    if "Cnd" in morph.get("Mood") or token.lower_.endswith(("ko", "kö")):
        return False  # "Kertoisitteko …", "Kerroitteko …": a request or a question
    person = morph.get("Person")
    if person and person[0] == "2":
        return True
    # "asiakas kertoi", "viestissänne mainitsitte": a reported third party
    return any(t.lemma_ == "asiakas" for t in token.sent) if person and person[0] == "3" else False


def reported_char_ranges(doc: Doc, text: str | None = None, lemmas: Sequence[str] | None = None) -> list[tuple[int, int]]:
    """Character ranges holding quoted or reported words (not the agent's own).

    Quotations in any common quote marks, and the clause after a reporting verb
    in the 2nd person ("Kerroitte, että ette olleet lukeneet ehtoja").
    ``lemmas`` (the tokens' lemmas, when the caller has read them) spares
    reading every token.
    """
    ranges = [(m.start(), m.end()) for m in _QUOTES.finditer(doc.text if text is None else text)]
    if lemmas is None:
        lemmas = [t.lemma_ for t in doc]
    for i, lemma in enumerate(lemmas):
        if lemma not in REPORTING_LEMMAS:
            continue
        token = doc[i]
        if _is_reporting(token):
            # reported words need a complement ("Kerroitte, että …", "Kirjoititte: …");
            # "Kirjoitit osoitteen väärin" is the agent's own claim about the customer
            window = doc[token.i + 1 : min(token.i + 6, token.sent.end)]
            if not any(t.lower_ in _REPORT_COMPLEMENTS for t in window):
                continue
            end = token.sent.end_char
            for later in doc[token.i + 1 : token.sent.end]:
                if later.lower_ in _CLAUSE_BREAKS:
                    end = later.idx
                    break
            ranges.append((token.idx, end))
    return ranges


def in_ranges(position: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(a <= position < b for a, b in ranges)
