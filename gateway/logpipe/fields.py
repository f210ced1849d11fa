"""Which field names carry personal data, and of what kind: one table for JSON keys, XML elements, queries."""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    """What a personal value is; decides how it is masked and whether it becomes a subject hash."""

    IDENTIFIER = "identifier"  # CCCD/CMND/passport/licence/insurance number: masked and hashed
    NAME = "name"
    DATE = "date"
    PHONE = "phone"
    EMAIL = "email"
    SECRET = "secret"  # credentials that must never be logged, not even masked

    # Enum's own __hash__ is Python code (it hashes the name), called on every lookup in masking's table of
    # one mask function per kind; members are singletons compared by identity, so the identity hash is
    # as right and runs in C.
    __hash__ = object.__hash__


_TABLE: dict[Kind, tuple[str, ...]] = {
    Kind.IDENTIFIER: (
        "SoDinhDanh",
        "SoCMND",
        "CMND",
        "CCCD",
        "SoCCCD",
        "SoCanCuoc",
        "SoCanCuocCongDan",
        "CMNDCu",
        "soDDCN",
        "SoGiayToTuyThan",
        "SoGiayTo",
        "SoGiayChungThuc",
        "HoChieu",
        "SoHoChieu",
        "SoGPLX",
        "SoGiayPhepLaiXe",
        "GPLX",
        "MaSoBHXH",
        "MaBHXH",
        "SoBHXH",
        "MaTheBHYT",
        "SoTheBHYT",
        "MaThe",  # insurance: the BHYT card (its BHXH number becomes the subject)
        "MaTheMoi",
        "CccdCb",  # the officer who checks a card is a person too
        "BienSo",  # plates are personalised: tied to the owner's số định danh
        "identifyNo",
        "idNumber",
        "passportNo",
        "citizenId",
        "SoDinhDanhChuHoSo",  # transport dossiers (#15): the applicant, their plate
        "BienSo",
        "SoPhatHanh",  # serial of a land-use-right certificate: it names one holder's land
        "CitizenIdentityNo",  # VNPost orders (#20): the citizen who hands over or receives the papers
    ),
    Kind.NAME: (
        "HoVaTen",
        "HoTen",
        "Ho",
        "ChuDem",
        "Ten",
        "TenGoiKhac",
        "HoTenCb",
        "HoTenChuHo",
        "fullName",
        "dadName",
        "momName",
        "partnerName",
        "ChuHoSo",
        "SenderFullname",  # VNPost orders (#20)
        "ReceiverFullname",
        "ReceiverSignature",
    ),
    Kind.DATE: (
        "NgayThangNamSinh",
        "NgaySinh",
        "NgayThangNam",
        "NgaySinhBangChu",
        "birthDate",
        "birthDateStr",
        "dateOfBirth",
        "dob",
        "dadDob",
        "momDob",
        "partnerDob",
    ),
    Kind.PHONE: (
        "SoDienThoai",
        "DienThoai",
        "SoDienThoaiBan",
        "phone",
        "mobile",
        "phoneNumber",
        "SenderTel",  # VNPost orders (#20)
        "ReceiverTel",
    ),
    Kind.EMAIL: ("Email", "ThuDienTu", "mail"),
    Kind.SECRET: (
        "password",
        "MatKhau",
        "secret",
        "client_secret",
        "SecretPass",
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "authorization",
        "apikey",
        "api_key",
        "phieuLLTP",  # a judicial-record certificate (PDF, base64): a whole person's record, never logged
        "fileByte",  # uploaded papers (EVN #22): scans of personal documents, never logged
    ),
}

KINDS: dict[str, Kind] = {name.lower(): kind for kind, names in _TABLE.items() for name in names}

# Hộ tịch and judicial-record forms name the same fields per person: nksHoTen (child), meSoDDCN
# (mother), chaNgaySinh (father), nycSoDienThoai (requester), HoVaTenCha, SoCMNDCu, HoTenNguoiNop.
_PERSON_PREFIXES = (
    "nks",
    "nkt",
    "nyc",
    "ndd",
    "chuho",
    "nguoidaidien",
    "vochong",
    "me",
    "cha",
    "vo",
    "chong",
)
_PERSON_SUFFIXES = ("nguoinop", "vochong", "cha", "me", "vo", "chong", "cu")

# kind_of()'s memo; the masking walk reads it directly, for a call per field costs more than the lookup.
KIND_MEMO: dict[str, Kind | None] = {}
_CACHE_MAX = 10_000  # keys come from request bodies: bound the memo so odd clients cannot grow it


def kind_of(field_name: str) -> Kind | None:
    """The personal-data kind of a field name (case-insensitive, namespace ignored), or None."""
    if field_name in KIND_MEMO:
        return KIND_MEMO[field_name]
    # "{namespace}Name" (lxml) and "prefix:Name" both count as "Name".
    kind = _lookup(field_name.rpartition("}")[2].rpartition(":")[2].lower())
    if len(KIND_MEMO) < _CACHE_MAX:
        KIND_MEMO[field_name] = kind
    return kind


def _lookup(key: str) -> Kind | None:
    kind = KINDS.get(key)
    if kind is not None:
        return kind
    for prefix in _PERSON_PREFIXES:
        if key.startswith(prefix) and (kind := KINDS.get(key[len(prefix) :])) is not None:
            return kind
    for suffix in _PERSON_SUFFIXES:
        if key.endswith(suffix) and (kind := KINDS.get(key[: -len(suffix)])) is not None:
            return kind
    return None
