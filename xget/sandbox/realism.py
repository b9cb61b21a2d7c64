"""Realism knobs: X's odd items at seeded rates, so the engine's skip and unescape paths run.

Every decision is a pure function of the seed, the knob and the tweet ``(u, k)`` it concerns
(one hash stream per knob, so turning one knob on never changes another's choices), hence the
same tweet gets the same treatment on every request and every page boundary. With every rate at
0 (the default) nothing here changes a byte of the sandbox's answers.

- **visibility**: the tweet's result is a ``TweetWithVisibilityResults`` wrapper (wherever it
  appears: entries, the pin, retweeted and quoted results), its inner tweet without
  ``__typename``, as recorded.
- **views hidden**: ``views`` is ``{"state": "Enabled"}`` (no count: the parser's null
  ``view_count``).
- **escape**: the post's text gains one phrase with ``&``, ``<`` or ``>`` (``full_text`` is
  always HTML-escaped as X does; entity offsets count the unescaped text).
- **tombstone / unavailable / promoted**: *extra* entries placed just before the entry of tweet
  ``(u, k)`` (a timeline's or search's served tweet): they never replace or consume a real
  tweet and are never results. A tombstone is a ``TweetTombstone``; an unavailable entry is a
  ``TweetUnavailable`` (three in four) or an empty ``tweet_results`` (one in four); a promoted
  entry is an advertiser's tweet with ``promotedMetadata``, under an entry id
  ``promoted-tweet-<id>-<impression>`` (three in four) or ``tweet-<id>-<impression>`` (one in
  four: only the metadata tells).
"""

from __future__ import annotations

from typing import Any

from xget.sandbox.rand import Rng, key

T_REALISM = 0x5EA1  # mixed into every key here, apart from the world's own streams
VISIBILITY, VIEWS_HIDDEN, ESCAPE, TOMBSTONE, UNAVAILABLE, PROMOTED = range(6)

ESCAPED_PHRASES: tuple[str, ...] = (
    "R&D", "Q&A", "AT&T", "rock & roll", "<3", "x < y", "y > x", "->", "<b>bold</b>",
    "fish &amp; chips",  # a literal entity: escaped once more, unescaped once
)
_TOMBSTONE_TEXTS: tuple[str, ...] = (
    "This Post was deleted by the Post author. Learn more",
    "This Post is from a suspended account. Learn more",
    "This Post is unavailable. Learn more",
)
_UNAVAILABLE_REASONS: tuple[str, ...] = ("Protected", "Suspended", "NsfwLoggedOut")
_LIMITED_ACTIONS = {"limited_actions": [{"action": "Reply", "prompt": {
    "__typename": "CtaLimitedActionPrompt", "cta_type": "SeeConversation",
    "headline": {"entities": [], "text": "Who can reply?"},
    "subtext": {"entities": [], "text": "Only some accounts can reply."}}}]}


def escape(text: str) -> str:
    """X's escaping of ``full_text``: ``&``, ``<`` and ``>`` only (quotes stay)."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class Realism:
    """The knobs' decisions for one world (rates read once: changing one rebuilds the world)."""

    def __init__(self, base: int, visibility_rate: float = 0.0, views_hidden_rate: float = 0.0,
                 escape_rate: float = 0.0, tombstone_rate: float = 0.0,
                 unavailable_rate: float = 0.0, promoted_rate: float = 0.0) -> None:
        self.base = base
        self.rates = (visibility_rate, views_hidden_rate, escape_rate, tombstone_rate,
                      unavailable_rate, promoted_rate)
        self.extras_on = bool(tombstone_rate or unavailable_rate or promoted_rate)

    def _rng(self, what: int, u: int, k: int) -> Rng:
        return Rng(key(self.base, T_REALISM, what, u, k))

    def _hit(self, what: int, u: int, k: int) -> bool:
        rate = self.rates[what]
        return rate > 0 and self._rng(what, u, k).chance(rate)

    def wrapped(self, u: int, k: int) -> bool:
        """Whether tweet ``(u, k)``'s result is a visibility wrapper."""
        return self._hit(VISIBILITY, u, k)

    def views_hidden(self, u: int, k: int) -> bool:
        """Whether tweet ``(u, k)`` reports views without a count."""
        return self._hit(VIEWS_HIDDEN, u, k)

    def escaped_phrase(self, u: int, k: int) -> str | None:
        """The phrase with ``& < >`` that tweet ``(u, k)``'s text gains, or None."""
        if not self._hit(ESCAPE, u, k):
            return None
        return self._rng(ESCAPE, u, k + (1 << 40)).pick(ESCAPED_PHRASES)

    def extras(self, u: int, k: int) -> list[tuple[str, int]]:
        """The extra entries before tweet ``(u, k)``'s entry: ``(kind, draw)`` newest first,
        kinds ``promoted``, ``unavailable``, ``empty``, ``tombstone``; ``draw`` picks details."""
        if not self.extras_on:
            return []
        out = []
        if self._hit(PROMOTED, u, k):
            out.append(("promoted", self._rng(PROMOTED, u, k + (1 << 40)).next()))
        if self._hit(UNAVAILABLE, u, k):
            draw = self._rng(UNAVAILABLE, u, k + (1 << 40)).next()
            out.append(("empty" if draw % 4 == 0 else "unavailable", draw))
        if self._hit(TOMBSTONE, u, k):
            out.append(("tombstone", self._rng(TOMBSTONE, u, k + (1 << 40)).next()))
        return out

    @classmethod
    def from_config(cls, base: int, config: Any) -> Realism:
        """The decisions of a :class:`~xget.sandbox.config.SandboxConfig`'s realism knobs."""
        return cls(base, config.visibility_rate, config.views_hidden_rate, config.escape_rate,
                   config.tombstone_rate, config.unavailable_rate, config.promoted_rate)

    @staticmethod
    def wrap(obj: dict[str, Any]) -> dict[str, Any]:
        """A tweet result inside X's ``TweetWithVisibilityResults`` (the inner one untyped)."""
        inner = {name: value for name, value in obj.items() if name != "__typename"}
        return {"__typename": "TweetWithVisibilityResults", "limitedActionResults": _LIMITED_ACTIONS,
                "tweet": inner}

    @staticmethod
    def missing_result(kind: str, draw: int) -> dict[str, Any]:
        """``tweet_results`` of a tombstone, an unavailable tweet or an empty one."""
        if kind == "tombstone":
            text = _TOMBSTONE_TEXTS[draw % len(_TOMBSTONE_TEXTS)]
            start = text.index("Learn more")
            return {"result": {"__typename": "TweetTombstone", "tombstone": {
                "__typename": "TextTombstone", "text": {"rtl": False, "text": text, "entities": [{
                    "fromIndex": start, "toIndex": start + 10, "ref": {
                        "type": "TimelineUrl", "url": "https://help.x.com/rules-and-policies/notices-on-x",
                        "urlType": "ExternalUrl"}}]}}}}
        if kind == "unavailable":
            return {"result": {"__typename": "TweetUnavailable",
                               "reason": _UNAVAILABLE_REASONS[draw % len(_UNAVAILABLE_REASONS)]}}
        return {}

    @staticmethod
    def impression(draw: int) -> str:
        """A promoted entry's impression id (16 hex digits)."""
        return f"{draw & (1 << 64) - 1:016x}"
