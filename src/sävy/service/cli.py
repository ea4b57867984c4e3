"""``savy serve``: run the HTTP service (sävy.service.app) with uvicorn.

    savy serve                         # http://127.0.0.1:8000
    savy serve --port 9000 --max-body 2000000 --max-batch 500

Binds the loopback address by default; pass ``--host 0.0.0.0`` deliberately
to listen on every interface. Importing this module needs neither starlette
nor uvicorn (the main CLI imports it to register the subcommand).
"""

from __future__ import annotations

import argparse
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {number}")
    return number


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from .app import create_app
    except ModuleNotFoundError as exc:
        print(f"savy serve: needs the '{exc.name}' package: pip install 'savy[service]'", file=sys.stderr)
        return 2
    app = create_app(max_body_bytes=args.max_body, max_batch=args.max_batch, max_text_chars=args.max_text)
    if args.preload:
        app.state.service._get_analyzer().critique("Kiitos viestistä.")
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                # the app enforces its own body limit; keep headers bounded too
                h11_max_incomplete_event_size=64 * 1024)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the ``savy`` command."""
    serve = sub.add_parser(
        "serve",
        help="run the HTTP service (POST /critique, /critique/batch; GET /health, /openapi.json)",
        description="Serve critiques over HTTP with uvicorn. Binds 127.0.0.1 unless --host says otherwise.",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--max-body", type=_positive_int, default=1_000_000, metavar="BYTES",
                       help="largest request body accepted; larger ones get 413 (default 1000000)")
    serve.add_argument("--max-batch", type=_positive_int, default=1000, metavar="N",
                       help="most items in one POST /critique/batch; more get 413 (default 1000)")
    serve.add_argument("--max-text", type=_positive_int, default=100_000, metavar="CHARS",
                       help="longest reply or customer message; longer ones get 413 (default 100000)")
    serve.add_argument("--preload", action="store_true",
                       help="load the analyzer before accepting requests (otherwise on the first request)")
    serve.add_argument("--log-level", default="info",
                       choices=("critical", "error", "warning", "info", "debug", "trace"))
    serve.set_defaults(func=_cmd_serve)
