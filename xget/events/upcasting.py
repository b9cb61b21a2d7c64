"""Upcasters: lift the stored data of an older schema version to the next one.

The table is explicit and greppable. An entry ``(type, v): fn`` turns a v-shaped dict into a
(v+1)-shaped one; decoding applies entries until the current version is reached. Stored events
are never rewritten: old shapes are read through these functions forever.
"""

from __future__ import annotations

from typing import Any, Callable

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

def _results_collected_v1(data: dict[str, Any]) -> dict[str, Any]:
    # v1 pages did not say which was the last; a page without a cursor cannot be continued from,
    # so it was the last one (resuming from it used to start the collection over).
    return {**data, "done": data.get("cursor") is None}


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("ResultsCollected", 1): _results_collected_v1,
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
