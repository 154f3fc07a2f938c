"""A hand-built province slice around 30 June 2024, with the edge cases of DESIGN.md §5.

DAI-TU (district 171, hạng 1):
  a  approved since January; QR sales inside the window, one at 00:15 local on its
     first day (17:15 UTC the day before) and one at 23:50 local just before it
     (outside); cash sales; one QR fee and one cash fee (+ one more QR fee);
  b  approved in the middle of the window (15 June): a cash sale before, a QR sale after;
  c  rejected on 5 July, after the as-of date: still registered on 30 June; a cash sale;
  d  closed on 20 June: QR sales before that count in the sums, but d is neither
     registered nor "with QR" on 30 June (it is, and active, on 19 June);
  e  a draft created on 29 June without a bank account;
  f  approved with a QR, no transactions at all;
  g  approved at 23:30 local on 30 June (16:30 UTC): with QR on 30 June;
  h  approved at 00:30 local on 1 July (17:30 UTC on 30 June): not yet on 30 June;
  listings: one active, one ended on 30 June, one starting 2 July.
LA-BANG (171, hạng 3): 2 of 10 vendors with QR: the district's coverage is
  (4+2)/(7+10), not the mean of the two markets' coverages.
QUAN-CHU (171, hạng 3): 3 vendors, all with QR, fees paid by QR only, one listing:
  certified under tn-2022.
THAI (164): 2 vendors with QR, cash sales only and no fee: fees share undefined.
DONG-QUANG (164): no vendor at all: coverage undefined.
"""

from __future__ import annotations

from datetime import date

from tests.factories import at, listing, record

AS_OF = date(2024, 6, 30)


def build(session, make_vendor) -> dict:
    v = {}
    jan = at(date(2024, 1, 10))
    v["a"] = make_vendor("DAI-TU", created_at=jan)
    v["b"] = make_vendor("DAI-TU", created_at=at(date(2024, 5, 1)),
                         approved_at=at(date(2024, 6, 15), 9),
                         qr_issued_at=at(date(2024, 6, 15), 9))
    v["c"] = make_vendor("DAI-TU", status="rejected", created_at=at(date(2024, 3, 1)),
                         rejected_at=at(date(2024, 7, 5)))
    v["d"] = make_vendor("DAI-TU", status="closed", created_at=at(date(2024, 2, 1)),
                         approved_at=at(date(2024, 2, 1)), qr_issued_at=at(date(2024, 2, 1)),
                         closed_at=at(date(2024, 6, 20), 17))
    v["e"] = make_vendor("DAI-TU", status="draft", created_at=at(date(2024, 6, 29)),
                         bank_bin=None, account_number=None, account_holder=None)
    v["f"] = make_vendor("DAI-TU", created_at=jan)
    v["g"] = make_vendor("DAI-TU", created_at=at(AS_OF, 8), approved_at=at(AS_OF, 23, 30),
                         qr_issued_at=at(AS_OF, 23, 30))
    v["h"] = make_vendor("DAI-TU", created_at=at(date(2024, 6, 25)),
                         approved_at=at(date(2024, 7, 1), 0, 30),
                         qr_issued_at=at(date(2024, 7, 1), 0, 30))
    s = session
    record(s, v["a"], at(date(2024, 6, 1), 0, 15), 25_000)
    record(s, v["a"], at(date(2024, 5, 31), 23, 50), 40_000)  # the day before the window
    record(s, v["a"], at(date(2024, 6, 10)), 150_000)
    record(s, v["a"], at(AS_OF, 23, 50), 12_000)
    record(s, v["a"], at(date(2024, 6, 11)), 30_000, method="cash")
    record(s, v["a"], at(date(2024, 6, 12)), 8_000, method="cash")
    record(s, v["a"], at(date(2024, 6, 5)), 200_000, kind="fee")
    record(s, v["a"], at(date(2024, 6, 25)), 200_000, kind="fee")
    record(s, v["a"], at(date(2024, 6, 6)), 50_000, method="cash", kind="fee")
    record(s, v["b"], at(date(2024, 6, 10)), 20_000, method="cash")
    record(s, v["b"], at(date(2024, 6, 20)), 35_000)
    record(s, v["c"], at(date(2024, 6, 12)), 5_000, method="cash")
    record(s, v["d"], at(date(2024, 6, 18)), 60_000)
    record(s, v["d"], at(date(2024, 6, 19)), 70_000)
    record(s, v["g"], at(date(2024, 7, 1), 8), 99_000)  # after the as-of date
    listing(s, "DAI-TU", date(2024, 1, 1))
    listing(s, "DAI-TU", date(2024, 2, 1), ended_on=AS_OF, product="Miến dong")
    listing(s, "DAI-TU", date(2024, 7, 2), product="Gạo Bao Thai")

    la_bang = [make_vendor("LA-BANG", created_at=jan) for _ in range(2)]
    la_bang += [make_vendor("LA-BANG", status="submitted", created_at=jan) for _ in range(8)]
    record(s, la_bang[0], at(date(2024, 6, 20)), 45_000)
    for i, vendor in enumerate(la_bang[1:]):
        record(s, vendor, at(date(2024, 6, 21 + i % 5)), 10_000 + i, method="cash")
    v["la_bang"] = la_bang

    quan_chu = [make_vendor("QUAN-CHU", created_at=jan) for _ in range(3)]
    record(s, quan_chu[0], at(date(2024, 6, 14)), 22_000)
    record(s, quan_chu[1], at(date(2024, 6, 28)), 18_000)
    record(s, quan_chu[2], at(date(2024, 6, 28)), 9_000, method="cash")
    record(s, quan_chu[0], at(date(2024, 6, 3)), 100_000, kind="fee")
    record(s, quan_chu[1], at(date(2024, 6, 3)), 100_000, kind="fee")
    listing(s, "QUAN-CHU", date(2024, 5, 1), product="Chè Quân Chu")
    v["quan_chu"] = quan_chu

    thai = [make_vendor("THAI", created_at=jan) for _ in range(2)]
    record(s, thai[0], at(date(2024, 6, 22)), 15_000, method="cash")
    v["thai"] = thai
    s.commit()
    return v


def kept(data: dict) -> dict:
    """``build``'s vendors as ids, to keep beside a template of the database."""
    return {key: [vendor.id for vendor in value] if isinstance(value, list) else value.id
            for key, value in data.items()}


def restored(session, data: dict) -> dict:
    """A kept data set with its vendors loaded in ``session``."""
    from market40.models import Vendor

    return {key: [session.get(Vendor, id_) for id_ in value] if isinstance(value, list)
            else session.get(Vendor, value) for key, value in data.items()}
