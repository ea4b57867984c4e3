"""A token-pattern matcher for sävy's rules that starts only where a match can.

It reads spaCy's ``Matcher`` pattern syntax (the rule files are validated by
spaCy's own ``Matcher`` at load time) and returns the same matches as a
``Matcher`` whose keys use ``greedy="LONGEST"``; ``tests/test_tokenmatch.py``
checks that on every example sentence and on a corpus of replies.

Why not spaCy's ``Matcher``: it tries every pattern at every token and pays a
per-call set-up, while sävy's ~400 patterns are each tied to a few literal
words (their *anchor*: a LEMMA or LOWER set of a required token). Here a
pattern is tried only from the start positions that can reach an occurrence
of its anchor, on token attributes read once per doc (:class:`TokenView`).
Patterns with a construct this module does not implement are reported by
:func:`compile_pattern` raising :class:`Unsupported`; the engine then runs
them with spaCy's ``Matcher``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from spacy.tokens import Doc

INF = 1 << 30


class Unsupported(ValueError):
    """A pattern uses a construct this matcher does not implement."""


# -- per-doc token attributes -------------------------------------------------

_MORPH_SETS: dict[str, frozenset[str]] = {}


def _morph_set(morph: str) -> frozenset[str]:
    found = _MORPH_SETS.get(morph)
    if found is None:
        found = frozenset(morph.split("|")) if morph else frozenset()
        if len(_MORPH_SETS) < 100_000:
            _MORPH_SETS[morph] = found
    return found


class _Columns(dict):
    """Attribute name -> per-token values, read from the tokens on first use."""

    def __init__(self, view: "TokenView") -> None:
        super().__init__()
        self.view = view

    def __missing__(self, name: str) -> list[Any]:
        values = self[name] = _READERS[name](self.view.tokens)
        return values


class TokenView:
    """The attributes patterns test, read once from a Doc (lists indexed by token)."""

    __slots__ = ("doc", "n", "tokens", "cols", "_words", "_text")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.tokens = list(doc)
        self.n = len(self.tokens)
        self.cols = _Columns(self)
        self._words: dict[str, list[int]] | None = None
        self._text: str | None = None

    @property
    def text(self) -> str:
        """The doc's text (read once: ``Doc.text`` joins the tokens on every call)."""
        if self._text is None:
            self._text = "".join([t.text_with_ws for t in self.tokens])  # Doc.text would make the tokens anew
        return self._text

    def words(self) -> dict[str, list[int]]:
        """Lower-cased form and lemma -> token positions (for finding anchors)."""
        if self._words is None:
            index: dict[str, list[int]] = {}
            cols = self.cols
            for i, (form, lemma) in enumerate(zip(cols["LOWER"], cols["LEMMA"])):
                index.setdefault(form, []).append(i)
                lemma = lemma.lower()
                if lemma != form:
                    index.setdefault(lemma, []).append(i)
            self._words = index
        return self._words


_READERS: dict[str, Callable[[list[Any]], list[Any]]] = {
    "LOWER": lambda ts: [t.lower_ for t in ts],
    "LEMMA": lambda ts: [t.lemma_ for t in ts],
    "TEXT": lambda ts: [t.text for t in ts],
    "ORTH": lambda ts: [t.text for t in ts],
    "NORM": lambda ts: [t.norm_ for t in ts],
    "POS": lambda ts: [t.pos_ for t in ts],
    "TAG": lambda ts: [t.tag_ for t in ts],
    "MORPH": lambda ts: [_morph_set(str(t.morph)) for t in ts],
    "LENGTH": lambda ts: [len(t.text) for t in ts],
    "IDX": lambda ts: [t.idx for t in ts],
    "IS_PUNCT": lambda ts: [t.is_punct for t in ts],
    "IS_ALPHA": lambda ts: [t.is_alpha for t in ts],
    "IS_UPPER": lambda ts: [t.is_upper for t in ts],
    "IS_LOWER": lambda ts: [t.is_lower for t in ts],
    "IS_TITLE": lambda ts: [t.is_title for t in ts],
    "IS_DIGIT": lambda ts: [t.is_digit for t in ts],
    "IS_SPACE": lambda ts: [t.is_space for t in ts],
    "IS_STOP": lambda ts: [t.is_stop for t in ts],
    "LIKE_NUM": lambda ts: [t.like_num for t in ts],
    "LIKE_URL": lambda ts: [t.like_url for t in ts],
    "LIKE_EMAIL": lambda ts: [t.like_email for t in ts],
    "IS_SENT_START": lambda ts: [t.is_sent_start is True for t in ts],
}
_STRING_ATTRS = {"LOWER", "LEMMA", "TEXT", "ORTH", "NORM", "POS", "TAG"}
_BOOL_ATTRS = {k for k in _READERS if k.startswith(("IS_", "LIKE_"))}
_COMPARE = frozenset({"==", "!=", ">=", "<=", ">", "<"})  # LENGTH comparisons, written into the test source

