"""The HTTP service: a small Starlette app around one :class:`sävy.Analyzer`.

    POST /critique        {"reply": str, "customer"?: str|null, "id"?: str|null} -> critique
    POST /critique/batch  {"items": [ ...the same objects... ]} -> {"results": [critique, ...]}
    GET  /health          -> {"status": "ok", "version": "0.1.0"}
    GET  /openapi.json    -> the OpenAPI 3.1 description of all this

Every error is JSON, ``{"error": {"code": ..., "message": ...}}``:

* 413 ``body_too_large``  the body is over ``max_body_bytes`` (judged from
  Content-Length before reading, and counted while streaming otherwise);
* 413 ``batch_too_large`` more than ``max_batch`` items;
* 413 ``text_too_long``   a reply or customer message over ``max_text_chars``;
* 422 ``invalid_json``    the body is not JSON (or not UTF-8);
* 422 ``invalid_request`` wrong types, missing or unknown fields;
* 404 ``not_found``, 405 ``method_not_allowed``;
* 500 ``internal_error``  only for a bug: the message does not leak details.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Mapping

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from .._version import __version__

__all__ = ["create_app", "build_openapi", "ServiceError", "JSONResponse"]

log = logging.getLogger("sävy.service")

_ITEM_KEYS = ("reply", "customer", "id")


class JSONResponse(Response):
    """JSON with readable Finnish; falls back to ASCII escapes for lone surrogates."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        try:
            return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in a reply the caller sent
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


