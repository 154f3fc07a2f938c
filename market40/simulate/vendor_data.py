"""Weights and word lists behind the demo vendors (data only; see ``vendors.py``).

Shares are rough, plausible figures for a provincial market in northern Vietnam, not
statistics: fresh food dominates, the four state banks and MB hold most accounts.
"""

from __future__ import annotations

# (category, zone letter, stall-name prefixes), weight. Zones group stalls as markets do:
# A fruit and vegetables, B meat and fish, C dry goods, D clothes, E household, F food.
CATEGORIES = (
    (("rau củ quả", "A", ("Rau sạch", "Rau củ", "Rau xanh")), 22),
    (("hoa quả", "A", ("Hoa quả", "Trái cây")), 8),
    (("hoa", "A", ("Hoa tươi",)), 1.5),
    (("thịt", "B", ("Thịt lợn", "Thịt bò", "Thịt lợn sạch")), 10),
    (("cá", "B", ("Cá tươi", "Cá sông", "Thủy sản")), 6),
    (("gia cầm", "B", ("Gà ta", "Gia cầm", "Vịt ngan")), 5),
    (("hàng khô", "C", ("Hàng khô", "Đồ khô", "Miến gạo")), 9),
    (("tạp hóa", "C", ("Tạp hóa",)), 10),
    (("quần áo", "D", ("Quần áo", "Thời trang", "Vải vóc")), 12),
    (("giày dép", "D", ("Giày dép",)), 4),
    (("đồ gia dụng", "E", ("Đồ gia dụng", "Nhôm nhựa", "Đồ nhựa")), 4),
    (("khác", "E", ("Chè Thái", "Đồ thờ cúng", "Thuốc nam")), 2.5),
    (("ăn uống", "F", ("Bún phở", "Bánh cuốn", "Cơm bình dân", "Nước giải khát")), 6),
)

# BIN, weight, usual account-number lengths.
BANKS = (
    ("970405", 22, (13,)),  # Agribank: strongest in rural districts
    ("970415", 16, (12,)),  # VietinBank
    ("970418", 15, (12, 14)),  # BIDV
    ("970436", 14, (10, 13)),  # Vietcombank
    ("970422", 12, (10, 12, 13)),  # MB Bank
    ("970407", 6, (14, 10)),  # Techcombank
    ("970432", 4, (9, 10)),  # VPBank
    ("970449", 2.5, (12,)),  # LPBank
    ("970403", 2, (12,)),  # Sacombank
    ("970423", 1.5, (11,)),  # TPBank
    ("970416", 1.5, (7, 8)),  # ACB
    ("970443", 1.5, (10, 13)),  # SHB
    ("970441", 1, (14,)),  # VIB
    ("970426", 1, (14,)),  # MSB
)

# Family names by rough frequency, with the Tày, Nùng and Dao names of Thái Nguyên.
SURNAMES = (
    ("Nguyễn", 34), ("Trần", 9), ("Lê", 7), ("Phạm", 6), ("Hoàng", 5), ("Vũ", 4),
    ("Đỗ", 3), ("Bùi", 3), ("Đặng", 3), ("Ngô", 2), ("Dương", 3), ("Lương", 2), ("Hà", 2),
    ("Ma", 1.5), ("Nông", 1.5), ("Triệu", 1), ("Lý", 1), ("Đào", 1.5), ("Trịnh", 1),
    ("Phan", 1.5), ("Lưu", 1), ("Tạ", 1), ("Đinh", 1), ("Mai", 1), ("Chu", 1),
)
FEMALE_MIDDLE = ("Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Kim", "Bích", "Phương", "Thúy")
MALE_MIDDLE = ("Đức", "Minh", "Quang", "Hữu", "Xuân", "Mạnh", "Thanh", "Ngọc", "Công")
FEMALE_GIVEN = (
    "Lan", "Hương", "Hoa", "Huệ", "Thủy", "Hằng", "Nga", "Hà", "Thu", "Mai", "Loan", "Yến",
    "Liên", "Dung", "Hạnh", "Nhung", "Oanh", "Phượng", "Tuyết", "Vân", "Thảo", "Trang",
    "Ngọc", "Linh", "Hiền", "Bích", "Hồng", "Xuân", "Lụa", "Tâm", "Thơm", "Nụ", "Hòa",
)
MALE_GIVEN = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Sơn", "Thắng", "Long", "Nam", "Cường", "Tùng",
    "Bình", "Toàn", "Quân", "Đức", "Hưng", "Thành", "Khánh", "Việt", "Chiến", "Lâm",
)
HONORIFICS = {True: ("cô", "chị", "bà"), False: ("anh", "chú", "bác")}

# Mobile prefixes by carrier share (Viettel, VinaPhone, MobiFone, others).
PHONE_PREFIXES = (
    ("086", 6), ("096", 9), ("097", 10), ("098", 10), ("032", 3), ("033", 3), ("034", 3),
    ("035", 3), ("036", 3), ("037", 3), ("038", 3), ("039", 3),
    ("088", 4), ("091", 8), ("094", 6), ("081", 3), ("082", 3), ("083", 2), ("084", 2),
    ("085", 2), ("089", 2), ("090", 5), ("093", 4), ("070", 2), ("076", 1), ("077", 1),
    ("078", 1), ("079", 1), ("056", 0.5), ("058", 0.5), ("059", 0.5), ("099", 0.5),
)
# CCCD province-of-birth codes: Thái Nguyên 019 and its neighbours.
ID_PROVINCES = (
    ("019", 85), ("006", 3), ("008", 2), ("020", 2), ("024", 3), ("025", 1), ("026", 1),
    ("001", 3),
)

REJECT_REASONS = (
    "Không phải tiểu thương kinh doanh tại chợ",
    "Trùng ki-ốt với hộ đã đăng ký",
    "Hồ sơ không đúng chủ hộ kinh doanh",
)
REVERT_REASONS = (
    "Tên chủ tài khoản không khớp với ngân hàng, đề nghị kiểm tra lại",
    "Sai số tài khoản, đề nghị kiểm tra lại",
    "Thiếu số CCCD của chủ hộ",
)
