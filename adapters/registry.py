"""The adapter registry: built-in adapters and plug-ins from the `ndxp_sim.adapters` entry points."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib.metadata import entry_points
from types import MappingProxyType

from ndxp_sim.adapters._base import Adapter
from ndxp_sim.adapters.csdl_bao_hiem import CsdlBaoHiemAdapter
from ndxp_sim.adapters.csdl_can_bo import CsdlCanBoAdapter
from ndxp_sim.adapters.csdl_dan_cu import CsdlDanCuAdapter
from ndxp_sim.adapters.csdl_dang_kiem import CsdlDangKiemAdapter
from ndxp_sim.adapters.csdl_dat_dai import CsdlDatDaiAdapter
from ndxp_sim.adapters.csdl_dkdn import CsdlDkdnAdapter
from ndxp_sim.adapters.csdl_gia import CsdlGiaAdapter
from ndxp_sim.adapters.csdl_gplx import CsdlGplxAdapter
from ndxp_sim.adapters.csdl_van_ban import CsdlVanBanAdapter
from ndxp_sim.adapters.danh_muc_btc import DanhMucBtcAdapter
from ndxp_sim.adapters.danh_muc_dung_chung import DanhMucDungChungAdapter
from ndxp_sim.adapters.danh_muc_nhnn import DanhMucNhnnAdapter
from ndxp_sim.adapters.evn import EvnAdapter
from ndxp_sim.adapters.ho_tich import HoTichAdapter
from ndxp_sim.adapters.lien_thong_tnmt_thue import LienThongTnmtThueAdapter
from ndxp_sim.adapters.ly_lich_tu_phap import LyLichTuPhapAdapter
from ndxp_sim.adapters.ma_dvqhns import MaDvqhnsAdapter
from ndxp_sim.adapters.nha_o_tuong_lai import NhaOTuongLaiAdapter
from ndxp_sim.adapters.quan_ly_gtvt import QuanLyGtvtAdapter
from ndxp_sim.adapters.thong_tin_nguon import ThongTinNguonAdapter
from ndxp_sim.adapters.tro_giup_xa_hoi import TroGiupXaHoiAdapter
from ndxp_sim.adapters.vneid_sso import VneidSsoAdapter
from ndxp_sim.adapters.vnpost_dvc import VnpostDvcAdapter
from ndxp_sim.adapters.vpostcode import VpostcodeAdapter
from ndxp_sim.core.catalogue import services

ENTRY_POINT_GROUP = "ndxp_sim.adapters"
_BUILT_IN: tuple[type[Adapter], ...] = (
    CsdlDkdnAdapter,
    CsdlDanCuAdapter,
    HoTichAdapter,
    CsdlBaoHiemAdapter,
    CsdlGplxAdapter,
    CsdlDangKiemAdapter,
    CsdlCanBoAdapter,
    CsdlVanBanAdapter,
    ThongTinNguonAdapter,
    CsdlGiaAdapter,
    QuanLyGtvtAdapter,
    DanhMucDungChungAdapter,
    DanhMucNhnnAdapter,
    DanhMucBtcAdapter,
    VpostcodeAdapter,
    CsdlDatDaiAdapter,
    LyLichTuPhapAdapter,
    MaDvqhnsAdapter,
    TroGiupXaHoiAdapter,
    VneidSsoAdapter,
    VnpostDvcAdapter,
    EvnAdapter,
    LienThongTnmtThueAdapter,
    NhaOTuongLaiAdapter,
)

log = logging.getLogger("ndxp.adapters")


def _plugins() -> dict[str, type[Adapter]]:
    """Adapters a province installed as a package declaring the `ndxp_sim.adapters` entry-point group."""
    found: dict[str, type[Adapter]] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        adapter = entry.load()
        if not (isinstance(adapter, type) and issubclass(adapter, Adapter)) or adapter.key not in services():
            log.error("entry point %s does not name an Adapter of a known service; ignored", entry.name)
            continue
        found[adapter.key] = adapter
    return found


def load_adapters() -> Mapping[str, type[Adapter]]:
    """Built-in adapters, overridden by plug-ins for the same service key."""
    adapters = {adapter.key: adapter for adapter in _BUILT_IN}
    adapters.update(_plugins())
    return MappingProxyType(adapters)
