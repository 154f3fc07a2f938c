"""Domain error messages in the page's language.

The registry's rules speak English (the API's JSON, logs, the CLI). The desk shows the
same problems in Vietnamese or English: each known message shape maps to a key of
``market40/web/messages/desk.py`` (``problem.*``), its variable parts carried over. A message
no pattern knows is shown as it is, so nothing a rule says is ever lost.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from market40.errors import DomainError
from market40.web.formatting import format_date
from market40.web.i18n import current_lang, gettext

log = logging.getLogger(__name__)

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), key) for p, key in (
        (r"^is required$", "problem.required"),
        (r"^must be 1-20 letters", "problem.stall_code"),
        (r"^must be at most (?P<n>\d+) characters", "problem.max_length"),
        (r"^must be a Vietnamese mobile number", "problem.phone"),
        (r"^must be a 12-digit citizen ID", "problem.national_id"),
        (r"^must be one of: (?P<choices>.+)$", "problem.one_of"),
        (r"^bank (?P<bin>\d+) is no longer active", "problem.bank_inactive"),
        (r"^must be a 6-digit bank BIN", "problem.bank_bin"),
        (r"^(?P<value>\d+) is not a known bank BIN", "problem.bank_unknown"),
        (r"^'?(?P<value>.*?)'? is neither a bank BIN nor a bank short name", "problem.bank_name"),
        (r"^must be 6 to 19 digits$", "problem.account_number"),
        (r"^is required with the other bank fields", "problem.bank_together"),
        (r"^(?P<stall>\S+) is already registered in market (?P<market>\S+)",
         "problem.stall_taken"),
        (r"^stall_code: (?P<stall>\S+) is already registered in market (?P<market>\S+)",
         "problem.stall_taken"),
        (r"^(?P<stall>\S+) is also on row (?P<row>\d+)$", "problem.stall_repeated"),
        (r"^vendor \d+ is (?P<status>\w+): only a vendor that is", "problem.wrong_status"),
        (r"maker", "problem.maker"),
        (r"has changed since you read it|changed by someone else", "problem.stale"),
        (r"^is required to (?P<action>\w+) a vendor$", "problem.reason_required"),
        (r"^vendor \d+ is (?P<status>\w+) and can no longer be edited", "problem.locked"),
        (r"is not in your markets$", "problem.out_of_scope"),
        (r"^vendor \d+ does not exist$", "problem.vendor_missing"),
        (r"^is required: reload the page", "problem.version"),
        (r"^give at least one vendor id$", "problem.choose_one"),
        (r"already receives the payments of stall (?P<stall>\S+) in market",
         "problem.account_taken"),
        (r"^is empty$", "problem.file_empty"),
        (r"^is neither CSV nor XLSX$", "problem.file_type"),
        (r"^has a header but no vendor rows$", "problem.file_no_rows"),
        (r"^The file is larger than (?P<mb>\d+) MB", "problem.file_large"),
        (r"^cannot be changed here$", "problem.not_editable"),
        (r"^must be a date", "problem.date"),
        (r"registration link is not valid", "problem.join_link"),
        (r"^must be a number$", "problem.number"),
        (r"^must not be in the future$", "problem.future"),
        (r"^must not be after today \((?P<today>[\d-]+)\)$", "problem.after_today"),
        (r"^must be on or after (?P<day>[\d-]+)$", "problem.before_earliest"),
        # Indicators and listings (registry/indicators.py, registry/listings.py)
        (r"^must be from (?P<low>[\d.]+) to (?P<high>[\d.]+) for unit share$",
         "problem.share"),
        (r"^must be at least (?P<low>[\d.]+) for unit \w+$", "problem.at_least"),
        (r"^unknown indicator", "problem.indicator_unknown"),
        (r"^must not be empty$", "problem.required"),
        (r"^must be an http:// or https:// address$", "problem.web_address"),
        (r"^listing \d+ already ended on (?P<day>[\d-]+)$", "problem.listing_ended"),
        (r"^listing \d+ does not exist", "problem.listing_missing"),
        (r"^must say where the figure comes from$", "problem.source"),
        (r"^must be 2-40 letters, digits or '-'", "problem.market_code"),
        (r"^must be 1, 2 or 3", "problem.grade"),
        (r"market (?P<code>\S+) already exists", "problem.market_exists"),
        (r"^Not a valid date", "problem.date"),
        (r"^must not contain (?:the |a )?(?:[\w -]+ )?(?P<what>U\+[0-9A-F]{4,6}|NUL)",
         "problem.hidden_character"),
        (r"^must be one line", "problem.one_line"),
        # A board's vendor file (registry/spreadsheets.py, the import's row checks)
        (r"^is not UTF-8 text", "problem.file_encoding"),
        (r"^is an old \.xls workbook", "problem.file_xls"),
        (r"^is a damaged ZIP/XLSX file$", "problem.file_damaged"),
        (r"^could not be read as XLSX", "problem.file_damaged"),
        (r"^is a ZIP archive but not an XLSX workbook$", "problem.file_zip"),
        (r"^is not valid CSV", "problem.file_csv"),
        (r"^has more than (?P<n>[\d,]+) vendor rows", "problem.file_rows"),
        (r"^has more than (?P<n>[\d,]+) rows \(blank ones included\)",
         "problem.file_blank_rows"),
        (r"^(?:has|row \d+ has) more than [\d,]+ cells|^line \d+ is longer than|"
         r"^took too long to read|^holds more than|^unpacks to more than|^part .* inflates|"
         r"^sheet .* unpacks to more than", "problem.file_bounds"),
        (r"^row 1 must be the header row", "problem.file_header"),
        (r"^unknown column; the columns are (?P<columns>.+)$", "problem.column_unknown"),
        (r"^column appears twice$", "problem.column_twice"),
        (r"^required column is missing from the header$", "problem.column_missing"),
        (r"^has a value but no header$", "problem.column_no_header"),
        (r"^the same bank account is on row (?P<row>\d+)$", "problem.account_repeated"),
        (r"^this bank account was just registered for another live vendor",
         "problem.account_race"),
        (r"^was stored as a number, which keeps only 15 digits", "problem.number_cell_cut"),
    )
]
_STATUS_WORDS = {"status"}
_DATE_WORDS = {"day", "today"}


def _known(message: str) -> str | None:
    for pattern, key in _PATTERNS:
        match = pattern.search(message)
        if match:
            values: dict[str, Any] = dict(match.groupdict())
            for name in _STATUS_WORDS & values.keys():
                values[name] = gettext(f"status.{values[name]}")
            if "action" in values:
                values["action"] = gettext(f"desk.action.{values['action']}").lower()
            for name in _DATE_WORDS & values.keys():  # dd/mm/yyyy, as every page shows dates
                try:
                    values[name] = format_date(date.fromisoformat(values[name]), current_lang())
                except ValueError:
                    pass
            return gettext(key, **values)
    return None


def translate(message: str) -> str:
    """One domain message in the page's language."""
    known = _known(message)
    if known is not None:
        return known
    log.info("no translation for domain message %r", message)
    return message


def page_problem(message: str) -> str:
    """A problem on the error page: translated where a pattern knows it; otherwise as the
    rule said it on an English page and a plain "invalid value" on a Vietnamese one, so a
    Vietnamese page never shows an English sentence."""
    known = _known(message)
    if known is not None:
        return known
    return message if current_lang() == "en" else gettext("error.value_invalid")


def field_problems(errors: Mapping[str, Sequence[str] | str] | Any) -> dict[str, list[str]]:
    """``{field: [problem, ...]}`` of an InvalidInput, translated."""
    if not isinstance(errors, Mapping):
        return {}
    return {field: [translate(p) for p in ([problems] if isinstance(problems, str)
                                           else problems)]
            for field, problems in errors.items()}


def problem_of(error: DomainError) -> str:
    """The error's own message (without a ``field:`` prefix), translated."""
    message = error.message
    errors = getattr(error, "errors", None)
    if isinstance(errors, Mapping) and len(errors) == 1:
        (field, problems), = errors.items()
        first = problems if isinstance(problems, str) else (problems[0] if problems else "")
        return f"{gettext('field.' + field)}: {translate(first)}"
    return translate(message)
