"""The console's interface text in Vietnamese (the default) and English."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

# key: (Vietnamese, English)
_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Bảng điều khiển vận hành", "Operator console"),
    "skip": ("Bỏ qua đến nội dung", "Skip to content"),
    "overview": ("Tổng quan", "Overview"),
    "search": ("Tìm kiếm", "Search"),
    "trace": ("Truy vết", "Trace"),
    "live": ("Trực tiếp", "Live"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "client_id": ("Mã vận hành viên (client_id)", "Operator id (client_id)"),
    "client_secret": ("Mật khẩu (client_secret)", "Secret (client_secret)"),
    "sign_in_hint": (
        "Dùng thông tin vận hành viên trong cấu hình; tài khoản hệ thống tiêu thụ không mở được.",
        "Use the operator credentials from the configuration; consumer credentials do not open it.",
    ),
    "bad_credentials": ("Sai mã hoặc mật khẩu.", "Wrong id or secret."),
    "not_operator": ("Tài khoản này không phải vận hành viên.", "This account is not an operator."),
    "bad_csrf": (
        "Biểu mẫu đã hết hạn; vui lòng tải lại trang.",
        "The form expired; reload the page and try again.",
    ),
    "language": ("Ngôn ngữ", "Language"),
    "switch_language": ("English", "Tiếng Việt"),
    "window": ("Khoảng thời gian", "Window"),
    "show": ("Xem", "Show"),
    "last": ("gần nhất", "last"),
    "failing_last_hour": ("Các cuộc gọi lỗi trong 1 giờ qua", "Failing calls of the last hour"),
    "trace_dossier": ("Truy vết một hồ sơ", "Trace a dossier"),
    "traffic": ("Lưu lượng (trao đổi/phút)", "Traffic (exchanges per minute)"),
    "per_service": ("Theo dịch vụ", "Per service"),
    "per_minute": ("trao đổi/phút", "exchanges/min"),
    "error_rate": ("Tỷ lệ lỗi", "Error rate"),
    "p95": ("p95 (ms)", "p95 (ms)"),
    "count": ("Số lượng", "Count"),
    "errors": ("Lỗi", "Errors"),
    "ok": ("Thành công", "Succeeded"),
    "no_traffic": ("Không có lưu lượng trong khoảng này.", "No traffic in this window."),
    "pipeline": ("Đường ống nhật ký", "Log pipeline"),
    "broker": ("Kafka", "Kafka"),
    "reachable": ("kết nối được", "reachable"),
    "unreachable": ("không kết nối được", "unreachable"),
    "spool": ("Bản ghi trong spool", "Records in the spool"),
    "pending": ("Bản ghi đang chờ", "Records pending"),
    "produced": ("Đã gửi Kafka", "Produced to Kafka"),
    "indexer_lag": ("Độ trễ lập chỉ mục", "Indexer lag"),
    "indexed_to": ("đã lập chỉ mục đến", "indexed up to"),
    "store": ("Kho trao đổi", "Exchange store"),
    "services": ("24 dịch vụ", "The 24 services"),
    "number": ("STT", "No."),
    "service": ("Dịch vụ", "Service"),
    "state": ("Trạng thái", "State"),
    "self_test": ("Tự kiểm tra kết nối", "Connectivity self-test"),
    "not_implemented": ("chưa mô phỏng", "not simulated"),
    "state_green": ("tốt", "good"),
    "state_amber": ("cảnh báo", "warning"),
    "state_red": ("lỗi", "failing"),
    "state_grey": ("chưa có dữ liệu", "no data"),
    "filters": ("Bộ lọc", "Filters"),
    "since": ("Trong", "Within"),
    "any": ("(tất cả)", "(any)"),
    "from": ("Từ (UTC)", "From (UTC)"),
    "to": ("Đến (UTC)", "To (UTC)"),
    "consumer": ("Hệ thống tiêu thụ", "Consumer"),
    "operation": ("Thao tác", "Operation"),
    "outcome": ("Kết quả", "Outcome"),
    "failed_only": ("Chỉ cuộc gọi lỗi", "Failing calls only"),
    "http_status": ("Mã HTTP", "HTTP status"),
    "error_type": ("Loại lỗi", "Error type"),
    "ma_ho_so": ("Mã hồ sơ (MaHoSo)", "Dossier code (MaHoSo)"),
    "ma_yeu_cau": ("Mã yêu cầu (MaYeuCau)", "MaYeuCau"),
    "request_id": ("Mã request (X-Request-Id)", "Request id (X-Request-Id)"),
    "subject": ("Băm chủ thể", "Subject hash"),
    "subject_lookup": ("Tìm theo số định danh", "Find by personal identifier"),
    "subject_hint": (
        "Số được băm (HMAC) trên máy chủ; không xuất hiện trong URL.",
        "The number is hashed (HMAC) on the server; it never appears in a URL.",
    ),
    "identifier": ("Số định danh / CCCD", "Identifier (CCCD)"),
    "apply": ("Lọc", "Filter"),
    "reset": ("Xóa bộ lọc", "Clear filters"),
    "results": ("Kết quả (mới nhất trước)", "Results (newest first)"),
    "no_results": ("Không có trao đổi nào khớp.", "No exchange matches."),
    "next_page": ("Trang sau", "Next page"),
    "first_page": ("Trang đầu", "First page"),
    "export_csv": ("Xuất CSV", "Export CSV"),
    "export_jsonl": ("Xuất JSON lines", "Export JSON lines"),
    "time": ("Thời điểm (UTC)", "Time (UTC)"),
    "status": ("HTTP", "HTTP"),
    "duration": ("Thời gian (ms)", "Duration (ms)"),
    "exchange": ("Trao đổi", "Exchange"),
    "fields": ("Các trường", "Fields"),
    "timing": ("Dòng thời gian", "Timing"),
    "gateway_in": ("Cổng nhận", "Gateway in"),
    "backend": ("Hệ thống nguồn", "Backend"),
    "gateway_out": ("Cổng trả", "Gateway out"),
    "request_body": ("Nội dung yêu cầu", "Request body"),
    "response_body": ("Nội dung phản hồi", "Response body"),
    "body_policy": ("Chính sách ghi nội dung", "Body policy"),
    "no_body": ("(không ghi theo chính sách)", "(not logged under the policy)"),
    "truncated": ("(đã cắt bớt)", "(truncated)"),
    "subjects": ("Chủ thể (băm)", "Subjects (hashed)"),
    "links": ("Liên kết", "Links"),
    "trace_of": ("Truy vết theo", "Trace by"),
    "consumer_calls": ("Các cuộc gọi khác của hệ thống này", "This consumer's other calls"),
    "key": ("Khóa", "Key"),
    "value": ("Giá trị", "Value"),
    "trace_hint": (
        "Mọi trao đổi có cùng mã, theo thứ tự thời gian, trên mọi dịch vụ.",
        "Every exchange sharing the key, in time order, across services.",
    ),
    "offset": ("+ms", "+ms"),
    "live_hint": (
        "Trao đổi mới xuất hiện tại đây khi được lập chỉ mục, không cần tải lại.",
        "New exchanges appear here as they are indexed, without reloading.",
    ),
    "live_connected": ("Đang theo dõi", "Following"),
    "live_waiting": ("Đang kết nối…", "Connecting…"),
    "error": ("Lỗi", "Error"),
    "back": ("Quay lại", "Back"),
    "not_found": ("Không tìm thấy trao đổi này.", "No such exchange."),
    "signed_in_as": ("Đăng nhập:", "Signed in as"),
    "details": ("Chi tiết", "Details"),
}


def translator(language: str) -> Callable[[str], str]:
    """The text lookup for one language; an unknown key shows itself so a gap is visible."""
    index = LANGUAGES.index(language) if language in LANGUAGES else 0

    def text(key: str) -> str:
        pair = _TEXT.get(key)
        return pair[index] if pair else key

    return text
