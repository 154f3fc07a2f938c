"""README.md's "Access" table is the code's table: regenerate it when the policy changes."""

from __future__ import annotations

from pathlib import Path

from market40.auth.access import markdown_table
from market40.cli.access import END, START, replace_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_access_table_matches_the_code():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lost its access-table markers"
    assert replace_table(text, markdown_table()) == text, (
        "README.md's Access table differs from market40/auth/access.py: run "
        "`flask --app wsgi access-table --update README.md`")


def test_cli_prints_the_table_and_updates_a_file(runner, tmp_path):
    result = runner.invoke(args=["access-table"])
    assert result.exit_code == 0
    assert "| `POST /api/v1/vendors/<vendor_id>/approve` | `vendors.approve` | admin, board |" \
        in result.output
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{START}\nold\n{END}\n\nafter\n", encoding="utf-8")
    assert runner.invoke(args=["access-table", "--update", str(readme)]).exit_code == 0
    assert readme.read_text(encoding="utf-8") == (
        f"# x\n\n{START}\n{markdown_table()}{END}\n\nafter\n")
    readme.write_text("no markers\n", encoding="utf-8")
    failed = runner.invoke(args=["access-table", "--update", str(readme)])
    assert failed.exit_code == 1 and "markers" in failed.output
