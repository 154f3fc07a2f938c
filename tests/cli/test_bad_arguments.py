"""An operator's mistakes on the command line: each is a message and a non-zero exit,
never a traceback (README "CLI": bad input prints a one-line message)."""

from __future__ import annotations

import pytest

HUGE = "99999999999999999999"  # past any database integer


def refused(runner, args: list[str]) -> str:
    result = runner.invoke(args=args)
    assert isinstance(result.exception, SystemExit), (args, result.exception)
    assert result.exit_code in (1, 2), (args, result.output)
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize("args", [
    ["vendors", "history", HUGE],
    ["vendors", "correct-history", HUGE, "--event", "qr_issued",
     "--at", "2026-11-30T08:00:00+07:00", "--reason", "r", "--as", "admin"],
    ["users", "create", "loa", "--role", "vendor", "--vendor", HUGE],
    ["snapshots", "verify", HUGE],
    ["exports", "prune", "--days", "99999999999"],
])
def test_a_number_out_of_range_is_named(runner, reference, args):
    assert "range" in refused(runner, args)


def test_an_unwritable_card_file_or_a_binary_market_list_is_a_message(
        runner, reference, make_vendor, tmp_path):
    make_vendor("DAI-TU")
    reference.session.commit()
    output = refused(runner, ["cards", "--market", "DAI-TU",
                              "--out", str(tmp_path / "missing" / "cards.pdf")])
    assert "cards.pdf" in output and "No such file or directory" in output
    binary = tmp_path / "markets.xlsx"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\xe6\x9c")
    output = refused(runner, ["markets", "import", str(binary)])
    assert "UTF-8" in output


def test_a_certification_before_any_figure_is_a_message(runner, reference):
    output = refused(runner, ["certify", "--ruleset", "tn-2022", "--as-of", "0001-01-01"])
    assert "as_of: must be on or after 2000-01-01" in output


def test_a_field_problem_is_said_once(runner, reference):
    output = refused(runner, ["users", "create", " ", "--role", "admin"])
    assert output.count("must not be empty") == 1, output
