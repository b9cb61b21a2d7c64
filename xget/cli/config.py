"""``xget config``: the settings a process would run with, secrets masked."""

from __future__ import annotations

import click

from xget.cli.runtime import load_settings
from xget.settings import Settings


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table")
def config(as_json: bool) -> None:
    """Show every setting from the environment (invalid ones fail here, naming the variable)."""
    import os

    import msgspec

    shown = load_settings().redacted()
    if as_json:
        click.echo(msgspec.json.encode(shown).decode())
        return
    defaults = {var: default for var, default, _ in Settings.variables()}
    width = max(len(var) for var in shown)
    for var, value in shown.items():
        # "(set)" means the environment names the variable: comparing parsed values with the
        # raw default strings would flag "5" vs 5.0 or "false" vs False.
        mark = "  (set)" if var in os.environ else ""
        click.echo(f"{var:<{width}}  {defaults[var] if value is None else value}{mark}")
