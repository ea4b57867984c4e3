"""``savy report``: one self-contained HTML page (inline CSS and SVG, no network) over scored replies.

The page shows headline figures, findings per rule, the risk distribution,
agents side by side (when records carry ``agent_id``), the trend per day
(when they carry ``time``), the highest-risk replies with their findings
highlighted, and the error records.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

SEVERITY_COLOUR = {"high": "#c0392b", "medium": "#e67e22", "low": "#2e86c1"}
SEVERITY_FI = {"high": "korkea", "medium": "keskitaso", "low": "matala"}
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
ACCENT = "#5b4b8a"

CSS = """
:root { --ink:#1d1d27; --muted:#5d6170; --line:#e3e4ea; --bg:#f7f7fb; --accent:%(accent)s; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--bg); margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 0 0 12px; }
.sub { color: var(--muted); margin: 0 0 22px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 14px; margin-bottom: 22px; }
.card, section { background: #fff; border: 1px solid var(--line); border-radius: 10px; }
.card { padding: 14px 16px; } .card b { display: block; font-size: 26px; } .card span { color: var(--muted); }
section { padding: 18px 20px; margin-bottom: 20px; break-inside: avoid; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
.grid2 { margin-bottom: 20px; } .grid2 section { margin-bottom: 0; }
@media (max-width: 860px) { .grid2 { grid-template-columns: 1fr; } }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); } svg .muted { fill: var(--muted); }
table { border-collapse: collapse; width: 100%%; margin-top: 10px; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.reply { border-top: 1px solid var(--line); padding: 12px 0; }
.reply:first-of-type { border-top: 0; }
.meta { color: var(--muted); font-size: 13px; } .risk { font-weight: 700; }
.customer { color: var(--muted); font-style: italic; margin: 4px 0; }
.text { margin: 6px 0; white-space: pre-wrap; }
mark { border-radius: 3px; padding: 0 1px; }
mark.high { background: #f6d3cf; box-shadow: inset 0 -2px #c0392b; }
mark.medium { background: #fbe3c8; box-shadow: inset 0 -2px #e67e22; }
mark.low { background: #d6e8f5; box-shadow: inset 0 -2px #2e86c1; }
ul.findings { margin: 4px 0 0; padding-left: 18px; font-size: 14px; }
.tag { display: inline-block; border-radius: 4px; padding: 0 6px; color: #fff; font-size: 12px; }
.legend span { margin-right: 14px; font-size: 13px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
footer { color: var(--muted); font-size: 13px; }
@media print { body { background: #fff; } section, .card { border-color: #ccc; } }
""" % {"accent": ACCENT}


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """The records of a ``savy score`` JSONL output (gzip too)."""
    from .writers import read_jsonl_records

    return list(read_jsonl_records(path))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


# -- charts -------------------------------------------------------------------


def hbar_chart(rows: Sequence[tuple[str, float, str]], *, title: str, width: int = 500, value_fmt=str) -> str:
    """Horizontal bars: (label, value, colour) rows."""
    if not rows:
        return f'<p class="meta">Ei havaintoja.</p>'
    label_w, bar_h, gap = 190, 20, 8
    top = max(v for _, v, _ in rows) or 1
    height = len(rows) * (bar_h + gap) + 4
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_e(title)}">'
             f"<title>{_e(title)}</title>"]
    for i, (label, value, colour) in enumerate(rows):
        y = i * (bar_h + gap)
        w = (width - label_w - 60) * value / top
        parts.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{_e(label)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}" rx="3" fill="{colour}">'
                     f"<title>{_e(label)}: {_e(value_fmt(value))}</title></rect>"
                     f'<text x="{label_w + w + 6:.1f}" y="{y + 14}">{_e(value_fmt(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(values: Sequence[float], *, title: str, bins: int = 10, width: int = 500, height: int = 220) -> str:
    """Column histogram of values in [0, 1]."""
    counts = [0] * bins
    for v in values:
        counts[min(int(v * bins), bins - 1)] += 1
    top = max(counts) or 1
    left, bottom, plot_h = 36, 30, height - 50
    col_w = (width - left - 10) / bins
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_e(title)}">'
             f"<title>{_e(title)}</title>"]
    for i, n in enumerate(counts):
        h = plot_h * n / top
        x = left + i * col_w
        lo, hi = i / bins, (i + 1) / bins
        colour = "#2e86c1" if hi <= 0.3 else "#e67e22" if hi <= 0.6 else "#c0392b"
        parts.append(f'<rect x="{x + 2:.1f}" y="{height - bottom - h:.1f}" width="{col_w - 4:.1f}" '
                     f'height="{max(h, 0.5):.1f}" rx="2" fill="{colour}"><title>riski {_fmt(lo, 1)}–{_fmt(hi, 1)}: '
                     f"{n} vastausta</title></rect>")
        if n:
            parts.append(f'<text x="{x + col_w / 2:.1f}" y="{height - bottom - h - 4:.1f}" '
                         f'text-anchor="middle" class="muted">{n}</text>')
    for i in range(0, bins + 1, 2):
        parts.append(f'<text x="{left + i * col_w:.1f}" y="{height - 10}" text-anchor="middle" '
                     f'class="muted">{_fmt(i / bins, 1)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{height - bottom}" y2="{height - bottom}" stroke="#bbb"/>')
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(days: Sequence[tuple[str, int, float]], *, title: str, width: int = 1040, height: int = 240) -> str:
    """Replies per day (columns) and mean risk per day (line, right axis)."""
    left, right, bottom, top_pad = 40, 44, 40, 14
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    n = len(days)
    top = max(c for _, c, _ in days) or 1
    step = plot_w / max(n, 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_e(title)}">'
             f"<title>{_e(title)}</title>"]
    points = []
    label_every = max(1, n // 14)
    for i, (day, count, risk) in enumerate(days):
        x = left + i * step
        h = plot_h * count / top
        parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{top_pad + plot_h - h:.1f}" width="{step * 0.7:.1f}" '
                     f'height="{max(h, 0.5):.1f}" rx="2" fill="#c9c3e0"><title>{_e(day)}: {count} vastausta, '
                     f"keskiriski {_fmt(risk)}</title></rect>")
        points.append((x + step / 2, top_pad + plot_h * (1 - risk)))
        if i % label_every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - 20}" text-anchor="middle" class="muted">'
                         f"{_e(day[5:])}</text>")
    if points:
        parts.append('<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>'
                     % (ACCENT, " ".join(f"{x:.1f},{y:.1f}" for x, y in points)))
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{ACCENT}"/>' for x, y in points)
    for frac in (0, 0.5, 1):
        y = top_pad + plot_h * (1 - frac)
        parts.append(f'<text x="{width - right + 6}" y="{y + 4:.1f}" class="muted">{_fmt(frac, 1)}</text>')
    parts.append(f'<text x="{left - 6}" y="{top_pad + 8}" text-anchor="end" class="muted">{top}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}" stroke="#bbb"/>')
    parts.append("</svg>")
    return "".join(parts)


# -- replies with highlighted spans -------------------------------------------


def highlight(text: str, findings: Iterable[dict[str, Any]]) -> str:
    """``text`` HTML-escaped with each finding span in a ``<mark>``; overlapping spans are merged."""
    spans = []
    for f in findings:
        start, end = int(f.get("start", 0)), int(f.get("end", 0))
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        if end > start:
            spans.append([start, end, f.get("severity", "low"), [f.get("rule", "")]])
    spans.sort()
    merged: list[list[Any]] = []
    for span in spans:
        if merged and span[0] < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], span[1])
            if SEVERITY_RANK.get(span[2], 0) > SEVERITY_RANK.get(last[2], 0):
                last[2] = span[2]
            last[3] += [r for r in span[3] if r not in last[3]]
        else:
            merged.append(span)
    out, pos = [], 0
    for start, end, severity, rules in merged:
        out.append(_e(text[pos:start]))
        out.append(f'<mark class="{_e(severity)}" title="{_e(", ".join(rules))}">{_e(text[start:end])}</mark>')
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def _reply_block(r: dict[str, Any]) -> str:
    findings = r.get("findings") or []
    meta = [f'<span class="risk">riski {_fmt(float(r.get("risk", 0)))}</span>', _e(r.get("id", ""))]
    for key in ("agent_id", "time"):
        if r.get(key):
            meta.append(_e(r[key]))
    items = "".join(
        f'<li><span class="tag" style="background:{SEVERITY_COLOUR.get(f.get("severity"), "#777")}">'
        f'{_e(f.get("rule", ""))}</span> {_e(f.get("message", ""))}'
        f'<br><span class="meta">Ehdotus: {_e(f.get("suggestion", ""))}</span></li>' for f in findings)
    # model findings (missing-apology, missing-empathy) are about the whole reply: listed, not highlighted
    customer = (f'<p class="customer">Asiakas: {_e(r["customer"])}</p>' if r.get("customer") else "")
    return (f'<div class="reply"><div class="meta">{" · ".join(meta)}</div>{customer}'
            f'<p class="text">{highlight(str(r.get("reply", "")), [f for f in findings if f.get("source") != "model"])}</p><ul class="findings">{items}</ul></div>')


# -- the page -----------------------------------------------------------------


def _day(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def build_report(records: Iterable[dict[str, Any]], *, title: str = "sävy – raportti", worst: int = 20) -> str:
    """The report page for ``savy score`` output records, as one HTML string."""
    records = list(records)
    scored = [r for r in records if "error" not in r]
    errors = [r for r in records if "error" in r]
    risks = [float(r.get("risk", 0)) for r in scored]
    flagged = sum(1 for r in scored if r.get("findings"))
    rule_counts: Counter = Counter()
    rule_severity: dict[str, str] = {}
    for r in scored:
        for f in r.get("findings") or []:
            rule_counts[f["rule"]] += 1
            rule_severity[f["rule"]] = f.get("severity", "low")

    cards = [
        (f"{len(scored):,}".replace(",", " "), "arvioitua vastausta"),
        (f"{flagged / len(scored) * 100:.0f} %" if scored else "–", "vastauksista sai havainnon"),
        (_fmt(sum(risks) / len(risks)) if risks else "–", "keskimääräinen riski"),
        (f"{sum(rule_counts.values()):,}".replace(",", " "), "havaintoa"),
        (f"{len(errors):,}".replace(",", " "), "virhetietuetta"),
    ]
    body = ['<div class="cards">' + "".join(f'<div class="card"><b>{v}</b><span>{_e(k)}</span></div>'
                                             for v, k in cards) + "</div>"]

    rules_chart = hbar_chart([(rule, n, SEVERITY_COLOUR.get(rule_severity[rule], "#777"))
                              for rule, n in rule_counts.most_common()], title="Havainnot säännöittäin")
    legend = '<p class="legend">' + "".join(f'<span><i style="background:{c}"></i>{SEVERITY_FI[s]}</span>'
                                            for s, c in SEVERITY_COLOUR.items()) + "</p>"
    body.append('<div class="grid2">'
                f'<section><h2>Havainnot säännöittäin</h2>{legend}{rules_chart}</section>'
                f'<section><h2>Riskin jakauma</h2>{histogram(risks, title="Vastausten riskin jakauma")}'
                '<p class="meta">Riski 0 = ei havaintoja; mitä useampi ja vakavampi havainto, sitä lähempänä 1.</p>'
                "</section></div>")

    agents: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in scored:
        if r.get("agent_id") not in (None, ""):
            agents[str(r["agent_id"])].append(r)
    if agents:
        rows = sorted(((a, sum(float(x.get("risk", 0)) for x in rs) / len(rs), len(rs),
                        sum(len(x.get("findings") or []) for x in rs) / len(rs)) for a, rs in agents.items()),
                      key=lambda row: -row[1])
        chart = hbar_chart([(a, risk, ACCENT) for a, risk, _, _ in rows], title="Keskiriski asiakaspalvelijoittain",
                           width=1040, value_fmt=_fmt)
        table = ("<table><thead><tr><th>Asiakaspalvelija</th><th class=num>Vastauksia</th>"
                 "<th class=num>Keskiriski</th><th class=num>Havaintoja / vastaus</th></tr></thead><tbody>"
                 + "".join(f"<tr><td>{_e(a)}</td><td class=num>{n}</td><td class=num>{_fmt(risk)}</td>"
                           f"<td class=num>{_fmt(per)}</td></tr>" for a, risk, n, per in rows)
                 + "</tbody></table>")
        body.append(f"<section><h2>Asiakaspalvelijat</h2>{chart}{table}</section>")

    by_day: dict[str, list[float]] = defaultdict(list)
    for r in scored:
        day = _day(r.get("time"))
        if day:
            by_day[day].append(float(r.get("risk", 0)))
    if by_day:
        days = [(d, len(v), sum(v) / len(v)) for d, v in sorted(by_day.items())]
        body.append("<section><h2>Kehitys päivittäin</h2>"
                    '<p class="legend"><span><i style="background:#c9c3e0"></i>vastauksia</span>'
                    f'<span><i style="background:{ACCENT}"></i>keskiriski (oikea asteikko)</span></p>'
                    f'{trend_chart(days, title="Vastaukset ja keskiriski päivittäin")}</section>')

    top = sorted((r for r in scored if r.get("findings")), key=lambda r: -float(r.get("risk", 0)))[:worst]
    if top:
        body.append(f"<section><h2>Riskialtteimmat vastaukset ({len(top)})</h2>"
                    + "".join(_reply_block(r) for r in top) + "</section>")

    if errors:
        shown = errors[:20]
        body.append(f"<section><h2>Virhetietueet ({len(errors)})</h2>"
                    "<p class=meta>Näitä syötteen rivejä ei voitu arvioida.</p><table><thead><tr><th>Tunniste</th>"
                    "<th class=num>Rivi</th><th>Syy</th></tr></thead><tbody>"
                    + "".join(f"<tr><td>{_e(r.get('id', ''))}</td><td class=num>{_e(r['error'].get('line', ''))}</td>"
                              f"<td>{_e(r['error'].get('message', ''))}</td></tr>" for r in shown)
                    + "</tbody></table>"
                    + (f"<p class=meta>… ja {len(errors) - len(shown)} muuta.</p>" if len(errors) > len(shown) else "")
                    + "</section>")

    versions = next((r.get("version") for r in scored if r.get("version")), None) or {}
    footer = "sävy " + _e(versions.get("savy", "")) + (f" · säännöt {_e(versions['rules'])}" if "rules" in versions else "") \
        + (f" · malli {_e(versions['model'])}" if "model" in versions else "")
    return (f'<!DOCTYPE html><html lang="fi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f"<style>{CSS}</style></head><body><main><h1>{_e(title)}</h1>"
            f'<p class="sub">{len(records)} tietuetta · asiakaspalveluvastausten sävyarvio</p>'
            + "".join(body) + f"<footer>{footer}</footer></main></body></html>")


def write_report(input_path: str | Path, output_path: str | Path, **kwargs: Any) -> None:
    """Read a ``savy score`` output and write the report page atomically."""
    page = build_report(load_records(input_path), **kwargs)
    out = Path(output_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


def find_chromium() -> str | None:
    """The path of a Chromium/Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html_path: str | Path, png_path: str | Path, *, width: int = 1200, height: int = 2400) -> Path:
    """Render the report in headless Chromium and save a PNG (for docs and tests)."""
    browser = find_chromium()
    if browser is None:
        raise FileNotFoundError("no Chromium found; install it with: apt-get install chromium")
    png = Path(png_path).resolve()
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={png}", Path(html_path).resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    return png
