"""An HTTP service around :class:`sävy.Analyzer` (``savy serve``).

    from sävy.service import create_app
    app = create_app()            # an ASGI app; run it with uvicorn

Needs ``starlette`` (and ``uvicorn`` to serve); both are imported only when
``create_app`` is first used, so ``import sävy.service`` always works.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "build_openapi"]


def create_app(analyzer: Any = None, *, max_body_bytes: int = 1_000_000, max_batch: int = 1000,
               max_text_chars: int = 100_000) -> Any:
    """The ASGI app; see :func:`sävy.service.app.create_app`."""
    from .app import create_app as _create_app

    return _create_app(analyzer, max_body_bytes=max_body_bytes, max_batch=max_batch,
                       max_text_chars=max_text_chars)


def build_openapi(**limits: Any) -> dict[str, Any]:
    """The OpenAPI 3.1 description; see :func:`sävy.service.app.build_openapi`."""
    from .app import build_openapi as _build_openapi

    return _build_openapi(**limits)
