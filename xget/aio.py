"""Small asyncio helpers shared by the long-running loops (relay, projectors, workers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to ``seconds``; True when ``stop`` was set meanwhile (the caller should exit)."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
        return True
    except TimeoutError:
        return False


async def until_first(stop: asyncio.Event, awaitable: Awaitable[object]) -> None:
    """Wait for ``awaitable`` or ``stop``, whichever comes first; cancel the other."""
    waiter = asyncio.ensure_future(awaitable)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        stopper.cancel()
