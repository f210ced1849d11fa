"""#1 National Business Registration Database: enterprise details, lists by province, dossier status."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import DossierCode, EnterpriseCode, ProvinceCode
from ndxp_sim.core import identities


class ChiTietDoanhNghiep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    msdn: EnterpriseCode


class DanhSachDoanhNghiep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maTinh: ProvinceCode
    page: int = Field(1, ge=1)
    pageSize: int = Field(20, ge=1, le=100)


class TrangThaiHoSo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode


class CsdlDkdnAdapter(RestAdapter):
    """REST backend (NGSP style `apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=`)."""

    key = "csdl_dkdn"
    operations = (
        Operation(
            "chiTietDoanhNghiep",
            request=ChiTietDoanhNghiep,
            backend_path="/doanh-nghiep/{msdn}",
            summary="Details of an enterprise's registration certificate by mã số doanh nghiệp",
            sample={"msdn": identities.ENTERPRISE_ACTIVE},
        ),
        Operation(
            "danhSachDoanhNghiep",
            request=DanhSachDoanhNghiep,
            backend_path="/doanh-nghiep",
            summary="Enterprises registered in a province, paged",
            sample={"maTinh": "91", "page": 1, "pageSize": 5},
        ),
        Operation(
            "trangThaiHoSo",
            request=TrangThaiHoSo,
            backend_path="/ho-so/{maHoSo}",
            summary="Processing status of a business-registration dossier",
        ),
    )
