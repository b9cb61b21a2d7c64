"""Deterministic randomness: every value of the world is a pure function of the seed and a key.

Nothing is drawn from a global generator, so any user or tweet can be built on its own, in any
order, and always comes out the same; a different seed gives a different world.
"""

from __future__ import annotations

import hashlib

MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def mix(x: int) -> int:
    """SplitMix64's finalizer: a fast, well-spread 64-bit hash of a 64-bit integer."""
    x = (x + _GOLDEN) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def seed_int(seed: str) -> int:
    """A 64-bit integer from a seed string."""
    return int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "big")


def key(base: int, *parts: int) -> int:
    """Hash ``parts`` into ``base``: the key of one object of the world."""
    x = base
    for p in parts:
        x = mix(x ^ (p & MASK))
    return x


class Rng:
    """A small stream of deterministic numbers from one key (SplitMix64)."""

    __slots__ = ("state",)

    def __init__(self, state: int) -> None:
        self.state = state

    def next(self) -> int:
        """The next 64-bit value."""
        self.state = (self.state + _GOLDEN) & MASK
        return mix(self.state)

    def below(self, n: int) -> int:
        """An integer in [0, n)."""
        return self.next() % n

    def unit(self) -> float:
        """A float in [0, 1)."""
        return (self.next() >> 11) * (1.0 / (1 << 53))

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.unit() < p

    def pick(self, seq: tuple | list):  # type: ignore[type-arg]
        """One element of ``seq``."""
        return seq[self.next() % len(seq)]

    def zipf_index(self, n: int, s: float = 1.1) -> int:
        """An index in [0, n) with a power-law bias towards 0 (approximate inverse CDF)."""
        u = self.unit()
        # inverse of the continuous Pareto CDF over [1, n+1), shifted to 0-based
        if s == 1.0:
            x = (n + 1) ** u
        else:
            a = 1.0 - s
            x = (1.0 + u * ((n + 1) ** a - 1.0)) ** (1.0 / a)
        return min(n - 1, max(0, int(x) - 1))
