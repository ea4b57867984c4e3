"""The benchmark runs and reports every figure it promises (small sample)."""

from __future__ import annotations

import pytest

from sävy import parallel
from sävy.bench import run, synthetic_replies


def test_synthetic_replies_are_reproducible():
    assert synthetic_replies(50) == synthetic_replies(50)
    assert len({i["reply"] for i in synthetic_replies(200)}) > 100


def test_bench_reports_ratios():
    result = run(n=40, repeat=2, jobs=1, batch_size=16, chunk=15)
    assert set(result["replies_per_s"]) >= {"stock_pipeline", "savy_pipeline", "critique_many_rules"}
    assert all(v > 0 for v in result["replies_per_s"].values())
    assert result["rules_over_pipeline"] > 0 and result["savy_pipeline_speedup_over_stock"] > 0
    assert result["chunk"] == 15 and result["texts_parsed"] > 40


def test_interleaved_timing_sums_the_fastest_run_of_each_chunk(monkeypatch):
    from sävy import bench

    clock = iter([0, 5, 5, 6, 6, 7, 7, 9,  # round 1: a (chunk 0) 5 s, b 1 s; a (chunk 1) 1 s, b 2 s
                  0, 1, 1, 4, 4, 8, 8, 9])  # round 2: a 1 s, b 3 s; a 4 s, b 1 s
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(clock))
    calls = []
    best = bench._best_interleaved({"a": calls.append, "b": calls.append}, n_chunks=2, repeat=2)
    assert best == {"a": 1 + 1, "b": 1 + 1}
    assert calls == [0, 0, 1, 1, 0, 0, 1, 1]  # configurations take turns on each chunk


@pytest.mark.slow
@pytest.mark.skipif(not parallel.fork_available(), reason="kept worker processes need fork (Linux)")
def test_bench_with_two_jobs_times_the_pipeline_in_the_kept_workers_too():
    result = run(n=30, repeat=1, jobs=2, batch_size=8, chunk=15)
    assert set(result["replies_per_s"]) >= {"savy_pipeline", "savy_pipeline_workers", "critique_many_rules"}
    assert result["jobs"] == 2 and result["rules_over_pipeline"] > 0
