"""Voikko lemmas disambiguated by the spaCy POS tag and morphology.

Voikko returns every analysis of a word form in no ranked order
(``tilanne`` → tilata / tila / tilanne). We score each analysis against the
statistical tagger's POS and features (Case, Number, Person, Person[psor]) and
take the best, never the first. The decision is cached per process on
(form, POS, morphology), so a warm pipeline pays one dictionary lookup per token.

Spoken forms Voikko does not know (``mä``, ``tiiä``, ``tolle``) come from a
data table, ``resources/colloquial.tsv``; unknown compounds are lemmatised by
their longest analysable tail (``nettisivuilta`` → ``nettisivu``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from . import voikko
from .tables import resource_rows

# Voikko word classes compatible with each UD POS.
_CLASSES_BY_POS: Mapping[str, frozenset[str]] = {
    "ADJ": frozenset({"laatusana", "nimisana_laatusana"}),
    "ADP": frozenset({"nimisana", "seikkasana", "suhdesana"}),
    "ADV": frozenset({"seikkasana"}),
    "AUX": frozenset({"teonsana", "kieltosana"}),
    "CCONJ": frozenset({"sidesana"}),
    "SCONJ": frozenset({"sidesana"}),
    "INTJ": frozenset({"huudahdussana"}),
    "NOUN": frozenset({"nimisana", "nimisana_laatusana", "lyhenne"}),
    "NUM": frozenset({"lukusana"}),
    "PRON": frozenset({"asemosana", "nimisana", "nimisana_laatusana"}),
    "PROPN": frozenset({"nimi", "etunimi", "sukunimi", "paikannimi"}),
    "VERB": frozenset({"teonsana"}),
}
_PROPER_CLASSES = frozenset({"nimi", "etunimi", "sukunimi", "paikannimi"})

_CASES = {
    "nimento": "Nom", "omanto": "Gen", "kohdanto": "Acc", "olento": "Ess",
    "osanto": "Par", "tulento": "Tra", "sisaolento": "Ine", "sisaeronto": "Ela",
    "sisatulento": "Ill", "ulkoolento": "Ade", "ulkoeronto": "Abl",
    "ulkotulento": "All", "vajanto": "Abe", "seuranto": "Com", "keinonto": "Ins",
}
_MOODS = {
    "A-infinitive": "Inf1", "E-infinitive": "Inf2", "MA-infinitive": "Inf3",
    "indicative": "Ind", "conditional": "Cnd", "imperative": "Imp", "potential": "Pot",
}
_NUMBERS = {"singular": "Sing", "plural": "Plur"}
_PSOR = {"1s": "1", "2s": "2", "1p": "1", "2p": "2", "3": "3"}

# UD lemmatises plural personal and demonstrative pronouns as the singular.
_PRONOUN_SINGULAR = {"me": "minä", "te": "sinä", "he": "hän", "ne": "se", "nämä": "tämä", "nuo": "tuo"}
# POS whose UD lemma is the word form itself, less clitics and possessives.
_FORM_LEMMA_POS = frozenset({"ADV", "ADP", "SCONJ", "CCONJ", "INTJ"})

# the verb of a participle analysis: "[Lt][Xp]tehdä[X]…", also with inflection-class tags
# between ("[Lt][Ira][Xp]voida[X]…" for voinut, voineet, voitu)
_PARTICIPLE_VERB = re.compile(r"\[Lt\](?:\[I[^\]]*\])*\[Xp\]([^\[]+)\[X\]")
_WORD_CHARS = re.compile(r"^\W+|\W+$")
_MIN_TAIL = 3


def _load_colloquial() -> dict[str, str]:
    table: dict[str, str] = {}
    for form, lemma, *pos in resource_rows("colloquial.tsv"):
        key = form.lower() + (f"\t{pos[0]}" if pos and pos[0] else "")
        table[key] = lemma
    return table


@lru_cache(maxsize=1)
def colloquial_table() -> Mapping[str, str]:
    """Spoken-Finnish forms mapped to their standard lemma."""
    return _load_colloquial()


def _parse_morph(morph: str) -> dict[str, str]:
    feats: dict[str, str] = {}
    if morph:
        for part in morph.split("|"):
            key, _, value = part.partition("=")
            feats[key] = value
    return feats


def _compatible(pos: str, a: Mapping[str, str]) -> bool:
    cls = a.get("CLASS", "")
    if cls in _CLASSES_BY_POS.get(pos, ()):
        return pos != "VERB" or a.get("MOOD") != "MINEN-infinitive"
    if pos == "NOUN" and cls == "teonsana" and a.get("MOOD") == "MINEN-infinitive":
        return True
    if pos in ("VERB", "AUX") and "PARTICIPLE" in a:
        return cls in ("laatusana", "nimisana")
    if pos == "ADV" and cls in ("laatusana", "lukusana") and a.get("SIJAMUOTO") == "kerrontosti":
        return True
    return False


def _score(a: Mapping[str, str], pos: str, feats: Mapping[str, str], titlecase: bool) -> float:
    score = 8.0 if _compatible(pos, a) else 0.0
    case = _CASES.get(a.get("SIJAMUOTO", ""))
    if case and "Case" in feats:
        score += 2.0 if case == feats["Case"] else -2.0
    number = _NUMBERS.get(a.get("NUMBER", ""))
    if number and "Number" in feats:
        score += 1.0 if number == feats["Number"] else -1.0
    person = a.get("PERSON")
    if person and "Person" in feats:
        score += 1.0 if person == feats["Person"] else -1.0
    mood = _MOODS.get(a.get("MOOD", ""))
    expected_mood = feats.get("Mood") or (f"Inf{feats['InfForm']}" if "InfForm" in feats else None)
    if mood and expected_mood:
        score += 2.0 if mood == expected_mood else -2.0
    psor = _PSOR.get(a.get("POSSESSIVE", ""))
    if psor or "Person[psor]" in feats:
        score += 1.0 if psor == feats.get("Person[psor]") else -1.0
    if a.get("CLASS") in _PROPER_CLASSES and not titlecase:
        score -= 3.0
    if pos == "PRON" and a.get("CLASS") == "asemosana":
        score += 2.0
    score -= 0.5 * max(a.get("STRUCTURE", "").count("=") - 1, 0)
    return score


def _citation_bonus(a: Mapping[str, str], word: str) -> float:
    """Among equals, prefer the analysis that makes the word its own lemma."""
    return 0.25 if a.get("BASEFORM", "").lower() == word.lower() else 0.0


def _strip_suffix_clitics(word: str, a: Mapping[str, str]) -> str:
    """UD lemma of adverbs/adpositions: the form without clitic or possessive."""
    if "KYSYMYSLIITE" in a and word[-2:] in ("ko", "kö"):
        word = word[:-2]
    focus = a.get("FOCUS")
    if focus and word.endswith(focus.replace("a", "")[:1]):
        for suffix in (focus, focus.replace("a", "ä")):
            if word.endswith(suffix):
                word = word[: -len(suffix)]
                break
    possessive = a.get("POSSESSIVE")
    if possessive in ("1s", "2s", "1p", "2p"):
        suffix = {"1s": "ni", "2s": "si", "1p": "mme", "2p": "nne"}[possessive]
        if word.endswith(suffix):
            word = word[: -len(suffix)]
            base = a.get("BASEFORM", "")
            if base.endswith("n") and not word.endswith("n"):
                word += "n"
    return word


def _lemma_from(a: Mapping[str, str], pos: str, word: str) -> str:
    base = a.get("BASEFORM", word)
    if pos in ("VERB", "AUX") and "PARTICIPLE" in a:
        found = _PARTICIPLE_VERB.findall(a.get("FSTOUTPUT", ""))
        if found:
            return found[-1]
    if pos == "NOUN" and a.get("MOOD") == "MINEN-infinitive":
        fst = a.get("FSTOUTPUT", "")
        m = re.search(r"\[X\]([^\[]+)\[Tn4\]mi", fst)
        if m:
            return m.group(1) + "minen"
    if pos in _FORM_LEMMA_POS:
        return _strip_suffix_clitics(word.lower(), a)
    if pos == "PRON":
        base = _PRONOUN_SINGULAR.get(base, base)
    if a.get("CLASS") not in _PROPER_CLASSES:
        return base.lower() if base[:1].isupper() and not word[:1].isupper() else base
    return base


_UMLAUT = str.maketrans("aoAO", "äöÄÖ")


def _restore_umlauts(word: str) -> tuple[str, tuple[Mapping[str, str], ...]]:
    """A word typed without ä/ö (*en tieda*, *tama*): the first umlaut variant Voikko knows.

    Vowel harmony makes "all a/o to ä/ö" the likeliest fix; then a-only and
    o-only, then single positions. Returns the word unchanged and no analyses
    when nothing fits.
    """
    if not word.isalpha() or any(c in "äöÄÖ" for c in word):
        return word, ()
    positions = [i for i, c in enumerate(word) if c in "aoAO"]
    if not positions or len(positions) > 6:
        return word, ()
    candidates = [word.translate(_UMLAUT), word.translate(str.maketrans("aA", "äÄ")),
                  word.translate(str.maketrans("oO", "öÖ"))]
    candidates += [word[:i] + word[i].translate(_UMLAUT) + word[i + 1:] for i in positions]
    for candidate in dict.fromkeys(candidates):
        if candidate != word:
            found = voikko.analyze(candidate) or voikko.analyze(candidate.lower())
            if found:
                return candidate, found
    return word, ()


def _tail_analyses(word: str) -> tuple[str, tuple[Mapping[str, str], ...]]:
    """For an unknown compound, the longest known tail and its analyses."""
    for cut in range(2, len(word) - _MIN_TAIL + 1):
        tail = word[cut:]
        found = voikko.analyze(tail)
        if found:
            return word[:cut], found
    return "", ()


#: POS whose Case and possessive features Voikko may correct.
_NOMINAL_POS = frozenset({"NOUN", "ADJ", "PROPN"})
_PSOR_NUMBER = {"1s": "Sing", "2s": "Sing", "1p": "Plur", "2p": "Plur"}


def _corrected_morph(analyses: Sequence[Mapping[str, str]], pos: str, feats: dict[str, str]) -> str | None:
    """The tagger's features, corrected where every compatible Voikko analysis agrees.

    The statistical morphologizer guesses; when the dictionary gives one
    unambiguous Case or possessive for the form (``vastuullemme`` is always
    allative with a 1st person plural possessive), the dictionary wins.
    """
    if pos not in _NOMINAL_POS:
        return None
    compatible = [a for a in analyses if _compatible(pos, a)]
    if not compatible:
        return None
    new = dict(feats)
    cases = {_CASES.get(a.get("SIJAMUOTO", "")) for a in compatible}
    if len(cases) == 1 and None not in cases:
        new["Case"] = cases.pop()
    possessives = {a.get("POSSESSIVE") for a in compatible}
    if len(possessives) == 1:
        possessive = possessives.pop()
        if possessive is None:
            new.pop("Person[psor]", None)
            new.pop("Number[psor]", None)
        else:
            new["Person[psor]"] = _PSOR[possessive]
            if possessive in _PSOR_NUMBER:
                new["Number[psor]"] = _PSOR_NUMBER[possessive]
            else:
                new.pop("Number[psor]", None)
    if new == feats:
        return None
    return "|".join(f"{k}={v}" for k, v in sorted(new.items()))


def lemmatize(text: str, pos: str, morph: str) -> str:
    """The lemma of one token given its POS and UD morphology string."""
    return analyse_token(text, pos, morph)[0]


@lru_cache(maxsize=262_144)
def analyse_token(text: str, pos: str, morph: str) -> tuple[str, str | None]:
    """(lemma, corrected morphology or ``None``) of one token. Cached."""
    return _analyse(text, pos, morph)


def _analyse(text: str, pos: str, morph: str) -> tuple[str, str | None]:
    word = _WORD_CHARS.sub("", text) or text
    lower = word.lower()
    if pos in ("PUNCT", "SPACE", "SYM", "NUM") and not any(c.isalpha() for c in word):
        return (text, None)
    table = colloquial_table()
    colloquial = table.get(f"{lower}\t{pos}", table.get(lower))
    if colloquial is not None:
        return (colloquial, None)
    if ":" in word and pos in ("PROPN", "NOUN", "NUM") and word.index(":") > 0:
        return (word[: word.index(":")], None)  # inflected abbreviation: EU:ssa -> EU
    head, tail_word = "", word
    if "-" in word.strip("-"):
        head, tail_word = word.rsplit("-", 1)
        head += "-"
    analyses = voikko.analyze(tail_word) or voikko.analyze(tail_word.lower())
    if not analyses and not (word[:1].isupper() and pos == "PROPN"):
        tail_word, analyses = _restore_umlauts(tail_word)
    if not analyses and head:
        head, tail_word = "", word
        analyses = voikko.analyze(word)
    prefix = ""
    titlecase = word[:1].isupper()
    if not analyses and pos in _FORM_LEMMA_POS:
        return (lower, None)
    if not analyses and word.isalpha() and len(word) > _MIN_TAIL + 2 and not titlecase:
        prefix, analyses = _tail_analyses(lower)
        tail_word = lower[len(prefix):]
    if not analyses:
        if not word.isalpha():
            return (text, None)
        return (word if titlecase and pos in ("PROPN", "X", "NUM", "ADJ") else lower, None)
    feats = _parse_morph(morph)
    best = max(
        analyses,
        key=lambda a: (_score(a, pos, feats, titlecase) + _citation_bonus(a, tail_word), a.get("BASEFORM", "")),
    )
    lemma = _lemma_from(best, pos, tail_word)
    if prefix:
        lemma = prefix + lemma.lower()
    return head + lemma, _corrected_morph(analyses, pos, feats)


def lemmatize_doc(doc: Doc) -> Doc:
    """Set lemmas (and dictionary-certain morphology) on every token."""
    for token in doc:
        lemma, morph = analyse_token(token.text, token.pos_, str(token.morph))
        token.lemma_ = lemma
        if morph is not None:
            token.set_morph(morph)
    return doc


class SavyLemmatizer:
    """spaCy component: sets ``token.lemma_`` from disambiguated Voikko analyses."""

    def __init__(self, nlp: Language, name: str = "savy_lemmatizer") -> None:
        self.name = name
        voikko.check_available()

    def __call__(self, doc: Doc) -> Doc:
        return lemmatize_doc(doc)

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield lemmatize_doc(doc)


@Language.factory("savy_lemmatizer", default_config={})
def make_savy_lemmatizer(nlp: Language, name: str) -> SavyLemmatizer:
    return SavyLemmatizer(nlp, name)
