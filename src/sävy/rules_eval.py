"""Per-rule precision and recall on a labelled set of replies.

    python -m sävy.rules_eval data/eval/rules_heldout.jsonl [--markdown] [--errors]

Each line: ``{"id", "reply", "customer"?, "rules": [expected rule ids]}``. A
reply counts as a true positive for a rule when the rule fires anywhere in it
and is expected. Also reports micro/macro F1 over the phrasing rules and the
share of clean replies (``rules: []``) with no false alarm. The held-out set
is never used to write rules; only this script reads it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PHRASING_RULES: tuple[str, ...] = (
    "responsibility-deflection", "rigid-policy", "dismissive-unknowing", "self-service-pushback",
    "customer-blaming", "minimizing", "unprofessional-register", "defensive-justification",
    "flat-refusal", "vague-commitment", "premature-closure",
)


def evaluate(records: list[dict[str, Any]], analyzer: Any) -> dict[str, Any]:
    items = [{"id": r.get("id"), "reply": r["reply"], "customer": r.get("customer")} for r in records]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    clean = clean_ok = 0
    errors: list[dict[str, Any]] = []
    for record, critique in zip(records, analyzer.critique_many(items)):
        expected = set(record.get("rules") or []) & set(PHRASING_RULES)
        found = {f.rule for f in critique.findings if f.source == "rule"} & set(PHRASING_RULES)
        for rule in PHRASING_RULES:
            if rule in expected and rule in found:
                tp[rule] += 1
            elif rule in found:
                fp[rule] += 1
            elif rule in expected:
                fn[rule] += 1
        if not expected:
            clean += 1
            clean_ok += not found
        if expected != found:
            errors.append({"id": record.get("id"), "reply": record["reply"],
                           "missed": sorted(expected - found), "false": sorted(found - expected)})
    per_rule = {}
    for rule in PHRASING_RULES:
        p = tp[rule] / (tp[rule] + fp[rule]) if tp[rule] + fp[rule] else 0.0
        r = tp[rule] / (tp[rule] + fn[rule]) if tp[rule] + fn[rule] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per_rule[rule] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3),
                          "support": tp[rule] + fn[rule], "false_alarms": fp[rule]}
    TP, FP, FN = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_p = TP / (TP + FP) if TP + FP else 0.0
    micro_r = TP / (TP + FN) if TP + FN else 0.0
    return {
        "records": len(records),
        "per_rule": per_rule,
        "macro_f1": round(sum(v["f1"] for v in per_rule.values()) / len(per_rule), 3),
        "micro_f1": round(2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0, 3),
        "clean_replies": clean,
        "clean_without_false_alarm": round(clean_ok / clean, 3) if clean else None,
        "errors": errors,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = ["| rule | precision | recall | F1 | support | false alarms |", "|---|---|---|---|---|---|"]
    for rule, v in result["per_rule"].items():
        lines.append(f"| `{rule}` | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | {v['support']} | {v['false_alarms']} |")
    lines.append(f"\nMacro-F1 {result['macro_f1']:.3f}, micro-F1 {result['micro_f1']:.3f}; "
                 f"{result['clean_without_false_alarm']:.1%} of {result['clean_replies']} clean replies without a false alarm "
                 f"({result['records']} replies).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--errors", action="store_true", help="list every reply the rules got wrong")
    args = parser.parse_args(argv)
    from .analyzer import Analyzer

    records = [json.loads(line) for line in args.path.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = evaluate(records, Analyzer(models=None))
    if args.errors:
        for e in result["errors"]:
            print(json.dumps(e, ensure_ascii=False))
    if args.markdown:
        print(markdown(result))
    else:
        json.dump({k: v for k, v in result.items() if k != "errors"}, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
