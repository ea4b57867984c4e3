"""Throughput of ``critique_many`` against the bare spaCy pipelines, in one run.

    python -m sävy.bench [--replies 2000] [--jobs 2]

Prints replies/s and words/s for, on the same synthetic replies:

- the stock ``spacy_fi_experimental_web_md`` pipeline (all components),
- the sävy pipeline alone (no parser/NER, sävy lemmatizer, sentencizer),
- ``critique_many`` with rules only, and with rules + classifiers,

and the overhead ratios: rules over the sävy pipeline (target < 1.15) and
classifiers over rules (target < 1.10).

How it times: the replies are cut into chunks of ``--chunk`` replies. In each
of ``--repeat`` rounds every configuration runs on every chunk, taking turns
chunk by chunk; a configuration's time is the sum over chunks of its fastest
run of that chunk. A slow spell of the machine (other processes, a noisy
virtual machine) then spoils one short run of one configuration, which
another round replaces, instead of a whole pass.

With ``--jobs N``, ``critique_many(n_process=N)`` runs in N worker processes
it keeps between calls (:mod:`sävy.parallel`). The bare pipeline is timed two
ways: spaCy's own ``pipe(n_process=N)`` (which starts its workers anew on
every call and sends every Doc back), and the same kept workers as
``critique_many`` doing only the parsing. The ratios use the faster of the two.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from typing import Callable, Iterable

OPENINGS = ["Hei!", "Kiitos viestistä.", "Moi,", "Hyvä asiakas,", "Terve!", ""]
BODIES = [
    "Tilauksenne {n} on lähtenyt varastolta ja saapuu {day}.",
    "Tämä ei valitettavasti kuulu meidän vastuullemme.",
    "En tiedä, katsokaa nettisivuilta.",
    "Pahoittelen viivettä, tarkistan asian ja palaan teille {day} klo {h} mennessä.",
    "Ymmärrän, että tilanne on turhauttava.",
    "Laskussa näkyvä maksu {n} euroa on kuukausimaksu.",
    "Sääntö on sääntö, emme tee poikkeuksia.",
    "Ei onnistu.",
    "Olisitte lukeneet ehdot ennen tilaamista.",
    "Palataan asiaan joskus.",
    "Asia on nyt hoidettu ja tiketti suljetaan.",
    "Voitte palauttaa tuotteen 30 päivän kuluessa, ja hyvitämme summan tilillenne.",
    "Mä en tiiä, kysy joltain muulta.",
    "Olemme välittäneet vikailmoituksen tekniselle tuelle.",
]
CLOSINGS = ["Auttoiko tämä?", "Ystävällisin terveisin, asiakaspalvelu", "Hyvää päivänjatkoa!", ""]
CUSTOMERS = [
    "Paketti tuli rikki ja olen todella pettynyt.", "Mihin aikaan olette auki?",
    "Laskussa on virhe, korjatkaa heti!", "Netti ei toimi taas, tämä on jo kolmas kerta.",
]
DAYS = ["tänään", "huomenna", "maanantaina", "perjantaina"]


def synthetic_replies(n: int, seed: int = 7) -> list[dict[str, str]]:
    """``n`` reproducible replies of 1–4 sentences, half with a customer message."""
    rng = random.Random(seed)
    items = []
    for i in range(n):
        body = " ".join(rng.choice(BODIES) for _ in range(rng.randint(1, 3)))
        text = " ".join(x for x in (rng.choice(OPENINGS), body, rng.choice(CLOSINGS)) if x)
        text = text.format(n=rng.randint(100, 99999), day=rng.choice(DAYS), h=rng.randint(8, 17))
        item = {"id": str(i), "reply": text}
        if i % 2:
            item["customer"] = rng.choice(CUSTOMERS)
        items.append(item)
    return items


def _best_interleaved(runs: dict[str, Callable[[int], None]], n_chunks: int, repeat: int) -> dict[str, float]:
    """Per configuration, the sum over chunks of its fastest time on that chunk over ``repeat``
    rounds; within a round the configurations take turns on each chunk."""
    best = {name: [float("inf")] * n_chunks for name in runs}
    for _ in range(repeat):
        for chunk in range(n_chunks):
            for name, fn in runs.items():
                start = time.perf_counter()
                fn(chunk)
                best[name][chunk] = min(best[name][chunk], time.perf_counter() - start)
    return {name: sum(times) for name, times in best.items()}


def _texts_of(items: list[dict[str, str]]) -> list[str]:
    """The texts the pipeline parses for ``items``: each reply and its customer message, if any."""
    return [t for item in items for t in (item["reply"], item.get("customer")) if t]


def _drain(it: Iterable[object]) -> None:
    for _ in it:
        pass


def run(n: int, repeat: int, jobs: int, batch_size: int, chunk: int | None = None) -> dict[str, object]:
    from . import parallel
    from .analyzer import Analyzer
    from .nlp import load_pipeline, load_stock_pipeline

    items = synthetic_replies(n)
    chunk = chunk or 250
    chunks = [items[i:i + chunk] for i in range(0, n, chunk)]
    texts = [_texts_of(part) for part in chunks]
    words = sum(len(t.split()) for t in (i["reply"] for i in items))
    stock = load_stock_pipeline()
    savy_nlp = load_pipeline()
    rules_only = Analyzer(nlp=savy_nlp, models=None)
    full = Analyzer(nlp=savy_nlp)
    has_models = full.models is not None
    # warm-up: loads lazily created parts and fills the Voikko cache as a real run would
    _drain(stock.pipe(texts[0][:200]))
    _drain(rules_only.critique_many(items[:200]))
    _drain(full.critique_many(items[:200]))
    if jobs > 1:  # start the worker processes critique_many keeps between calls
        _drain(rules_only.critique_many(items[:200], n_process=jobs))
        _drain(full.critique_many(items[:200], n_process=jobs))

    runs: dict[str, Callable[[int], None]] = {
        "stock_pipeline": lambda k: _drain(stock.pipe(texts[k], batch_size=batch_size, n_process=jobs)),
        "savy_pipeline": lambda k: _drain(savy_nlp.pipe(texts[k], batch_size=batch_size, n_process=jobs)),
        "critique_many_rules": lambda k: _drain(rules_only.critique_many(chunks[k], batch_size=batch_size, n_process=jobs)),
    }
    if has_models:
        runs["critique_many_full"] = lambda k: _drain(full.critique_many(chunks[k], batch_size=batch_size, n_process=jobs))
    baselines = ["savy_pipeline"]
    if jobs > 1 and parallel.fork_available():
        # the same worker processes critique_many uses, doing only the spaCy part: the fair baseline
        pool = rules_only._worker_pool(jobs)
        work = [[_texts_of(part) for part in parallel.chunked(c, batch_size)] for c in chunks]
        runs["savy_pipeline_workers"] = lambda k: _drain(pool.ordered(parallel.parse_chunk, work[k], batch_size))
        baselines.append("savy_pipeline_workers")
    seconds = _best_interleaved(runs, len(chunks), repeat)
    pipeline = min(seconds[name] for name in baselines)  # the faster way of running the bare pipeline
    result: dict[str, object] = {
        "replies": n, "texts_parsed": sum(map(len, texts)), "reply_words": words, "jobs": jobs,
        "batch_size": batch_size, "chunk": chunk, "repeat": repeat,
        "replies_per_s": {k: round(n / v, 1) for k, v in seconds.items()},
        "words_per_s": {k: round(words / v) for k, v in seconds.items()},
        "rules_over_pipeline": round(seconds["critique_many_rules"] / pipeline, 3),
        "savy_pipeline_speedup_over_stock": round(seconds["stock_pipeline"] / seconds["savy_pipeline"], 2),
    }
    if has_models:
        result["classifiers_over_rules"] = round(seconds["critique_many_full"] / seconds["critique_many_rules"], 3)
        # the wording: the share of critique_many throughput the classifiers cost
        result["classifier_throughput_cost"] = round(1 - seconds["critique_many_rules"] / seconds["critique_many_full"], 3)
        result["full_over_pipeline"] = round(seconds["critique_many_full"] / pipeline, 3)
    rules_only.close()
    full.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--chunk", type=int, default=None,
                        help="replies per timed run (default 250)")
    args = parser.parse_args(argv)
    result = run(args.replies, args.repeat, args.jobs, args.batch_size, args.chunk)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
