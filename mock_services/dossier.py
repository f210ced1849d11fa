"""Generic dossier engine (pattern D): idempotent submission, status progression on a clock, callbacks."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import logging
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from ndxp_sim.core.tasks import spawn
from ndxp_sim.mock_services.callbacks import CallbackSender
from ndxp_sim.mock_services.clock import Clock, now_vn
from ndxp_sim.mock_services.dossier_checks import RefusedError
from ndxp_sim.mock_services.journal import MockJournal

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

log = logging.getLogger(__name__)

RECEIVED = "received"
PROCESSING = "processing"
SUPPLEMENT_REQUESTED = "supplement_requested"
DONE = "done"
REJECTED = "rejected"
CANCELLED = "cancelled"
FINAL = frozenset({DONE, REJECTED, CANCELLED})
SUPPLEMENT_DEADLINE_DAYS = 5


@dataclass(frozen=True, slots=True)
class Review:
    """What the processing step decided: go on (`ok`), ask for documents, reject, or wait for another
    agency's word (`await`: the reason is recorded once, then `DossierEngine.answer` brings the word)."""

    outcome: Literal["ok", "supplement", "reject", "await"]
    reason: str = ""


OK = Review("ok")


@dataclass(frozen=True, slots=True)
class DuplicateRule:
    """A dossier that repeats one which stands (pending or done: not rejected or cancelled) is refused.

    `of` says what makes two dossiers one case, read from the request's JSON form: the subject (a parcel,
    a place) or the applicant asking for the same thing (mother, child's name and birth date); kinds whose
    rules share it are one case (a plain and a chained birth). `refusal` is the service's words, a
    `str.format` template over that JSON form, followed by the standing dossier's code.
    `at` is when the repeat is refused: "submit" refuses it at once (409), as a register that checks its
    records at intake; "review" rejects it when the official reviews it, as a một cửa does, and there
    only dossiers submitted before it count (the first of several stays the one dealt with).
    """

    of: Callable[[Mapping[str, Any]], Hashable]
    refusal: str
    at: Literal["submit", "review"]

    def words(self, request: Mapping[str, Any], standing: Dossier) -> str:
        return f"{self.refusal.format_map(request)} (mã hồ sơ {standing.ma_ho_so})"


@dataclass(frozen=True, slots=True)
class DossierKind:
    """One kind of dossier a service accepts: its request model and its business rules.

    `review` runs at each processing step on the validated request (a `RefusedError` it raises rejects the
    dossier with its reason); `build_result` runs once on `done` and returns `ketQuaXuLy`;
    `supplement_into` names the request field that supplied documents update.
    `code_field` and `callback_field` name the request's dossier code and callback URL (services whose
    messages are not BTP's name them otherwise); kinds of one service with different `scope`s may use
    the same code (a postal pick-up and a delivery for one dossier); `hops` are (handler, text) steps
    recorded one per clock step before the review, for dossiers that travel between agencies.
    `duplicate` refuses a dossier that repeats one which stands (see `DuplicateRule`).
    """

    model: type[BaseModel]
    review: Callable[[BaseModel, Population], Review]
    build_result: Callable[[BaseModel, Population, int], dict[str, Any]]
    supplement_into: str
    labels: Mapping[str, str]  # noiDungXuLy text per status (received, processing, done)
    handler: str = "Cán bộ một cửa"  # nguoiXuLy
    code_field: str = "maHoSo"
    received_field: str = "ngayTiepNhan"
    callback_field: str = "callbackUrl"
    scope: str = ""
    hops: tuple[tuple[str, str], ...] = ()
    duplicate: DuplicateRule | None = None


