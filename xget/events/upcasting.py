"""Upcasters: lift the stored data of an older schema version to the next one.

The table is explicit and greppable. An entry ``(type, v): fn`` turns a v-shaped dict into a
(v+1)-shaped one; decoding applies entries until the current version is reached. Stored events
are never rewritten: old shapes are read through these functions forever.
"""

from __future__ import annotations

from typing import Any, Callable

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

UPCASTERS: dict[tuple[str, int], Upcaster] = {
    # Example of the shape of an entry, kept empty until an event changes:
    # ("TaskCreated", 1): lambda d: {**d, "describe": d.get("description")},
}


def upcast(type_name: str, from_version: int, to_version: int, data: dict[str, Any],
           table: dict[tuple[str, int], Upcaster] | None = None) -> dict[str, Any]:
    """Apply the upcasters of ``type_name`` from ``from_version`` up to ``to_version``."""
    upcasters = UPCASTERS if table is None else table
    for version in range(from_version, to_version):
        try:
            step = upcasters[(type_name, version)]
        except KeyError:
            raise LookupError(f"no upcaster for {type_name} v{version} -> v{version + 1}") from None
        data = step(data)
    return data