#: A token test: ``test(view.cols, i)`` -> whether token ``i`` passes one token spec.
TokenTest = Callable[["_Columns", int], bool]


class _Source:
    """Python source of one token test, with the constants it refers to (``k0``, ``k1``, …)."""

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.consts: dict[str, Any] = {}

    def const(self, value: Any) -> str:
        name = f"k{len(self.consts)}"
        self.consts[name] = value
        return name

    def compile(self) -> TokenTest:
        """One lambda testing every term (a single call per token, not one per attribute)."""
        body = " and ".join(f"({t})" for t in self.terms) or "True"
        return eval(f"lambda c, i: {body}", {"__builtins__": {}, **self.consts})  # noqa: S307 (our own source)


def _value_test(attr: str, value: Any, src: _Source) -> None:
    """Add the terms of one attribute of a token spec, e.g. ``LEMMA: {IN: [...]}``."""
    if attr == "MORPH":
        _morph_test(value, src)
        return
    if attr not in _READERS:
        raise Unsupported(f"attribute {attr}")
    col = f"c[{attr!r}][i]"
    if not isinstance(value, dict):
        if attr in _BOOL_ATTRS:
            src.terms.append(f"{col} == {src.const(bool(value))}")
        elif attr == "LENGTH" or isinstance(value, str):
            src.terms.append(f"{col} == {src.const(value)}")
        else:
            raise Unsupported(f"{attr} value {value!r}")
        return
    for pred, arg in value.items():
        if pred == "IN" and attr in _STRING_ATTRS:
            src.terms.append(f"{col} in {src.const(frozenset(arg))}")
        elif pred == "NOT_IN" and attr in _STRING_ATTRS:
            src.terms.append(f"{col} not in {src.const(frozenset(arg))}")
        elif pred == "REGEX" and attr in _STRING_ATTRS:
            src.terms.append(f"{src.const(re.compile(arg).search)}({col}) is not None")
        elif pred in _COMPARE and attr == "LENGTH":
            src.terms.append(f"{col} {pred} {src.const(arg)}")
        else:
            raise Unsupported(f"{attr} predicate {pred}")


def _morph_test(value: Any, src: _Source) -> None:
    col = "c['MORPH'][i]"
    if isinstance(value, str):
        src.terms.append(f"{col} == {src.const(_morph_set(value))}")
        return
    if not isinstance(value, dict):
        raise Unsupported(f"MORPH value {value!r}")
    for pred, arg in value.items():
        features = [f for item in arg for f in str(item).split("|")]
        if pred == "IS_SUPERSET":
            src.terms.append(f"{src.const(frozenset(features))} <= {col}")
        elif pred == "IS_SUBSET":
            src.terms.append(f"{col} <= {src.const(frozenset(features))}")
        elif pred == "INTERSECTS":
            src.terms.append(f"not {src.const(frozenset(features))}.isdisjoint({col})")
        elif pred in ("IN", "NOT_IN"):
            analyses = frozenset(_morph_set(str(item)) for item in arg)
            src.terms.append(f"{col} {'in' if pred == 'IN' else 'not in'} {src.const(analyses)}")
        else:
            raise Unsupported(f"MORPH predicate {pred}")


def token_test(spec: Mapping[str, Any]) -> TokenTest:
    """The test of one token spec (every attribute but ``OP``), compiled to one function."""
    src = _Source()
    for attr, value in spec.items():
        if attr != "OP":
            _value_test(attr, value, src)
    return src.compile()


# -- patterns -----------------------------------------------------------------


def _bounds(op: str | None) -> tuple[int, int]:
    if op in (None, "1"):
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, INF
    if op == "+":
        return 1, INF
    if op == "!":
        raise Unsupported("OP '!'")
    m = re.fullmatch(r"\{(\d*)(,?)(\d*)\}", op)
    if not m:
        raise Unsupported(f"OP {op!r}")
    low, comma, high = m.groups()
    if not comma:  # {n}
        return int(low), int(low)
    return int(low or 0), int(high) if high else INF


@dataclass(frozen=True)
class Step:
    """One token spec of a pattern: a test and how many tokens it takes."""

    test: TokenTest
    low: int
    high: int


_TEXT_ANCHORS = re.compile(r"\^|\$|\(\?|\\[AZbB]")


def _text_filter(spec: Mapping[str, Any]) -> tuple[str, Callable[[str], Any]] | None:
    """For a token that must match ``{LOWER|TEXT: {REGEX: r}}``: a search the reply's text must pass.

    A token's TEXT is a substring of the doc's text (LOWER of the lower-cased
    text), so ``r`` without its leading ``^`` and trailing ``$`` finds
    something there whenever the token matches. Regexes with other anchors or
    look-arounds get no filter.
    """
    for attr in ("LOWER", "TEXT", "ORTH"):
        value = spec.get(attr)
        if isinstance(value, dict) and isinstance(value.get("REGEX"), str):
            body = value["REGEX"]
            body = body[1:] if body.startswith("^") else body
            body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
            if body and not _TEXT_ANCHORS.search(body):
                return ("lower" if attr == "LOWER" else "text"), re.compile(body).search
    return None


