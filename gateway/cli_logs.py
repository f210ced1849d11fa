"""`ndxp-sim logs …`: search, show, trace and stats through the ops API, and tail the Kafka topic live."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NoReturn

import httpx
import orjson
import typer

app = typer.Typer(help="Search and follow the exchange log.", no_args_is_help=True)

_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

# Unset options come from settings (`ops_client.*`, e.g. NDXP_OPS_CLIENT__CLIENT_SECRET).
Url = Annotated[str | None, typer.Option("--url", help="Gateway base URL [default: from settings].")]
ClientId = Annotated[str | None, typer.Option(help="Operator client id [default: from settings].")]
ClientSecret = Annotated[
    str | None, typer.Option(help="Operator client secret [default: from settings].", show_default=False)
]
Json = Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")]
Since = Annotated[str | None, typer.Option(help="Only the last 30s / 15m / 1h / 2d / 1w.")]
From = Annotated[str | None, typer.Option("--from", help="From this time (ISO-8601; UTC if no zone).")]
To = Annotated[str | None, typer.Option("--to", help="Up to this time, exclusive.")]
Opt = Annotated[str | None, typer.Option()]


class CliError(Exception):
    """A problem to tell the operator in one line, then exit non-zero."""


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


class OpsClient:
    """The ops API over HTTP with an operator token from POST /token (client credentials)."""

    @classmethod
    def from_options(cls, url: str | None, client_id: str | None, client_secret: str | None) -> OpsClient:
        """A client from the command's options, each unset one taken from settings."""
        if url and client_id and client_secret:
            return cls(url, client_id, client_secret)
        settings = _settings()
        ops = settings.ops_client
        return cls(
            url or ops.url or f"http://{settings.host}:{settings.port}",
            client_id or ops.client_id,
            client_secret or ops.client_secret.get_secret_value(),
        )

    def __init__(self, url: str, client_id: str, client_secret: str) -> None:
        self._url = url.rstrip("/")
        self._http = httpx.Client(base_url=self._url, timeout=30)
        self._credentials = (client_id, client_secret)
        self._token: str | None = None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        response = self._send(
            "GET", path, params=query, headers={"authorization": f"Bearer {self._bearer()}"}
        )
        return response.json()

    def _bearer(self) -> str:
        if self._token is None:
            form = {"grant_type": "client_credentials"}
            response = self._send("POST", "/token", data=form, auth=self._credentials)
            self._token = str(response.json()["access_token"])
        return self._token

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise CliError(
                f"cannot reach the gateway at {self._url}: is `ndxp-sim up` running? ({exc})"
            ) from None
        if response.is_success:
            return response
        try:
            error = response.json()
            message = f"{error['type']}: {error['message']}"
        except (ValueError, KeyError, TypeError):
            message = response.text[:200] or response.reason_phrase
        if path == "/token":
            message = f"the gateway refused the operator credentials of {self._credentials[0]!r} ({message})"
        raise CliError(f"{response.status_code} {message}")