class ServiceError(Exception):
    """An error the client caused, answered with ``status`` and a JSON body."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


# -- request handling ---------------------------------------------------------
async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ServiceError(400, "bad_request", "Content-Length is not a number") from None
        if size > limit:
            raise ServiceError(413, "body_too_large", f"the body is {size} bytes; the limit is {limit} bytes")
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise ServiceError(413, "body_too_large", f"the body is over the limit of {limit} bytes")
    except ClientDisconnect:
        raise ServiceError(400, "bad_request", "the client disconnected before sending the whole body") from None
    return bytes(body)


def _parse_json(body: bytes) -> Any:
    if not body.strip():
        raise ServiceError(422, "invalid_json", "the body is empty; expected a JSON object")
    try:
        return json.loads(body)
    except RecursionError:
        raise ServiceError(422, "invalid_json", "the JSON is nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise ServiceError(422, "invalid_json", f"the body is not valid UTF-8: {exc.reason}") from None
    except ValueError as exc:  # json.JSONDecodeError
        raise ServiceError(422, "invalid_json", f"malformed JSON: {exc}") from None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), type(value).__name__)


def _check_item(item: Any, where: str, max_chars: int) -> dict[str, Any]:
    """One ``{"reply", "customer"?, "id"?}`` object, checked; 422 or 413 otherwise."""
    if not isinstance(item, dict):
        raise ServiceError(422, "invalid_request", f"{where} must be a JSON object, not {_type_name(item)}")
    unknown = sorted(set(item) - set(_ITEM_KEYS))
    if unknown:
        raise ServiceError(422, "invalid_request",
                           f"{where} has unknown field(s) {unknown}; allowed: {list(_ITEM_KEYS)}")
    if "reply" not in item:
        raise ServiceError(422, "invalid_request", f"{where}.reply is required")
    reply = item["reply"]
    if not isinstance(reply, str):
        raise ServiceError(422, "invalid_request", f"{where}.reply must be a string, not {_type_name(reply)}")
    customer = item.get("customer")
    if customer is not None and not isinstance(customer, str):
        raise ServiceError(422, "invalid_request",
                           f"{where}.customer must be a string or null, not {_type_name(customer)}")
    item_id = item.get("id")
    if item_id is not None and not isinstance(item_id, str):
        raise ServiceError(422, "invalid_request", f"{where}.id must be a string or null, not {_type_name(item_id)}")
    for name, text in (("reply", reply), ("customer", customer)):
        if text is not None and len(text) > max_chars:
            raise ServiceError(413, "text_too_long",
                               f"{where}.{name} is {len(text)} characters; the limit is {max_chars}")
    return {"reply": reply, "customer": customer, "id": item_id}


class _Service:
    """The state behind the routes: limits and the (lazily created) analyzer."""

    def __init__(self, analyzer: Any, max_body_bytes: int, max_batch: int, max_text_chars: int) -> None:
        self._analyzer = analyzer
        self.max_body_bytes = max_body_bytes
        self.max_batch = max_batch
        self.max_text_chars = max_text_chars
        # spaCy pipelines are not documented as thread-safe: one critique at a time.
        self._lock = threading.Lock()

    def _get_analyzer(self) -> Any:
        if self._analyzer is None:
            from ..analyzer import Analyzer

            self._analyzer = Analyzer()
        return self._analyzer

    def _critique_items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self._lock:
            analyzer = self._get_analyzer()
            return [c.to_dict() for c in analyzer.critique_many(items)]

    async def critique_items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not items:
            return []
        return await run_in_threadpool(self._critique_items, items)

    async def read_json(self, request: Request) -> Any:
        return _parse_json(await _read_body(request, self.max_body_bytes))

    # -- endpoints --------------------------------------------------------
    async def critique(self, request: Request) -> Response:
        payload = await self.read_json(request)
        item = _check_item(payload, "body", self.max_text_chars)
        (result,) = await self.critique_items([item])
        return JSONResponse(result)

    async def batch(self, request: Request) -> Response:
        payload = await self.read_json(request)
        if not isinstance(payload, dict):
            raise ServiceError(422, "invalid_request", f"body must be a JSON object, not {_type_name(payload)}")
        unknown = sorted(set(payload) - {"items"})
        if unknown:
            raise ServiceError(422, "invalid_request", f"body has unknown field(s) {unknown}; allowed: ['items']")
        if "items" not in payload:
            raise ServiceError(422, "invalid_request", "body.items is required")
        raw = payload["items"]
        if not isinstance(raw, list):
            raise ServiceError(422, "invalid_request", f"body.items must be an array, not {_type_name(raw)}")
        if len(raw) > self.max_batch:
            raise ServiceError(413, "batch_too_large",
                               f"body.items has {len(raw)} items; the limit is {self.max_batch}")
        items = [_check_item(x, f"body.items[{i}]", self.max_text_chars) for i, x in enumerate(raw)]
        return JSONResponse({"results": await self.critique_items(items)})

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})


# -- the OpenAPI description ---------------------------------------------------
def _critique_component() -> dict[str, Any]:
    """The critique JSON Schema (sävy.schema), fit to live in ``components/schemas``."""
    from ..schema import SCHEMA_ID, load_schema

    schema = load_schema()
    schema.pop("$schema", None)
    schema.pop("$id", None)  # an embedded $id would change the base URI of references
    schema["$comment"] = f"The same schema as {SCHEMA_ID} (sävy.schema.load_schema())."
    return schema


def _error_response(description: str, codes: list[str]) -> dict[str, Any]:
    return {
        "description": description + " Error codes: " + ", ".join(f"`{c}`" for c in codes) + ".",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def build_openapi(*, max_body_bytes: int = 1_000_000, max_batch: int = 1000,
                  max_text_chars: int = 100_000) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the service, with its limits filled in."""
    text = {"type": "string", "maxLength": max_text_chars}
    item = {
        "type": "object",
        "description": "One reply to critique, optionally with the customer message it answers.",
        "required": ["reply"],
        "additionalProperties": False,
        "properties": {
            "reply": {**text, "description": "The customer-service reply (Finnish)."},
            "customer": {"type": ["string", "null"], "maxLength": max_text_chars,
                         "description": "The customer message the reply answers, if known."},
            "id": {"type": ["string", "null"], "description": "Your id for the reply; echoed in the critique."},
        },
    }
    too_large = _error_response(
        f"Too large: the body is over {max_body_bytes} bytes, a text is over {max_text_chars} characters"
        f" or (batch) there are more than {max_batch} items.",
        ["body_too_large", "text_too_long", "batch_too_large"])
    unprocessable = _error_response(
        "The body is not JSON, or not an object of the documented shape (missing, unknown or mistyped fields).",
        ["invalid_json", "invalid_request"])
    not_allowed = _error_response("The method is not allowed on this path.", ["method_not_allowed"])
    bad_request = _error_response("The request could not be read (bad Content-Length, client disconnected).",
                                  ["bad_request"])
    internal = _error_response("A bug in the service; the server log has the details.", ["internal_error"])

    def post(summary: str, description: str, schema_ref: str, result_ref: str, op_id: str) -> dict[str, Any]:
        return {
            "operationId": op_id,
            "summary": summary,
            "description": description,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": schema_ref}}},
            },
            "responses": {
                "200": {"description": "The critique.",
                        "content": {"application/json": {"schema": {"$ref": result_ref}}}},
                "400": bad_request,
                "405": not_allowed,
                "413": too_large,
                "422": unprocessable,
                "500": internal,
            },
        }

    def get(summary: str, op_id: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "operationId": op_id,
            "summary": summary,
            "responses": {
                "200": {"description": summary, "content": {"application/json": {"schema": schema}}},
                "405": not_allowed,
                "500": internal,
            },
        }

    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "sävy",
            "version": __version__,
            "description": (
                "Critiques Finnish customer-service replies: the phrasing that risks escalating the customer,"
                " and what is missing from the reply. Every error is JSON:"
                ' `{"error": {"code": ..., "message": ...}}`; unknown paths answer 404 (`not_found`).'
                f" Limits: body {max_body_bytes} bytes, text {max_text_chars} characters,"
                f" batch {max_batch} items (over any of them: 413)."
            ),
        },
        "paths": {
            "/critique": {"post": post(
                "Critique one reply",
                "Critiques one reply; `customer` (the message it answers) sharpens the complaint signal.",
                "#/components/schemas/CritiqueRequest", "#/components/schemas/Critique", "critique")},
            "/critique/batch": {"post": post(
                "Critique many replies",
                f"Critiques up to {max_batch} replies in one request; results come in the order of the items.",
                "#/components/schemas/BatchRequest", "#/components/schemas/BatchResponse", "critiqueBatch")},
            "/health": {"get": get("The service is up.", "health", {"$ref": "#/components/schemas/Health"})},
            "/openapi.json": {"get": get("This OpenAPI description.", "openapi", {"type": "object"})},
        },
        "components": {
            "schemas": {
                "CritiqueRequest": item,
                "BatchRequest": {
                    "type": "object",
                    "required": ["items"],
                    "additionalProperties": False,
                    "properties": {
                        "items": {"type": "array", "maxItems": max_batch,
                                  "items": {"$ref": "#/components/schemas/CritiqueRequest"}},
                    },
                },
                "BatchResponse": {
                    "type": "object",
                    "required": ["results"],
                    "additionalProperties": False,
                    "properties": {
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Critique"},
                                    "description": "One critique per item, in the order of the items."},
                    },
                },
                "Critique": _critique_component(),
                "Health": {
                    "type": "object",
                    "required": ["status", "version"],
                    "additionalProperties": False,
                    "properties": {"status": {"const": "ok"}, "version": {"type": "string"}},
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "additionalProperties": False,
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "additionalProperties": False,
                            "properties": {
                                "code": {"type": "string", "description": "Machine-readable error code."},
                                "message": {"type": "string", "description": "What went wrong, for people."},
                            },
                        },
                    },
                },
            },
        },
    }


