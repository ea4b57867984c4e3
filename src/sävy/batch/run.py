"""One ``savy score`` run: read, critique, write, resume, report progress and a summary.

The run writes JSONL to a work file ``OUT.savy-partial`` beside the output,
with a small ``OUT.savy-partial.json`` saying which inputs and options made
it. Only when every record is written is the output made (renamed, or
converted to CSV/Parquet through a temporary file), so an interrupted run
never leaves a complete-looking file. ``--resume`` checks the work file was
made by the same inputs and options, drops a half-written last line, and
goes on after the records already written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from .readers import ReadOptions, Record, read_records
from .score import AnalyzerSpec, score_records
from .writers import GRANULARITIES, convert, jsonl_line, output_format

PARTIAL_SUFFIX = ".savy-partial"


class ResumeError(Exception):
    """``--resume`` was asked for, but the work file belongs to another run."""


@dataclass(frozen=True)
class ScoreOptions:
    """Everything that decides the content of a ``savy score`` output."""

    inputs: tuple[str, ...]
    output: str | None = None  # None or "-": stdout
    out_format: str | None = None
    granularity: str = "reply"
    read: ReadOptions = ReadOptions()
    spec: AnalyzerSpec = AnalyzerSpec()
    jobs: int = 1
    batch_size: int = 64
    resume: bool = False
    progress: bool | None = None  # None: when stderr is a terminal
    quiet: bool = False


@dataclass
class Summary:
    """What a run did; ``errors`` counts error records in the whole output."""

    records: int = 0
    errors: int = 0
    findings: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    resumed_after: int = 0
    new_records: int = 0
    output: str | None = None

    def add(self, record: dict[str, Any]) -> None:
        self.records += 1
        if "error" in record:
            self.errors += 1
        for finding in record.get("findings") or ():
            self.findings[finding["rule"]] += 1

    def text(self) -> str:
        rate = self.new_records / self.seconds if self.seconds else 0.0
        lines = [f"savy score: {self.records:,} records, {self.records - self.errors:,} critiqued, "
                 f"{self.errors:,} error records; {self.new_records:,} scored in {self.seconds:.1f} s "
                 f"({rate:,.1f} records/s)"
                 + (f"; resumed after {self.resumed_after:,}" if self.resumed_after else "")]
        if self.findings:
            lines.append("findings per rule:")
            width = max(map(len, self.findings))
            lines += [f"  {rule:{width}s} {n:7,d}" for rule, n in self.findings.most_common()]
        else:
            lines.append("no findings")
        if self.output:
            lines.append(f"written: {self.output}")
        return "\n".join(lines)


def _fingerprint(opts: ScoreOptions) -> dict[str, Any]:
    """What must match for ``--resume`` to continue a work file."""
    inputs = []
    for path in opts.inputs:
        if path == "-":
            inputs.append({"path": "-"})
        else:
            st = os.stat(path)
            inputs.append({"path": os.path.abspath(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    content = {"read": dataclasses.asdict(opts.read), "spec": dataclasses.asdict(opts.spec)}
    content["spec"]["severities"] = dict(sorted(opts.spec.severities.items()))
    return {"inputs": inputs,
            "options": hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()}


def _scan_partial(path: Path, summary: Summary) -> int:
    """Cut a half-written last line off the work file; count (and summarise) its records."""
    with open(path, "r+b") as f:
        data_end = f.seek(0, os.SEEK_END)
        keep = 0
        f.seek(0)
        count = 0
        for line in f:
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                break
            summary.add(record)
            keep += len(line)
            count += 1
        if keep != data_end:
            f.truncate(keep)
    return count


def _estimated_total(opts: ScoreOptions) -> int | None:
    """Records to expect, for the progress bar: lines of plain JSONL/CSV reply files."""
    total = 0
    for path in opts.inputs:
        if path == "-" or not os.path.isfile(path) or path.lower().endswith((".gz", ".json")):
            return None
        with open(path, "rb") as f:
            head = f.read(1 << 16)
            if head[:2] == b"\x1f\x8b" or b'"turns"' in head:
                return None
            f.seek(0)
            total += sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
            if path.lower().endswith((".csv", ".tsv")):
                total -= 1
    return total


def _progress(records: Iterator[dict[str, Any]], opts: ScoreOptions, done: int) -> Iterator[dict[str, Any]]:
    show = opts.progress if opts.progress is not None else (sys.stderr.isatty() and not opts.quiet)
    if not show:
        yield from records
        return
    from tqdm import tqdm

    total = _estimated_total(opts)
    with tqdm(records, total=total, initial=done, unit=" rec", file=sys.stderr, dynamic_ncols=True,
              smoothing=0.1, desc="savy score") as bar:
        yield from bar


def run_score(opts: ScoreOptions, *, analyzer: Any = None, stdout: IO[bytes] | None = None) -> Summary:
    """Do one scoring run as ``opts`` say; returns its :class:`Summary`."""
    if opts.granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}")
    fmt = output_format(opts.output, opts.out_format)
    to_stdout = opts.output in (None, "-")
    summary = Summary()
    started = time.perf_counter()
    if to_stdout and fmt == "jsonl":
        out = stdout or sys.stdout.buffer
        records = score_records(read_records(opts.inputs, opts.read), spec=opts.spec, analyzer=analyzer,
                                jobs=opts.jobs, batch_size=opts.batch_size)
        for record in _progress(records, opts, 0):
            out.write(jsonl_line(record))
            summary.add(record)
        out.flush()
        summary.new_records = summary.records
        summary.seconds = time.perf_counter() - started
        return summary

    out_path = Path(opts.output) if not to_stdout else None
    work_dir = out_path.parent if out_path else Path(".")
    work_dir.mkdir(parents=True, exist_ok=True)
    stem = out_path.name if out_path else f"savy-stdout-{os.getpid()}"
    partial = work_dir / (stem + PARTIAL_SUFFIX)
    meta = work_dir / (stem + PARTIAL_SUFFIX + ".json")
    fingerprint = _fingerprint(opts)

    skip = 0
    if opts.resume and partial.exists():
        try:
            previous = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            previous = None
        if previous != fingerprint:
            raise ResumeError(f"{partial} was made by other inputs or options; run without --resume to start over")
        skip = _scan_partial(partial, summary)
        summary.resumed_after = skip
    else:
        if partial.exists() and not opts.quiet:
            print(f"savy score: starting over; {partial} from an interrupted run is replaced "
                  "(--resume continues it instead)", file=sys.stderr)
        partial.write_bytes(b"")
        meta.write_text(json.dumps(fingerprint), encoding="utf-8")

    source: Iterable[Record] = itertools.islice(read_records(opts.inputs, opts.read), skip, None)
    records = score_records(source, spec=opts.spec, analyzer=analyzer, jobs=opts.jobs,
                            batch_size=opts.batch_size)
    last_flush = time.monotonic()
    with open(partial, "ab") as work:
        for record in _progress(records, opts, skip):
            work.write(jsonl_line(record))
            summary.add(record)
            summary.new_records += 1
            if time.monotonic() - last_flush > 0.5:
                work.flush()
                last_flush = time.monotonic()
    if out_path is None:
        tmp_out = work_dir / f".{stem}.out"
        convert(partial, tmp_out, fmt, opts.granularity)
        with open(tmp_out, "rb") as f:
            target = stdout or sys.stdout.buffer
            while block := f.read(1 << 20):
                target.write(block)
            target.flush()
        tmp_out.unlink()
        partial.unlink()
    elif fmt == "jsonl" and not out_path.name.lower().endswith(".gz"):
        os.replace(partial, out_path)
        summary.output = str(out_path)
    else:
        convert(partial, out_path, fmt, opts.granularity)
        partial.unlink()
        summary.output = str(out_path)
    meta.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - started
    return summary
