"""`savy report`: a self-contained page, escaped, with the sections the data allows; rendered in Chromium."""

from __future__ import annotations

import json
import os
import re
import struct
import zlib

import pytest

from sävy.batch.report import build_report, find_chromium, highlight, screenshot, write_report


def record(i: int, *, agent: bool = True, time: bool = True, **kw) -> dict:
    reply = kw.pop("reply", "Se ei ole minun vastuullani. En tiedä.")
    r = {"id": f"r{i}", "reply": reply, "customer": "Paketti ei tullut!", "risk": (i % 10) / 10,
         "findings": [{"rule": "responsibility-deflection", "severity": "high", "start": 3, "end": 27,
                       "text": reply[3:27], "message": "Torjuu vastuun.", "suggestion": "Ota asia omaksesi.",
                       "source": "rule", "explanation": ""},
                      {"rule": "missing-apology", "severity": "high", "start": 0, "end": len(reply),
                       "text": reply, "message": "Ei pahoittelua.", "suggestion": "Pahoittele.", "source": "model",
                       "explanation": ""}] if i % 3 else [],
         "signals": {"apology": 0.1, "empathy": 0.1, "complaint": 0.9}, "strengths": [],
         "version": {"savy": "0.1.0", "rules": "1", "model": "m"}}
    if agent:
        r["agent_id"] = f"agentti-{i % 4}"
    if time:
        r["time"] = f"2026-11-{1 + i % 9:02d}T10:00"
    r.update(kw)
    return r


RECORDS = [record(i) for i in range(40)] + [{"id": "bad", "error": {"line": 41, "message": "invalid JSON"}}]


def test_page_is_self_contained_and_has_all_sections():
    page = build_report(RECORDS)
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 4
    for heading in ("Havainnot säännöittäin", "Riskin jakauma", "Asiakaspalvelijat", "Kehitys päivittäin",
                    "Riskialtteimmat vastaukset", "Virhetietueet (1)"):
        assert heading in page
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert "<script" not in page and "@import" not in page


def test_sections_without_data_are_left_out():
    page = build_report([record(i, agent=False, time=False) for i in range(5)])
    assert "Asiakaspalvelijat" not in page and "Kehitys päivittäin" not in page and "Virhetietueet" not in page
    assert "Riskin jakauma" in page
    assert "Ei havaintoja" in build_report([record(0)])  # no findings at all


def test_text_is_escaped():
    page = build_report([record(1, reply='Se ei ole minun vastuullani. <script>alert("x")</script>', agent_id="<b>")])
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;" in page


@pytest.mark.parametrize(
    "spans, expected",
    [
        ([(0, 2, "low")], '<mark class="low" title="r">ab</mark>cdef'),
        ([(0, 3, "low"), (2, 5, "high")], '<mark class="high" title="r">abcde</mark>f'),
        ([(4, 99, "medium"), (-5, 1, "low")], '<mark class="low" title="r">a</mark>bcd<mark class="medium" title="r">ef</mark>'),
        ([(3, 3, "low")], "abcdef"),
    ],
)
def test_highlight_merges_overlaps_and_clips(spans, expected):
    findings = [{"rule": "r", "severity": s, "start": a, "end": b} for a, b, s in spans]
    assert highlight("abcdef", findings) == expected


def _png_size_and_colours(path) -> tuple[int, int, int]:
    """Width, height and a count of distinct colours of sampled rows (no Pillow needed)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    channels = {2: 3, 6: 4}[colour_type]
    stride = width * channels + 1
    colours = set()
    for row in range(0, height, max(1, height // 60)):
        line = raw[row * stride + 1:(row + 1) * stride]  # filtered bytes, still varied where the image is
        colours.update(line[i:i + channels] for i in range(0, len(line), channels * 7))
    return width, height, len(colours)


@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path):
    if find_chromium() is None:
        if os.environ.get("SAVY_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (SAVY_REQUIRE_BROWSER is set) but not installed")
        pytest.skip("no Chromium (apt-get install chromium)")
    scored = tmp_path / "scored.jsonl"
    scored.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    write_report(scored, tmp_path / "report.html")
    png = screenshot(tmp_path / "report.html", tmp_path / "report.png", width=1200, height=1800)
    width, height, colours = _png_size_and_colours(png)
    assert (width, height) == (1200, 1800)
    assert colours > 20, "the screenshot looks blank"
