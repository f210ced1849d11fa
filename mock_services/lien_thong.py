"""Chained procedures (liên thông, NĐ 63/2024): a dossier's later steps, called through the gateway.

A chain starts with a dossier of the source service (e.g. a birth registration at hộ tịch) and, once it is
done, calls each further step (residence, insurance) as an ordinary consumer of the gateway: every step is
an exchange record carrying the dossier's MaHoSo and the chain's correlation id (as request id and
MaYeuCau), so one trace shows the whole chain. A failing step is retried with backoff; when the attempts
run out the chain is `failed` at that step, visibly, until `resume` runs it again from there. Steps are
idempotent at their backends, so running one again after a crash or a resume never does it twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ndxp_sim.core.tasks import spawn
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.dossier import DONE, REJECTED

if TYPE_CHECKING:
    from ndxp_sim.core.settings import Settings
    from ndxp_sim.mock_services.callbacks import CallbackSender
    from ndxp_sim.mock_services.dossier import Dossier, DossierEngine
    from ndxp_sim.mock_services.engines.host import EngineState
    from ndxp_sim.mock_services.population import Population

log = logging.getLogger(__name__)

STORE = "lien-thong"  # the chains' records in the engine state (journalled, cleared on reset)
PROCESSING, FAILED, COMPLETED, REFUSED = "processing", "failed", "done", "rejected"
PENDING, RUNNING, SKIPPED = "pending", "running", "skipped"
_TIMEOUT_S = 15.0
_TOKEN_MARGIN_S = 30.0
_MESSAGE_MAX = 300


@dataclass(frozen=True, slots=True)
class Step:
    """One step after the source dossier: a gateway operation and how the chain fills and reads it."""

    name: str  # the gateway operation, e.g. "DangKyThuongTru"
    label: str  # what it does, in Vietnamese
    path: str  # "/{context}/{version}/{operation}" at the gateway
    # (source request, source result, population, correlation id) -> the step's request body
    body: Callable[[Mapping[str, Any], Mapping[str, Any], Population, str], dict[str, Any]]
    keep: Callable[[Mapping[str, Any]], dict[str, Any]]  # what of the answer the chain shows


@dataclass(frozen=True, slots=True)
class ChainKind:
    """A chained procedure: its source dossier step and the steps that follow it."""

    name: str  # e.g. "khai-sinh"
    service: str  # the source service, e.g. "ho_tich"
    first: tuple[str, str]  # (name, label) of the source dossier step
    steps: tuple[Step, ...]


class ChainStateError(Exception):
    """The chain is not in a state that allows the operation."""


class StepFailedError(Exception):
    """A step's attempt failed; `retry` says whether another attempt can change that."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class GatewayConsumer:
    """The source system's client of the gateway: client-credentials token, then JSON calls."""

    def __init__(self, settings: Settings) -> None:
        self._base = (settings.mocks.callback_relay_url or "").rstrip("/")
        self._credentials = (
            settings.mocks.lien_thong_client_id,
            settings.mocks.lien_thong_client_secret.get_secret_value(),
        )
        self._client: httpx.AsyncClient | None = None
        self._token: tuple[str, float] | None = None

    async def call(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        """The answer of one call; StepFailedError (retry or not) for anything but a 2xx JSON object."""
        if not self._base:
            raise StepFailedError("chưa cấu hình địa chỉ nền tảng (mocks.callback_relay_url)", retry=False)
        try:
            token = await self._bearer()
            response = await self._http().post(
                self._base + path, json=body, headers={**headers, "authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise StepFailedError(f"không kết nối được nền tảng: {type(exc).__name__}", retry=True) from None
        if response.status_code == 401:
            self._token = None  # expired or the gateway restarted with another key: a fresh one next time
        if not response.is_success:
            raise StepFailedError(_describe(response), retry=_retryable(response.status_code))
        answer = response.json()
        if not isinstance(answer, dict):
            raise StepFailedError("trả lời không phải đối tượng JSON", retry=False)
        return answer

    async def _bearer(self) -> str:
        if self._token is not None and self._token[1] > time.monotonic():
            return self._token[0]
        response = await self._http().post(
            self._base + "/token", data={"grant_type": "client_credentials"}, auth=self._credentials
        )
        if not response.is_success:
            retry = response.status_code >= 500
            raise StepFailedError(f"không lấy được token: {_describe(response)}", retry=retry)
        issued = response.json()
        lifetime = max(float(issued.get("expires_in", 60)) - _TOKEN_MARGIN_S, 1.0)
        self._token = (str(issued["access_token"]), time.monotonic() + lifetime)
        return self._token[0]

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # The gateway named in the config, never an environment proxy.
            self._client = httpx.AsyncClient(timeout=_TIMEOUT_S, trust_env=False, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _retryable(status: int) -> bool:
    return status >= 500 or status in (408, 429)


def _describe(response: httpx.Response) -> str:
    """`HTTP 503 Server.Backend.Unavailable: message`, bounded."""
    kind, message = response.headers.get("x-ndxp-error", ""), ""
    try:
        body = response.json()
        message = str(body.get("message", "")) if isinstance(body, dict) else ""
    except ValueError:
        pass
    text = " ".join(part for part in (f"HTTP {response.status_code}", kind) if part)
    return (f"{text}: {message}" if message else text)[:_MESSAGE_MAX]


class ChainRunner:
    """Every chain of the mock process, each moved along by its own task; state kept in the engine store."""

    def __init__(
        self,
        settings: Settings,
        dossiers: DossierEngine,
        population: Callable[[], Population],
        engines: EngineState,
        callbacks: CallbackSender,
    ) -> None:
        self._callbacks = callbacks
        self._retries = settings.mocks.lien_thong_retries
        self._backoff_s = settings.mocks.lien_thong_backoff_s
        self._dossiers = dossiers
        self._population = population
        self._engines = engines
        self._consumer = GatewayConsumer(settings)
        self._kinds: dict[str, ChainKind] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def register(self, kind: ChainKind) -> None:
        self._kinds[kind.name] = kind

    def get(self, ma_ho_so: str) -> dict[str, Any] | None:
        return self._engines.store(STORE).get(ma_ho_so)

    def start(self, kind_name: str, ma_ho_so: str, correlation_id: str) -> dict[str, Any]:
        """The chain of a submitted source dossier, started once (a resubmission finds the same chain)."""
        existing = self.get(ma_ho_so)
        if existing is not None:
            return existing
        kind = self._kinds[kind_name]
        steps = [_step_state(*kind.first)] + [_step_state(step.name, step.label) for step in kind.steps]
        chain = {
            "maHoSo": ma_ho_so,
            "loaiLienThong": kind.name,
            "maYeuCau": correlation_id,
            "trangThai": PROCESSING,
            "buoc": steps,
        }
        self._save(chain)
        self._launch(chain)
        return chain

    def resume(self, ma_ho_so: str) -> dict[str, Any]:
        """Run a failed chain again from its failed step; KeyError or ChainStateError otherwise."""
        chain = self.get(ma_ho_so)
        if chain is None:
            raise KeyError(ma_ho_so)
        if chain["trangThai"] != FAILED:
            state = chain["trangThai"]
            raise ChainStateError(f"liên thông {ma_ho_so} đang ở trạng thái {state}, không phải failed")
        chain["trangThai"] = PROCESSING
        for step in chain["buoc"]:
            if step["trangThai"] == FAILED:
                step["trangThai"], step["loi"] = PENDING, None
        self._save(chain)
        self._launch(chain)
        return chain

    def restore(self) -> None:
        """Chains that were under way when the mock stopped go on (their steps are idempotent)."""
        for chain in list(self._engines.store(STORE).values()):
            if chain["trangThai"] == PROCESSING and chain["loaiLienThong"] in self._kinds:
                self._launch(chain)

    def _launch(self, chain: dict[str, Any]) -> None:
        ma_ho_so = chain["maHoSo"]
        task = spawn(self._run(chain), name=f"lien thong {ma_ho_so}")
        self._tasks[ma_ho_so] = task
        task.add_done_callback(lambda _: self._tasks.pop(ma_ho_so, None))

    async def _run(self, chain: dict[str, Any]) -> None:
        kind = self._kinds[chain["loaiLienThong"]]
        try:
            dossier = await self._source(kind, chain)
            if dossier is None:
                return
            assert dossier.result is not None
            for number, (step, state) in enumerate(zip(kind.steps, chain["buoc"][1:], strict=True), 1):
                if state["trangThai"] == DONE:
                    continue
                if not await self._attempt(step, state, chain, dossier):
                    chain["trangThai"] = FAILED
                    self._save(chain)
                    self._notify(chain, dossier, f"{step.label}: không thực hiện được ({state['loi']})")
                    return
                text = f"{step.label}: đã thực hiện"
                if number == len(kind.steps):
                    chain["trangThai"] = COMPLETED
                    text += "; hồ sơ liên thông đã hoàn thành"
                self._save(chain)
                self._notify(chain, dossier, text)
            chain["trangThai"] = COMPLETED
            self._save(chain)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A bug must not leave the chain "processing" for ever: it is failed, and can be resumed.
            log.exception("chain %s failed", chain["maHoSo"])
            chain["trangThai"] = FAILED
            self._save(chain)

    async def _source(self, kind: ChainKind, chain: dict[str, Any]) -> Dossier | None:
        """The source dossier once it is settled; None (chain rejected, later steps skipped) if refused."""
        first = chain["buoc"][0]
        dossier = self._dossiers.get(kind.service, chain["maHoSo"])
        if dossier is None:
            raise LookupError(f"no source dossier {chain['maHoSo']}")
        first["trangThai"] = RUNNING
        self._save(chain)
        await dossier.settled.wait()
        first["trangThai"] = dossier.status
        first["thoiGian"] = dossier.history[-1]["thoiGianThucHien"]
        if dossier.status == REJECTED:
            first["loi"] = dossier.history[-1]["noiDungXuLy"]
            for state in chain["buoc"][1:]:
                state["trangThai"] = SKIPPED
            chain["trangThai"] = REFUSED
            self._save(chain)
            return None
        first["ketQua"] = dict(dossier.result or {})
        self._save(chain)
        return dossier

    async def _attempt(
        self, step: Step, state: dict[str, Any], chain: dict[str, Any], dossier: Dossier
    ) -> bool:
        """One step with its retries; True once done. Every attempt is on the chain and on the gateway."""
        correlation = chain["maYeuCau"]
        headers = {"MaHoSo": chain["maHoSo"], "MaYeuCau": correlation, "x-request-id": correlation}
        body = step.body(dossier.request, dossier.result or {}, self._population(), chain["maYeuCau"])
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
            state["trangThai"], state["soLanThu"] = RUNNING, state["soLanThu"] + 1
            self._save(chain)
            try:
                answer = await self._consumer.call(step.path, body, headers)
            except StepFailedError as failure:
                state["loi"], state["thoiGian"] = str(failure), _now()
                log.info("chain %s step %s attempt failed: %s", chain["maHoSo"], step.name, failure)
                if not failure.retry:
                    break
                continue
            state.update(trangThai=DONE, loi=None, ketQua=step.keep(answer), thoiGian=_now())
            self._save(chain)
            return True
        state["trangThai"] = FAILED
        self._save(chain)
        return False

    def _notify(self, chain: dict[str, Any], dossier: Dossier, text: str) -> None:
        """A status callback for a step's outcome, to the dossier's callbackUrl, through the same relay and
        in the same order as the dossier's own; `lienThong` carries where the chain stands."""
        if not dossier.callback_url:
            return
        payload = {
            "maHoSo": dossier.ma_ho_so,
            "maHoSoLT": dossier.ma_ho_so_lt,
            "trangThai": dossier.status,
            "thoiGian": _now(),
            "noiDungXuLy": text,
            "lienThong": {
                "trangThai": chain["trangThai"],
                "buoc": [{"ten": step["ten"], "trangThai": step["trangThai"]} for step in chain["buoc"]],
            },
        }
        self._callbacks.enqueue(dossier.service, dossier.ma_ho_so, dossier.callback_url, payload)

    def _save(self, chain: dict[str, Any]) -> None:
        self._engines.put(STORE, chain["maHoSo"], chain)

    async def reset(self) -> None:
        await self._cancel()

    async def aclose(self) -> None:
        await self._cancel()
        await self._consumer.aclose()

    async def _cancel(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _step_state(name: str, label: str) -> dict[str, Any]:
    return {"ten": name, "moTa": label, "trangThai": PENDING, "soLanThu": 0, "thoiGian": None, "loi": None}


def _now() -> str:
    return now_vn().isoformat(timespec="seconds")
