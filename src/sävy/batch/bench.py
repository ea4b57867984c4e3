"""Benchmark of ``savy score`` against the bare spaCy pipelines, in one run.

    python -m sävy.batch.bench [--replies 20000] [--jobs 2]

Writes a reproducible synthetic corpus (``sävy.bench.synthetic_replies``,
half the replies with a customer message) to a temporary JSONL file, then
times, each as its own process from start to exit (model loading included):

- ``spacy-stock``: ``spacy_fi_experimental_web_md`` as shipped, over every
  text ``savy score`` analyses (replies and customer messages),
- ``spacy-savy``: the sävy pipeline (no parser/NER, sävy lemmatizer) alone,
- ``score-1``: ``savy score`` with one job, and ``score-N`` with ``--jobs N``.

It prints replies/s, seconds, the peak memory of the process tree (sampled),
and the ratios the batch issue sets targets for: ``score-N`` over ``score-1``
speed-up (>= 1.7), ``score-1`` time over ``spacy-stock`` time (<= 1.25), peak
memory (< 1.5 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

_PIPE = """
import json, sys, time
from {module} import {loader} as load
nlp = load()
texts = []
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    texts.append(r["reply"])
    if r.get("customer"):
        texts.append(r["customer"])
for _ in nlp.pipe(texts, batch_size=64):
    pass
"""


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


def run_timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes, whole process tree) of a command."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return elapsed, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    from ..bench import synthetic_replies

    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        with open(corpus, "w", encoding="utf-8") as f:
            for item in synthetic_replies(args.replies):
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        scenarios = {
            "spacy-stock": [py, "-c", _PIPE.format(module="spacy", loader="load") .replace(
                "nlp = load()", "nlp = load('spacy_fi_experimental_web_md')"), str(corpus)],
            "spacy-savy": [py, "-c", _PIPE.format(module="sävy.nlp", loader="load_pipeline"), str(corpus)],
            "score-1": [py, "-m", "sävy.cli", "score", str(corpus), "-o", str(Path(tmp) / "o1.jsonl"), "-q"],
            f"score-{args.jobs}": [py, "-m", "sävy.cli", "score", str(corpus), "-o", str(Path(tmp) / "oN.jsonl"),
                                   "-q", "--jobs", str(args.jobs)],
        }
        results = {}
        for name, cmd in scenarios.items():
            seconds, peak = run_timed(cmd)
            results[name] = {"seconds": round(seconds, 1), "replies_per_s": round(args.replies / seconds, 1),
                             "peak_mb": round(peak / 2**20)}
            print(f"{name:12s} {seconds:8.1f} s  {args.replies / seconds:8.1f} replies/s  "
                  f"peak {peak / 2**20:7.0f} MB", flush=True)
    one, many = results["score-1"]["seconds"], results[f"score-{args.jobs}"]["seconds"]
    ratios = {
        f"speedup_{args.jobs}_jobs": round(one / many, 3),
        "score1_over_spacy_stock_time": round(one / results["spacy-stock"]["seconds"], 3),
        "score1_over_spacy_savy_time": round(one / results["spacy-savy"]["seconds"], 3),
        f"score{args.jobs}_over_spacy_stock_time": round(many / results["spacy-stock"]["seconds"], 3),
        "peak_mb_max": max(r["peak_mb"] for r in results.values()),
    }
    for key, value in ratios.items():
        print(f"{key:32s} {value}")
    if args.json:
        print(json.dumps({"replies": args.replies, "cpus": os.cpu_count(), "results": results, "ratios": ratios}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
