"""Write the dated geography seeds of the 1/7/2025 reform; run by hand, not by the app.

    .venv/bin/python seeds/tools/geography.py          # rewrite the seeds
    .venv/bin/python seeds/tools/geography.py --check  # exit 1 if they are out of date

Inputs:
- ``seeds/units.csv``: the 2024 structure (9 districts, 172 communes), in force until 30/6/2025;
- PyPI ``vietnam-provinces`` (pinned in requirements-dev.txt): the province Thái Nguyên (19)
  and its 92 communes from 1/7/2025 with their codes (Quyết định 19/2025/QĐ-TTg);
- ``seeds/tools/nq-1683-2025.txt``: Điều 1 of Nghị quyết 1683/NQ-UBTVQH15, transcribed clause
  by clause (the package has no old→new mapping);
- ``SPLIT_MARKETS`` below: the new commune of each market in a former commune that was split.

Outputs (UTF-8, NFC):
- ``seeds/communes-2025.csv``: the 92 communes in force from 2025-07-01;
- ``seeds/commune-changes.csv``: every former commune → the new one(s), with the clause;
- ``seeds/markets.csv``: ``commune_code`` becomes the current commune; ``former_commune_code``
  keeps the 2024 one (``district_code`` stays the former district).

The app never imports this script or ``vietnam_provinces``: it reads the CSV files only.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent
REFORM_DAY = "2025-07-01"
PROVINCE_CODE = "19"
RESOLUTION = "NQ 1683/NQ-UBTVQH15"
PACKAGE = f"vietnam-provinces {version('vietnam-provinces')}"

# Markets whose former commune was split between two new ones (khoản 37/39, 76/79, 78/79).
# The resolution names the remainder ("phần còn lại") for the second clause; the seeded
# addresses are synthetic, so each market goes to the unit that took the remainder.
# Unverified: see seeds/README.md.
SPLIT_MARKETS = {
    "GIA-SANG": "05467",  # Gia Sàng: part to Phan Đình Phùng (k.76), rest to Gia Sàng (k.79)
    "CAM-GIA": "05467",  # Cam Giá: part to Tích Lương (k.78), rest to Gia Sàng (k.79)
    "THUONG-DINH": "05941",  # Thượng Đình: part to Phú Bình (k.37), rest to Điềm Thụy (k.39)
}
KINDS = ("thị trấn", "phường", "xã")
# Where the resolution spells a former unit differently from the GSO list (units.csv).
GSO_SPELLING = {
    ("phường", "Quan Triều"): "Quán Triều",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def split_kind(text: str) -> tuple[str, str]:
    text = nfc(text)
    for kind in KINDS:
        if text.lower().startswith(kind + " "):
            return kind, text[len(kind) + 1:].strip()
    raise ValueError(f"no kind in {text!r}")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def new_communes() -> dict[tuple[str, str], dict[str, str]]:
    """The province's communes from the package, keyed by (kind, name)."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    provinces = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    (province,) = [p for p in provinces if p["code"] == int(PROVINCE_CODE)]
    units = {}
    for ward in province["wards"]:
        kind, name = split_kind(ward["name"])
        assert kind == ward["division_type"], ward
        units[(kind, name)] = {"code": f"{ward['code']:05d}", "name": name, "kind": kind}
    return units