@dataclass(slots=True)
class Dossier:
    service: str
    kind: DossierKind
    kind_name: str  # the submission path the kind is registered under, e.g. "/khai-sinh"
    ma_ho_so: str
    ma_ho_so_lt: str
    request: dict[str, Any]  # the validated request, JSON form; supplied documents are merged in
    fingerprint: str
    ngay_tiep_nhan: str
    callback_url: str | None
    force_supplement: bool
    status: str = RECEIVED
    history: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    supplement_deadline: str | None = None
    completed: int | None = None  # the order it was completed in (its result's sequence number)
    supplied: asyncio.Event = field(default_factory=asyncio.Event)
    awaiting: bool = False  # waiting for another agency's answer (not saved: the review says it again)
    settled: asyncio.Event = field(default_factory=asyncio.Event)  # set once done or rejected

    _SAVED = (
        "service",
        "kind_name",
        "ma_ho_so",
        "ma_ho_so_lt",
        "request",
        "fingerprint",
        "ngay_tiep_nhan",
        "callback_url",
        "force_supplement",
        "status",
        "history",
        "result",
        "supplement_deadline",
        "completed",
    )

    @property
    def key(self) -> tuple[str, str]:
        """(service, scoped code): where the engine and the journal keep it."""
        return self.service, self.kind.scope + self.ma_ho_so

    def state(self) -> dict[str, Any]:
        """What the journal keeps of it."""
        return {name: getattr(self, name) for name in self._SAVED}

    def view(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "maHoSo": self.ma_ho_so,
            "maHoSoLT": self.ma_ho_so_lt,
            "trangThai": self.status,
            "lichSu": list(self.history),
        }
        if self.status == SUPPLEMENT_REQUESTED:
            value["hanBoSungHoSo"] = self.supplement_deadline
        if self.result is not None:
            value["ketQuaXuLy"] = self.result
        return value

    def receipt(self) -> dict[str, Any]:
        return {
            "maHoSo": self.ma_ho_so,
            "maHoSoLT": self.ma_ho_so_lt,
            "trangThai": RECEIVED,
            "ngayTiepNhan": self.ngay_tiep_nhan,
        }


class DossierConflictError(Exception):
    """The maHoSo is already used by a dossier with different content."""


class DossierDuplicateError(Exception):
    """The dossier repeats one that stands and its kind refuses that at submission; the message is the
    service's refusal."""


class DossierStateError(Exception):
    """The dossier is not in a state that allows the operation."""


def now_iso() -> str:
    return now_vn().isoformat(timespec="seconds")


