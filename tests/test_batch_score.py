"""`savy score` end to end: nothing lost, order kept, errors in place, resume after a kill."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sävy.batch import AnalyzerSpec, ReadOptions, ScoreOptions, run_score
from sävy.batch.readers import read_records
from sävy.batch.score import score_records
from sävy.batch.writers import read_jsonl_records
from sävy.bench import BODIES, DAYS

BAD_KINDS = ("json", "utf8", "missing", "huge")


def savy(*args: str, stdin: bytes | None = None, timeout: float = 900) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "sävy.cli", *args], input=stdin, capture_output=True,
                          timeout=timeout)


def corpus_line(i: int, rng: random.Random) -> bytes:
    """Record i of the 10,000-record corpus: 1 % malformed, in four kinds."""
    if i % 100 == 50:
        kind = BAD_KINDS[(i // 100) % len(BAD_KINDS)]
        if kind == "json":
            return b'{"id": "r%d", "reply": "katkennut' % i
        if kind == "utf8":
            return b'{"id": "r%d", "reply": "rikki \xff\xfe teksti"}' % i
        if kind == "missing":
            return b'{"id": "r%d", "asiakas": "ei vastausta"}' % i
        return json.dumps({"id": f"r{i}", "reply": "Tämä on pitkä. " * 140_000}).encode()  # 2.1 MB
    text = rng.choice(BODIES).format(n=rng.randint(1, 999), day=rng.choice(DAYS), h=rng.randint(8, 17))
    record = {"id": f"r{i}", "reply": text, "agent_id": f"a{i % 7}"}
    if i % 3 == 0:
        record["customer"] = "Tilaus on myöhässä ja olen pettynyt."
    return json.dumps(record, ensure_ascii=False).encode()


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    rng = random.Random(11)
    path = tmp_path_factory.mktemp("batch") / "in.jsonl"
    with open(path, "wb") as f:
        for i in range(10_000):
            f.write(corpus_line(i, rng) + b"\n")
    return path


@pytest.fixture(scope="module")
def full_run(big_input) -> tuple[Path, subprocess.CompletedProcess[bytes]]:
    out = big_input.parent / "full.jsonl"
    done = savy("score", str(big_input), "-o", str(out))
    return out, done


@pytest.mark.slow
def test_ten_thousand_records_in_order_with_error_records(full_run):
    out, done = full_run
    assert done.returncode == 1, done.stderr.decode()
    assert b"100 record(s) could not be critiqued" in done.stderr
    records = list(read_jsonl_records(out))
    assert len(records) == 10_000
    assert [r["id"] for r in records] == [f"r{i}" if i % 100 != 50 or (i // 100) % 4 not in (0, 1)
                                          else f"in.jsonl:{i + 1}" for i in range(10_000)]
    for i, record in enumerate(records):
        if i % 100 != 50:
            assert "error" not in record and record["reply"] and 0 <= record["risk"] <= 1
            continue
        kind = BAD_KINDS[(i // 100) % 4]
        error = record["error"]
        assert error["line"] == i + 1
        expected = {"json": "invalid JSON", "utf8": "invalid UTF-8", "missing": "missing field 'reply'",
                    "huge": "over the limit"}[kind]
        assert expected in error["message"]
    assert any(r.get("findings") for r in records)
    assert all(r["agent_id"] == f"a{i % 7}" for i, r in enumerate(records) if "error" not in r)


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_file(big_input, full_run):
    expected, _ = full_run
    out = big_input.parent / "killed.jsonl"
    partial = Path(str(out) + ".savy-partial")
    proc = subprocess.Popen([sys.executable, "-m", "sävy.cli", "score", str(big_input), "-o", str(out), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if partial.exists() and partial.stat().st_size > 600_000:  # a few thousand records in
            break
        assert proc.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists(), "an interrupted run must not leave a complete-looking output"
    written = partial.read_bytes().count(b"\n")
    assert 0 < written < 10_000
    resumed = savy("score", str(big_input), "-o", str(out), "--resume")
    assert resumed.returncode == 1, resumed.stderr.decode()
    assert f"resumed after {written:,}".encode() in resumed.stderr
    assert out.read_bytes() == expected.read_bytes()
    assert not partial.exists()


def test_resume_refuses_a_work_file_of_other_inputs(tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_text('{"reply": "Hei"}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    Path(str(out) + ".savy-partial").write_text("", encoding="utf-8")
    Path(str(out) + ".savy-partial.json").write_text('{"inputs": [], "options": "x"}', encoding="utf-8")
    done = savy("score", str(a), "-o", str(out), "--resume")
    assert done.returncode == 2 and b"other inputs or options" in done.stderr


def test_usage_errors_exit_2(tmp_path):
    assert savy("score", str(tmp_path / "missing.jsonl")).returncode == 2
    assert savy("score").returncode == 2
    assert savy("score", "-", "--jobs", "0", stdin=b"").returncode == 2


def test_stdin_to_stdout_and_all_good_exits_0():
    done = savy("score", "-", "-q", stdin='{"id": "x", "reply": "Se ei ole minun vastuullani."}\n'.encode())
    assert done.returncode == 0, done.stderr.decode()
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["id"] == "x" and record["findings"][0]["rule"] == "responsibility-deflection"
    assert done.stderr == b""


def _small_input(tmp_path) -> Path:
    path = tmp_path / "small.jsonl"
    lines = [{"id": "1", "reply": "En tiedä. Katsokaa nettisivuilta.", "team": "B"},
             {"id": "2", "reply": "Pahoittelen viivettä! Hoidan asian tänään.", "customer": "Missä tilaus?"},
             {"id": "3"},
             {"id": "4", "reply": "Kiitos viestistä."}]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def test_csv_per_reply_and_per_finding(tmp_path, analyzer):
    import csv

    src = _small_input(tmp_path)
    for granularity in ("reply", "finding"):
        out = tmp_path / f"o-{granularity}.csv"
        run_score(ScoreOptions(inputs=(str(src),), output=str(out), granularity=granularity, quiet=True),
                  analyzer=analyzer)
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert {r["id"] for r in rows} == {"1", "2", "3", "4"}
        assert rows[0]["team"] == "B"
        errors = [r for r in rows if r["error"]]
        assert len(errors) == 1 and errors[0]["id"] == "3"
        if granularity == "reply":
            assert len(rows) == 4
            assert "dismissive-unknowing" in rows[0]["rules"] and rows[3]["rules"] == ""
        else:
            assert [r["rule"] for r in rows if r["id"] == "1"] == ["dismissive-unknowing", "self-service-pushback"]
            assert [r["rule"] for r in rows if r["id"] == "4"] == [""]


def test_gzip_output_and_no_work_files_left(tmp_path, analyzer):
    src = _small_input(tmp_path)
    out = tmp_path / "o.jsonl.gz"
    summary = run_score(ScoreOptions(inputs=(str(src),), output=str(out), quiet=True), analyzer=analyzer)
    assert summary.records == 4 and summary.errors == 1
    assert [json.loads(x)["id"] for x in gzip.decompress(out.read_bytes()).splitlines()] == ["1", "2", "3", "4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.jsonl.gz", "small.jsonl"]


def test_parquet_output(tmp_path, analyzer):
    pq = pytest.importorskip("pyarrow.parquet")
    src = _small_input(tmp_path)
    out = tmp_path / "o.parquet"
    run_score(ScoreOptions(inputs=(str(src),), output=str(out), quiet=True), analyzer=analyzer)
    table = pq.read_table(out).to_pylist()
    assert [r["id"] for r in table] == ["1", "2", "3", "4"]
    assert table[0]["findings"][0]["rule"] == "dismissive-unknowing"
    assert table[2]["error"] == "missing field 'reply'"
    assert json.loads(table[0]["extra"]) == {"team": "B"}


@pytest.mark.slow
def test_two_jobs_give_the_same_records_as_one(tmp_path, analyzer):
    rng = random.Random(3)
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(corpus_line(i, rng) for i in range(600)) + b"\n")
    records = list(read_records([str(path)], ReadOptions()))
    one = list(score_records(records, analyzer=analyzer))
    two = list(score_records(records, spec=AnalyzerSpec(), jobs=2, chunk_size=50))
    assert one == two
    assert len(one) == 600
