"""``xget parse FILE [--op NAME]``: print the items of a saved X GraphQL response as JSON lines."""

from __future__ import annotations

import sys
from typing import BinaryIO

import click
import msgspec

from xget.x.errors import NotXResponse, XError
from xget.x.page import OPERATION_ROOTS, check_family, page_error, parse_page
from xget.x.records import record_type

_encoder = msgspec.json.Encoder()


def _line(obj: object) -> bytes:
    return _encoder.encode(obj) + b"\n"


@click.command("parse")
@click.argument("file", type=click.File("rb"))
@click.option("--op", "op", metavar="NAME", default=None,
              help="Operation the response answers (e.g. UserTweets); detected when omitted.")
def parse_command(file: BinaryIO, op: str | None) -> None:
    """Parse FILE, a saved X GraphQL response ('-' for stdin).

    Prints one JSON object per line for each item in page order
    ({"type": "tweet", ...} or {"type": "user", ...}), then {"type": "cursor", "bottom": ...}
    when the page has a next cursor. An X error response prints one {"type": "error", ...} line.
    A file that is not an X response exits with status 2.
    """
    if op is not None and op not in OPERATION_ROOTS:
        raise click.BadParameter(f"unknown operation; known: {', '.join(sorted(OPERATION_ROOTS))}",
                                 param_hint="--op")
    payload = file.read()
    out = click.get_binary_stream("stdout")
    try:
        page = parse_page(op, payload)
        if op is not None:
            check_family(op, page.items)
    except NotXResponse as exc:
        click.echo(f"xget parse: {getattr(file, 'name', 'FILE')}: {exc}", err=True)
        sys.exit(2)
    except XError as exc:
        out.write(_line(page_error(exc)))
        out.flush()
        return
    chunks = []
    for item in page.items:
        doc = {"type": record_type(item)}
        doc.update(msgspec.to_builtins(item))
        chunks.append(_line(doc))
    if page.cursor_bottom:
        chunks.append(_line({"type": "cursor", "bottom": page.cursor_bottom}))
    out.write(b"".join(chunks))
    out.flush()
    for warning in page.errors:
        click.echo(f"xget parse: warning: {warning}", err=True)
    if not page.items and not page.cursor_bottom:
        # An empty last page is legitimate, but so is a response of another operation under the
        # same root (an audio-space search, a community's info): say so instead of printing nothing.
        click.echo(f"xget parse: {getattr(file, 'name', 'FILE')}: no items and no cursor in this response",
                   err=True)
