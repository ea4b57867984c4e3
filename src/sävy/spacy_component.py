"""The ``savy`` spaCy component: ``nlp.add_pipe("savy")`` in any Finnish pipeline.

Registered through the ``spacy_factories`` entry point, so after
``pip install savy`` this works without importing sävy::

    nlp = spacy.load("spacy_fi_experimental_web_md")
    nlp.add_pipe("savy", config={"disable": ["unprofessional-register"]})
    doc = nlp("Se ei ole minun vastuullani.")
    doc.spans["savy"]        # one Span per finding, label = rule id
    doc._.savy               # the sävy.Critique (doc._.savy_result holds its JSON form)

Set ``doc._.savy_customer`` (through ``nlp.pipe(..., as_tuples=True)`` and a
small component, or by calling the component yourself) to give the customer
message for ``missing-apology``/``missing-empathy``.

Unless the pipeline already has ``savy_lemmatizer``, the component first
sets sävy's own lemmas and dictionary-checked morphology on the tokens
(``relemmatize``), because the rules are written and measured against them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, SpanGroup

SPANS_KEY = "savy"
DEFAULT_CONFIG: dict[str, Any] = {
    "rules": [], "disable": [], "severities": {}, "models": True, "plugins": True, "relemmatize": True,
    "spans_key": SPANS_KEY,
}


class _DocHoldingSpanGroup(SpanGroup):
    """A SpanGroup that keeps its Doc alive.

    spaCy's SpanGroup holds its Doc weakly, so ``nlp(text).spans["savy"]``
    would fail once the temporary Doc is collected; holding it makes the
    one-liner work (the cycle is freed by the garbage collector).
    """

    def __init__(self, doc: Doc, **kwargs: Any) -> None:
        super().__init__(doc, **kwargs)
        self._doc_keepalive = doc


def _register_extensions() -> None:
    if not Doc.has_extension("savy_result"):
        Doc.set_extension("savy_result", default=None)
    if not Doc.has_extension("savy_customer"):
        Doc.set_extension("savy_customer", default=None)
    if not Doc.has_extension("savy"):
        Doc.set_extension("savy", getter=_critique_of)


def _critique_of(doc: Doc) -> Any:
    from .critique import Critique

    data = doc._.savy_result
    return None if data is None else Critique.from_dict(data, reply=doc.text, customer=doc._.savy_customer)


class SavyComponent:
    """Runs sävy's rules (and classifiers) on each Doc; see the module docstring."""

    def __init__(self, nlp: Language, name: str = "savy", *, rules: Iterable[str] = (),
                 disable: Iterable[str] = (), severities: dict[str, str] | None = None, models: bool = True,
                 plugins: bool = True, relemmatize: bool = True, spans_key: str = SPANS_KEY) -> None:
        _register_extensions()
        self.nlp = nlp
        self.name = name
        self.cfg = {"rules": [str(r) for r in rules], "disable": list(disable),
                    "severities": dict(severities or {}), "models": bool(models), "plugins": bool(plugins),
                    "relemmatize": bool(relemmatize), "spans_key": spans_key}
        self._analyzer: Any = None
        from spacy.pipeline import Sentencizer

        self._sentencizer = Sentencizer()  # used only when no component before this one sets sentences
        # Check the config now, unless a rule file is missing: spacy.load() builds the component
        # from its saved config before from_disk() points it at the saved copies of the rules.
        if all(Path(p).exists() for p in self.cfg["rules"]):
            self._build()

    def _build(self) -> None:
        from .analyzer import Analyzer

        self._analyzer = Analyzer(nlp=self.nlp, rule_files=self.cfg["rules"], disable=self.cfg["disable"],
                                  severities=self.cfg["severities"], models="default" if self.cfg["models"] else None,
                                  plugins=self.cfg.get("plugins", True))

    # -- processing -----------------------------------------------------------
    def _upstream(self, doc: Doc) -> Doc:
        """Run the components before this one (for the customer message)."""
        for name, proc in self.nlp.pipeline:
            if name == self.name:
                break
            doc = proc(doc)
        return doc

    def _relemmatize(self) -> bool:
        return self.cfg["relemmatize"] and "savy_lemmatizer" not in self.nlp.pipe_names

    def __call__(self, doc: Doc) -> Doc:
        from .lemmatizer import lemmatize_doc

        if len(doc) and not doc.has_annotation("POS"):
            from .errors import PipelineUnavailableError

            raise PipelineUnavailableError(
                "the 'savy' component needs part-of-speech and morphology from the components before it: "
                "add it to a Finnish pipeline with a morphologizer, e.g. "
                "spacy.load('spacy_fi_experimental_web_md'), not to a blank one")
        if len(doc) and not doc.has_annotation("SENT_START"):
            self._sentencizer(doc)
        if self._relemmatize():
            lemmatize_doc(doc)
        customer_doc = None
        if isinstance(doc._.savy_customer, str) and doc._.savy_customer.strip():
            customer_doc = self._upstream(self.nlp.make_doc(doc._.savy_customer))
            if len(customer_doc) and not customer_doc.has_annotation("SENT_START"):
                self._sentencizer(customer_doc)
            if self._relemmatize():
                lemmatize_doc(customer_doc)
        if self._analyzer is None:
            self._build()
        critique = self._analyzer.critique_doc(doc, customer_doc)
        spans = []
        for finding in critique.findings:
            span = doc.char_span(finding.start, finding.end, label=finding.rule, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        key = self.cfg["spans_key"]
        doc.spans[key] = _DocHoldingSpanGroup(doc, name=key, spans=spans)
        doc._.savy_result = critique.to_dict()
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    # -- serialisation ----------------------------------------------------------
    def _portable_cfg(self) -> dict[str, Any]:
        cfg = dict(self.cfg)
        cfg["rules"] = [f"rules/{i:02d}-{Path(p).name}" for i, p in enumerate(self.cfg["rules"])]
        return cfg

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the config and copies of the extra rule files (so the saved pipeline stands alone)."""
        path = Path(path)
        (path / "rules").mkdir(parents=True, exist_ok=True)
        for source, target in zip(self.cfg["rules"], self._portable_cfg()["rules"]):
            if Path(source).is_dir():
                shutil.copytree(source, path / target, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, path / target)
        (path / "cfg.json").write_text(json.dumps(self._portable_cfg(), ensure_ascii=False, indent=2),
                                       encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "SavyComponent":
        path = Path(path)
        cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        cfg["rules"] = [str(path / r) for r in cfg["rules"]]
        self.cfg = cfg
        self._build()
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        import srsly

        files = {}
        for source, target in zip(self.cfg["rules"], self._portable_cfg()["rules"]):
            paths = sorted(Path(source).rglob("*.y*ml")) if Path(source).is_dir() else [Path(source)]
            for p in paths:
                files[f"{target}/{p.name}" if Path(source).is_dir() else target] = p.read_text(encoding="utf-8")
        return srsly.msgpack_dumps({"cfg": self.cfg, "files": files})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "SavyComponent":
        import tempfile

        import srsly

        msg = srsly.msgpack_loads(data)
        self.cfg = msg["cfg"]
        if msg["files"]:
            folder = Path(tempfile.mkdtemp(prefix="savy-rules-"))
            for name, text in msg["files"].items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_text(text, encoding="utf-8")
            self.cfg["rules"] = [str(folder / "rules")]
        self._build()
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.nlp, self.name, self.cfg))


def _rebuild(nlp: Language, name: str, cfg: dict[str, Any]) -> SavyComponent:
    return SavyComponent(nlp, name, **cfg)


@Language.factory(
    "savy",
    default_config=DEFAULT_CONFIG,
    assigns=["doc.spans", "doc._.savy", "doc._.savy_result"],
    requires=["token.pos", "token.morph"],
)
def make_savy(nlp: Language, name: str, rules: list[str], disable: list[str], severities: dict[str, str],
              models: bool, plugins: bool, relemmatize: bool, spans_key: str) -> SavyComponent:
    """spaCy factory for :class:`SavyComponent` (``nlp.add_pipe("savy", config=...)``)."""
    return SavyComponent(nlp, name, rules=rules, disable=disable, severities=severities, models=models,
                         plugins=plugins, relemmatize=relemmatize, spans_key=spans_key)
