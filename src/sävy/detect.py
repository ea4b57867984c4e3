"""Runs the rules of a :class:`~sävy.ruleset.RuleSet` over a parsed reply.

Every token pattern has an *anchor* where it can: the literal words (LEMMA or
LOWER) of a required token, of which any match must contain one. The default
backend (:mod:`sävy.tokenmatch`) tries a pattern only from the start positions
that can reach an occurrence of its anchor, within the run of adjacent
sentences holding one. The ``"spacy"`` backend does the same with spaCy
``Matcher`` objects (one per anchor, run on those sentences); it is the
reference the fast backend is tested against, and runs the few patterns the
fast one does not implement. Each rule's condition patterns are matched only
when that rule has a candidate match. Markers are resolved first, then
strengths, then findings, so a finding's conditions see the final strengths
and markers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from .context import in_ranges, reported_char_ranges, scope_range, sentence_bounds, sentence_index
from .critique import Finding, Strength
from .errors import RuleFileError
from .ruleset import KIND_ORDER, Condition, Rule, RuleSet
from .tokenmatch import CompiledPattern, TokenView, Unsupported, compile_pattern, longest, match_around, match_from

_SEP = "\x1f"
_LITERAL_ALTERNATION = re.compile(r"^\^\(([\w \-]+(?:\|[\w \-]+)*)\)\$$")


def _fast_spec(spec: dict) -> dict:
    """The same token spec, with ``REGEX: "^(a|b|c)$"`` turned into ``IN: [a, b, c]``.

    Set membership is far cheaper for spaCy's Matcher than a regex run on
    every token, and the two match exactly the same strings.
    """
    out = dict(spec)
    for attr, value in spec.items():
        if isinstance(value, dict) and set(value) == {"REGEX"} and isinstance(value["REGEX"], str):
            m = _LITERAL_ALTERNATION.match(value["REGEX"])
            if m:
                out[attr] = {"IN": sorted(set(m.group(1).split("|")))}
    return out


def _fast_pattern(tokens: Iterable[dict]) -> list[dict]:
    return [_fast_spec(t) for t in tokens]


@dataclass(frozen=True)
class Hit:
    """A (merged) match of one rule: token range and the pattern names that fired."""

    rule: str
    start: int
    end: int
    patterns: tuple[str, ...]


class _DocState:
    """Per-doc data computed once, lazily."""

    def __init__(self, doc: Doc, engine: "RuleEngine", view: TokenView | None = None) -> None:
        self.doc = doc
        self.engine = engine
        self._sents: list[tuple[int, int]] | None = None
        self._reported: list[tuple[int, int]] | None = None
        self._cond_hits: dict[str, dict[str, list[tuple[int, int]]]] = {}
        self._view = view
        self._sent_of: list[int] | None = None
        self._lower: str | None = None
        self.resolved: dict[str, list[Hit]] = {}
        self.deferred: dict[int, list[int]] = {}  # anchor positions of deferred patterns

    @property
    def sents(self) -> list[tuple[int, int]]:
        """Token ranges of the sentences, as ``Doc.sents`` has them (from the tokens' sentence-start flags)."""
        if self._sents is None:
            doc = self.doc
            if len(doc) and doc.has_annotation("SENT_START"):
                flags = self.view.cols["IS_SENT_START"]
                n = len(flags)
                starts = [0, *(i for i in range(1, n) if flags[i])]
                self._sents = list(zip(starts, [*starts[1:], n]))
            else:
                self._sents = sentence_bounds(doc)  # no boundaries: what Doc.sents does then
        return self._sents

    def admits(self, pattern: CompiledPattern) -> bool:
        """Whether the doc holds every word set the pattern requires and passes its text filters."""
        return pattern.has_words(self.view.words()) and (not pattern.text_filters or self.may_match(pattern))

    def may_match(self, pattern: CompiledPattern) -> bool:
        """Whether the reply's text passes the pattern's text filters (cheap, before matching)."""
        if not pattern.text_filters:
            return True
        if self._lower is None:
            self._lower = self.text.lower()
        return pattern.may_match(self.text, self._lower)

    @property
    def text(self) -> str:
        return self.view.text

    @property
    def sent_of(self) -> list[int]:
        """Token index -> index of its sentence."""
        if self._sent_of is None:
            self._sent_of = sentence_index(self.sents, len(self.doc))
        return self._sent_of

    @property
    def reported(self) -> list[tuple[int, int]]:
        if self._reported is None:
            self._reported = reported_char_ranges(self.doc, self.text, self.view.cols["LEMMA"])
        return self._reported

    @property
    def view(self) -> TokenView:
        if self._view is None:
            self._view = TokenView(self.doc)
        return self._view

    def condition_hits(self, rule_id: str, key: str) -> list[tuple[int, int]]:
        if rule_id not in self._cond_hits:
            self._cond_hits[rule_id] = self.engine.condition_matches(rule_id, self)
        return self._cond_hits[rule_id].get(key, [])


def _merge(rule: str, matches: list[tuple[int, int, str]]) -> list[Hit]:
    """Union overlapping matches of one rule into hits."""
    if len(matches) == 1:
        start, end, name = matches[0]
        return [Hit(rule, start, end, (name,))]
    hits: list[Hit] = []
    for start, end, name in sorted(matches):
        if hits and start < hits[-1].end:
            last = hits[-1]
            names = last.patterns if name in last.patterns else (*last.patterns, name)
            hits[-1] = Hit(rule, last.start, max(last.end, end), names)
        else:
            hits.append(Hit(rule, start, end, (name,)))
    return hits


_REQUIRED_OPS = (None, "1", "+")


def _token_anchors(spec: dict) -> list[frozenset[str]]:
    """Word sets a required token must be in (from its literal LEMMA and LOWER)."""
    if spec.get("OP") not in _REQUIRED_OPS:
        return []
    out = []
    for key in ("LEMMA", "LOWER"):
        value = spec.get(key)
        if isinstance(value, str):
            out.append(frozenset({value.lower()}))
        elif isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
            out.append(frozenset(v.lower() for v in value["IN"]))
    return out


#: Words in nearly every reply: a poor anchor when the pattern has another.
_COMMON_WORDS = frozenset({
    "ei", "olla", "minä", "sinä", "se", "tämä", "tuo", "että", "ja", "kun", "jos", "voida", "nyt", "niin",
    "asia", "mikä", "joka", "vain", "myös", "sitten", "kuin", "mutta", "jo", "vielä", "tulla", "saada",
    ".", ",", "!", "?", ";", ":", "...",
})


def anchor_of(tokens: Iterable[dict]) -> tuple[int, frozenset[str]] | None:
    """(token index, words): the rarest small word set of which a match must contain one."""
    anchors = [(i, a) for i, t in enumerate(tokens) for a in _token_anchors(t) if a]
    if not anchors:
        return None
    return min(anchors, key=lambda ia: (len(ia[1] & _COMMON_WORDS), len(ia[1]), ia[0]))


def doc_words(doc: Doc | Span) -> set[str]:
    """Lower-cased forms and lemmas of ``doc`` (or a span), for checking anchors."""
    words = {t.lower_ for t in doc}
    words.update(t.lemma_.lower() for t in doc)
    return words


def _any_inside(ranges: Iterable[tuple[int, int]], scope: str, a: int, b: int, hit: Hit) -> bool:
    """Whether a condition's hit among ``ranges`` lies in the scope [a, b) of ``hit``.

    In the ``match`` scope a hit counts when it overlaps the match; in the
    context scopes it must start in the scope and not lie wholly inside the match.
    """
    if scope == "match":
        return any(s < b and e > a for s, e in ranges)
    return any(a <= s < b and not (hit.start <= s and e <= hit.end) for s, e in ranges)


class RuleEngine:
    """Compiled rules. Build once per vocab; call :meth:`run` per doc.

    ``backend`` is ``"fast"`` (:mod:`sävy.tokenmatch`, the default) or
    ``"spacy"`` (spaCy ``Matcher`` objects; the reference). Both give the same
    results; every pattern is validated by spaCy either way.
    """

    BACKENDS = ("fast", "spacy")

    def __init__(self, vocab: Vocab, ruleset: RuleSet, *, backend: str = "fast") -> None:
        if backend not in self.BACKENDS:
            raise ValueError(f"backend must be one of {self.BACKENDS}, got {backend!r}")
        self.backend = backend
        self.ruleset = ruleset
        self.rules: tuple[Rule, ...] = tuple(r for r in ruleset.rules if r.enabled)
        # spaCy matchers: patterns grouped by their anchor (words a match must contain);
        # a group's matcher runs only on the sentences that contain one of those words.
        self.matcher = Matcher(vocab, validate=True)  # patterns without an anchor
        self.anchored: dict[frozenset[str], Matcher] = {}
        self.condition_matchers: dict[str, Matcher] = {}
        # the fast backend: compiled patterns, anchored ones indexed by word
        self._fast: list[CompiledPattern] = []
        self._fast_unanchored: list[int] = []
        self._fast_by_word: dict[str, tuple[int, ...]] = {}
        self._fast_conditions: dict[str, list[CompiledPattern]] = {}
        self._spacy_conditions: set[str] = set()  # rules whose conditions need spaCy's matcher
        fast = backend == "fast"
        validator = Matcher(vocab, validate=True)
        for rule in self.rules:
            for pattern in rule.patterns:
                tokens = _fast_pattern(pattern.tokens)
                key = f"{rule.id}{_SEP}{pattern.name}"
                found = anchor_of(tokens)
                compiled = self._compile(key, tokens, found) if fast else None
                if compiled is not None:
                    self._add(validator, key, [tokens], rule, pattern.name)  # validated by spaCy all the same
                    self._index(compiled)
                elif found is None:
                    self._add(self.matcher, key, [tokens], rule, pattern.name)
                else:
                    anchor = found[1]
                    target = self.anchored.get(anchor) or self.anchored.setdefault(anchor, Matcher(vocab, validate=True))
                    self._add(target, key, [tokens], rule, pattern.name)
            conditions_matcher = Matcher(vocab, validate=True)
            compiled_conditions: list[CompiledPattern] = []
            for kind, conditions in (("unless", rule.unless), ("requires", rule.requires), ("downgrade", rule.downgrade)):
                for i, cond in enumerate(conditions):
                    if cond.patterns:
                        key = self.condition_key(rule.id, kind, i)
                        patterns = [_fast_pattern(p) for p in cond.patterns]
                        self._add(conditions_matcher, key, patterns, rule, f"{kind}[{i}]")
                        for tokens in patterns:
                            compiled = self._compile(key, tokens, anchor_of(tokens)) if fast else None
                            if compiled is None:
                                self._spacy_conditions.add(rule.id)
                            compiled_conditions.append(compiled)  # type: ignore[arg-type]
            if len(conditions_matcher):
                # run only for docs where this rule has a candidate match
                self.condition_matchers[rule.id] = conditions_matcher
                if rule.id not in self._spacy_conditions and fast:
                    self._fast_conditions[rule.id] = compiled_conditions
        # word -> the anchored groups it activates (an index instead of testing every group)
        self._group_matchers = list(self.anchored.values())
        self._groups_by_word: dict[str, tuple[int, ...]] = {}
        for index, anchor in enumerate(self.anchored):
            for word in anchor:
                self._groups_by_word[word] = (*self._groups_by_word.get(word, ()), index)
        self._ordered = sorted(self.rules, key=lambda r: KIND_ORDER[r.kind])
        # A rule whose `requires` are all ids of earlier-resolved kinds (strengths need markers,
        # findings need markers or strengths) cannot fire in a doc where one of those conditions
        # has no hit at all; its patterns are matched only after that check passes.
        kind_of = {r.id: r.kind for r in self.rules}
        self._deferred_rules: dict[str, tuple[tuple[str, ...], ...]] = {}
        for rule in self.rules:
            groups = tuple(c.ids for c in rule.requires)
            if (fast and groups and all(c.ids and not c.patterns for c in rule.requires)
                    and all(KIND_ORDER[kind_of.get(i, rule.kind)] < KIND_ORDER[rule.kind] for g in groups for i in g)):
                self._deferred_rules[rule.id] = groups
        of_rule: dict[str, list[int]] = defaultdict(list)
        for index, pattern in enumerate(self._fast):
            of_rule[pattern.key.partition(_SEP)[0]].append(index)
        unanchored = set(self._fast_unanchored)
        #: deferred rule -> (its fast pattern indices, the unanchored ones among them)
        self._fast_of_deferred = {r: (of_rule[r], [i for i in of_rule[r] if i in unanchored])
                                  for r in self._deferred_rules}
        self._fast_deferred = frozenset(i for mine, _ in self._fast_of_deferred.values() for i in mine)
        self._fast_unanchored_eager = [i for i in self._fast_unanchored if i not in self._fast_deferred]

    @staticmethod
    def _compile(key: str, tokens: list[dict], found: tuple[int, frozenset[str]] | None) -> CompiledPattern | None:
        try:
            required = [a for t in tokens for a in _token_anchors(t) if a]
            return compile_pattern(key, tokens, *(found if found else (None, None)), required)
        except Unsupported:
            return None  # the spaCy backend runs it

    def _index(self, compiled: CompiledPattern) -> None:
        index = len(self._fast)
        self._fast.append(compiled)
        if compiled.anchor is None:
            self._fast_unanchored.append(index)
        else:
            for word in compiled.anchor:
                self._fast_by_word[word] = (*self._fast_by_word.get(word, ()), index)

    @staticmethod
    def condition_key(rule_id: str, kind: str, index: int) -> str:
        return f"{rule_id}{_SEP}{kind}{_SEP}{index}"

    @staticmethod
    def _add(matcher: Matcher, key: str, patterns: list, rule: Rule, what: str) -> None:
        try:
            matcher.add(key, patterns, greedy="LONGEST")
        except Exception as exc:  # spaCy raises ValueError/MatchPatternError
            raise RuleFileError(rule.source, f"invalid token pattern {what}: {exc}", rule.id) from exc

    def _holds(self, cond: Condition, hit: Hit, state: _DocState, rule_id: str, kind: str, index: int) -> bool:
        if cond.scope == "clause":
            cols = state.view.cols
            a, b = scope_range("clause", hit.start, hit.end, state.sents, state.view.n, state.sent_of,
                               cols["LOWER"], cols["IS_ALPHA"])
        else:
            a, b = scope_range(cond.scope, hit.start, hit.end, state.sents, state.view.n, state.sent_of)
        found: Iterable[tuple[int, int]]
        for other in cond.ids:
            found = [(h.start, h.end) for h in state.resolved.get(other, ())]
            if found and _any_inside(found, cond.scope, a, b, hit):
                return True
        if cond.patterns:
            found = state.condition_hits(rule_id, self.condition_key(rule_id, kind, index))
            if found and _any_inside(found, cond.scope, a, b, hit):
                return True
        return False

    def run(self, doc: Doc, view: TokenView | None = None) -> tuple[list[Finding], list[Strength], dict[str, list[Hit]]]:
        """Findings, strengths and all resolved hits (markers included) of ``doc``.

        ``view`` is the doc's :class:`~sävy.tokenmatch.TokenView` when the caller
        has one already (the classifiers read the same token attributes).
        """
        if len(doc) and not doc.has_annotation("POS"):  # checked once here, not by every matcher call
            from .errors import PipelineUnavailableError

            raise PipelineUnavailableError(
                "the rules need part-of-speech tags, morphology and lemmas: analyse the text with "
                "sävy.nlp.load_pipeline() (or a Finnish pipeline with a morphologizer plus add_savy_components)")
        state = _DocState(doc, self, view)
        raw: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        if self._fast:
            self._run_fast(state, raw)
        self._run_spacy(state, raw)
        findings: list[Finding] = []
        strengths: list[Strength] = []
        text = state.text
        cols = state.view.cols
        idx, forms = cols["IDX"], cols["TEXT"]
        for rule in self._ordered:
            groups = self._deferred_rules.get(rule.id)
            if groups is not None:
                if not all(any(state.resolved.get(i) for i in group) for group in groups):
                    continue
                self._match_deferred(rule, state, raw)
            if rule.id not in raw:
                continue
            kept: list[Hit] = []
            for hit in _merge(rule.id, raw[rule.id]):
                start_char = idx[hit.start]
                if rule.skip_reported and in_ranges(start_char, state.reported):
                    continue
                if any(self._holds(c, hit, state, rule.id, "unless", i) for i, c in enumerate(rule.unless)):
                    continue
                if rule.requires and not all(
                    self._holds(c, hit, state, rule.id, "requires", i) for i, c in enumerate(rule.requires)
                ):
                    continue
                kept.append(hit)
                end_char = idx[hit.end - 1] + len(forms[hit.end - 1])
                if rule.kind == "finding":
                    severity = rule.severity
                    for i, cond in enumerate(rule.downgrade):
                        if self._holds(cond, hit, state, rule.id, "downgrade", i):
                            severity = cond.severity or severity
                            break
                    findings.append(Finding(
                        rule=rule.id, severity=severity, start=start_char, end=end_char,
                        text=text[start_char:end_char], message=rule.message,
                        suggestion=rule.suggestion, source="rule",
                        explanation="pattern " + ", ".join(hit.patterns),
                    ))
                elif rule.kind == "strength":
                    strengths.append(Strength(rule.id, start_char, end_char, text[start_char:end_char]))
            state.resolved[rule.id] = kept
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        strengths.sort(key=lambda s: (s.start, s.end, s.id))
        return findings, strengths, state.resolved

    def _run_spacy(self, state: _DocState, raw: dict[str, list[tuple[int, int, str]]]) -> None:
        doc = state.doc
        strings = doc.vocab.strings
        if len(self.matcher):
            for match_id, start, end in self.matcher(doc, allow_missing=True):
                rule_id, _, name = strings[match_id].partition(_SEP)
                raw[rule_id].append((start, end, name))
        if not self._group_matchers:
            return
        # An anchored group runs only on the sentences holding one of its words
        # (adjacent ones together): patterns do not cross sentence boundaries.
        runs_of: dict[int, list[list[int]]] = {}
        for a, b in state.sents:
            active: set[int] = set()
            for word in doc_words(doc[a:b]):
                active.update(self._groups_by_word.get(word, ()))
            for group in active:
                runs = runs_of.setdefault(group, [])
                if runs and runs[-1][1] == a:
                    runs[-1][1] = b
                else:
                    runs.append([a, b])
        for group in sorted(runs_of):
            matcher = self._group_matchers[group]
            for a, b in runs_of[group]:
                for match_id, start, end in matcher(doc[a:b], allow_missing=True):
                    rule_id, _, name = strings[match_id].partition(_SEP)
                    raw[rule_id].append((start + a, end + a, name))

    def _run_fast(self, state: _DocState, raw: dict[str, list[tuple[int, int, str]]]) -> None:
        view = state.view
        words = view.words()
        patterns = self._fast
        # anchor positions of the patterns whose required words are all in the doc
        positions: dict[int, list[int]] = {}
        rejected: set[int] = set()
        by_word = self._fast_by_word
        for word, where in words.items():
            for index in by_word.get(word, ()):
                found = positions.get(index)
                if found is not None:
                    found.extend(where)
                elif index not in rejected:
                    if state.admits(patterns[index]):
                        positions[index] = list(where)
                    else:
                        rejected.add(index)
        deferred = self._fast_deferred
        if deferred:  # matched later, if at all: see _deferred_rules
            for index in [i for i in positions if i in deferred]:
                state.deferred[index] = positions.pop(index)
        self._match(state, positions, self._fast_unanchored_eager, raw)

    def _match(self, state: _DocState, positions: dict[int, list[int]], unanchored: Iterable[int],
               raw: dict[str, list[tuple[int, int, str]]]) -> None:
        """Match the anchored patterns around their anchor positions, and the unanchored ones everywhere."""
        view = state.view
        patterns = self._fast
        n = view.n
        for index in unanchored:
            pattern = patterns[index]
            if state.may_match(pattern):
                self._emit(pattern, match_from(pattern, view, range(n), n), raw)
        if not positions:
            return
        sent_of = state.sent_of
        sents = state.sents
        for index, where in positions.items():
            pattern = patterns[index]
            if len(where) == 1:
                a, b = sents[sent_of[where[0]]]
                self._emit(pattern, match_around(pattern, view, where, a, b), raw)
                continue
            # the runs of adjacent sentences holding an anchor word, as the spaCy backend has them
            runs: list[list[int]] = []
            for s in sorted({sent_of[p] for p in where}):
                if runs and runs[-1][1] == s - 1:
                    runs[-1][1] = s
                else:
                    runs.append([s, s])
            for first, last in runs:
                a, b = sents[first][0], sents[last][1]
                self._emit(pattern, match_around(pattern, view, [p for p in where if a <= p < b], a, b), raw)

    def _match_deferred(self, rule: Rule, state: _DocState, raw: dict[str, list[tuple[int, int, str]]]) -> None:
        """Match a deferred rule's patterns once its required strengths or markers are known to be present."""
        mine, unanchored = self._fast_of_deferred[rule.id]
        positions = {i: state.deferred[i] for i in mine if i in state.deferred}
        self._match(state, positions, unanchored, raw)

    @staticmethod
    def _emit(pattern: CompiledPattern, pairs: list[tuple[int, int]], raw: dict[str, list[tuple[int, int, str]]]) -> None:
        if pairs:
            rule_id, _, name = pattern.key.partition(_SEP)
            raw[rule_id].extend((start, end, name) for start, end in longest(pairs))

    def condition_matches(self, rule_id: str, state: _DocState) -> dict[str, list[tuple[int, int]]]:
        """Condition key -> matches (token ranges) of one rule's condition patterns in the doc."""
        hits: dict[str, list[tuple[int, int]]] = defaultdict(list)
        compiled = self._fast_conditions.get(rule_id)
        if compiled is not None:
            view = state.view
            words = view.words()
            n = view.n
            pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for pattern in compiled:
                if not state.admits(pattern):
                    continue
                if pattern.anchor is None:
                    pairs[pattern.key].extend(match_from(pattern, view, range(n), n))
                else:
                    where = sorted({p for word in pattern.anchor for p in words.get(word, ())})
                    if where:
                        pairs[pattern.key].extend(match_around(pattern, view, where, 0, n))
            for key, found in pairs.items():
                if found:
                    hits[key] = longest(found)
            return hits
        matcher = self.condition_matchers.get(rule_id)
        if matcher is not None:
            for match_id, start, end in matcher(state.doc, allow_missing=True):
                hits[state.doc.vocab.strings[match_id]].append((start, end))
        return hits
