"""`savy check`, `savy tokens`, `savy rules` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sävy.cli import format_critique


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sävy.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_check_json_is_one_line_per_reply():
    out = run("check", "--json", "En tiedä.", "Hoidan asian tänään.")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 2
    assert any(f["rule"] == "dismissive-unknowing" for f in lines[0]["findings"])


def test_check_reads_stdin_and_underlines_span():
    out = run("check", "--color", "never", stdin="Se ei kuulu minulle.")
    assert out.returncode == 0
    text = out.stdout
    assert "responsibility-deflection" in text
    lines = text.splitlines()
    idx = next(i for i, l in enumerate(lines) if "Se ei kuulu minulle." in l)
    line, carets = lines[idx], lines[idx + 1]
    assert carets.strip().startswith("^") and "\x1b[" not in carets
    assert line.index("ei kuulu") == carets.index("^")


def test_colour_only_when_asked(analyzer):
    c = analyzer.critique("Se ei kuulu minulle.")
    assert "\x1b[" in format_critique(c, colour=True)
    assert "\x1b[" not in format_critique(c, colour=False)


def test_tokens_shows_lemmas():
    out = run("tokens", "Mä en tiiä.")
    assert out.returncode == 0
    assert "tietää" in out.stdout and "minä" in out.stdout


def test_rules_list_and_test():
    listing = run("rules", "list")
    assert "responsibility-deflection" in listing.stdout and "strength" in listing.stdout
    tested = run("rules", "test")
    assert tested.returncode == 0, tested.stdout[-2000:]
    assert "0 example(s) failed" in tested.stdout


def test_bad_rule_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("family: x\nrules:\n  - id: x\n    colour: red\n", encoding="utf-8")
    out = run("check", "--rules", str(bad), "Hei")
    assert out.returncode == 2
    assert "bad.yaml" in out.stderr and "colour" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("argv", [["--version"]])
def test_version(argv):
    out = run(*argv)
    assert out.returncode == 0 and "savy" in out.stdout
