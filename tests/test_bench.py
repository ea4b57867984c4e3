"""The benchmark runs and reports every figure it promises (small sample)."""

from __future__ import annotations

from sävy.bench import run, synthetic_replies


def test_synthetic_replies_are_reproducible():
    assert synthetic_replies(50) == synthetic_replies(50)
    assert len({i["reply"] for i in synthetic_replies(200)}) > 100


def test_bench_reports_ratios():
    result = run(n=40, repeat=1, jobs=1, batch_size=16)
    assert set(result["replies_per_s"]) >= {"stock_pipeline", "savy_pipeline", "critique_many_rules"}
    assert all(v > 0 for v in result["replies_per_s"].values())
    assert result["rules_over_pipeline"] > 0 and result["savy_pipeline_speedup_over_stock"] > 0
