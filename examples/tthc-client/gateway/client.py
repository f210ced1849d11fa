"""A small LGSP client, as a TTHC (administrative-procedure) system uses it: token, citizen, birth dossier."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

_TOKEN_MARGIN_S = 30  # renew a little before expiry, so a call never goes out with a dying token


class LgspError(RuntimeError):
    """The gateway answered with an error: `type` is its X-NDXP-Error (e.g. Server.Backend.Timeout)."""

    def __init__(self, status: int, type_: str, message: str) -> None:
        super().__init__(f"{status} {type_}: {message}")
        self.status = status
        self.type = type_


@dataclass(frozen=True)
class Citizen:
    so_dinh_danh: str
    full_name: str
    birth_date: str  # yyyyMMdd, as the population database gives it
    alive: bool


class LgspClient:
    """Calls the provincial LGSP on behalf of one agency (`client_id` is its MaDonVi code)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        officer: str = "CB-0001",
        timeout_s: float = 15.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.client_id = client_id
        self.officer = officer
        self._secret = client_secret
        self._http = httpx.Client(base_url=base_url, timeout=timeout_s, headers=headers)
        self._token: str | None = None
        self._token_expires = 0.0

    def close(self) -> None:
        self._http.close()

    def token(self) -> str:
        """A valid access token (OAuth2 client credentials), fetched again shortly before it expires."""
        if self._token is None or time.monotonic() > self._token_expires:
            response = self._http.post(
                "/token", data={"grant_type": "client_credentials"}, auth=(self.client_id, self._secret)
            )
            body = self._checked(response)
            self._token = str(body["access_token"])
            self._token_expires = time.monotonic() + float(body.get("expires_in", 300)) - _TOKEN_MARGIN_S
        return self._token

    def lookup_citizen(self, so_dinh_danh: str) -> Citizen | None:
        """The citizen with this personal id in the national population database, or None."""
        request = {"MaYeuCau": _request_code(), "MaCanBo": self.officer, "SoDinhDanh": so_dinh_danh}
        try:
            body = self._call("POST", "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan", json=request)
        except LgspError as error:
            if error.type == "Client.NotFound":
                return None
            raise
        found = body["CongdanCollection"]["CongDan"][0]
        name = found["HoVaTen"]
        return Citizen(
            so_dinh_danh=found["SoDinhDanh"],
            full_name=" ".join(part for part in (name["Ho"], name.get("ChuDem"), name["Ten"]) if part),
            birth_date=found["NgayThangNamSinh"]["NgayThangNam"],
            alive=found["TrangThai"] == "Còn sống",
        )

    def register_birth(self, ma_ho_so: str, province: str, birth: dict[str, Any]) -> str:
        """Submits a birth registration dossier to the civil-status system; returns its status."""
        dossier = {
            "maDonVi": self.client_id,
            "maTinh": province,
            "maHoSo": ma_ho_so,
            "ngayTiepNhan": time.strftime("%Y-%m-%d"),
            "hoTich": birth,
        }
        body = self._call("POST", "/apiHoTich/1.0/dangKyKhaiSinh", json=dossier, headers={"MaHoSo": ma_ho_so})
        return str(body["value"]["trangThai"])

    def dossier_status(self, ma_ho_so: str) -> str:
        body = self._call("GET", "/apiHoTich/1.0/traCuuHoSo", params={"maHoSo": ma_ho_so})
        return str(body["value"]["trangThai"])

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        return self._checked(self._http.request(method, path, headers=headers, **kwargs))

    @staticmethod
    def _checked(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            error_type = response.headers.get("X-NDXP-Error", f"HTTP.{response.status_code}")
            try:
                message = response.json().get("message", response.text)
            except ValueError:
                message = response.text
            raise LgspError(response.status_code, error_type, message)
        return response.json()


def _request_code() -> str:
    return f"YC-{uuid.uuid4().hex[:12]}"