# -- error handlers -----------------------------------------------------------
async def _on_service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    # No "Connection: close" on a 413 for an unread body: uvicorn then discards the rest of the
    # body chunk by chunk after the response (nothing is buffered), so the client, still busy
    # sending, gets to read the 413. Closing at once would reset the connection under it.
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    if exc.status_code == 404:
        message = f"no such endpoint: {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, code, message, exc.headers)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal error; the server log has the details")


def create_app(
    analyzer: Any = None,
    *,
    max_body_bytes: int = 1_000_000,
    max_batch: int = 1000,
    max_text_chars: int = 100_000,
) -> Starlette:
    """The ASGI app. ``analyzer`` defaults to ``sävy.Analyzer()``, created on the first critique."""
    for name, value in (("max_body_bytes", max_body_bytes), ("max_batch", max_batch),
                        ("max_text_chars", max_text_chars)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    service = _Service(analyzer, max_body_bytes, max_batch, max_text_chars)
    spec = build_openapi(max_body_bytes=max_body_bytes, max_batch=max_batch, max_text_chars=max_text_chars)

    async def openapi(request: Request) -> Response:
        return JSONResponse(spec)

    app = Starlette(
        routes=[
            Route("/critique", service.critique, methods=["POST"]),
            Route("/critique/batch", service.batch, methods=["POST"]),
            Route("/health", service.health, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
        ],
        exception_handlers={
            ServiceError: _on_service_error,
            HTTPException: _on_http_exception,
            Exception: _on_unexpected,
        },
    )
    app.state.service = service
    return app
