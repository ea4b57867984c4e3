"""Reading transcripts: every input record yields exactly one Record, in order (no NLP here)."""

from __future__ import annotations

import gzip
import io
import json
import sys

import pytest

from sävy.batch.readers import InputError, ReadOptions, read_records


def write(path, data: bytes | str):
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def records(*paths, **opts):
    return list(read_records(paths, ReadOptions(**opts)))


def test_jsonl_replies_keep_order_ids_and_extra_fields(tmp_path):
    p = write(tmp_path / "r.jsonl", '{"id": 7, "reply": "Hei", "agent_id": "a1", "x": [1]}\n\n'
                                    '{"reply": "Moi", "customer": "Apua"}\n')
    a, b = records(p)
    assert (a.id, a.reply, a.customer, dict(a.extra), a.line) == ("7", "Hei", None, {"agent_id": "a1", "x": [1]}, 1)
    assert (b.id, b.reply, b.customer, b.line) == ("r.jsonl:3", "Moi", "Apua", 3)


@pytest.mark.parametrize(
    "line, message",
    [
        (b"{not json", "invalid JSON"),
        (b'{"id": "x", "reply": "\xff\xfe"}', "invalid UTF-8"),
        (b'{"id": "x"}', "missing field 'reply'"),
        (b'{"id": "x", "reply": 5}', "must be a string"),
        (b'{"id": "x", "reply": "ok", "customer": 5}', "must be a string"),
        (b'["a list"]', "expected a JSON object"),
        (b'{"id": "x", "reply": "' + b"a" * 101 + b'"}', "over the limit of 100"),
        (b'{"id": "x", "turns": "nope"}', "'turns' must be a list"),
        (b'{"id": "x", "turns": [{"role": "customer", "text": "hei"}]}', "no agent turn"),
    ],
)
def test_a_bad_line_becomes_one_error_record_in_place(tmp_path, line, message):
    p = write(tmp_path / "r.jsonl", b'{"id": "a", "reply": "Hei"}\n' + line + b'\n{"id": "c", "reply": "Moi"}\n')
    out = records(p, max_chars=100)
    assert len(out) == 3
    assert out[0].error is None and out[2].error is None
    assert out[1].line == 2 and message in out[1].error


def test_conversation_turns_get_preceding_customer_context(tmp_path):
    conv = {"id": "c1", "channel": "chat", "turns": [
        {"role": "customer", "text": "Paketti ei tullut."},
        {"role": "customer", "text": "Missä se on?"},
        {"role": "agent", "text": "Tarkistan asian.", "agent_id": "a9", "time": "2026-01-01T10:00:00"},
        {"role": "agent", "text": "Se on matkalla."},
        {"role": "customer", "text": "Kiitos!"},
        {"role": "agent", "text": "Ole hyvä."},
        {"role": "bot", "text": "?"},
    ]}
    out = records(write(tmp_path / "c.jsonl", json.dumps(conv) + "\n"))
    assert [r.id for r in out] == ["c1/2", "c1/3", "c1/5", "c1/6"]
    assert out[0].customer == "Paketti ei tullut.\nMissä se on?"
    assert out[1].customer == out[0].customer  # second agent turn in a row keeps the context
    assert out[2].customer == "Kiitos!"
    assert out[0].extra == {"conversation_id": "c1", "turn": 2, "channel": "chat", "agent_id": "a9",
                            "time": "2026-01-01T10:00:00"}
    assert "role must be" in out[3].error


def test_json_array_and_wrapped_conversations(tmp_path):
    convs = [{"id": "x", "turns": [{"role": "agent", "text": "Hei"}]},
             {"id": "y", "turns": [{"role": "customer", "text": "A"}, {"role": "agent", "text": "B"}]}]
    a = records(write(tmp_path / "a.json", json.dumps(convs)))
    b = records(write(tmp_path / "b.json", json.dumps({"conversations": convs})))
    assert [r.id for r in a] == [r.id for r in b] == ["x/0", "y/1"]
    assert a[1].line == 2


def test_json_file_holding_jsonl_is_read_as_jsonl(tmp_path):
    out = records(write(tmp_path / "a.json", '{"reply": "a"}\n{"reply": "b"}\n'))
    assert [r.reply for r in out] == ["a", "b"]


def test_gzip_is_read_by_magic_number_whatever_the_name(tmp_path):
    p = tmp_path / "data.bin"
    p.write_bytes(gzip.compress(b'{"id": "g", "reply": "Hei"}\n'))
    assert [r.id for r in records(str(p))] == ["g"]


def test_csv_with_configured_columns_and_errors(tmp_path):
    data = ("tunnus;vastaus;asiakas;agentti\n"
            "1;En tiedä.;Missä paketti?;a1\n"
            '2;"Rivi, jossa\nrivinvaihto";;a2\n'
            "3;liikaa;kenttiä;a3;x\n").encode() + b"4;\xff;;a4\n"
    out = records(write(tmp_path / "d.csv", data), reply_col="vastaus", customer_col="asiakas", id_col="tunnus")
    assert [r.id for r in out] == ["1", "2", "3", "4"]
    assert out[0].customer == "Missä paketti?" and out[0].extra == {"agentti": "a1"}
    assert out[1].reply == "Rivi, jossa\nrivinvaihto" and out[1].customer is None
    assert "fields" in out[2].error and out[2].line == 5
    assert "UTF-8" in out[3].error


def test_csv_without_the_reply_column_is_a_usage_error(tmp_path):
    with pytest.raises(InputError, match="--reply-col"):
        records(write(tmp_path / "d.csv", "a,b\n1,2\n"))


def test_stdin_is_sniffed(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(b'[{"id": "s", "turns": [{"role": "agent", "text": "Hei"}]}]'))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert [r.id for r in records("-")] == ["s/0"]


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(InputError, match="no such input"):
        records(str(tmp_path / "nope.jsonl"))
