"""The ``xget`` command line: one entry point for every process and operator task."""

import click

from xget.cli.config import config
from xget.cli.keys import keys
from xget.cli.parse import parse_command
from xget.cli.processes import api, projector
from xget.cli.projections import projections, replay
from xget.cli.sandbox import sandbox
from xget.cli.services import migrate, relay
from xget.cli.tasks import tasks
from xget.cli.worker import worker


@click.group()
def cli() -> None:
    """XGet: collect public X data with event-sourced tasks."""


# The command table: every subcommand is registered here, explicitly.
cli.add_command(api)
cli.add_command(projector)
cli.add_command(relay)
cli.add_command(worker)
cli.add_command(migrate)
cli.add_command(config)
cli.add_command(projections)
cli.add_command(replay)
cli.add_command(keys)
cli.add_command(parse_command)
cli.add_command(sandbox)
cli.add_command(tasks)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
