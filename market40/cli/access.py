"""``flask access-table``: the API's access table, as README.md shows it."""

from __future__ import annotations

from pathlib import Path

import click

from market40.auth.access import markdown_table

START = "<!-- access-table:start -->"
END = "<!-- access-table:end -->"


def replace_table(text: str, table: str) -> str:
    """``text`` with the part between the two markers replaced by ``table``."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise click.ClickException(f"the file has no {START} ... {END} markers")
    return f"{head}{START}\n{table}{END}{tail}"


@click.command("access-table")
@click.option("--update", "readme", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Rewrite the table between the access-table markers of this file.")
def access_table(readme: Path | None) -> None:
    """Print every API endpoint's permission, roles and scope as a Markdown table."""
    table = markdown_table()
    if readme is None:
        click.echo(table, nl=False)
        return
    readme.write_text(replace_table(readme.read_text(encoding="utf-8"), table), encoding="utf-8")
    click.echo(f"updated {readme}")


commands = [access_table]
