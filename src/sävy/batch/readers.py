"""Input records for ``savy score``: JSONL replies, JSON/JSONL conversations, CSV.

Every input record becomes exactly one :class:`Record` (a conversation
becomes one per agent turn), in input order. A record that cannot be read
(bad JSON, invalid UTF-8, a missing field, an oversized text) is not dropped:
it becomes a Record with ``error`` set, so the writer can emit an error
record in its place.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping

#: Default limit on reply length, in characters (``--max-chars``).
MAX_CHARS = 100_000

FORMATS = ("jsonl", "json", "csv")

CUSTOMER_ROLES = frozenset({"customer", "user", "client", "asiakas"})
AGENT_ROLES = frozenset({"agent", "assistant", "support", "operator", "asiakaspalvelija"})


class InputError(Exception):
    """An input cannot be read at all (missing file, unknown format): a usage error."""


@dataclass(frozen=True)
class Record:
    """One reply to critique, or the error that stands in its place.

    ``line`` is the 1-based line of the input (for JSON arrays: the 1-based
    position of the conversation in the array); ``extra`` holds the input
    fields that pass through to the output.
    """

    id: str | None
    line: int
    source: str
    reply: str | None = None
    customer: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs: format, CSV column names, size limit."""

    format: str | None = None  # None: from the file name, else sniffed
    reply_col: str = "reply"
    customer_col: str = "customer"
    id_col: str = "id"
    max_chars: int = MAX_CHARS
    csv_delimiter: str | None = None


# -- opening ---------------------------------------------------------------


def open_input(path: str) -> BinaryIO:
    """Open a path (``-`` is stdin) as bytes, un-gzipping transparently (by magic number)."""
    if path == "-":
        raw: BinaryIO = sys.stdin.buffer
    else:
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise InputError(f"cannot open {path}: {exc.strerror}") from exc
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


def _name_format(path: str) -> str | None:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for suffix, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "json"),
                        (".csv", "csv"), (".tsv", "csv")):
        if name.endswith(suffix):
            return fmt
    return None


def _sniff(head: bytes) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl"
    return "csv"


# -- records -----------------------------------------------------------------


def _text_error(value: Any, what: str, max_chars: int) -> str | None:
    if value is None:
        return f"missing field {what!r}"
    if not isinstance(value, str):
        return f"field {what!r} must be a string, not {type(value).__name__}"
    if len(value) > max_chars:
        return f"{what!r} is {len(value):,} characters, over the limit of {max_chars:,} (--max-chars)"
    return None


def _fallback_id(source: str, line: int) -> str:
    return f"{Path(source).name if source != '-' else 'stdin'}:{line}"


def _clip_customer(customer: Any, max_chars: int) -> Any:
    """Customer text is context: keep its last ``max_chars`` characters."""
    if isinstance(customer, str) and len(customer) > max_chars:
        return customer[-max_chars:]
    return customer


def reply_record(obj: Mapping[str, Any], line: int, source: str, opts: ReadOptions,
                 reply_key: str = "reply", customer_key: str = "customer", id_key: str = "id") -> Record:
    """A Record from one reply object (a JSONL line or a CSV row)."""
    raw_id = obj.get(id_key)
    rid = _fallback_id(source, line) if raw_id in (None, "") else str(raw_id)
    extra = {k: v for k, v in obj.items() if k not in (reply_key, customer_key, id_key)}
    reply = obj.get(reply_key)
    customer = obj.get(customer_key)
    if customer == "":
        customer = None
    error = _text_error(reply, reply_key, opts.max_chars)
    if error is None and customer is not None and not isinstance(customer, str):
        error = f"field {customer_key!r} must be a string, not {type(customer).__name__}"
    if error:
        return Record(rid, line, source, extra=extra, error=error)
    return Record(rid, line, source, reply=reply, customer=_clip_customer(customer, opts.max_chars), extra=extra)


def conversation_records(conv: Mapping[str, Any], line: int, source: str, opts: ReadOptions) -> Iterator[Record]:
    """One Record per agent turn, with the customer turns before it as context.

    The context is the customer turns since the previous agent turn; when the
    agent writes twice in a row, the last customer turns before it are kept.
    """
    raw_id = conv.get("id")
    cid = _fallback_id(source, line) if raw_id in (None, "") else str(raw_id)
    turns = conv.get("turns")
    if not isinstance(turns, list):
        yield Record(cid, line, source, error="field 'turns' must be a list of {role, text} objects")
        return
    extra = {k: v for k, v in conv.items() if k not in ("id", "turns")}
    pending: list[str] = []
    last_context: str | None = None
    agent_turns = 0
    for index, turn in enumerate(turns):
        tid = f"{cid}/{index}"
        if not isinstance(turn, Mapping):
            yield Record(tid, line, source, error=f"turn {index} must be an object, not {type(turn).__name__}")
            continue
        role = str(turn.get("role", "")).lower()
        text = turn.get("text")
        if role in CUSTOMER_ROLES:
            if isinstance(text, str) and text.strip():
                pending.append(text)
            continue
        if role not in AGENT_ROLES:
            yield Record(tid, line, source,
                         error=f"turn {index}: role must be 'customer' or 'agent', not {turn.get('role')!r}")
            continue
        agent_turns += 1
        if pending:
            last_context = "\n".join(pending)
            pending = []
        turn_extra = {"conversation_id": cid, "turn": index, **extra,
                      **{k: v for k, v in turn.items() if k not in ("role", "text")}}
        error = _text_error(text, "text", opts.max_chars)
        if error:
            yield Record(tid, line, source, extra=turn_extra, error=f"turn {index}: {error}")
            continue
        yield Record(tid, line, source, reply=text, customer=_clip_customer(last_context, opts.max_chars),
                     extra=turn_extra)
    if agent_turns == 0:
        yield Record(cid, line, source, extra=extra, error="conversation has no agent turn to critique")


