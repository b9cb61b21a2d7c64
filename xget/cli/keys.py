"""``xget keys ...``: API keys for XGET_AUTH_MODE=api_key."""

from __future__ import annotations

import click

from xget.auth import ApiKeys
from xget.bootstrap import open_container
from xget.cli.runtime import load_settings, run_once


@click.group()
def keys() -> None:
    """Create, list and revoke API keys (stored hashed)."""


@keys.command("create")
@click.option("--user", "user_id", required=True, help="The user the key acts as")
@click.option("--role", type=click.Choice(["user", "admin"]), default="user", show_default=True)
@click.option("--name", default=None, help="A label to recognise the key by")
def create(user_id: str, role: str, name: str | None) -> None:
    """Create a key and print it once (it is not stored and cannot be shown again)."""

    async def main() -> tuple[str, str]:
        async with open_container(load_settings()) as c:
            return await ApiKeys(c.pool).create(user_id, role, name)

    key_id, key = run_once(main)  # type: ignore[misc]
    click.echo(f"key id: {key_id}", err=True)
    click.echo(key)


@keys.command("list")
def list_keys() -> None:
    """Every key: id, user, role, name, created, revoked."""

    async def main() -> list:
        async with open_container(load_settings()) as c:
            return await ApiKeys(c.pool).list()

    infos = run_once(main)
    if not infos:
        click.echo("no API keys yet; create one with: xget keys create --user NAME", err=True)
    for info in infos:  # type: ignore[union-attr]
        revoked = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "active"
        click.echo(f"{info.id}  {info.user_id:<20} {info.role:<6} {info.name or '-':<20} "
                   f"{info.created_at:%Y-%m-%d %H:%M}  {revoked}")


@keys.command("revoke")
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke a key by its id."""

    async def main() -> bool:
        async with open_container(load_settings()) as c:
            return await ApiKeys(c.pool).revoke(key_id)

    if not run_once(main):
        raise click.ClickException(f"no active key with id {key_id}")
    click.echo(f"revoked {key_id}")
