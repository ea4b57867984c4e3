"""Measure the NLP layer against gold UD annotations (lemmas and features).

    python -m sävy.morph_eval ../shared/data/ud_finnish_tdt/fi_tdt-ud-test.conllu

Tokens are taken from the gold tokenisation, so the figures measure tagging,
morphology and lemmatisation, not tokenisation. Compound marks (``#``) are
stripped from gold lemmas, as Voikko does not mark compounds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from spacy.language import Language
from spacy.tokens import Doc

#: Features the rules use, as UD names.
FEATURES: tuple[str, ...] = ("Polarity", "Person", "Number", "Case", "Person[psor]")


@dataclass
class Sentence:
    words: list[str]
    spaces: list[bool]
    lemmas: list[str]
    pos: list[str]
    feats: list[dict[str, str]]


@dataclass
class Scores:
    tokens: int = 0
    lemma_correct: int = 0
    lemma_correct_ci: int = 0
    pos_correct: int = 0
    feat_correct: dict[str, int] = field(default_factory=dict)
    feat_total: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, float]:
        out = {
            "tokens": self.tokens,
            "lemma_accuracy": round(self.lemma_correct / max(self.tokens, 1), 4),
            "lemma_accuracy_ci": round(self.lemma_correct_ci / max(self.tokens, 1), 4),
            "pos_accuracy": round(self.pos_correct / max(self.tokens, 1), 4),
            "tokens_per_second": round(self.tokens / max(self.seconds, 1e-9)),
        }
        for name in FEATURES:
            total = self.feat_total.get(name, 0)
            out[f"{name}_accuracy"] = round(self.feat_correct.get(name, 0) / max(total, 1), 4)
        return out


def _feats(text: str) -> dict[str, str]:
    if text in ("_", ""):
        return {}
    return dict(part.split("=", 1) for part in text.split("|"))


def read_conllu(path: Path, limit: int | None = None) -> Iterator[Sentence]:
    """Sentences of a CoNLL-U file (multiword-token lines skipped)."""
    sent = Sentence([], [], [], [], [])
    count = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                if sent.words:
                    yield sent
                    count += 1
                    if limit is not None and count >= limit:
                        return
                sent = Sentence([], [], [], [], [])
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            sent.words.append(cols[1])
            sent.spaces.append("SpaceAfter=No" not in cols[9])
            sent.lemmas.append(cols[2].replace("#", ""))
            sent.pos.append(cols[3])
            sent.feats.append(_feats(cols[5]))
    if sent.words:
        yield sent


def evaluate(nlp: Language, path: Path, limit: int | None = None) -> Scores:
    """Score lemma, POS and feature accuracy of ``nlp`` on a CoNLL-U file."""
    sentences = list(read_conllu(path, limit))
    docs = (Doc(nlp.vocab, words=s.words, spaces=s.spaces) for s in sentences)
    scores = Scores()
    start = time.perf_counter()
    for sent, doc in zip(sentences, nlp.pipe(docs, batch_size=256)):
        for i, token in enumerate(doc):
            scores.tokens += 1
            gold = sent.lemmas[i]
            scores.lemma_correct += token.lemma_ == gold
            scores.lemma_correct_ci += token.lemma_.lower() == gold.lower()
            scores.pos_correct += token.pos_ == sent.pos[i]
            predicted = token.morph.to_dict()
            for name in FEATURES:
                g, p = sent.feats[i].get(name), predicted.get(name)
                if g is None and p is None:
                    continue
                scores.feat_total[name] = scores.feat_total.get(name, 0) + 1
                scores.feat_correct[name] = scores.feat_correct.get(name, 0) + (g == p)
    scores.seconds = time.perf_counter() - start
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conllu", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="first N sentences only")
    parser.add_argument("--stock", action="store_true", help="measure the stock pipeline instead")
    args = parser.parse_args(argv)
    from .nlp import load_pipeline, load_stock_pipeline

    nlp = load_stock_pipeline() if args.stock else load_pipeline()
    result = evaluate(nlp, args.conllu, args.limit).as_dict()
    result["pipeline"] = "stock" if args.stock else "savy"
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
