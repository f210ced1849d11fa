"""The console's routes: server-rendered pages (Jinja2), the live event stream, exports and sign-in."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlencode

import orjson
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from ndxp_sim.core.errors import (
    ERROR_HEADER,
    ForbiddenError,
    GatewayError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    QuotaExceededError,
    UnauthorizedError,
    describe_validation,
)
from ndxp_sim.gateway.auth import Caller
from ndxp_sim.gateway.console import detail, export, live
from ndxp_sim.gateway.console.i18n import DEFAULT_LANGUAGE, LANGUAGES, translator
from ndxp_sim.gateway.console.overview import DEFAULT_WINDOW, WINDOWS, Window, build_overview
from ndxp_sim.gateway.console.session import Sessions, SignInRequiredError
from ndxp_sim.gateway.exchange import sortable_uuid
from ndxp_sim.gateway.logpipe.masking import Masker, subject_hash
from ndxp_sim.gateway.ops_api import exchange_filters
from ndxp_sim.gateway.runtime import Runtime
from ndxp_sim.gateway.store import MAX_PAGE, ExchangeFilter, InvalidCursorError, Store
from ndxp_sim.gateway.token_throttle import TokenThrottle

log = logging.getLogger("ndxp.console")

HERE = Path(__file__).parent
LANG_COOKIE = "ndxp_console_lang"
MAX_FORM_BYTES = 16_384
SINCE: dict[str, timedelta] = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}
TRACE_KEYS = ("ma_ho_so", "request_id", "ma_yeu_cau")
_SUBJECT_HASH = re.compile(r"^[0-9a-f]{32}$")
_SECURITY_HEADERS = {
    # Everything is served from here: no inline script or style, nothing from elsewhere.
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}

Since = Annotated[Literal["15m", "1h", "6h", "24h", "7d"] | None, Query()]
Filters = Annotated[ExchangeFilter, Depends(exchange_filters)]


def _operator(request: Request) -> Caller:
    sessions: Sessions = request.app.state.sessions
    return sessions.operator(request)


Operator = Annotated[Caller, Depends(_operator)]


class _ConsoleAsgi:
    """Around the console app: an empty form field means "no filter" (its `name=` pair is dropped before
    the query is parsed), and every answer carries the security headers."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if query:
            kept = [pair for pair in query.split(b"&") if pair and not pair.endswith(b"=")]
            scope = {**scope, "query_string": b"&".join(kept)}
        static = scope["path"].startswith(f"{scope.get('root_path', '')}/static/")
        extra = [
            (k.encode(), v.encode())
            for k, v in _SECURITY_HEADERS.items()
            if not static or k != "cache-control"
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", [])) + [h for h in extra if h[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = _clock
    env.filters["ms"] = lambda value: "" if value is None else f"{value:,.1f}"
    return env


def _clock(value: str | datetime | None) -> str:
    """A record timestamp as `YYYY-MM-DD HH:MM:SS.mmm` (UTC)."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _base(request: Request) -> str:
    """Where the console is mounted (`/console`): every link and redirect starts with it."""
    return str(request.scope.get("root_path", ""))


def _safe_back(target: str | None, base: str) -> str:
    """Only a path inside the console (no other host, no scheme) is a redirect target."""
    if target and target.startswith(base + "/") and "//" not in target and "\\" not in target:
        return target
    return base + "/"


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PayloadTooLargeError(f"form: larger than {MAX_FORM_BYTES} bytes")
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def console_app(runtime: Runtime, store: Callable[[], Store], throttle: TokenThrottle) -> Any:
    """The console as an ASGI app to mount at /console; `throttle` is the one /token uses, so guessing an
    operator's secret costs the same through either door."""
    env = _environment()
    sessions = Sessions(runtime.settings, runtime.tokens)
    subject_key = runtime.settings.log.subject_key.get_secret_value()
    masker = Masker(subject_key)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.sessions = sessions
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def language(request: Request) -> str:
        chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
        return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE

    def render(
        request: Request,
        template: str,
        status_code: int = 200,
        who: Caller | None = None,
        csrf: str | None = None,
        **context: Any,
    ) -> HTMLResponse:
        lang = language(request)
        page = env.get_template(template).render(
            request=request,
            base=_base(request),
            lang=lang,
            t=translator(lang),
            csrf=csrf if csrf is not None else sessions.csrf_token(request),
            who=who,
            services=runtime.services,
            path_qs=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            **context,
        )
        return HTMLResponse(page, status_code)

    def since_filters(filters: ExchangeFilter, since: str | None) -> ExchangeFilter:
        if since and filters.ts_from is None:
            filters = replace(filters, ts_from=datetime.now(UTC) - SINCE[since])
        if filters.subject and not _SUBJECT_HASH.match(filters.subject):
            raise InvalidRequestError("subject: a 32-character keyed hash (use the identifier form)")
        return filters

    @app.exception_handler(SignInRequiredError)
    async def sign_in_first(request: Request, _: SignInRequiredError) -> Response:
        base = _base(request)
        if request.url.path.startswith((f"{base}/export", f"{base}/live/stream")):
            error = UnauthorizedError("sign in to the console first")
            return Response(
                error.body(sortable_uuid()), 401, {ERROR_HEADER: error.type}, media_type="application/json"
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{base}/login?{urlencode({'next': target})}", 303)

    def error_page(request: Request, status: int, message: str) -> HTMLResponse:
        try:
            who: Caller | None = sessions.operator(request)
        except SignInRequiredError:
            who = None
        return render(request, "error.html", status, who=who, status=status, message=message)

    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError) -> Response:
        return error_page(request, exc.status_code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_page(request, 422, describe_validation(exc.errors(), where="query"))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_page(request, exc.status_code, str(exc.detail))

    # sign-in, sign-out, language

    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request, next: str | None = None) -> Response:
        base = _base(request)
        try:
            sessions.operator(request)
            return RedirectResponse(_safe_back(next, base), 303)
        except SignInRequiredError:
            pass
        csrf, nonce = sessions.pre_session(request)
        response = render(request, "login.html", next=next or "", problem=None, csrf=csrf)
        if nonce is not None:
            sessions.set_pre_session(request, response, nonce)
        return response

    @app.post("/login")
    async def login(request: Request) -> Response:
        base = _base(request)
        form = await _form(request)
        sessions.check_csrf(request, form.get("csrf"))
        client_id = form.get("client_id", "")
        address = request.client.host if request.client else "-"
        try:
            throttle.admit(client_id, address)  # before any PBKDF2 work, as POST /token
        except QuotaExceededError as exc:
            page = render(request, "login.html", 429, next=form.get("next", ""), problem="too_many_sign_ins")
            page.headers.update(exc.headers)
            return page
        try:
            token = await sessions.sign_in(client_id, form.get("client_secret", ""))
        except (UnauthorizedError, ForbiddenError) as exc:
            if isinstance(exc, UnauthorizedError):
                throttle.failed(client_id)
            problem = "not_operator" if isinstance(exc, ForbiddenError) else "bad_credentials"
            return render(request, "login.html", exc.status_code, next=form.get("next", ""), problem=problem)
        response = RedirectResponse(_safe_back(form.get("next"), base), 303)
        sessions.start(request, response, token)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        form = await _form(request)
        sessions.check_csrf(request, form.get("csrf"))
        response = RedirectResponse(_base(request) + "/login", 303)
        sessions.end(request, response)
        return response

    @app.post("/lang")
    async def switch_language(request: Request) -> Response:
        form = await _form(request)
        sessions.check_csrf(request, form.get("csrf"))
        chosen = form.get("lang", DEFAULT_LANGUAGE)
        if chosen not in LANGUAGES:
            raise InvalidRequestError(f"lang: one of {', '.join(LANGUAGES)}")
        response = RedirectResponse(_safe_back(form.get("back"), _base(request)), 303)
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 86400,
            path="/console",
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="strict",
        )
        return response

    # pages

    @app.get("/", response_class=HTMLResponse)
    async def overview_page(request: Request, who: Operator, window: Window = DEFAULT_WINDOW) -> Response:
        data = await build_overview(runtime, store(), window)
        return render(request, "overview.html", who=who, view=data, windows=list(WINDOWS), nav="overview")

    @app.get("/exchanges", response_class=HTMLResponse)
    async def search_page(
        request: Request,
        who: Operator,
        filters: Filters,
        since: Since = None,
        cursor: Annotated[str | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    ) -> Response:
        narrowed = since_filters(filters, since)
        try:
            page = await store().search(narrowed, limit, cursor)
        except InvalidCursorError:
            raise InvalidRequestError("cursor: not a cursor this console handed out") from None
        params = {k: v for k, v in request.query_params.items() if k != "cursor"}
        return render(
            request,
            "search.html",
            who=who,
            nav="search",
            page=page,
            params=params,
            query=urlencode(params),
            next_query=urlencode({**params, "cursor": page.next_cursor}) if page.next_cursor else None,
            since_options=list(SINCE),
            outcomes=["ok", "client_error", "backend_error", "gateway_error"],
        )

    @app.post("/subject")
    async def find_subject(request: Request, who: Operator) -> Response:
        form = await _form(request)
        sessions.check_csrf(request, form.get("csrf"))
        identifier = form.get("identifier", "").strip()
        if not identifier:
            raise InvalidRequestError("identifier: required")
        query = {"subject": subject_hash(identifier, subject_key), "since": form.get("since") or "7d"}
        return RedirectResponse(f"{_base(request)}/exchanges?{urlencode(query)}", 303)

    @app.get("/exchanges/{exchange_id}", response_class=HTMLResponse)
    async def exchange_page(
        request: Request, who: Operator, exchange_id: str, as_logged: bool = False
    ) -> Response:
        record = await store().get(exchange_id)
        if record is None:
            raise NotFoundError(translator(language(request))("not_found"))
        as_logged = as_logged and record.get("body_policy") == "full"
        if as_logged:
            log.info("operator %s viewed the unmasked bodies of exchange %s", who.consumer.id, exchange_id)
        return render(
            request,
            "exchange.html",
            who=who,
            nav="search",
            record=record,
            fields=detail.fields(record),
            bodies=detail.bodies(record, masker, as_logged=as_logged),
            as_logged=as_logged,
            waterfall=detail.waterfall(record),
        )

    @app.get("/trace", response_class=HTMLResponse)
    async def trace_page(
        request: Request,
        who: Operator,
        ma_ho_so: Annotated[str | None, Query(max_length=200)] = None,
        request_id: Annotated[str | None, Query(max_length=200)] = None,
        ma_yeu_cau: Annotated[str | None, Query(max_length=200)] = None,
        key: Annotated[Literal["ma_ho_so", "request_id", "ma_yeu_cau"] | None, Query()] = None,
        value: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        given: dict[str, str] = {
            k: v for k, v in zip(TRACE_KEYS, (ma_ho_so, request_id, ma_yeu_cau), strict=True) if v
        }
        if key and value:  # the trace form: which key, and its value
            given[key] = value.strip()
        if len(given) > 1:
            raise InvalidRequestError("give one of ma_ho_so, request_id, ma_yeu_cau")
        items: list[dict[str, Any]] = []
        chosen, wanted = next(iter(given.items()), ("ma_ho_so", ""))
        if wanted:
            items = await store().trace(
                ma_ho_so=given.get("ma_ho_so"),
                request_id=given.get("request_id"),
                ma_yeu_cau=given.get("ma_yeu_cau"),
            )
        start = datetime.fromisoformat(items[0]["ts_request_in"]) if items else None
        offsets = [
            (datetime.fromisoformat(item["ts_request_in"]) - start).total_seconds() * 1000 if start else 0.0
            for item in items
        ]
        return render(
            request,
            "trace.html",
            who=who,
            nav="trace",
            key=chosen,
            value=wanted,
            items=list(zip(items, offsets, strict=True)),
            keys=TRACE_KEYS,
        )

    @app.get("/live", response_class=HTMLResponse)
    async def live_page(request: Request, who: Operator) -> Response:
        names = {key: info.name_vi for key, info in runtime.services.items()}
        return render(request, "live.html", who=who, nav="live", services_json=orjson.dumps(names).decode())

    @app.get("/live/stream")
    async def live_stream(request: Request, who: Operator) -> StreamingResponse:
        events = live.exchange_events(store, request.is_disconnected)
        headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    @app.get("/export.{file_format}")
    async def export_search(
        who: Operator, file_format: Literal["csv", "jsonl"], filters: Filters, since: Since = None
    ) -> StreamingResponse:
        media_type, lines = export.FORMATS[file_format]
        return StreamingResponse(
            lines(store(), since_filters(filters, since)),
            media_type=media_type,
            headers={"content-disposition": f'attachment; filename="exchanges.{file_format}"'},
        )

    return _ConsoleAsgi(app)
