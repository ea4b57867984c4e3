"""``savy score`` and ``savy report``: the batch commands of the CLI."""

from __future__ import annotations

import argparse
import os
import sys

from .readers import FORMATS, MAX_CHARS, InputError, ReadOptions
from .writers import GRANULARITIES, OUTPUT_FORMATS, OutputError

EXIT_OK, EXIT_RECORD_ERRORS, EXIT_USAGE = 0, 1, 2


def _severity(value: str) -> tuple[str, str]:
    rule, sep, severity = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected RULE=SEVERITY, got {value!r}")
    return rule, severity


def _spec(args: argparse.Namespace) -> "AnalyzerSpec":
    from ..cli import analyzer_kwargs
    from .score import AnalyzerSpec

    kw = analyzer_kwargs(args)
    return AnalyzerSpec(rule_files=tuple(map(str, kw["rule_files"])), disable=tuple(kw["disable"]),
                        severities=kw["severities"], models=kw["models"] is not None, plugins=kw["plugins"])


def _cmd_score(args: argparse.Namespace) -> int:
    from ..config import ConfigError
    from .run import ResumeError, ScoreOptions, run_score

    if args.jobs < 1 or args.batch_size < 1 or args.max_chars < 1:
        print("savy score: --jobs, --batch-size and --max-chars must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.resume and args.output in (None, "-"):
        print("savy score: --resume needs an output file (-o OUT)", file=sys.stderr)
        return EXIT_USAGE
    if args.resume and args.output and os.path.exists(args.output) and not os.path.exists(
            args.output + ".savy-partial"):
        print(f"savy score: nothing to resume, {args.output} is complete", file=sys.stderr)
        return EXIT_OK
    try:
        spec = _spec(args)
    except ConfigError as exc:
        print(f"savy score: {exc}", file=sys.stderr)
        return EXIT_USAGE
    opts = ScoreOptions(
        inputs=tuple(args.inputs),
        output=args.output,
        out_format=args.format,
        granularity=args.granularity,
        read=ReadOptions(format=args.input_format, reply_col=args.reply_col, customer_col=args.customer_col,
                         id_col=args.id_col, max_chars=args.max_chars),
        spec=spec,
        jobs=args.jobs,
        batch_size=args.batch_size,
        resume=args.resume,
        progress=args.progress,
        quiet=args.quiet,
    )
    try:
        summary = run_score(opts)
    except (InputError, OutputError, ResumeError, ValueError) as exc:
        print(f"savy score: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"savy score: cannot write {exc.filename or args.output}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    if not args.quiet:
        print(summary.text(), file=sys.stderr)
    if summary.errors:
        print(f"savy score: {summary.errors:,} record(s) could not be critiqued (see their \"error\")",
              file=sys.stderr)
        return EXIT_RECORD_ERRORS
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    output = args.output or os.path.splitext(args.input.removesuffix(".gz"))[0] + ".html"
    try:
        write_report(args.input, output, worst=args.worst)
    except FileNotFoundError as exc:
        print(f"savy report: no such file: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
    print(f"savy report: written {output}", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``score`` and ``report`` to the ``savy`` command."""
    score = sub.add_parser(
        "score", help="critique every reply of transcript files (JSONL, JSON, CSV; gzip; - for stdin)",
        description="Critique every agent reply in the inputs. One output record per input record, in order; "
                    "records that cannot be read become error records. Exit status: 0 all critiqued, "
                    "1 some error records, 2 usage error.")
    score.add_argument("inputs", nargs="+", metavar="INPUT", help="input file(s); - is stdin")
    score.add_argument("-o", "--output", help="output file (default: JSONL on stdout); "
                       ".jsonl, .jsonl.gz, .csv, .csv.gz or .parquet")
    score.add_argument("--format", choices=OUTPUT_FORMATS, help="output format (default: from -o's name)")
    score.add_argument("--granularity", choices=GRANULARITIES, default="reply",
                       help="CSV rows: one per reply (default) or one per finding")
    score.add_argument("--input-format", choices=FORMATS, help="input format (default: from the name, or sniffed)")
    score.add_argument("--reply-col", default="reply", help="CSV column of the reply (default: reply)")
    score.add_argument("--customer-col", default="customer", help="CSV column of the customer message")
    score.add_argument("--id-col", default="id", help="CSV column of the record id")
    score.add_argument("--max-chars", type=int, default=MAX_CHARS,
                       help=f"longer replies become error records (default: {MAX_CHARS:,})")
    score.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default: 1)")
    score.add_argument("--batch-size", type=int, default=64, help="texts per spaCy batch")
    score.add_argument("--resume", action="store_true", help="continue an interrupted run into the same -o")
    from ..cli import add_config_arguments

    add_config_arguments(score)
    score.add_argument("--disable", action="append", metavar="RULE", help="switch a rule off (repeatable)")
    score.add_argument("--severity", action="append", type=_severity, metavar="RULE=SEVERITY",
                       help="change a rule's severity (repeatable)")
    score.add_argument("--no-models", action="store_true", help="rules only, no classifiers")
    bar = score.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="progress bar even when stderr is not a terminal")
    bar.add_argument("--no-progress", dest="progress", action="store_false")
    score.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    score.set_defaults(func=_cmd_score)

    report = sub.add_parser("report", help="a self-contained HTML report of a `savy score` output")
    report.add_argument("input", help="JSONL written by savy score (.gz too)")
    report.add_argument("-o", "--output", help="HTML file (default: INPUT with .html)")
    report.add_argument("--worst", type=int, default=20, help="how many highest-risk replies to show")
    report.set_defaults(func=_cmd_report)
