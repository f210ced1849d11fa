"""Which services the simulator mocks: adding one is a module with `create_router` and a line here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from fastapi import APIRouter

from ndxp_sim.mock_services import (
    csdl_bao_hiem,
    csdl_can_bo,
    csdl_dan_cu,
    csdl_dang_kiem,
    csdl_dat_dai,
    csdl_dkdn,
    csdl_gia,
    csdl_gplx,
    csdl_van_ban,
    danh_muc_btc,
    danh_muc_dung_chung,
    danh_muc_nhnn,
    evn,
    ho_tich,
    lien_thong_tnmt_thue,
    ly_lich_tu_phap,
    ma_dvqhns,
    nha_o_tuong_lai,
    quan_ly_gtvt,
    thong_tin_nguon,
    tro_giup_xa_hoi,
    vneid_sso,
    vnpost_dvc,
    vpostcode,
)
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.faults import ServiceTraits


@dataclass(frozen=True, slots=True)
class MockService:
    create_router: Callable[[MockContext], APIRouter]
    traits: ServiceTraits = field(default_factory=ServiceTraits)


MOCKS: Mapping[str, MockService] = MappingProxyType(
    {
        "csdl_dkdn": MockService(csdl_dkdn.create_router),
        "csdl_dan_cu": MockService(csdl_dan_cu.create_router, ServiceTraits(soap_namespace=csdl_dan_cu.NS)),
        "ho_tich": MockService(ho_tich.create_router, ServiceTraits(dossier=True)),
        "csdl_bao_hiem": MockService(csdl_bao_hiem.create_router),
        "csdl_gplx": MockService(csdl_gplx.create_router),
        "csdl_dang_kiem": MockService(csdl_dang_kiem.create_router),
        "csdl_can_bo": MockService(csdl_can_bo.create_router),
        "csdl_van_ban": MockService(csdl_van_ban.create_router),
        "thong_tin_nguon": MockService(thong_tin_nguon.create_router),
        "csdl_gia": MockService(csdl_gia.create_router),
        "quan_ly_gtvt": MockService(quan_ly_gtvt.create_router),
        "danh_muc_dung_chung": MockService(danh_muc_dung_chung.create_router),
        "danh_muc_nhnn": MockService(danh_muc_nhnn.create_router),
        "danh_muc_btc": MockService(danh_muc_btc.create_router),
        "vpostcode": MockService(vpostcode.create_router),
        "csdl_dat_dai": MockService(csdl_dat_dai.create_router),
        "ly_lich_tu_phap": MockService(ly_lich_tu_phap.create_router),
        "ma_dvqhns": MockService(ma_dvqhns.create_router, ServiceTraits(dossier=True)),
        "tro_giup_xa_hoi": MockService(tro_giup_xa_hoi.create_router, ServiceTraits(dossier=True)),
        "vneid_sso": MockService(vneid_sso.create_router),
        "vnpost_dvc": MockService(vnpost_dvc.create_router),
        "evn": MockService(evn.create_router),
        "nha_o_tuong_lai": MockService(nha_o_tuong_lai.create_router, ServiceTraits(dossier=True)),
        "lien_thong_tnmt_thue": MockService(lien_thong_tnmt_thue.create_router, ServiceTraits(dossier=True)),
    }
)
