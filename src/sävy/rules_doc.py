"""The rules reference, generated from the rule files: ``python -m sävy.rules_doc > docs/rules.md``.

A test checks that ``docs/rules.md`` is what this module writes, so the
reference never drifts from the rules.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .ruleset import Rule, load_rules

SEVERITY_FI = {"high": "korkea", "medium": "keskitaso", "low": "matala"}


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rule_section(rule: Rule, examples: int) -> list[str]:
    lines = [f"### `{rule.id}` — {rule.name}", "",
             f"Severity **{rule.severity}** ({SEVERITY_FI.get(rule.severity, rule.severity)}) · "
             f"file `{Path(rule.source).name}` · {len(rule.patterns)} patterns · "
             f"{len(rule.flag_examples)} must-flag / {len(rule.pass_examples)} must-not-flag examples", "",
             f"> {_md(rule.message)}", "", f"**Ehdotus:** {_md(rule.suggestion)}", ""]
    if rule.note:
        lines += [_md(rule.note), ""]
    if rule.unless:
        ids = sorted({i for c in rule.unless for i in c.ids})
        lines += [f"Not a finding when the context has: {', '.join(f'`{i}`' for i in ids) or 'a listed pattern'}"
                  f"{' (and other patterns)' if any(c.patterns for c in rule.unless) and ids else ''}.", ""]
    lines += ["| flagged | not flagged |", "|---|---|"]
    flag, ok = list(rule.flag_examples[:examples]), list(rule.pass_examples[:examples])
    for i in range(max(len(flag), len(ok))):
        a = _md(flag[i]) if i < len(flag) else ""
        b = _md(ok[i]) if i < len(ok) else ""
        lines.append(f"| {a} | {b} |")
    return lines + [""]


def render(paths: Sequence[str] = (), examples: int = 6) -> str:
    """The reference as Markdown, for the built-in rules and any extra rule files."""
    rules = load_rules(paths).rules
    findings = [r for r in rules if r.kind == "finding"]
    strengths = [r for r in rules if r.kind == "strength"]
    out = ["# sävy rules reference", "",
           "Generated from the rule files by `python -m sävy.rules_doc`; do not edit by hand.", "",
           "| id | name | severity | file |", "|---|---|---|---|"]
    out += [f"| [`{r.id}`](#{r.id}--{r.name.replace(' ', '-')}) | {r.name} | {r.severity} | "
            f"`{Path(r.source).name}` |" for r in findings]
    out += ["", "`missing-apology` and `missing-empathy` come from the classifiers (see `models/README.md`).", "",
            "## Phrasing rules", ""]
    for rule in findings:
        out += _rule_section(rule, examples)
    out += ["## Strengths", "", "What a reply does well; rules use them to avoid false alarms.", "",
            "| id | patterns | example |", "|---|---|---|"]
    out += [f"| `{r.id}` | {len(r.patterns)} | {_md(r.flag_examples[0]) if r.flag_examples else ''} |"
            for r in strengths]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the rules reference (Markdown) to stdout.")
    parser.add_argument("paths", nargs="*", help="extra rule files or folders")
    parser.add_argument("--examples", type=int, default=6, help="examples per column and rule")
    args = parser.parse_args(argv)
    sys.stdout.write(render(args.paths, args.examples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
