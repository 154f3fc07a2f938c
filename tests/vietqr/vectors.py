"""Test data for the VietQR codec: golden vectors and a bank list.

Every golden payload below was checked here with
``binascii.crc_hqx(p[:-4].encode(), 0xFFFF)`` (see test_golden.py, which also rebuilds the
encodable ones from the spec rules). Sources are cited per vector.
"""

from __future__ import annotations

from market40.vietqr.crc import sign

#: BIN -> short name: the 66 rows of the shared reference's banks.csv (reference/vietqr.md §3,
#: base npm vietnam-qr-pay 1.5.1 src/constants/banks.ts with the renames listed there).
BANKS: dict[str, str] = {
    "422589": "CIMB Bank",
    "458761": "HSBC Vietnam",
    "533948": "Citibank",
    "546034": "CAKE by VPBank",
    "546035": "Ubank by VPBank",
    "668888": "Kasikornbank",
    "796500": "DBS Bank",
    "801011": "Nonghyup Bank",
    "963369": "Liobank",
    "963388": "Timo",
    "970400": "SaigonBank",
    "970403": "Sacombank",
    "970405": "Agribank",
    "970406": "Vikki Bank",
    "970407": "Techcombank",
    "970408": "GPBank",
    "970409": "BacA Bank",
    "970410": "Standard Chartered Vietnam",
    "970412": "PVcomBank",
    "970414": "MBV",
    "970415": "VietinBank",
    "970416": "ACB",
    "970418": "BIDV",
    "970419": "NCB Bank",
    "970421": "VietNgaBank",
    "970422": "MB Bank",
    "970423": "TPBank",
    "970424": "Shinhan Bank",
    "970425": "AB Bank",
    "970426": "MSB",
    "970427": "VietABank",
    "970428": "Nam A Bank",
    "970429": "SCB",
    "970430": "PG Bank",
    "970431": "Eximbank",
    "970432": "VPBank",
    "970433": "VietBank",
    "970434": "Indovina Bank",
    "970436": "Vietcombank",
    "970437": "HDBank",
    "970438": "BaoViet Bank",
    "970439": "Public Bank Vietnam",
    "970440": "SeABank",
    "970441": "VIB",
    "970442": "HongLeong Bank",
    "970443": "SHB",
    "970444": "VCBNeo",
    "970446": "Co-op Bank",
    "970448": "OCB Bank",
    "970449": "LPBank",
    "970452": "KienlongBank",
    "970454": "BVBank",
    "970455": "IBK HN",
    "970456": "IBK HCM",
    "970457": "Woori Bank",
    "970458": "United Overseas Bank Vietnam",
    "970462": "Kookmin Bank HN",
    "970463": "Kookmin Bank HCM",
    "970466": "KEBHanaHCM",
    "970467": "KEBHanaHN",
    "971005": "ViettelMoney",
    "971011": "VNPTMoney",
    "971025": "MoMo",
    "971133": "PVcomBank Pay",
    "977777": "MAFC",
    "999888": "VBSP",
}

# --- Golden vectors (reference/vietqr.md §2 "Verified vectors" and the peers' tests) ---

#: #1 static ACB: xuannghia/vietnam-qr-pay README.md + test/test-quick-gen-qr.spec.ts
ACB_STATIC = (
    "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
)
#: #3 dynamic ACB, 1,000 d, "Chuyen tien": vietnam-qr-pay test/test-vietqr.spec.ts, and
#: DESIGN.md §4
ACB_DYNAMIC = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
    "5303704540410005802VN62150811Chuyen tien6304BBB8"
)
#: #6 static Sacombank card (QRIBFTTC): NAPAS §6.1.2; vietqr-ts
#: tests/compliance/napas-static-card.test.ts
SACOMBANK_CARD = (
    "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC"
    "53037045802VN63044F52"
)
#: #10 dynamic Vietcombank 180,000 d: liopayvn/vietqr-php README.md
VCB_DYNAMIC = (
    "00020101021238540010A00000072701240006970436011010175956000208QRIBFTTA"
    "530370454061800005802VN62230819thanh toan don hang630470FA"
)
#: dynamic Sacombank card with bill and purpose: NAPAS §6 example, as quoted in the
#: checksum tests of public TS ports (isValidChecksum(...) ... 6304A203)
SACOMBANK_CARD_DYNAMIC = (
    "00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC"
    "530370454061800005802VN62340107NPS68690819thanh toan don hang6304A203"
)
#: Techcombank static, CRC with a leading zero: vietnam-qr-pay test/test-vietqr.spec.ts
#: ("CRC with three-byte")
TECHCOMBANK_0283 = (
    "00020101021138580010A000000727012800069704070114190304136010180208QRIBFTTA"
    "53037045802VN63040283"
)
#: real MB Bank code with a lower-case CRC: vietnam-qr-pay test/test-vietqr.spec.ts
#: ("MBBank QR with lowercase CRC")
MB_LOWERCASE_CRC = (
    "00020101021138540010A00000072701240006970422011003523509170208QRIBFTTA53037045802VN630479db"
)
#: MoMo wallet via BVBank: alphanumeric account, 62.05 reference, unreserved tag 80:
#: vietnam-qr-pay README.md ("QR Da nang cua MoMo")
MOMO_WALLET = (
    "00020101021138620010A00000072701320006970454011899MM24011M348750800208QRIBFTTA"
    "53037045802VN62190515MOMOW2W3487508080030466304EBC8"
)
#: QRCASH (ATM withdrawal) with 52, 59, 60 and 62.05/62.07: NAPAS §6 example, as quoted in
#: the checksum tests of public TS ports (6304 1009)
NAPAS_QRCASH = (
    "00020101021238500010A000000727012200069704030108123456780206QRCASH5204601153037045802VN"
    "5915NGUYEN HUU HUAN6005HANOI6237052120190109155714228384707080000111163041009"
)
#: NAPAS §6.1.1 as printed (erratum): 38.01.01 says 12 characters but the account has 13;
#: the CRC F4E5 matches the broken string. Both vietnam-qr-pay libraries read
#: "001101234567" from it; a strict decoder must reject it.
NAPAS_6_1_1_ERRATUM = (
    "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5"
)

__all__ = ["BANKS", "sign"]
