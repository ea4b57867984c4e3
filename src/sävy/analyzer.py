"""The public entry point: :class:`Analyzer` turns replies into critiques."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from .critique import Critique, Finding, Strength
from .plugins import run_detector
from .detect import RuleEngine
from .risk import risk_of
from .tokenmatch import TokenView
from .ruleset import SEVERITIES, RuleSet, load_rules

#: Texts longer than this are analysed in pieces (offsets stay exact).
CHUNK_CHARS = 100_000


def _check_text(value: Any, what: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")


_SURROGATES = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """Replace lone surrogates (not encodable as UTF-8) one-for-one, keeping offsets."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)


def _chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Split a long text at whitespace into (offset, piece) pairs of at most ~size chars."""
    if len(text) <= size:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            if cut > start + size // 2:
                end = cut + 1
        out.append((start, text[start:end]))
        start = end
    return out


def _checked_items(items: Iterable[Mapping[str, Any] | str]) -> Iterator[dict[str, Any]]:
    """The items as plain reply dicts, type-checked here (before they go to a worker)."""
    for index, item in enumerate(items):
        if isinstance(item, str):
            item = {"reply": item}
        if not isinstance(item, Mapping):
            raise TypeError(f"item {index} must be a dict with 'reply' or a str, not {type(item).__name__}")
        reply, customer = item.get("reply"), item.get("customer")
        _check_text(reply, f"item {index} 'reply'")
        if customer is not None:
            _check_text(customer, f"item {index} 'customer'")
        yield {"reply": reply, "customer": customer, "id": item.get("id")}


class Analyzer:
    """Critiques Finnish customer-service replies.

    ``Analyzer()`` uses the default pipeline, rules and models, all loaded
    lazily on first use. ``rule_files`` adds rule files or folders,
    ``disable`` switches rules off by id, ``severities`` overrides the
    default severity of rules by id. ``models`` is ``"default"`` (the bundled,
    hash-checked classifiers), ``None`` (rules only: signals come from the
    strength rules), or a :class:`sävy.classifier.SignalModels`.
    ``plugins`` adds the rule packs and detectors of installed packages
    (entry points ``savy.rules`` / ``savy.detectors``, see :mod:`sävy.plugins`);
    ``detectors`` adds Python detector objects directly.
    """

    def __init__(
        self,
        *,
        nlp: Language | None = None,
        rules: RuleSet | None = None,
        rule_files: Sequence[str | Path] = (),
        disable: Iterable[str] = (),
        severities: Mapping[str, str] | None = None,
        models: Any = "default",
        plugins: bool = True,
        detectors: Sequence[Any] = (),
    ) -> None:
        from .plugins import check_detector, plugin_detectors, plugin_rule_paths

        self._nlp = nlp
        self._engine: RuleEngine | None = None
        if rules is None:
            extra = [*(plugin_rule_paths() if plugins else ()), *rule_files]
            self._ruleset = load_rules(extra)
        else:
            self._ruleset = rules
        loaded = [*(plugin_detectors() if plugins else ()),
                  *(check_detector(d, repr(d)) for d in detectors)]
        disabled = set(disable)
        severities = dict(severities or {})
        known = {r.id for r in self._ruleset.rules} | {d.id for d in loaded}
        clash = {d.id for d in loaded} & {r.id for r in self._ruleset.rules}
        if clash or len({d.id for d in loaded}) != len(loaded):
            raise ValueError(f"detector id(s) clash with rule or other detector ids: {sorted(clash) or loaded}")
        unknown = (disabled | set(severities)) - known
        if unknown:
            raise ValueError(f"unknown rule id(s) {sorted(unknown)}; known: {sorted(known)}")
        bad = {k: v for k, v in severities.items() if v not in SEVERITIES}
        if bad:
            raise ValueError(f"severities must be one of {list(SEVERITIES)}, got {bad}")
        if disabled or severities:
            self._ruleset = self._ruleset.replace(
                dataclasses.replace(r, enabled=r.enabled and r.id not in disabled,
                                    severity=severities.get(r.id, r.severity))
                for r in self._ruleset.rules
            )
        self.detectors = tuple(
            dataclasses.replace(d, enabled=d.id not in disabled, severity=severities.get(d.id, d.severity))
            for d in loaded)
        self._models_spec = models
        self._models: Any = None
        self._pool: Any = None  # worker processes of critique_many(n_process > 1), made on first use

    # -- lazy parts -------------------------------------------------------
    @property
    def nlp(self) -> Language:
        """The spaCy pipeline (loaded on first use)."""
        if self._nlp is None:
            from .nlp import load_pipeline

            self._nlp = load_pipeline()
        return self._nlp

    @property
    def ruleset(self) -> RuleSet:
        return self._ruleset

    @property
    def engine(self) -> RuleEngine:
        if self._engine is None:
            self._engine = RuleEngine(self.nlp.vocab, self._ruleset)
        return self._engine

    @property
    def models(self) -> Any:
        """The signal models, or ``None`` for rules only."""
        if self._models is None and self._models_spec is not None:
            if self._models_spec == "default":
                from .classifier import load_default_models

                self._models = load_default_models()
                if self._models is None:
                    self._models_spec = None
            else:
                self._models = self._models_spec
        return self._models

    # -- analysis ---------------------------------------------------------
    def critique(self, reply: str, customer: str | None = None, *, id: str | None = None) -> Critique:
        """Critique one reply, optionally with the customer message it answers."""
        _check_text(reply, "reply")
        if customer is not None:
            _check_text(customer, "customer")
        return next(self.critique_many([{"reply": reply, "customer": customer, "id": id}]))

    def critique_many(
        self, items: Iterable[Mapping[str, Any] | str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[Critique]:
        """Critique many replies; yields one :class:`Critique` per item, in order.

        Items are dicts with ``"reply"`` and optional ``"customer"`` and
        ``"id"`` (or plain reply strings). ``n_process > 1`` critiques in
        that many worker processes (see :mod:`sävy.parallel`); they are
        started on the first such call and kept for the next ones until
        :meth:`close`. ``batch_size`` replies go to a worker at a time.
        """
        if n_process < 1:
            raise ValueError(f"n_process must be at least 1, got {n_process}")
        if n_process > 1:
            from . import parallel

            if parallel.fork_available():
                pool = self._worker_pool(n_process)
                for critiques in pool.ordered(parallel.critique_chunk,
                                              parallel.chunked(_checked_items(items), batch_size), batch_size):
                    yield from critiques
                return
        nlp = self.nlp
        engine = self.engine

        pending: dict[int, tuple[Any, str, str | None, bool]] = {}

        def texts() -> Iterator[tuple[str, tuple[int, str, int, int]]]:
            for index, item in enumerate(_checked_items(items)):
                reply, customer = item["reply"], item["customer"]
                analysed = _encodable(reply)
                pending[index] = (item["id"], reply, customer, analysed is not reply)
                pieces = _chunks(analysed)
                n_parts = len(pieces) + (customer is not None)
                for offset, piece in pieces:
                    yield piece, (index, "reply", offset, n_parts)
                if customer is not None:
                    yield _encodable(customer[:CHUNK_CHARS]), (index, "customer", 0, n_parts)

        group: list[tuple[Doc, tuple[int, str, int, int]]] = []
        for doc, ctx in nlp.pipe(texts(), as_tuples=True, batch_size=batch_size, n_process=n_process):
            group.append((doc, ctx))
            if len(group) == ctx[3]:
                index = ctx[0]
                item_id, reply, customer, sanitised = pending.pop(index)
                reply_docs = [(d, c[2]) for d, c in group if c[1] == "reply"]
                customer_doc = next((d for d, c in group if c[1] == "customer"), None)
                group = []
                yield self._critique_docs(reply, reply_docs, customer, customer_doc, item_id, engine, sanitised)

    def _worker_pool(self, size: int) -> Any:
        """This Analyzer's pool of ``size`` worker processes (started, or restarted, as needed)."""
        from .parallel import CritiquePool

        if self._pool is None or self._pool.closed or self._pool.size != size:
            self.close()
            self._pool = CritiquePool(self, size)
        return self._pool

    def close(self) -> None:
        """Stop the worker processes of ``critique_many(n_process > 1)``, if any (idempotent)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> "Analyzer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def critique_doc(self, doc: Doc, customer_doc: Doc | None = None, *, id: str | None = None) -> Critique:
        """Critique an already parsed reply (for pipelines that made the Doc)."""
        return self._critique_docs(doc.text, [(doc, 0)], customer_doc.text if customer_doc else None,
                                   customer_doc, id, self.engine)

    def _critique_docs(self, reply: str, reply_docs: list[tuple[Doc, int]], customer: str | None,
                       customer_doc: Doc | None, item_id: Any, engine: RuleEngine,
                       sanitised: bool = False) -> Critique:
        findings: list[Finding] = []
        strengths: list[Strength] = []
        first_view = TokenView(reply_docs[0][0])  # the tokens read once, for the rules and the classifiers
        for doc, offset in reply_docs:
            f, s, _ = engine.run(doc, first_view if doc is reply_docs[0][0] else None)
            for detector in self.detectors:
                if detector.enabled:
                    f = [*f, *run_detector(detector, doc)]
            if offset:
                f = [dataclasses.replace(x, start=x.start + offset, end=x.end + offset) for x in f]
                s = [dataclasses.replace(x, start=x.start + offset, end=x.end + offset) for x in s]
            findings.extend(f)
            strengths.extend(s)
        models = self.models
        version = {"model": "none"}
        if models is not None:
            signals, model_findings = models.assess(reply_docs[0][0], customer_doc, strengths, reply_view=first_view)
            findings.extend(model_findings)
            version = {"model": models.version}
        else:
            signals = signals_from_strengths(strengths)
        from ._version import RULES_VERSION, __version__

        if sanitised:  # spans were found in a copy with lone surrogates replaced
            findings = [dataclasses.replace(x, text=reply[x.start:x.end]) for x in findings]
            strengths = [dataclasses.replace(x, text=reply[x.start:x.end]) for x in strengths]
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        return Critique(
            reply=reply,
            findings=tuple(findings),
            signals=signals,
            strengths=tuple(strengths),
            risk=risk_of(findings),
            id=None if item_id is None else str(item_id),
            customer=customer,
            version={"savy": __version__, "rules": RULES_VERSION, **version},
        )


def signals_from_strengths(strengths: Sequence[Strength]) -> dict[str, float]:
    """Rule-based stand-in signals when no classifier is loaded (models=None)."""
    ids = {s.id for s in strengths}
    return {
        "apology": 0.9 if "apology" in ids else 0.1,
        "empathy": 0.9 if "empathy" in ids else 0.1,
        "complaint": 0.5,
    }
