"""The ``xget`` command line: one entry point for every process and operator task."""

import click


@click.group()
def cli() -> None:
    """XGet: collect public X data with event-sourced tasks."""


def main() -> None:
    """Console-script entry point."""
    cli()
