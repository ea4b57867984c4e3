"""The trained signal classifiers: safe loading, fast scoring, model findings.

Models are scikit-learn pipelines stored with joblib. Because unpickling runs
code, :func:`load_models` first checks every file against the SHA-256 in
``MANIFEST.json`` and refuses a mismatched or unlisted file; a model directory
other than the bundled one needs ``trust=True``.

Scoring one reply through scikit-learn costs about a millisecond per model in
input validation alone, so at load time each linear model is unpacked into a
:class:`LinearScorer` (vocabularies, IDF weights, coefficients and the sigmoid
calibration) that gives the same probabilities in microseconds; a test checks
the two agree. The models of one input share their vectorizers and are scored
together by a :class:`ScorerGroup`, one pass over the text's terms for all.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from spacy.tokens import Doc

from .critique import Finding, Strength
from .errors import ModelIntegrityError
from .features import feature_text
from .tokenmatch import TokenView

MANIFEST = "MANIFEST.json"


@dataclass(frozen=True)
class ModelFinding:
    """What a model finding says; thresholds come from the manifest."""

    rule: str
    severity: str
    message: str
    suggestion: str
    present: str  # signal model that must be high
    covered: str  # signal model that must be low
    present_reply_only: str


#: The two model findings of TAXONOMY.md — one place for their wording.
MODEL_FINDINGS: tuple[ModelFinding, ...] = (
    ModelFinding(
        rule="missing-apology",
        severity="high",
        message="Asiakas kertoo ongelmasta tai on tyytymätön, mutta vastauksessa ei pahoitella. "
        "Pahoittelu alussa rauhoittaa, vaikka vika ei olisi teidän.",
        suggestion="Aloita pahoittelulla ja nimeä asia: \"Pahoittelen, että tilauksenne saapui rikkinäisenä.\"",
        present="complaint", covered="apology", present_reply_only="complaint_from_reply",
    ),
    ModelFinding(
        rule="missing-empathy",
        severity="medium",
        message="Asiakas kertoo tunteestaan tai hankalasta tilanteestaan, mutta vastaus ei huomioi sitä.",
        suggestion="Tunnista tunne ennen ratkaisua: \"Ymmärrän, että tilanne on turhauttava, "
        "varsinkin kun olette odottaneet jo viikon.\"",
        present="feeling", covered="empathy", present_reply_only="feeling_from_reply",
    ),
)
#: Function words left out of explanations: they carry weight in the model but tell a trainer nothing.
_EXPLANATION_STOPWORDS = frozenset({"ja", "ei", "olla", "se", "että", "tämä", "tuo", "minä", "sinä", "ne", "on", "kun", "jos", "mutta", "nyt"})
_REPLY_ONLY_NOTE = " (Arvioitu pelkästä vastauksesta: asiakkaan viestiä ei annettu.)"


def default_model_dir() -> Path:
    """Bundled models: inside the installed package, else the repo's ``models/``."""
    packaged = Path(str(resources.files("sävy"))) / "models"
    if (packaged / MANIFEST).exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "models"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_manifest(directory: Path) -> dict[str, Any]:
    """Check every model file against its SHA-256; return the manifest."""
    manifest_path = directory / MANIFEST
    if not manifest_path.exists():
        raise ModelIntegrityError(f"{manifest_path} is missing: run `make train` to build the models.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    listed = manifest.get("files") or {}
    for path in sorted(directory.glob("*.joblib")) + sorted(directory.glob("*.pkl")):
        if path.name not in listed:
            raise ModelIntegrityError(
                f"{path} is not listed in {MANIFEST}; sävy loads only files whose hash it knows. Remove it or retrain."
            )
    for name, digest in listed.items():
        path = directory / name
        if not path.exists():
            raise ModelIntegrityError(f"{path} listed in {MANIFEST} is missing: reinstall sävy or run `make train`.")
        actual = sha256_file(path)
        if actual != digest:
            raise ModelIntegrityError(
                f"{path} does not match its SHA-256 in {MANIFEST} (expected {digest[:12]}…, got {actual[:12]}…). "
                "It was modified or corrupted; it is not loaded, because loading runs code. "
                "Reinstall sävy or rebuild the models with `make train`."
            )
    return manifest


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``analyzer="char_wb"`` n-grams of a lower-cased text, with list comprehensions.

    Words padded with one space; a word shorter than ``n`` counts once, whole,
    and ends the larger ``n`` (scikit-learn's rule). Equal to the vectorizer's
    own analyzer (tested); about twice as fast.
    """
    out: list[str] = []
    extend = out.extend
    for word in text.lower().split():
        w = f" {word} "
        size = len(w)
        for n in range(low, high + 1):
            if size <= n:
                out.append(w)
                break
            extend([w[i:i + n] for i in range(size - n + 1)])
    return out


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``analyzer="word"`` n-grams with ``token_pattern=r"\\S+"`` of a lower-cased text.

    Tokens are the whitespace-separated words; n-grams are joined by one
    space, all of one size before the next (scikit-learn's order). Equal to the
    vectorizer's own analyzer (tested).
    """
    tokens = text.lower().split()
    out: list[str] = tokens[:] if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def _analyzer(vec: Any) -> Callable[[str], list[str]]:
    """The vectorizer's analyzer: :func:`char_wb_ngrams` or :func:`word_ngrams` for their default
    settings, else scikit-learn's own."""
    params = vec.get_params()
    plain = (params["lowercase"] and params["preprocessor"] is None and params["strip_accents"] is None
             and params["input"] == "content" and params["decode_error"] == "strict")
    low, high = params["ngram_range"]
    if plain and params["analyzer"] == "char_wb":
        def analyze(text: str) -> list[str]:
            return char_wb_ngrams(text, low, high)

        analyze.char_wb = (low, high)  # type: ignore[attr-defined]  # ScorerGroup caches its n-grams per word
        return analyze
    if (plain and params["analyzer"] == "word" and params["token_pattern"] == r"\S+" and params["tokenizer"] is None
            and params["stop_words"] is None and low >= 1):
        return lambda text: word_ngrams(text, low, high)
    return vec.build_analyzer()


class LinearScorer:
    """One calibrated TF-IDF + linear model, unpacked for fast single-text scoring."""

    def __init__(self, calibrated: Any) -> None:
        cc = calibrated.calibrated_classifiers_[0]
        pipeline = cc.estimator
        calibrator = cc.calibrators[0]
        self.a, self.b = float(calibrator.a_), float(calibrator.b_)
        columns = pipeline.named_steps["features"]
        clf = pipeline.named_steps["clf"]
        coef = clf.coef_.ravel()
        self.intercept = float(clf.intercept_.ravel()[0])
        self.blocks: list[tuple[str, int, Callable[[str], list[str]], dict[str, tuple[float, float]], bool, bool]] = []
        #: per block: (signature, column, vocabulary, idf, coefficients), for :class:`ScorerGroup`
        self.arrays: list[tuple[str, int, Mapping[str, int], Any, Any]] = []
        offset = 0
        for name, vec, column in columns.transformers_:
            if name == "remainder":
                continue
            vocab = vec.vocabulary_
            size = len(vocab)
            inverse = {j: term for term, j in vocab.items()}
            signature = repr(sorted((k, v) for k, v in vec.get_params().items() if k != "vocabulary"))
            # term -> (idf, coefficient) as Python floats: one dict lookup per term when scoring
            block_coef = coef[offset:offset + size]
            table = {term: (float(vec.idf_[j]), float(block_coef[j])) for term, j in vocab.items()}
            self.blocks.append((signature, column, _analyzer(vec), table, bool(vec.sublinear_tf),
                                name == "lemmas"))
            self.arrays.append((signature, column, vocab, vec.idf_, block_coef))
            offset += size

    def explain(self, columns: Sequence[str], cache: dict | None = None) -> list[tuple[str, float]]:
        """The lemma features' contributions to the decision, largest first (as :meth:`score` gives them)."""
        return self.score(columns, cache, explain_only=True)[1]

    def score(self, columns: Sequence[str], cache: dict | None = None, *,
              explain_only: bool = False) -> tuple[float, list[tuple[str, float]]]:
        """Probability and the lemma features that pushed it up most.

        ``explain_only`` skips the blocks that explain nothing (the character
        n-grams): the contributions are the same, the probability is not.

        ``cache`` shares the analysed terms of a text between models that use
        the same vectorizer settings (all sävy models do).
        """
        decision = self.intercept
        contributions: list[tuple[str, float]] = []
        log = math.log
        for signature, column, analyze, table, sublinear, explain in self.blocks:
            if explain_only and not explain:
                continue
            text = columns[column]
            if cache is None:
                terms = Counter(analyze(text))
            else:
                key = (signature, text)
                terms = cache.get(key)
                if terms is None:
                    terms = cache[key] = Counter(analyze(text))
            squares = dot = 0.0
            parts: list[tuple[str, float]] = []
            get = table.get
            for term, count in terms.items():
                entry = get(term)
                if entry is None:
                    continue
                weight = (1.0 + log(count) if sublinear else float(count)) * entry[0]
                squares += weight * weight
                dot += weight * entry[1]
                if explain:
                    parts.append((term, weight * entry[1]))
            if not squares:
                continue
            norm = math.sqrt(squares)
            decision += dot / norm
            contributions.extend((term, part / norm) for term, part in parts)
        z = self.a * decision + self.b
        prob = 1.0 / (1.0 + math.exp(z)) if z > -700 else 1.0
        contributions.sort(key=lambda kv: -kv[1])
        return prob, contributions


class _BlockIndexer:
    """The vocabulary indices (plus an offset) of one vectorizer block's terms in a text.

    Indices are cached as packed ``intp`` bytes per term, and for the
    ``char_wb`` analyzer (whose n-grams never cross a word) per lower-cased
    word: a text then costs one dictionary lookup per word and a ``bytes``
    join, instead of building, looking up and converting every n-gram.
    """

    MAX_CACHED = 200_000

    def __init__(self, analyze: Callable[[str], list[str]], vocab: Mapping[str, int], offset: int,
                 char_wb: tuple[int, int] | None) -> None:
        self.analyze = analyze
        self.vocab = dict(vocab)
        self.offset = offset
        self.char_wb = char_wb
        self.cache: dict[str, bytes] = {}

    def _pack(self, key: str, terms: list[str]) -> bytes:
        import numpy as np

        get, offset = self.vocab.get, self.offset
        packed = np.array([j + offset for j in map(get, terms) if j is not None], dtype=np.intp).tobytes()
        if len(self.cache) >= self.MAX_CACHED:
            self.cache.clear()
        self.cache[key] = packed
        return packed

    def extend(self, text: str, out: list[bytes]) -> None:
        """Append the packed indices of ``text``'s terms (one per occurrence) to ``out``."""
        cache, pack = self.cache, self._pack
        if self.char_wb is None:
            for term in self.analyze(text):
                found = cache.get(term)
                out.append(pack(term, [term]) if found is None else found)
            return
        low, high = self.char_wb
        for word in text.lower().split():
            found = cache.get(word)
            out.append(pack(word, char_wb_ngrams(word, low, high)) if found is None else found)


class ScorerGroup:
    """Several :class:`LinearScorer` models over the same vectorizers, scored in one pass.

    The signal models of one input (the reply, or the customer message) are
    fitted on the same texts with the same TF-IDF settings, so they share
    vocabulary and IDF weights; only the coefficients differ. A text's terms
    of every block become indices into one joined vocabulary; one sort counts
    them, and one coefficient-matrix product gives every model's decision
    (each block's TF-IDF vector normalised on its own, as scikit-learn does).
    Probabilities equal :meth:`LinearScorer.score` (tested).
    """

    def __init__(self, scorers: Mapping[str, LinearScorer]) -> None:
        import numpy as np

        self.names = tuple(scorers)
        first = scorers[self.names[0]]
        self.indexers: list[tuple[int, _BlockIndexer]] = []  # (column, indexer) per block
        self.bounds: list[tuple[int, bool]] = []  # (first index, sublinear) per block
        idfs, coefs = [], []
        offset = 0
        for b, (signature, column, vocab, idf, _) in enumerate(first.arrays):
            for name in self.names[1:]:
                other = scorers[name].arrays[b]
                if other[0] != signature or other[1] != column or other[2] != vocab or not np.array_equal(other[3], idf):
                    raise ValueError(f"model {name!r} does not share the vectorizers of {self.names[0]!r}")
            analyze = first.blocks[b][2]
            self.indexers.append((column, _BlockIndexer(analyze, vocab, offset, getattr(analyze, "char_wb", None))))
            self.bounds.append((offset, first.blocks[b][4]))
            idfs.append(np.asarray(idf, dtype=np.float64))
            coefs.append(np.vstack([scorers[name].arrays[b][4] for name in self.names]))
            offset += len(vocab)
        self.idf = np.concatenate(idfs)
        self.coef = np.hstack(coefs)
        self.lows = [low for low, _ in self.bounds[1:]]
        flags = {sublinear for _, sublinear in self.bounds}
        self.sublinear: bool | None = flags.pop() if len(flags) == 1 else None  # None: per block
        self.intercepts = [scorers[n].intercept for n in self.names]
        self.calibration = [(scorers[n].a, scorers[n].b) for n in self.names]

    def score(self, columns: Sequence[str]) -> dict[str, float]:
        """Model name -> probability for one text (``columns`` as for :meth:`LinearScorer.score`)."""
        import numpy as np

        parts: list[bytes] = []
        for column, indexer in self.indexers:
            indexer.extend(columns[column], parts)
        index = np.sort(np.frombuffer(b"".join(parts), dtype=np.intp))
        decision = self.intercepts
        if len(index):
            # distinct indices and their counts (what np.unique gives, at a fraction of its overhead)
            new = np.empty(len(index), dtype=bool)
            new[0] = True
            np.not_equal(index[1:], index[:-1], out=new[1:])
            starts = np.flatnonzero(new)
            index = index[starts]
            counts = np.empty(len(starts), dtype=np.float64)
            counts[:-1] = starts[1:] - starts[:-1]
            counts[-1] = len(new) - starts[-1]
            # where each block's indices begin (the blocks' index ranges are disjoint and ordered)
            bounds = [0, *np.searchsorted(index, self.lows).tolist(), len(index)]
            if self.sublinear is None:  # blocks differ in sublinear_tf
                for (_, sublinear), a, b in zip(self.bounds, bounds, bounds[1:]):
                    if sublinear:
                        counts[a:b] = 1.0 + np.log(counts[a:b])
            elif self.sublinear:
                counts = 1.0 + np.log(counts)
            weights = counts * self.idf[index]
            # each block's TF-IDF vector normalised on its own: per-block sums over the block's segment
            cuts = [a for a, b in zip(bounds, bounds[1:]) if a < b]  # non-empty blocks
            norms = np.sqrt(np.add.reduceat(weights * weights, cuts))
            dots = np.add.reduceat(np.take(self.coef, index, axis=1) * weights, cuts, axis=1)
            decision = [d + x for d, x in zip(decision, (dots / norms).sum(axis=1).tolist())]
        probs = {}
        for name, d, (a, b) in zip(self.names, decision, self.calibration):
            z = a * d + b
            probs[name] = 1.0 / (1.0 + math.exp(z)) if z < 700 else 0.0
        return probs


class SignalModels:
    """The loaded classifiers; :meth:`assess` gives signals and model findings."""

    def __init__(self, models: Mapping[str, Any], manifest: Mapping[str, Any]) -> None:
        self.manifest = manifest
        self.thresholds: Mapping[str, Mapping[str, float]] = manifest["thresholds"]
        self.version = f"signals-{manifest['files'][next(iter(manifest['files']))][:12]}"
        self.inputs = {name: spec["input"] for name, spec in manifest["signals"].items()}
        self.models = dict(models)
        self.scorers: dict[str, Any] = {}
        for name, model in models.items():
            try:
                self.scorers[name] = LinearScorer(model)
            except (AttributeError, KeyError, IndexError):
                self.scorers[name] = None  # non-linear model: use scikit-learn directly
        # the linear models of each input scored together (one pass over a text's terms)
        self.groups: dict[str, ScorerGroup] = {}
        for which in dict.fromkeys(self.inputs.values()):
            linear = {n: sc for n, sc in self.scorers.items() if sc is not None and self.inputs[n] == which}
            if linear:
                try:
                    group = ScorerGroup(linear)
                except ValueError:
                    continue  # vectorizers differ: each model is scored on its own
                self.groups[which] = group

    def probability(self, name: str, feature: str, raw: str, cache: dict | None = None) -> tuple[float, list[tuple[str, float]]]:
        scorer = self.scorers.get(name)
        if scorer is not None:
            return scorer.score((feature, raw), cache)
        import numpy as np

        prob = float(self.models[name].predict_proba(np.array([[feature, raw]], dtype=object))[0, 1])
        return prob, []

    def assess(self, reply_doc: Doc, customer_doc: Doc | None, strengths: Sequence[Strength], *,
               reply_view: TokenView | None = None) -> tuple[dict[str, float], list[Finding]]:
        """Signals in [0, 1] and the missing-apology / missing-empathy findings.

        ``reply_view`` is the reply's token view when the rule engine made one.
        """
        view = reply_view if reply_view is not None else TokenView(reply_doc)
        reply = view.text
        reply_feature = feature_text(reply_doc, [s.id for s in strengths if s.start < len(reply)], view=view)
        texts = {"reply": (reply_feature, reply)}
        customer_view = TokenView(customer_doc) if customer_doc is not None else None
        customer = customer_view.text if customer_view is not None else ""
        if customer.strip():
            texts["customer"] = (feature_text(customer_doc, view=customer_view), customer)
        probs: dict[str, float] = {}
        cache: dict = {}

        def prob(name: str) -> float:
            if name not in probs:
                which = self.inputs[name]
                group = self.groups.get(which)
                if group is not None and name in group.names:
                    probs.update(group.score(texts[which]))
                else:
                    probs[name] = self.probability(name, *texts[which], cache=cache)[0]
            return probs[name]

        with_customer = "customer" in texts
        signals = {
            "apology": prob("apology"),
            "empathy": prob("empathy"),
            "complaint": prob("complaint" if with_customer else "complaint_from_reply"),
        }
        findings = []
        for spec in MODEL_FINDINGS:
            present = spec.present if with_customer else spec.present_reply_only
            key = spec.rule if with_customer else f"{spec.rule}/reply-only"
            t = self.thresholds[key]
            if t["present"] > 1.0:
                continue  # switched off at training (no threshold reached the precision floor)
            p_present = prob(present)
            p_covered = prob(spec.covered)
            if p_present >= t["present"] and p_covered < t["covered"] and reply.strip():
                # the explanation (per-term contributions) only for a finding that is reported
                scorer = self.scorers.get(present)
                why = scorer.explain(texts[self.inputs[present]], cache) if scorer is not None else []
                shown = [(w, c) for w, c in why if c > 0 and not w.startswith("_s:") and w not in _EXPLANATION_STOPWORDS]
                words = ", ".join(f"“{w}” {c:+.2f}" for w, c in shown[:3])
                source = "asiakkaan viesti" if with_customer else "vastaus"
                explanation = (f"{present} {p_present:.2f} ({source}: {words or '–'}); "
                               f"{spec.covered} {p_covered:.2f} < {t['covered']:.2f}")
                findings.append(Finding(
                    rule=spec.rule, severity=spec.severity, start=0, end=len(reply), text=reply,
                    message=spec.message + ("" if with_customer else _REPLY_ONLY_NOTE),
                    suggestion=spec.suggestion, source="model", explanation=explanation,
                ))
        return {k: round(float(v), 4) for k, v in signals.items()}, findings


def load_models(directory: str | Path | None = None, *, trust: bool = False) -> SignalModels:
    """Load the classifiers after checking their hashes.

    ``directory=None`` loads the bundled models. Any other directory is refused
    unless ``trust=True``: loading a joblib file runs code from it.
    """
    bundled = default_model_dir()
    path = bundled if directory is None else Path(directory)
    if directory is not None and path.resolve() != bundled.resolve() and not trust:
        raise ModelIntegrityError(
            f"{path} is not sävy's bundled model directory; loading it would run code from its files. "
            "Pass trust=True only for models you built yourself."
        )
    manifest = verify_manifest(path)
    import joblib
    import sklearn

    trained_with = manifest.get("versions", {}).get("sklearn")
    if trained_with and trained_with != sklearn.__version__:
        warnings.warn(f"models were trained with scikit-learn {trained_with}, running {sklearn.__version__}; "
                      "retrain with `make train` if results look wrong", stacklevel=2)
    payload = joblib.load(path / next(iter(manifest["files"])))
    return SignalModels(payload["models"], manifest)


def load_default_models() -> SignalModels | None:
    """The bundled models, or ``None`` when this checkout has none built yet."""
    if not (default_model_dir() / MANIFEST).exists():
        return None
    return load_models()
