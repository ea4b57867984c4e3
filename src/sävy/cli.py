"""The ``savy`` command line.

    savy check "Se ei kuulu minulle."          # human-readable, coloured on a TTY
    savy check --json "En tiedä."              # one JSON object per reply
    savy check --customer "Paketti on rikki!" "Lähetä kuva."
    savy check --file replies.txt             # one reply per line
    savy tokens "Mä en tiiä."                  # what the rules see: lemma, POS, morphology
    savy rules list                            # the loaded rules
    savy rules test PATH                       # run a rule file's own examples
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import Sequence, TextIO

from .critique import Critique

#: Modules that add subcommands: each has ``register(subparsers)`` and sets
#: ``func`` on its parsers (``savy score``, ``savy report``, ``savy serve``).
SUBCOMMAND_MODULES: tuple[str, ...] = ("sävy.batch.cli", "sävy.service.cli")

_SEVERITY_COLOUR = {"high": "31", "medium": "33", "low": "36"}


def _colour(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def format_critique(c: Critique, *, colour: bool = False) -> str:
    """A human-readable critique: each finding with its span underlined."""
    lines = [f"risk {c.risk:.2f}  " + "  ".join(f"{k} {v:.2f}" for k, v in c.signals.items())]
    if not c.findings:
        lines.append(_colour("no findings", "32", colour))
    for f in c.findings:
        head = f"[{f.severity}] {f.rule}"
        lines.append(_colour(head, _SEVERITY_COLOUR.get(f.severity, "0"), colour) + f"  ({f.start}-{f.end}, {f.source})")
        if f.source == "rule":
            line_start = c.reply.rfind("\n", 0, f.start) + 1
            line_end = c.reply.find("\n", f.end)
            line_end = len(c.reply) if line_end < 0 else line_end
            shown = c.reply[line_start:line_end]
            if len(shown) <= 160:
                lines.append("    " + shown)
                lines.append("    " + " " * (f.start - line_start) + _colour("^" * max(f.end - f.start, 1), "1", colour))
            else:
                lines.append(f"    “{f.text}”")
        lines.append(f"    {f.message}")
        if f.suggestion:
            lines.append(f"    → {f.suggestion}")
        if f.explanation:
            lines.append(_colour(f"    ({f.explanation})", "2", colour))
    if c.strengths:
        lines.append(_colour("strengths: ", "32", colour) + ", ".join(f"{s.id} “{s.text}”" for s in c.strengths))
    return "\n".join(lines)


def _use_colour(stream: TextIO, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def _cmd_check(args: argparse.Namespace) -> int:
    from .analyzer import Analyzer

    if args.file:
        with open(args.file, encoding="utf-8") as fh:
            texts = [line.rstrip("\n") for line in fh if line.strip()]
    else:
        texts = args.text or [sys.stdin.read()]
    analyzer = Analyzer(**analyzer_kwargs(args))
    colour = _use_colour(sys.stdout, args.color)
    worst = 0
    for i, text in enumerate(texts):
        c = analyzer.critique(text, customer=args.customer, id=str(i) if len(texts) > 1 else None)
        worst = max(worst, len(c.findings))
        if args.json:
            print(json.dumps(c.to_dict(), ensure_ascii=False))
        else:
            if len(texts) > 1:
                print(f"— {i}: {text[:60]}")
            print(format_critique(c, colour=colour))
    return 0


def _cmd_tokens(args: argparse.Namespace) -> int:
    from .nlp import load_pipeline

    nlp = load_pipeline()
    for token in nlp(" ".join(args.text)):
        print(f"{token.i:3d} {token.text:18s} {token.lemma_:18s} {token.pos_:6s} {token.morph}")
    return 0


def analyzer_kwargs(args: argparse.Namespace) -> dict:
    """Analyzer settings from the project config (unless --no-config) and the command line."""
    from .config import ProjectConfig, load_config

    config = ProjectConfig() if getattr(args, "no_config", False) else load_config(getattr(args, "config", None))
    kwargs = config.analyzer_kwargs()
    kwargs["rule_files"] = (*kwargs["rule_files"], *(getattr(args, "rules", None) or ()))
    kwargs["disable"] = (*kwargs["disable"], *(getattr(args, "disable", None) or ()))
    kwargs["severities"] = {**kwargs["severities"], **dict(getattr(args, "severity", None) or ())}
    if getattr(args, "no_models", False):
        kwargs["models"] = None
    if getattr(args, "no_plugins", False):
        kwargs["plugins"] = False
    return kwargs


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """--config/--no-config/--no-plugins/--rules, shared by the commands that analyse."""
    parser.add_argument("--config", help="project config (default: nearest savy.toml or [tool.savy])")
    parser.add_argument("--no-config", action="store_true", help="ignore project config files")
    parser.add_argument("--no-plugins", action="store_true", help="leave out installed rule packs and detectors")
    parser.add_argument("--rules", action="append", help="extra rule file or folder (repeatable)")


def _cmd_rules(args: argparse.Namespace) -> int:
    if args.action == "list":
        from .analyzer import Analyzer

        kwargs = analyzer_kwargs(args)
        kwargs["rule_files"] = (*kwargs["rule_files"], *args.paths)
        analyzer = Analyzer(**kwargs, nlp=None)
        for rule in analyzer.ruleset.rules:
            state = "" if rule.enabled else "  (off)"
            print(f"{rule.kind:8s} {rule.id:28s} {rule.severity:7s} {rule.name}  "
                  f"[{rule.source.rsplit('/', 1)[-1]}]{state}")
        for det in analyzer.detectors:
            state = "" if det.enabled else "  (off)"
            print(f"{'detector':8s} {det.id:28s} {det.severity:7s} {det.source}{state}")
        return 0
    from .examples import run_examples

    failures = run_examples(args.paths)
    for failure in failures:
        print(failure)
    print(f"{'FAILED' if failures else 'ok'}: {len(failures)} example(s) failed")
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="savy", description="Critique Finnish customer-service replies.")
    from ._version import __version__

    parser.add_argument("--version", action="version", version=f"savy {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="critique replies given as arguments (or stdin)")
    check.add_argument("text", nargs="*", help="reply text(s); stdin when none")
    check.add_argument("--customer", help="the customer message the reply answers")
    check.add_argument("--file", help="a text file with one reply per line")
    check.add_argument("--json", action="store_true", help="JSON lines, as in TAXONOMY.md")
    add_config_arguments(check)
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.set_defaults(func=_cmd_check)
    tokens = sub.add_parser("tokens", help="show tokens, lemmas, POS and morphology as the rules see them")
    tokens.add_argument("text", nargs="+")
    tokens.set_defaults(func=_cmd_tokens)
    rules = sub.add_parser("rules", help="list rules, or test a rule file's examples")
    rules.add_argument("action", choices=("list", "test"))
    rules.add_argument("paths", nargs="*", help="extra rule files or folders")
    rules.add_argument("--config", help="project config (default: nearest savy.toml or [tool.savy])")
    rules.add_argument("--no-config", action="store_true", help="ignore project config files")
    rules.add_argument("--no-plugins", action="store_true", help="leave out installed rule packs and detectors")
    rules.set_defaults(func=_cmd_rules)
    for module in SUBCOMMAND_MODULES:
        try:
            registrar = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (module == exc.name or module.startswith(exc.name + ".")):
                raise
            continue
        registrar.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .errors import SavyError

    try:
        return int(args.func(args) or 0)
    except SavyError as exc:
        print(f"savy: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