def parse_time(value: str) -> datetime:
    """An ISO-8601 date or time; without a zone it is UTC."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(f"not an ISO-8601 time: {value!r} (e.g. 2025-07-01T08:30:00Z)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_since(value: str) -> timedelta:
    match = _DURATION.match(value.strip())
    if not match:
        raise CliError(f"not a duration: {value!r} (e.g. 30s, 15m, 1h, 2d, 1w)")
    return timedelta(**{_UNITS[match[2]]: float(match[1])})


def window(since: str | None, ts_from: str | None, ts_to: str | None) -> dict[str, str | None]:
    """The from/to query parameters of --since/--from/--to."""
    if since and ts_from:
        raise CliError("give --since or --from, not both")
    start = datetime.now(UTC) - parse_since(since) if since else parse_time(ts_from) if ts_from else None
    end = parse_time(ts_to) if ts_to else None
    return {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None}


# Columns of the table for people: (heading, record field, width).
Columns = tuple[tuple[str, str, int], ...]
_EXCHANGE_COLUMNS: Columns = (
    ("TIME (UTC)", "ts_request_in", 23),
    ("CONSUMER", "consumer_id", 15),
    ("SERVICE", "service_key", 16),
    ("OPERATION", "operation", 28),
    ("STATUS", "http_status", 6),
    ("OUTCOME", "outcome", 13),
    ("MS", "duration_ms", 9),
    ("MAHOSO", "ma_ho_so", 26),
    ("EXCHANGE ID", "exchange_id", 36),
)


_MILLISECONDS = {"duration_ms", "p50_ms", "p95_ms", "p99_ms"}


def _cell(field: str, value: Any) -> str:
    if value is None:
        return "-"
    if field.startswith("ts_"):
        return str(value).replace("T", " ")[:23]
    if field in _MILLISECONDS:
        return f"{value:.1f}"
    if field == "error_rate":
        return f"{value:.1%}"
    return str(value)


class RowPrinter:
    """Prints rows as they arrive (so --all and tail stream): a fixed-width table, or JSON lines."""

    def __init__(self, columns: Columns, as_json: bool) -> None:
        self._columns = columns
        self._as_json = as_json
        self.printed = 0

    def add(self, row: dict[str, Any]) -> None:
        if self._as_json:
            typer.echo(orjson.dumps(row).decode())
        else:
            if not self.printed:
                typer.echo("  ".join(title.ljust(width) for title, _, width in self._columns).rstrip())
            cells = (_cell(field, row.get(field)).ljust(width) for _, field, width in self._columns)
            typer.echo("  ".join(cells).rstrip())
        self.printed += 1

    def add_all(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row)
        if not self.printed and not self._as_json:
            typer.echo("nothing matches", err=True)


def _settings() -> Any:
    from ndxp_sim.core.settings import Settings  # loaded only by the commands that need it

    try:
        return Settings()
    except ValueError as exc:
        raise CliError(f"settings: {exc}") from None


def _run(work: Any) -> None:
    try:
        work()
    except CliError as exc:
        _fail(str(exc))


@app.command()
def search(
    since: Since = None,
    ts_from: From = None,
    ts_to: To = None,
    consumer: Opt = None,
    service: Opt = None,
    operation: Opt = None,
    outcome: Annotated[
        str | None, typer.Option(help="ok, client_error, backend_error, gateway_error")
    ] = None,
    status: Annotated[int | None, typer.Option(help="HTTP status answered")] = None,
    error_type: Opt = None,
    ma_ho_so: Opt = None,
    ma_yeu_cau: Opt = None,
    request_id: Opt = None,
    subject: Annotated[
        str | None, typer.Option(help="A personal identifier in clear (CCCD…); hashed here, never sent.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Rows per page.")] = 50,
    follow_all: Annotated[bool, typer.Option("--all", help="Follow cursors to the last page.")] = False,
    as_json: Json = False,
    url: Url = None,
    client_id: ClientId = None,
    client_secret: ClientSecret = None,
) -> None:
    """Exchanges matching every option given, newest first."""

    def work() -> None:
        params: dict[str, Any] = {
            **window(since, ts_from, ts_to),
            "consumer": consumer,
            "service": service,
            "operation": operation,
            "outcome": outcome,
            "http_status": status,
            "error_type": error_type,
            "ma_ho_so": ma_ho_so,
            "ma_yeu_cau": ma_yeu_cau,
            "request_id": request_id,
            "subject": _subject_hash(subject) if subject else None,
            "limit": limit,
        }
        client = OpsClient.from_options(url, client_id, client_secret)
        RowPrinter(_EXCHANGE_COLUMNS, as_json).add_all(_pages(client, params, follow_all))

    _run(work)


def _pages(client: OpsClient, params: dict[str, Any], follow_all: bool) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        page = client.get("/_ops/exchanges", {**params, "cursor": cursor})
        yield from page["items"]
        cursor = page["next_cursor"]
        if not follow_all or cursor is None:
            return


def _subject_hash(identifier: str) -> str:
    from ndxp_sim.gateway.logpipe.masking import subject_hash

    return subject_hash(identifier, _settings().log.subject_key.get_secret_value())


@app.command()
def show(
    exchange_id: Annotated[str, typer.Argument(help="The exchange_id (see `search`).")],
    url: Url = None,
    client_id: ClientId = None,
    client_secret: ClientSecret = None,
) -> None:
    """One exchange in full, bodies included (as masked by its service's body policy)."""

    def work() -> None:
        record = OpsClient.from_options(url, client_id, client_secret).get(f"/_ops/exchanges/{exchange_id}")
        typer.echo(orjson.dumps(record, option=orjson.OPT_INDENT_2).decode())

    _run(work)


@app.command()
def trace(
    ma_ho_so: Opt = None,
    request_id: Opt = None,
    ma_yeu_cau: Opt = None,
    as_json: Json = False,
    url: Url = None,
    client_id: ClientId = None,
    client_secret: ClientSecret = None,
) -> None:
    """Every exchange of one dossier (or request, or MaYeuCau), oldest first."""

    def work() -> None:
        keys = {"ma_ho_so": ma_ho_so, "request_id": request_id, "ma_yeu_cau": ma_yeu_cau}
        if sum(v is not None for v in keys.values()) != 1:
            raise CliError("give exactly one of --ma-ho-so, --request-id, --ma-yeu-cau")
        chain = OpsClient.from_options(url, client_id, client_secret).get("/_ops/trace", keys)["items"]
        RowPrinter(_EXCHANGE_COLUMNS, as_json).add_all(chain)

    _run(work)


_STATS_COLUMNS: Columns = (
    ("SERVICE", "service_key", 22),
    ("COUNT", "count", 8),
    ("ERRORS", "errors", 7),
    ("ERROR %", "error_rate", 7),
    ("P50 MS", "p50_ms", 9),
    ("P95 MS", "p95_ms", 9),
    ("P99 MS", "p99_ms", 9),
)


@app.command()
def stats(
    service: Opt = None,
    since: Since = "1h",
    ts_from: From = None,
    ts_to: To = None,
    by_consumer: Annotated[bool, typer.Option(help="One row per service and consumer.")] = False,
    as_json: Json = False,
    url: Url = None,
    client_id: ClientId = None,
    client_secret: ClientSecret = None,
) -> None:
    """Count, error rate and p50/p95/p99 duration per service over a window (default: the last hour)."""

    def work() -> None:
        params = {**window(None if ts_from else since, ts_from, ts_to), "service": service}
        params["by_consumer"] = str(by_consumer).lower()
        rows = OpsClient.from_options(url, client_id, client_secret).get("/_ops/stats", params)["items"]
        columns = _STATS_COLUMNS
        if by_consumer:
            columns = (columns[0], ("CONSUMER", "consumer_id", 15), *columns[1:])
        RowPrinter(columns, as_json).add_all(rows)

    _run(work)


@app.command()
def tail(
    bootstrap_servers: Annotated[
        str | None, typer.Option(help="Kafka brokers (default: from settings, else the embedded broker).")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Default: from settings.")] = None,
    from_beginning: Annotated[bool, typer.Option(help="Replay what the topic still holds first.")] = False,
    service: Opt = None,
    consumer: Opt = None,
    limit: Annotated[int, typer.Option(min=0, help="Stop after this many records (0: never).")] = 0,
    as_json: Json = False,
) -> None:
    """Follow the exchange topic live, straight from Kafka (Ctrl-C to stop)."""

    def work() -> None:
        settings = _settings()
        servers = bootstrap_servers or settings.kafka_bootstrap
        wanted = {"service_key": service, "consumer_id": consumer}
        printer = RowPrinter(_EXCHANGE_COLUMNS, as_json)
        follow = _follow(servers, topic or settings.kafka.topic, from_beginning, wanted, limit, printer)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(follow)

    _run(work)


async def _follow(
    servers: str,
    topic: str,
    from_beginning: bool,
    wanted: dict[str, str | None],
    limit: int,
    printer: RowPrinter,
) -> None:
    from aiokafka import AIOKafkaConsumer
    from aiokafka.errors import KafkaError

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=servers,
        group_id=None,  # an observer: no offsets committed, no share of the indexers' partitions
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
    )
    try:
        await consumer.start()
    except KafkaError as exc:
        await consumer.stop()
        hint = "is `ndxp-sim up` running?"
        raise CliError(f"cannot reach the Kafka broker at {servers}: {hint} ({exc})") from None
    try:
        async for message in consumer:
            try:
                record = orjson.loads(message.value or b"")
            except orjson.JSONDecodeError:
                continue  # not an exchange record; the indexer counts those
            if isinstance(record, dict) and all(not v or record.get(k) == v for k, v in wanted.items()):
                printer.add(record)
                if limit and printer.printed >= limit:
                    return
    finally:
        await consumer.stop()