@dataclass(frozen=True)
class CompiledPattern:
    """A pattern ready to run: steps, its anchor, and tests of the whole text that a match needs."""

    key: str
    steps: tuple[Step, ...]
    anchor: frozenset[str] | None  # words (lower-cased) one of which a match contains
    anchor_index: int | None  # the step the anchor comes from
    text_filters: tuple[tuple[str, Callable[[str], Any]], ...] = ()
    required: tuple[frozenset[str], ...] = ()  # word sets a match has one word of each of

    def may_match(self, text: str, lower: str) -> bool:
        return all(search(lower if which == "lower" else text) for which, search in self.text_filters)

    def has_words(self, words: Mapping[str, Any]) -> bool:
        """Whether ``words`` (lower-cased forms and lemmas of a doc) hold a word of every required set."""
        keys = words.keys()
        for req in self.required:
            if keys.isdisjoint(req):
                return False
        return True


def compile_pattern(key: str, tokens: Sequence[Mapping[str, Any]], anchor_index: int | None,
                    anchor: frozenset[str] | None, required: Iterable[frozenset[str]] = ()) -> CompiledPattern:
    """Compile a spaCy token pattern; ``anchor_index`` is the token its anchor comes from,
    ``required`` the word sets of which a match has one word each."""
    steps = []
    filters = []
    for spec in tokens:
        low, high = _bounds(spec.get("OP"))
        test = token_test(spec)
        steps.append(Step(test, low, high))
        found = _text_filter(spec) if low >= 1 else None
        if found:
            filters.append(found)
    if anchor_index is not None and (steps[anchor_index].low, steps[anchor_index].high) != (1, 1):
        anchor_index = anchor = None  # a repeated anchor token: tried from every start instead
    return CompiledPattern(key, tuple(steps), anchor, anchor_index, tuple(filters),
                           tuple(r for r in dict.fromkeys(required) if r != anchor))


def _forward(steps: Sequence[Step], k: int, pos: int, limit: int, cols: "_Columns", out: set[int]) -> None:
    """Every end position of ``steps[k:]`` consumed from ``pos`` onwards, below ``limit``."""
    if k == len(steps):
        out.add(pos)
        return
    step = steps[k]
    if step.low == 0:
        _forward(steps, k + 1, pos, limit, cols, out)
    count = 0
    test = step.test
    high = step.high
    while pos < limit and count < high and test(cols, pos):
        pos += 1
        count += 1
        if count >= step.low:
            _forward(steps, k + 1, pos, limit, cols, out)


def _backward(steps: Sequence[Step], k: int, pos: int, floor: int, cols: "_Columns", out: set[int]) -> None:
    """Every start position of ``steps[:k]`` consumed backwards from ``pos - 1``, not below ``floor``."""
    if k == 0:
        out.add(pos)
        return
    step = steps[k - 1]
    if step.low == 0:
        _backward(steps, k - 1, pos, floor, cols, out)
    count = 0
    test = step.test
    high = step.high
    while pos > floor and count < high and test(cols, pos - 1):
        pos -= 1
        count += 1
        if count >= step.low:
            _backward(steps, k - 1, pos, floor, cols, out)


def match_around(pattern: CompiledPattern, view: TokenView, anchors: Iterable[int],
                 floor: int, limit: int) -> list[tuple[int, int]]:
    """All non-empty matches in [floor, limit) whose anchor token is one of ``anchors``."""
    k = pattern.anchor_index
    assert k is not None
    steps = pattern.steps
    test = steps[k].test
    cols = view.cols
    found = []
    for p in anchors:
        if not test(cols, p):
            continue
        starts: set[int] = set()
        _backward(steps, k, p, floor, cols, starts)
        if not starts:
            continue
        ends: set[int] = set()
        _forward(steps, k + 1, p + 1, limit, cols, ends)
        found.extend((s, e) for s in starts for e in ends)
    return found


def match_from(pattern: CompiledPattern, view: TokenView, starts: Iterable[int], limit: int) -> list[tuple[int, int]]:
    """All non-empty (start, end) matches of ``pattern`` starting at ``starts``, ending by ``limit``."""
    found = []
    steps = pattern.steps
    first = steps[0]
    cols = view.cols
    for start in starts:
        if first.low and not first.test(cols, start):
            continue
        ends: set[int] = set()
        _forward(steps, 0, start, limit, cols, ends)
        found.extend((start, end) for end in ends if end > start)
    return found


def longest(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """spaCy's ``greedy="LONGEST"`` filter: longest first, then leftmost; no overlaps."""
    if len(pairs) == 1:
        return pairs
    kept: list[tuple[int, int]] = []
    taken: set[int] = set()
    for start, end in sorted(set(pairs), key=lambda p: (p[0] - p[1], p[0])):
        if taken.isdisjoint(range(start, end)):
            kept.append((start, end))
            taken.update(range(start, end))
    return kept
