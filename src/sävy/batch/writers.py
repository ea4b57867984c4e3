"""Output of ``savy score``: JSONL lines, and CSV / Parquet made from a finished JSONL file.

The scoring run always writes JSONL to a work file first (so it can be
resumed); :func:`convert` then writes the asked format to a temporary file
that is renamed into place, so a file under the output name is always whole.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
GRANULARITIES = ("reply", "finding")

SIGNALS = ("apology", "empathy", "complaint")


class OutputError(Exception):
    """The output cannot be written in the asked format (e.g. Parquet without pyarrow)."""


def jsonl_line(record: dict[str, Any]) -> bytes:
    """One record as a UTF-8 JSON line; lone surrogates are written as \\u escapes."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def output_format(path: str | None, fmt: str | None) -> str:
    """The output format: explicit, else from the file name, else JSONL."""
    if fmt:
        if fmt not in OUTPUT_FORMATS:
            raise OutputError(f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
        return fmt
    name = (path or "").lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    return "jsonl"


def read_jsonl_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a (possibly gzipped) JSONL output file."""
    with open(path, "rb") as raw:
        head = raw.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    with opener(path, "rb") as stream:  # type: ignore[operator]
        for line in stream:
            if line.strip():
                yield json.loads(line)


def _passthrough_keys(path: Path) -> list[str]:
    from .score import OWN_KEYS

    seen: dict[str, None] = {}
    for record in read_jsonl_records(path):
        for key in record:
            if key not in OWN_KEYS:
                seen.setdefault(key)
    return list(seen)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _reply_rows(path: Path, extra: list[str]) -> Iterator[list[Any]]:
    yield ["id", *extra, "error", "risk", "rules", "n_findings", *SIGNALS, "strengths", "reply", "customer"]
    for r in read_jsonl_records(path):
        error = r.get("error")
        findings = r.get("findings") or []
        signals = r.get("signals") or {}
        yield [r.get("id"), *(_cell(r.get(k)) for k in extra),
               error["message"] if error else "",
               "" if error else r.get("risk"),
               " ".join(dict.fromkeys(f["rule"] for f in findings)),
               "" if error else len(findings),
               *("" if error else signals.get(s, "") for s in SIGNALS),
               " ".join(dict.fromkeys(s["strength"] for s in r.get("strengths") or [])),
               _cell(r.get("reply")), _cell(r.get("customer"))]


def _finding_rows(path: Path, extra: list[str]) -> Iterator[list[Any]]:
    """One row per finding; a reply without findings (or an error) still gets one row."""
    fields = ("rule", "severity", "start", "end", "text", "message", "suggestion", "source")
    yield ["id", *extra, "error", "risk", *fields]
    for r in read_jsonl_records(path):
        head = [r.get("id"), *(_cell(r.get(k)) for k in extra)]
        error = r.get("error")
        if error:
            yield [*head, error["message"], "", *([""] * len(fields))]
            continue
        findings = r.get("findings") or [{}]
        for f in findings:
            yield [*head, "", r.get("risk"), *(_cell(f.get(k)) for k in fields)]


def _write_csv(src: Path, out: IO[bytes], granularity: str) -> None:
    extra = _passthrough_keys(src)
    rows = _reply_rows(src, extra) if granularity == "reply" else _finding_rows(src, extra)
    text = io.TextIOWrapper(out, encoding="utf-8", errors="backslashreplace", newline="")
    writer = csv.writer(text)
    writer.writerows(rows)
    text.flush()
    text.detach()


def _write_parquet(src: Path, out_path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise OutputError("Parquet output needs pyarrow: pip install 'savy[parquet]'") from exc
    from .score import OWN_KEYS

    rows = []
    for r in read_jsonl_records(src):
        error = r.get("error")
        rows.append({
            "id": r.get("id"),
            "error": error["message"] if error else None,
            "risk": r.get("risk"),
            "reply": r.get("reply"),
            "customer": r.get("customer"),
            "findings": r.get("findings") or [],
            "signals": r.get("signals") if not error else None,
            "strengths": r.get("strengths") or [],
            "extra": json.dumps({k: v for k, v in r.items() if k not in OWN_KEYS}, ensure_ascii=False),
        })
    finding = pa.struct([("rule", pa.string()), ("severity", pa.string()), ("start", pa.int64()),
                         ("end", pa.int64()), ("text", pa.string()), ("message", pa.string()),
                         ("suggestion", pa.string()), ("source", pa.string()), ("explanation", pa.string())])
    strength = pa.struct([("strength", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                          ("text", pa.string())])
    schema = pa.schema([("id", pa.string()), ("error", pa.string()), ("risk", pa.float64()),
                        ("reply", pa.string()), ("customer", pa.string()), ("findings", pa.list_(finding)),
                        ("signals", pa.struct([(s, pa.float64()) for s in SIGNALS])),
                        ("strengths", pa.list_(strength)), ("extra", pa.string())])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), out_path)


def atomic_target(path: Path) -> tuple[int, Path]:
    """A temporary file beside ``path`` (same file system, so the rename is atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or Path("."))
    return fd, Path(tmp)


def convert(src: Path, out_path: Path, fmt: str, granularity: str = "reply") -> None:
    """Write the finished JSONL ``src`` to ``out_path`` in ``fmt``, atomically."""
    fd, tmp = atomic_target(out_path)
    try:
        if fmt == "parquet":
            os.close(fd)
            _write_parquet(src, tmp)
        else:
            gz = out_path.name.lower().endswith(".gz")
            with os.fdopen(fd, "wb") as raw:
                out: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if gz else raw  # type: ignore[assignment]
                if fmt == "csv":
                    _write_csv(src, out, granularity)
                else:
                    with open(src, "rb") as lines:
                        while block := lines.read(1 << 20):
                            out.write(block)
                if gz:
                    out.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