def fingerprint(request: Mapping[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def ma_ho_so_lt(prefix: str, service: str, ma_ho_so: str) -> str:
    """The liên thông code: stable for a given maHoSo, so restarts and replays see the same one."""
    return f"{prefix}-" + hashlib.sha256(f"{service}:{ma_ho_so}".encode()).hexdigest()[:12].upper()


class DossierEngine:
    """Every dossier of every pattern-D mock, each moved along by its own task."""

    def __init__(
        self,
        clock: Clock,
        callbacks: CallbackSender,
        population: Callable[[], Population],
        journal: MockJournal,
    ) -> None:
        self._clock = clock
        self._journal = journal
        self._kinds: dict[tuple[str, str], DossierKind] = {}
        self._callbacks = callbacks
        self._population = population
        self._dossiers: dict[tuple[str, str], Dossier] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._results_issued = 0  # numbers soDangKy etc. in order of completion

    def register_kind(self, service: str, name: str, kind: DossierKind) -> None:
        """Make a kind known by name, so dossiers of it can be restored from the journal."""
        self._kinds[service, name] = kind

    def restore(self) -> None:
        """Take back the journal's dossiers after a restart: finished ones keep their result (the births
        they registered are registered again, in the same order, so they get the same ids), the others
        go on from where they stopped."""
        saved = [
            state
            for state in self._journal.dossiers()
            if (state["service"], state["kind_name"]) in self._kinds
        ]
        for state in sorted((s for s in saved if s["completed"] is not None), key=lambda s: s["completed"]):
            kind = self._kinds[state["service"], state["kind_name"]]
            kind.build_result(
                kind.model.model_validate(state["request"]), self._population(), state["completed"]
            )
            self._results_issued = max(self._results_issued, state["completed"])
        for state in saved:
            fields = {name: state[name] for name in Dossier._SAVED}
            dossier = Dossier(kind=self._kinds[state["service"], state["kind_name"]], **fields)
            self._dossiers[dossier.key] = dossier
            if dossier.status in FINAL:
                dossier.settled.set()
            else:
                self._start(dossier)

    def submit(
        self,
        *,
        service: str,
        lt_prefix: str,
        kind: DossierKind,
        kind_name: str,
        request: BaseModel,
        force_supplement: bool,
    ) -> tuple[Dossier, bool]:
        """(dossier, created); the same maHoSo with the same content returns the existing dossier."""
        body = request.model_dump(mode="json")
        ma_ho_so = body[kind.code_field]
        digest = fingerprint(body)
        key = (service, kind.scope + ma_ho_so)
        existing = self._dossiers.get(key)
        if existing is not None:
            if existing.fingerprint != digest:
                raise DossierConflictError(f"maHoSo {ma_ho_so} was already submitted with different content")
            return existing, False
        self._refuse_duplicate(service, kind, body)
        dossier = Dossier(
            service=service,
            kind=kind,
            kind_name=kind_name,
            ma_ho_so=ma_ho_so,
            ma_ho_so_lt=ma_ho_so_lt(lt_prefix, service, ma_ho_so),
            request=body,
            fingerprint=digest,
            ngay_tiep_nhan=body.get(kind.received_field) or now_iso(),
            callback_url=body.get(kind.callback_field),
            force_supplement=force_supplement,
        )
        self._dossiers[key] = dossier
        self._record(dossier, RECEIVED, kind.labels[RECEIVED])
        self._start(dossier)
        return dossier, True

    def _refuse_duplicate(self, service: str, kind: DossierKind, body: Mapping[str, Any]) -> None:
        rule = kind.duplicate
        if rule is None or rule.at != "submit":
            return
        standing = self._standing_same_case(service, rule, body)
        if standing is not None:
            raise DossierDuplicateError(rule.words(body, standing))

    def _start(self, dossier: Dossier) -> None:
        key = dossier.key
        task = spawn(self._run(dossier), name=f"dossier {dossier.service}/{dossier.ma_ho_so}")
        self._tasks[key] = task
        task.add_done_callback(lambda _: self._tasks.pop(key, None))

    def get(self, service: str, ma_ho_so: str, scope: str = "") -> Dossier | None:
        return self._dossiers.get((service, scope + ma_ho_so))

    def of_service(self, service: str) -> list[Dossier]:
        """The service's dossiers in the order they were submitted (for rules across dossiers)."""
        return [dossier for (owner, _), dossier in self._dossiers.items() if owner == service]

    async def cancel(self, service: str, ma_ho_so: str, reason: str, scope: str = "") -> Dossier:
        """Stop a dossier that is not finished and record it `cancelled` with the reason.

        Raises KeyError (unknown dossier) or DossierStateError (already finished).
        """
        dossier = self._dossiers[(service, scope + ma_ho_so)]
        if dossier.status in FINAL:
            raise DossierStateError(f"dossier {ma_ho_so} is {dossier.status}")
        task = self._tasks.pop(dossier.key, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._record(dossier, CANCELLED, reason)
        return dossier

    def supplement(self, service: str, ma_ho_so: str, documents: Mapping[str, Any]) -> Dossier:
        """Merge supplied fields into the request and resume processing.

        Raises KeyError (unknown dossier), DossierStateError, or ValidationError (the merge is invalid).
        """
        dossier = self._dossiers[(service, ma_ho_so)]
        if dossier.status != SUPPLEMENT_REQUESTED:
            raise DossierStateError(f"dossier {ma_ho_so} is {dossier.status}, not {SUPPLEMENT_REQUESTED}")
        merged = copy.deepcopy(dossier.request)
        merged.setdefault("fileDinhKem", []).extend(documents.get("fileDinhKem") or [])
        fields = {k: v for k, v in documents.items() if k not in ("fileDinhKem", "ghiChu") and v is not None}
        merged.setdefault(dossier.kind.supplement_into, {}).update(fields)
        # Supplied data must leave a valid dossier behind (raises pydantic's ValidationError otherwise).
        dossier.request = dossier.kind.model.model_validate(merged).model_dump(mode="json")
        note = documents.get("ghiChu") or "Công dân đã bổ sung hồ sơ"
        self._record(dossier, PROCESSING, f"Đã nhận hồ sơ bổ sung: {note}")
        dossier.supplied.set()
        return dossier

    def answer(
        self, service: str, ma_ho_so: str, into: str, fields: Mapping[str, Any], note: str, handler: str
    ) -> Dossier:
        """Another agency's word on a dossier that awaits it: kept in the request under `into`, recorded
        as a processing step by `handler`; processing resumes.

        Raises KeyError (unknown dossier), DossierStateError (not awaiting), or ValidationError.
        """
        dossier = self._dossiers[(service, ma_ho_so)]
        if not dossier.awaiting:
            raise DossierStateError(f"dossier {ma_ho_so} is {dossier.status}, not awaiting an answer")
        merged = {**copy.deepcopy(dossier.request), into: dict(fields)}
        dossier.request = dossier.kind.model.model_validate(merged).model_dump(mode="json")
        dossier.awaiting = False
        self._record(dossier, PROCESSING, note, handler)
        dossier.supplied.set()
        return dossier

    async def _run(self, dossier: Dossier) -> None:
        kind = dossier.kind
        try:
            if dossier.status == RECEIVED:
                await self._clock.step()
                self._record(dossier, PROCESSING, kind.labels[PROCESSING])
            done_hops = sum(step["trangThai"] == PROCESSING for step in dossier.history) - 1
            for handler, text in kind.hops[max(done_hops, 0) :]:  # a restored dossier goes on from its hop
                await self._clock.step()
                self._record(dossier, PROCESSING, text, handler)
            while True:
                if dossier.status == SUPPLEMENT_REQUESTED:  # restored while waiting for documents
                    await dossier.supplied.wait()
                await self._clock.step()
                request = kind.model.model_validate(dossier.request)
                rule = kind.duplicate
                if rule is not None and rule.at == "review":
                    earlier = self._standing_same_case(dossier.service, rule, dossier.request, dossier)
                    if earlier is not None:
                        self._record(dossier, REJECTED, rule.words(dossier.request, earlier))
                        return
                try:
                    review = kind.review(request, self._population())
                except RefusedError as refused:  # a check deep in the rules (dossier_checks) said no
                    review = Review("reject", refused.reason)
                if review.outcome == "ok" and dossier.force_supplement:
                    review = Review("supplement", "Hồ sơ cần bổ sung theo yêu cầu của cơ quan xử lý")
                if review.outcome == "reject":
                    self._record(dossier, REJECTED, review.reason)
                    return
                if review.outcome == "await":
                    if dossier.history[-1]["noiDungXuLy"] != review.reason:
                        self._record(dossier, PROCESSING, review.reason)
                    dossier.supplied.clear()
                    dossier.awaiting = True
                    await dossier.supplied.wait()
                    continue
                if review.outcome == "supplement":
                    dossier.force_supplement = False
                    dossier.supplied.clear()
                    deadline = now_vn() + timedelta(days=SUPPLEMENT_DEADLINE_DAYS)
                    dossier.supplement_deadline = deadline.isoformat(timespec="seconds")
                    self._record(dossier, SUPPLEMENT_REQUESTED, review.reason)
                    continue
                self._results_issued += 1
                dossier.completed = self._results_issued
                dossier.result = kind.build_result(request, self._population(), self._results_issued)
                self._record(dossier, DONE, kind.labels[DONE])
                return
        except asyncio.CancelledError:
            raise
        except Exception:
            # A bug in a service's rules must not leave the dossier stuck without a word.
            log.exception("dossier %s/%s failed while processing", dossier.service, dossier.ma_ho_so)
            self._record(dossier, REJECTED, "Lỗi xử lý hồ sơ tại cơ quan giải quyết")

    def _standing_same_case(
        self, service: str, rule: DuplicateRule, request: Mapping[str, Any], before: Dossier | None = None
    ) -> Dossier | None:
        """The first dossier of the service that stands and is the same case as `request` by `rule`;
        only those submitted before `before` when given."""
        case = rule.of(request)
        for other in self._dossiers.values():
            if other is before:
                return None  # the first of several stays the one dealt with
            if (
                other.service == service
                and other.kind.duplicate is not None
                and other.kind.duplicate.of is rule.of  # e.g. a plain and a chained birth are one case
                and other.status not in (REJECTED, CANCELLED)
                and rule.of(other.request) == case
            ):
                return other
        return None

    def _record(self, dossier: Dossier, status: str, text: str, handler: str | None = None) -> None:
        at = now_iso()
        dossier.status = status
        if status in FINAL:
            dossier.settled.set()
        dossier.history.append(
            {
                "trangThai": status,
                "thoiGianThucHien": at,
                "nguoiXuLy": handler or dossier.kind.handler,
                "noiDungXuLy": text,
            }
        )
        self._journal.save_dossier(dossier.service, dossier.key[1], dossier.state())
        if dossier.callback_url:
            payload: dict[str, Any] = {
                "maHoSo": dossier.ma_ho_so,
                "maHoSoLT": dossier.ma_ho_so_lt,
                "trangThai": status,
                "thoiGian": at,
                "noiDungXuLy": text,
            }
            if status == DONE:
                payload["ketQuaXuLy"] = dossier.result
            self._callbacks.enqueue(dossier.service, dossier.ma_ho_so, dossier.callback_url, payload)

    async def reset(self) -> None:
        await self.aclose()
        self._dossiers.clear()
        self._results_issued = 0
        self._journal.clear()

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