def parse_resolution() -> list[dict]:
    clauses = []
    text = (SEEDS / "tools" / "nq-1683-2025.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        clause, new = parts[0], parts[1]
        province = "Thái Nguyên"
        if parts[2].startswith("@"):
            province = parts[2][1:]
            parts.pop(2)
        former = []
        for item in parts[2].split(";"):
            item = nfc(item)
            whole = not item.endswith("(một phần)")
            item = item.removesuffix("(một phần)").strip()
            district = None
            if item.endswith("]"):
                item, district = item[:-1].split("[")
                item = item.strip()
            kind, name = split_kind(item)
            former.append({"kind": kind, "name": name, "district": district, "whole": whole})
        clauses.append({"clause": clause, "new": split_kind(new), "province": province,
                        "former": former})
    return clauses


def build() -> dict[str, str]:
    units = read_csv(SEEDS / "units.csv")
    new = new_communes()
    clauses = parse_resolution()
    assert len(new) == 92 and len(clauses) == 92, (len(new), len(clauses))
    assert {c["new"] for c in clauses} == set(new), set(new) ^ {c["new"] for c in clauses}

    old_by_name: dict[tuple[str, str], list[dict[str, str]]] = {}
    for u in units:
        old_by_name.setdefault((u["commune_kind"], u["commune_name"]), []).append(u)

    changes = []
    formed_from: dict[str, list[str]] = {}
    for c in clauses:
        target = new[c["new"]]
        source = f"{RESOLUTION} Điều 1 khoản {c['clause']}"
        for f in c["former"]:
            old = None
            if c["province"] == "Thái Nguyên":
                gso_name = GSO_SPELLING.get((f["kind"], f["name"]), f["name"])
                matches = [u for u in old_by_name.get((f["kind"], gso_name), [])
                           if f["district"] is None or u["district_code"] == f["district"]]
                if len(matches) != 1:
                    raise SystemExit(f"khoản {c['clause']}: {f} matches {len(matches)} units")
                old = matches[0]
            changes.append({
                "former_code": old["commune_code"] if old else "",
                "former_name": old["commune_name"] if old else f["name"],
                "former_kind": f["kind"],
                "former_district_code": old["district_code"] if old else "",
                "former_province": c["province"],
                "new_code": target["code"],
                "new_name": target["name"],
                "whole": "true" if f["whole"] else "false",
                "effective": REFORM_DAY,
                "source": source,
            })
            formed_from.setdefault(target["code"], []).append(f"{f['kind']} {f['name']}")

    mapped = {ch["former_code"] for ch in changes if ch["former_code"]}
    missing = {u["commune_code"] for u in units} - mapped
    assert not missing, f"former communes with no new unit: {missing}"

    communes = [
        {"province_code": PROVINCE_CODE, "province_name": "Thái Nguyên", "code": u["code"],
         "name": u["name"], "kind": u["kind"], "valid_from": REFORM_DAY, "valid_to": "",
         "source": f"{PACKAGE}; {RESOLUTION}"}
        for u in sorted(new.values(), key=lambda u: u["code"])
    ]

    new_of: dict[str, list[str]] = {}
    for ch in changes:
        if ch["former_code"]:
            new_of.setdefault(ch["former_code"], []).append(ch["new_code"])
    markets = read_csv(SEEDS / "markets.csv")
    for m in markets:
        former = m.get("former_commune_code") or m["commune_code"]
        targets = new_of[former]
        if len(targets) > 1:
            chosen = SPLIT_MARKETS[m["code"]]
            assert chosen in targets, (m["code"], chosen, targets)
        else:
            (chosen,) = targets
        m["former_commune_code"] = former
        m["commune_code"] = chosen
    fields = list(markets[0].keys())
    if fields.index("former_commune_code") != fields.index("commune_code") + 1:
        fields.remove("former_commune_code")
        fields.insert(fields.index("commune_code") + 1, "former_commune_code")

    return {
        "communes-2025.csv": to_csv(communes),
        "commune-changes.csv": to_csv(changes),
        "markets.csv": to_csv(markets, fields),
    }


def to_csv(rows: list[dict[str, str]], fields: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str]) -> int:
    files = build()
    stale = [n for n, text in files.items()
             if not (SEEDS / n).exists() or (SEEDS / n).read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for name in stale:
            print(f"{name} is out of date: run seeds/tools/geography.py", file=sys.stderr)
        return 1 if stale else 0
    for name in stale:
        (SEEDS / name).write_text(files[name], encoding="utf-8")
        print(f"wrote seeds/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