def _object_records(obj: Any, line: int, source: str, opts: ReadOptions) -> Iterator[Record]:
    if not isinstance(obj, Mapping):
        yield Record(_fallback_id(source, line), line, source,
                     error=f"expected a JSON object, got {type(obj).__name__}")
    elif "turns" in obj:
        yield from conversation_records(obj, line, source, opts)
    else:
        yield reply_record(obj, line, source, opts)


def _decode_line(raw: bytes, line: int) -> tuple[str | None, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"invalid UTF-8 at byte {exc.start} of line {line}"


def read_jsonl(stream: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Record]:
    """JSONL of replies and/or conversations, one JSON object per line."""
    for line, raw in enumerate(stream, start=1):
        text, error = _decode_line(raw, line)
        if text is not None and line == 1:
            text = text.lstrip("\ufeff")
        if text is not None and not text.strip():
            continue
        if error is None:
            try:
                obj = json.loads(text)  # type: ignore[arg-type]
            except (json.JSONDecodeError, RecursionError) as exc:
                error = f"invalid JSON: {exc}"
        if error is not None:
            yield Record(_fallback_id(source, line), line, source, error=error)
            continue
        yield from _object_records(obj, line, source, opts)


def read_json(stream: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Record]:
    """A JSON document: an array of objects, ``{"conversations": [...]}`` or one object.

    A ``.json`` file that holds one object per line is read as JSONL.
    """
    data = stream.read()
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield Record(_fallback_id(source, 1), 1, source, error=f"invalid UTF-8 at byte {exc.start}")
        return
    except (json.JSONDecodeError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":
            yield from read_jsonl(io.BytesIO(data), source, opts)
            return
        yield Record(_fallback_id(source, 1), 1, source, error=f"invalid JSON: {exc}")
        return
    if isinstance(doc, Mapping) and isinstance(doc.get("conversations"), list):
        doc = doc["conversations"]
    elif isinstance(doc, Mapping):
        doc = [doc]
    if not isinstance(doc, list):
        yield Record(_fallback_id(source, 1), 1, source, error="expected a JSON array or object")
        return
    for position, obj in enumerate(doc, start=1):
        yield from _object_records(obj, position, source, opts)


def _surrogate_lines(stream: BinaryIO) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    first = True
    for raw in stream:
        text = decoder.decode(raw)
        if first:
            text, first = text.lstrip("\ufeff"), False
        yield text


def _has_bad_bytes(cell: str) -> bool:
    """Bytes that were not UTF-8 show up as U+DC80..U+DCFF after ``surrogateescape``."""
    return any("\udc80" <= ch <= "\udcff" for ch in cell)


def read_csv(stream: BinaryIO, source: str, opts: ReadOptions) -> Iterator[Record]:
    """CSV (or TSV) with a header row; column names from ``opts``."""
    lines = _surrogate_lines(stream)
    head = next(lines, "")
    delimiter = opts.csv_delimiter or ("\t" if head.count("\t") > head.count(",") and
                                      head.count("\t") > head.count(";") else
                                      ";" if head.count(";") > head.count(",") else ",")
    csv.field_size_limit(max(opts.max_chars * 4 + 1024, 1 << 20))

    def all_lines() -> Iterator[str]:
        yield head
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    if opts.reply_col not in header:
        raise InputError(f"{source}: no column {opts.reply_col!r} (columns: {', '.join(header)}); "
                         "name the reply column with --reply-col")
    id_index = header.index(opts.id_col) if opts.id_col in header else None
    row_start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(_fallback_id(source, row_start), row_start, source, error=f"invalid CSV: {exc}")
            row_start = reader.line_num + 1
            continue
        line, row_start = row_start, reader.line_num + 1
        if not row or row == [""]:
            continue
        rid = row[id_index] if id_index is not None and id_index < len(row) else ""
        if not rid or _has_bad_bytes(rid):
            rid = _fallback_id(source, line)
        if any(_has_bad_bytes(cell) for cell in row):
            yield Record(rid, line, source, error=f"invalid UTF-8 on line {line}")
            continue
        if len(row) != len(header):
            yield Record(rid, line, source, error=f"row has {len(row)} fields, the header {len(header)}")
            continue
        obj = dict(zip(header, row))
        yield reply_record(obj, line, source, opts, opts.reply_col, opts.customer_col, opts.id_col)


_READERS = {"jsonl": read_jsonl, "json": read_json, "csv": read_csv}


def read_records(paths: Iterable[str], opts: ReadOptions = ReadOptions()) -> Iterator[Record]:
    """All records of all inputs, in order. Raises :class:`InputError` for an unreadable input."""
    for path in paths:
        if path != "-" and not os.path.isfile(path):
            raise InputError(f"no such input file: {path}")
        stream = open_input(path)
        try:
            fmt = opts.format or _name_format(path)
            if fmt is None:
                head = stream.peek(512)[:512] if hasattr(stream, "peek") else b""
                fmt = _sniff(head)
            if fmt not in _READERS:
                raise InputError(f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}")
            yield from _READERS[fmt](stream, path, opts)
        finally:
            if path != "-":
                stream.close()
