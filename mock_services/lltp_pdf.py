"""The judicial-record certificate (Phiếu lý lịch tư pháp số 1 or số 2) of service #10 as a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from fpdf import FPDF

from ndxp_sim.core.catalogues import DATA_DIR

FONT_DIR = DATA_DIR / "fonts"  # DejaVu Sans: a free licence and every Vietnamese letter (LICENSE-DejaVu.txt)
FAMILY = "DejaVu"


@dataclass(frozen=True, slots=True)
class Certificate:
    """What the certificate states; every value is from the synthetic population."""

    loai_phieu: int  # 1 or 2
    so_phieu: str
    co_quan_cap: str  # "Sở Tư pháp tỉnh An Giang"
    noi_cap: str  # the place in the date line: "An Giang"
    ngay_cap: date
    nguoi_ky: str
    ho_ten: str
    gioi_tinh: str
    ngay_sinh: str  # dd/mm/yyyy
    noi_sinh: str
    quoc_tich: str
    dan_toc: str
    thuong_tru: str
    giay_to: str  # "Căn cước công dân số 089085012345"
    ho_ten_cha: str
    ho_ten_me: str
    ho_ten_vo_chong: str
    an_tich: str  # "Không có án tích"
    cam_dam_nhiem: str | None  # None when the applicant did not ask (isBanPosition 0)


def render(cert: Certificate) -> bytes:
    """The certificate as PDF bytes; the same certificate always gives the same bytes."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime.combine(cert.ngay_cap, time()))  # not "now": same input, same file
    pdf.set_title(f"Phiếu lý lịch tư pháp số {cert.loai_phieu} - {cert.so_phieu}")
    pdf.set_author(cert.co_quan_cap)
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    _heading(pdf, cert)
    _person(pdf, cert)
    _findings(pdf, cert)
    _signature(pdf, cert)
    return bytes(pdf.output())


def _heading(pdf: FPDF, cert: Certificate) -> None:
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(half, 5, f"{cert.co_quan_cap.upper()}\n\nSố: {cert.so_phieu}", align="C")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C")
    pdf.ln(14)
    pdf.set_font(FAMILY, "B", 15)
    pdf.cell(0, 8, f"PHIẾU LÝ LỊCH TƯ PHÁP SỐ {cert.loai_phieu}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    basis = "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;"
    pdf.multi_cell(0, 5, basis, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _line(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(FAMILY, "", 11)
    pdf.write(7, f"{label}: ")
    pdf.set_font(FAMILY, "B", 11)
    pdf.write(7, value or "Không có thông tin")
    pdf.ln(7)


def _person(pdf: FPDF, cert: Certificate) -> None:
    _line(pdf, "1. Họ và tên", cert.ho_ten)
    _line(pdf, "2. Giới tính", cert.gioi_tinh)
    _line(pdf, "3. Ngày, tháng, năm sinh", cert.ngay_sinh)
    _line(pdf, "4. Nơi sinh", cert.noi_sinh)
    _line(pdf, "5. Quốc tịch", cert.quoc_tich)
    _line(pdf, "6. Dân tộc", cert.dan_toc)
    _line(pdf, "7. Nơi thường trú", cert.thuong_tru)
    _line(pdf, "8. Giấy tờ tùy thân", cert.giay_to)
    if cert.loai_phieu == 2:  # Phiếu số 2 also names the parents and the spouse
        _line(pdf, "9. Họ và tên cha", cert.ho_ten_cha)
        _line(pdf, "10. Họ và tên mẹ", cert.ho_ten_me)
        _line(pdf, "11. Họ và tên vợ/chồng", cert.ho_ten_vo_chong)
    pdf.ln(3)


def _findings(pdf: FPDF, cert: Certificate) -> None:
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 8, "TÌNH TRẠNG ÁN TÍCH", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(0, 7, cert.an_tich, new_x="LMARGIN", new_y="NEXT")
    if cert.cam_dam_nhiem is not None:
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", 12)
        title = "THÔNG TIN VỀ VIỆC CẤM ĐẢM NHIỆM CHỨC VỤ, THÀNH LẬP, QUẢN LÝ DOANH NGHIỆP, HỢP TÁC XÃ"
        pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 11)
        pdf.multi_cell(0, 7, cert.cam_dam_nhiem, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def _signature(pdf: FPDF, cert: Certificate) -> None:
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    day = cert.ngay_cap
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FAMILY, "", 10)
    when = f"{cert.noi_cap}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    pdf.multi_cell(half, 6, when, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(half, 6, "GIÁM ĐỐC", align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(18)
    pdf.set_x(pdf.l_margin + half)
    pdf.multi_cell(half, 6, cert.nguoi_ky, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font(FAMILY, "", 8)
    note = "Bản điện tử do ndxp-sim tạo từ dân cư tổng hợp: không có giá trị pháp lý."
    pdf.multi_cell(0, 5, note, align="C")
