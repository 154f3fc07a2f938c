"""The public pages' texts: the frame, overview, market, vendor, audit, login, errors and live page.

``key: (Vietnamese, English)``; see ``market40.web.messages`` for the conventions.
"""

from __future__ import annotations

PUBLIC: dict[str, tuple[str, str]] = {
    # Frame
    "site.name": ("Chợ 4.0 Thái Nguyên", "Market 4.0 Thái Nguyên"),
    "nav.label": ("Điều hướng chính", "Main navigation"),
    "nav.skip": ("Chuyển đến nội dung", "Skip to content"),
    "nav.overview": ("Tổng quan", "Overview"),
    "nav.my_stall": ("Quầy của tôi", "My stall"),
    "nav.audit": ("Kiểm tra số liệu", "Audit"),
    "nav.language": ("Ngôn ngữ", "Language"),
    "nav.login": ("Đăng nhập", "Log in"),
    "nav.logout": ("Đăng xuất", "Log out"),
    "lang.vi": ("Tiếng Việt", "Tiếng Việt"),
    "lang.en": ("English", "English"),
    "footer.text": (
        "Số liệu thanh toán không dùng tiền mặt tại các chợ truyền thống tỉnh Thái Nguyên",
        "Cashless payment figures of Thái Nguyên's traditional markets",
    ),
    "footer.api": ("API dữ liệu", "Data API"),
    # Common words
    "common.as_of": ("Tính đến ngày", "As of"),
    "common.show": ("Xem", "Show"),
    "common.district": ("Huyện cũ", "Former district"),
    "common.commune": ("Xã/phường", "Commune"),
    "common.grade": ("Hạng", "Grade (hạng)"),
    "common.grade_n": ("Chợ hạng {n}", "Grade {n} market"),
    "common.market": ("Chợ", "Market"),
    "common.month": ("Tháng", "Month"),
    "common.day": ("Ngày", "Day"),
    "common.stall": ("Quầy", "Stall"),
    "common.vendor": ("Tiểu thương", "Vendor"),
    "common.status": ("Trạng thái", "Status"),
    "common.yes": ("Đạt", "Yes"),
    "common.no": ("Chưa đạt", "No"),
    "common.newer": ("Mới hơn", "Newer"),
    "common.older": ("Cũ hơn", "Older"),
    "basis.window": ("{n} ngày", "{n} days"),
    "basis.on_day": ("ngày {day}", "on {day}"),
    # A bad filter value: said next to the field, in words
    "invalid.as_of": (
        "Ngày không hợp lệ. Hãy chọn một ngày trên lịch; đang hiện số liệu hôm nay.",
        "That is not a valid date. Pick a day from the calendar; today's figures are shown.",
    ),
    "invalid.as_of_future": (
        "Chưa có số liệu cho ngày sau hôm nay ({today}); đang hiện số liệu hôm nay.",
        "There are no figures after today ({today}); today's figures are shown.",
    ),
    "invalid.window": (
        "Khoảng thời gian phải từ 1 đến 366 ngày; đang hiện 30 ngày.",
        "The period must be 1 to 366 days; 30 days are shown.",
    ),
    "invalid.ruleset": (
        "Không có bộ tiêu chí này; đang hiện bộ tiêu chí chính thức.",
        "There is no such ruleset; the official one is shown.",
    ),
    "invalid.ruleset_choose": ("Hãy chọn một bộ tiêu chí trong danh sách.",
                               "Choose a ruleset from the list."),
    "invalid.as_of_form": (
        "Hãy chọn ngày tính trên lịch.",
        "Pick the as-of date from the calendar.",
    ),
    "invalid.as_of_past": (
        "Chưa có số liệu trước ngày {earliest}; đang hiện số liệu hôm nay.",
        "There are no figures before {earliest}; today's figures are shown.",
    ),
    "invalid.as_of_past_form": (
        "Ngày tính không được trước ngày {earliest}.",
        "The as-of date cannot be before {earliest}.",
    ),
    "invalid.as_of_future_form": (
        "Ngày tính không được sau hôm nay ({today}).",
        "The as-of date cannot be after today ({today}).",
    ),
    "invalid.other": (
        "Giá trị trong đường dẫn không hợp lệ nên đã dùng giá trị mặc định.",
        "A value in the link was not valid, so the default is used.",
    ),
    "chart.empty": ("Chưa có số liệu trong khoảng này", "No data in this period"),
    "chart.as_table": ("Xem số liệu dạng bảng", "Show the figures as a table"),
    # Metrics (DESIGN.md §5): names come from reports.glossary, filled in below.
    "metric.market": ("Chợ", "Market"),
    "metric.certified": ("Đạt Chợ 4.0", "Certified"),
    # Overview
    "overview.title": ("Chợ 4.0 toàn tỉnh", "Market 4.0 across the province"),
    "overview.lead": (
        "Số liệu tính đến ngày {as_of}, hoạt động trong {window} ngày gần nhất.",
        "Figures as of {as_of}, activity over the last {window} days.",
    ),
    "overview.ruleset": ("Bộ tiêu chí", "Ruleset"),
    "overview.example": ("ví dụ", "example"),
    "overview.official": ("chính thức", "official"),
    "overview.example_badge": ("Ví dụ", "Example"),
    "overview.official_badge": ("Chính thức", "Official"),
    "overview.show": ("Hiện các chợ", "Markets shown"),
    "overview.show.all": ("Tất cả ({n} chợ)", "All ({n} markets)"),
    "overview.show.with_data": ("Chỉ chợ có số liệu ({n} chợ)", "Only markets with data ({n})"),
    "overview.markets_with_data": (
        "chợ có tiểu thương đăng ký / tổng số chợ",
        "markets with registered vendors / all markets",
    ),
    "overview.trend.gaps": (
        "Tháng chưa có số liệu để trống (–), không tính là 0 %.",
        "Months without figures are left blank (–), not counted as 0%.",
    ),
    "overview.trend.partial": (
        "* Tháng hiện tại chưa hết: số liệu đến ngày {day}.",
        "* The current month is not over: figures up to {day}.",
    ),
    "overview.table_lead": (
        "Mỗi tiêu chí ghi giá trị của chợ và Đạt/Chưa đạt. Chợ chưa có tiểu thương "
        "đăng ký là chưa có số liệu và xếp cuối bảng.",
        "Each criterion shows the market's value and whether it passes. Markets with no "
        "registered vendor have no data yet and come last.",
    ),
    "overview.result": ("Kết quả", "Result"),
    "overview.no_data": ("Chưa có số liệu", "No data yet"),
    "glossary.title": ("Cách tính các chỉ số", "How the figures are counted"),
    "overview.example_note": (
        "Bộ tiêu chí ví dụ, không phải tiêu chí chính thức",
        "An example ruleset, not an official one",
    ),
    "overview.certified.heading": ("Chợ đạt Chợ 4.0 so với mục tiêu", "Certified sites vs target"),
    "overview.certified.sites": ("chợ đạt chuẩn", "sites certified"),
    "overview.of_target": ("mục tiêu", "of the target"),
    "overview.progress": ("Tiến độ so với mục tiêu", "Progress towards the target"),
    "overview.criteria": ("Tiêu chí", "Criteria"),
    "overview.markets": ("Số chợ", "Markets"),
    "overview.certified": ("Đạt chuẩn", "Certified"),
    "overview.by_district": ("Theo huyện cũ (đến 30/6/2025)",
                             "By former district (until 30/6/2025)"),
    "overview.by_district.note": (
        "Từ 1/7/2025 không còn cấp huyện; bảng này giữ cách nhóm cũ để so với mục tiêu 2022.",
        "Districts were abolished on 1/7/2025; this table keeps the old grouping to compare "
        "with the 2022 targets.",
    ),
    "overview.by_commune": ("Theo xã/phường", "By commune"),
    "overview.by_commune.note": (
        "Các xã, phường có hiệu lực vào ngày {day} (có chợ trong danh sách).",
        "The communes in force on {day} (those with a market on the list).",
    ),
    "market.former_units": ("Trước 1/7/2025: {units}", "Until 30/6/2025: {units}"),
    "overview.by_grade": ("Theo hạng chợ", "By market grade"),
    "overview.trend.title": (
        "Xu hướng toàn tỉnh theo tháng",
        "Province trend by month",
    ),
    "overview.chain_head": (
        "Bản chốt số liệu mới nhất: số {id}, SHA-256",
        "Latest audit snapshot: number {id}, SHA-256",
    ),
    "overview.all_markets": ("Tất cả các chợ", "All markets"),
    "overview.table_caption": (
        "{n} chợ; bấm vào tiêu đề cột để sắp xếp",
        "{n} markets; select a column heading to sort",
    ),
    # Market
    "market.period": (
        "Từ {first} đến {as_of} ({window} ngày)",
        "From {first} to {as_of} ({window} days)",
    ),
    "market.window": ("Khoảng thời gian", "Period"),
    "market.days": ("{n} ngày", "{n} days"),
    "market.daily.title": (
        "Tỷ lệ giao dịch không tiền mặt theo ngày",
        "Cashless share of sales by day",
    ),
    "market.qr_sales": ("Giao dịch QR", "QR sales"),
    "market.all_sales": ("Tổng giao dịch", "All sales"),
    "market.qr_value": ("Giá trị QR", "QR value"),
    "market.top.title": ("Quầy bán nhiều qua QR nhất", "Top stalls by QR sales"),
    "market.top.none": ("Chưa có giao dịch QR trong khoảng này.", "No QR sales in this period."),
    "market.listings.title": ("Sản phẩm trên sàn thương mại điện tử", "Products sold online"),
    "market.listings.since": ("từ {day}", "since {day}"),
    "market.listings.none": ("Chưa có sản phẩm nào trên sàn.", "No product online yet."),
    "market.follow.title": ("Tiểu thương cần hỗ trợ cấp mã QR", "Vendors without a QR code"),
    "market.follow.lead": (
        "Chỉ Ban quản lý chợ nhìn thấy danh sách này.",
        "Only the market board sees this list.",
    ),
    "market.cards": (
        "In thẻ QR của cả chợ (PDF, khổ A4)",
        "Print every stall card of the market (PDF, A4)",
    ),
    "market.follow.caption": ("{n} tiểu thương", "{n} vendors"),
    "market.follow.owner": ("Chủ hộ", "Owner"),
    "market.follow.phone": ("Điện thoại", "Phone"),
    "market.follow.why": ("Cần làm", "What is missing"),
    "market.follow.since": ("Cập nhật", "Updated"),
    "market.follow.none": (
        "Tất cả tiểu thương đã có mã QR.",
        "Every vendor has a QR code.",
    ),
    "market.fees.title": ("Thu phí", "Fees"),
    "market.fees.count": ("Số khoản phí", "Fees collected"),
    "market.fees.qr_count": ("{n} qua QR", "{n} by QR"),
    "market.fees.value": ("Tổng phí thu", "Fees value"),
    "market.fees.qr_value": ("{value} qua QR", "{value} by QR"),
    "market.fees.by_day": ("Phí thu theo ngày", "Fees by day"),
    "market.fees.qr": ("Qua QR", "By QR"),
    "market.fees.cash": ("Tiền mặt", "Cash"),
    "market.fees.none": ("Chưa ghi nhận khoản phí nào.", "No fee recorded."),
    # Why a vendor has no QR code in force
    "why.draft": ("Hồ sơ nháp: cần gửi duyệt", "Draft: submit it for approval"),
    "why.submitted": ("Đang chờ duyệt", "Waiting for approval"),
    "why.reverted": ("Bị trả lại: cần bổ sung hồ sơ", "Sent back: the record needs fixing"),
    "why.rejected": ("Bị từ chối", "Rejected"),
    "why.closed": ("Đã nghỉ bán", "Closed"),
    "why.approved": ("Đã duyệt", "Approved"),
    "why.no_account": ("Chưa có tài khoản ngân hàng", "No bank account on record"),
    "why.no_qr": ("Chưa được cấp mã QR", "QR code not issued yet"),
    # What the vendor does next, and whom to ask ({board}: the market's board)
    "next.draft": (
        "Hồ sơ của bạn mới là bản nháp. Hãy nhờ {board} hoàn thiện và gửi duyệt.",
        "Your record is still a draft. Ask {board} to complete it and submit it for approval.",
    ),
    "next.submitted": (
        "{board} đang xem hồ sơ. Mã QR sẽ hiện ở đây ngay khi hồ sơ được duyệt.",
        "{board} is checking your record. The QR code appears here as soon as it is approved.",
    ),
    "next.reverted": (
        "Hãy đến {board} để bổ sung hồ sơ theo ghi chú, rồi hồ sơ được duyệt lại.",
        "Go to {board} to complete your record as noted; it is then checked again.",
    ),
    "next.rejected": (
        "Hãy hỏi {board} lý do và cách đăng ký lại.",
        "Ask {board} why and how to register again.",
    ),
    "next.closed": (
        "Quầy đã nghỉ bán. Nếu bạn bán lại, hãy báo {board}.",
        "The stall is closed. If you trade again, tell {board}.",
    ),
    "next.approved": (
        "Hãy đề nghị {board} cấp mã QR cho quầy.",
        "Ask {board} to issue the stall's QR code.",
    ),
    "next.no_account": (
        "Hãy mang thẻ ngân hàng hoặc số tài khoản của bạn đến {board} để bổ sung; "
        "mã QR được cấp sau khi duyệt.",
        "Bring your bank card or account number to {board} to add it; "
        "the QR code is issued once that is approved.",
    ),
    "next.no_qr": (
        "Hồ sơ đã duyệt. Hãy đề nghị {board} cấp mã QR cho quầy.",
        "Your record is approved. Ask {board} to issue the stall's QR code.",
    ),
    # Vendor
    "vendor.card.title": ("Thẻ mã QR của quầy", "Stall QR card"),
    "vendor.card.qr_label": (
        "Mã VietQR để khách quét thanh toán",
        "VietQR code for buyers to scan",
    ),
    "vendor.card.check": (
        "Khách hàng kiểm tra tên chủ tài khoản trước khi chuyển tiền.",
        "Buyers should check the account holder's name before paying.",
    ),
    "vendor.card.pdf": ("Tải thẻ để in (PDF)", "Download the card to print (PDF)"),
    "vendor.card.print_hint": ("Hoặc in trang này.", "Or print this page."),
    "vendor.card.none": ("Quầy chưa có mã QR.", "This stall has no QR code yet."),
    "vendor.received.title": ("Tiền bán hàng nhận được", "Money in from sales"),
    "vendor.qr_today": ("Hôm nay qua QR", "Today by QR"),
    "vendor.qr_on_day": ("Ngày {day} qua QR", "On {day} by QR"),
    "vendor.qr_sales": ("Bán hàng qua QR", "Sales by QR"),
    "vendor.cash_sales": ("Bán hàng tiền mặt", "Cash sales"),
    "vendor.cashless_base": ("{qr} / {all} tiền bán hàng", "{qr} of {all} in sales"),
    "vendor.paid.title": ("Phí đã nộp cho chợ (tiền ra)", "Fees paid to the market (money out)"),
    "vendor.fees_paid": ("Phí đã nộp", "Fees paid"),
    "vendor.fees_detail": (
        "{n} khoản trong {window} ngày, {qr} khoản qua QR",
        "{n} fees in {window} days, {qr} by QR",
    ),
    "vendor.payments_n": ("{n} giao dịch", "{n} payments"),
    "vendor.payments_days": ("{n} giao dịch trong {window} ngày", "{n} payments in {window} days"),
    "vendor.next.board": ("Ban quản lý chợ {market}", "the board of {market}"),
    "vendor.daily.title": ("Tiền nhận qua QR theo ngày", "QR sales by day"),
    "vendor.recent.title": ("Giao dịch gần đây", "Recent payments"),
    "vendor.recent.lead": (
        "Dấu + là tiền khách trả cho quầy; dấu − là phí quầy nộp cho chợ.",
        "+ is money buyers paid the stall; − is a fee the stall paid the market.",
    ),
    "vendor.recent.when": ("Thời gian", "When"),
    "vendor.recent.amount": ("Số tiền", "Amount"),
    "vendor.recent.method": ("Hình thức", "Method"),
    "vendor.recent.direction": ("Tiền vào / ra", "In / out"),
    "direction.in": ("Tiền bán hàng (vào)", "Sale (money in)"),
    "direction.out": ("Nộp phí (ra)", "Fee paid (money out)"),
    "vendor.none": ("Chưa có giao dịch.", "No payments yet."),
    "method.qr": ("QR", "QR"),
    "method.cash": ("Tiền mặt", "Cash"),
    "kind.sale": ("Bán hàng", "Sale"),
    "kind.fee": ("Nộp phí", "Fee"),
    # Audit
    "audit.title": ("Kiểm tra số liệu chứng nhận", "Certification audit"),
    "audit.lead": (
        "Mỗi bản chốt số liệu được băm SHA-256, ký số Ed25519 và nối chuỗi với bản trước; "
        "cột Kiểm tra tính lại ngay khi mở trang.",
        "Each snapshot is hashed (SHA-256), signed (Ed25519) and chained to the one before; "
        "the Check column is recomputed when this page opens.",
    ),
    "audit.signature_ok": ("Chữ ký đúng", "Signature OK"),
    "audit.signature_bad": ("Chữ ký sai", "Signature invalid"),
    "audit.head": ("Đầu chuỗi: bản số {id}, SHA-256", "Chain head: snapshot {id}, SHA-256"),
    "audit.ruleset": ("Bộ tiêu chí", "Ruleset"),
    "audit.created": ("Tạo lúc", "Created"),
    "audit.verify": ("Kiểm tra", "Check"),
    "audit.files": ("Tệp", "Files"),
    "audit.hash_ok": ("Mã băm đúng", "Hash OK"),
    "audit.hash_bad": ("Mã băm sai", "Hash mismatch"),
    "audit.chain_ok": ("Chuỗi liền", "Chain OK"),
    "audit.chain_bad": ("Chuỗi bị đứt", "Chain broken"),
    "audit.changes": ("{n} số liệu đã thay đổi", "{n} figures changed since"),
    "audit.no_changes": ("Khớp số liệu hiện tại", "Matches today's data"),
    "audit.more_changes": ("và {n} thay đổi khác", "and {n} more changes"),
    "audit.details": ("Chi tiết", "Details"),
    "audit.market_present": ("có trong danh sách", "listed"),
    "audit.market_absent": ("không có trong danh sách", "not listed"),
    "audit.ruleset_changed": ("Tệp tiêu chí đã sửa", "Ruleset file edited since"),
    "audit.ruleset_gone": ("Không còn tệp tiêu chí", "Ruleset file missing"),
    "audit.none": ("Chưa có bản chốt số liệu nào.", "No snapshot yet."),
    "audit.none_create": (
        "Chọn bộ tiêu chí và ngày ở trên rồi bấm “Chốt số liệu”.",
        "Choose a ruleset and a date above, then select “Freeze the figures”.",
    ),
    "audit.create.title": ("Chốt số liệu chứng nhận", "Freeze the certification figures"),
    "audit.create.lead": (
        "Bản chốt lưu kết quả của mọi chợ theo bộ tiêu chí đã chọn, tính đến ngày đã chọn; "
        "sau đó không sửa, không xóa được.",
        "A snapshot keeps every market's result under the chosen ruleset as of the chosen "
        "date; it can never be edited or deleted.",
    ),
    "audit.create.submit": ("Chốt số liệu", "Freeze the figures"),
    "audit.created_note": ("Đã tạo bản chốt số {id}.", "Snapshot no. {id} was created."),
    "audit.snapshot": ("Bản chốt", "Snapshot"),
    "audit.snapshot_n": ("Bản chốt số {id}", "Snapshot no. {id}"),
    # Login
    "login.title": ("Đăng nhập", "Log in"),
    "login.lead": (
        "Dành cho tiểu thương, Ban quản lý chợ và cán bộ Sở.",
        "For vendors, market boards and department staff.",
    ),
    "login.name": ("Tên đăng nhập", "User name"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Log in"),
    "login.help": (
        "Quên mật khẩu? Liên hệ Ban quản lý chợ hoặc quản trị viên.",
        "Forgot your password? Ask your market board or an administrator.",
    ),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "login.missing": ("Hãy nhập tên đăng nhập và mật khẩu.", "Enter your user name and password."),
    "login.expired": (
        "Biểu mẫu đã hết hạn. Vui lòng thử lại.",
        "The form has expired. Please try again.",
    ),
    "logout.confirm": ("Bạn muốn đăng xuất?", "Do you want to log out?"),
    # Error pages
    "error.back": ("Về trang tổng quan", "Back to the overview"),
    "error.400.title": ("Yêu cầu không hợp lệ", "Bad request"),
    "error.400.text": ("Yêu cầu không đọc được.", "The request could not be read."),
    "error.401.title": ("Cần đăng nhập", "Login required"),
    "error.401.text": ("Vui lòng đăng nhập để xem trang này.", "Please log in to see this page."),
    "error.403.title": ("Không có quyền truy cập", "Not allowed"),
    "error.403.text": (
        "Tài khoản của bạn không được xem trang này.",
        "Your account may not see this page.",
    ),
    "error.404.title": ("Không tìm thấy", "Not found"),
    "error.404.text": ("Trang này không tồn tại.", "This page does not exist."),
    "error.409.title": ("Chưa thực hiện được", "Not possible now"),
    "error.409.text": (
        "Thao tác không phù hợp với trạng thái hiện tại.",
        "This does not fit the current state.",
    ),
    "error.413.title": ("Tệp quá lớn", "File too large"),
    "error.413.text": (
        "Tệp gửi lên lớn hơn giới hạn; hãy chia nhỏ rồi gửi lại.",
        "The upload is larger than the limit; split it and send it again.",
    ),
    "error.422.title": ("Tham số không hợp lệ", "Invalid parameters"),
    "error.value_invalid": ("Giá trị này không hợp lệ.", "This value is not valid."),
    "error.422.text": ("Hãy kiểm tra lại các giá trị dưới đây.", "Check the values below."),
    "error.429.title": ("Quá nhiều yêu cầu", "Too many requests"),
    "error.429.text": ("Vui lòng thử lại sau ít phút.", "Please try again in a few minutes."),
    "error.other.title": ("Đã xảy ra lỗi", "Something went wrong"),
    "error.other.text": (
        "Lỗi đã được ghi lại. Vui lòng thử lại sau.",
        "The error has been logged. Please try again later.",
    ),
    # The stall's live page (issue 15)
    "live.title": ("Tiền vào hôm nay", "Money in today"),
    "live.stall": ("quầy {code}", "stall {code}"),
    "live.total": ("Tổng hôm nay", "Today's total"),
    "live.count": ("Số giao dịch", "Payments"),
    "live.status.static": ("Trang tự tải lại mỗi 30 giây.", "This page reloads every 30 seconds."),
    "live.unpaired": (
        "Điện thoại này không còn được ghép với quầy. Nhờ Ban quản lý chợ ghép lại, "
        "hoặc đăng nhập bằng tài khoản của quầy.",
        "This phone is no longer paired with the stall. Ask the market board to pair it "
        "again, or log in with the stall's account."),
    "live.test": ("Thử loa", "Test the speaker"),
    "live.statement": ("Sao kê hôm nay (PDF)", "Today's statement (PDF)"),
    "live.payments": ("Các khoản đã nhận", "Payments received"),
    "live.none": ("Hôm nay chưa có khoản nào.", "Nothing received yet today."),
}
