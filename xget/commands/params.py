"""Parameters of each task type: msgspec Structs with defaults and bounds, unknown fields rejected."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Annotated, Any

import msgspec
from msgspec import Meta


class TaskType(str, Enum):
    """What a task collects."""

    USER_INFO = "USER_INFO"
    USER_TWEETS = "USER_TWEETS"
    KEYWORD_SEARCH = "KEYWORD_SEARCH"
    HASHTAG_SEARCH = "HASHTAG_SEARCH"
    USER_FOLLOWERS = "USER_FOLLOWERS"
    USER_FOLLOWING = "USER_FOLLOWING"


class TaskStatus(str, Enum):
    """Where a task is in its life."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    STOPPED = "STOPPED"


class SearchProduct(str, Enum):
    """X's search tabs."""

    Latest = "Latest"
    Top = "Top"


Username = Annotated[str, Meta(pattern=r"^@?[A-Za-z0-9_]{1,15}$", description="X screen name, with or without @",
                               examples=["elonmusk"])]
UserId = Annotated[str, Meta(pattern=r"^[0-9]{1,20}$", description="X numeric user id", examples=["44196397"])]
Limit = Annotated[int, Meta(ge=1, le=100_000, description="Most items to collect")]
Deadline = Annotated[int, Meta(ge=10, le=7 * 24 * 3600, description="Seconds before the execution fails with a timeout")]
Lang = Annotated[str, Meta(pattern=r"^[a-z]{2,3}$", description="ISO 639-1 language code", examples=["en"])]

DEFAULT_DEADLINE = 3600


class _Params(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=False):
    deadline_seconds: Deadline = DEFAULT_DEADLINE

    def check(self) -> None:
        """Cross-field rules msgspec cannot express; raise ValueError naming the field."""


class _ByUser(_Params, frozen=True, kw_only=True):
    username: Username | None = None
    user_id: UserId | None = None

    def check(self) -> None:
        if (self.username is None) == (self.user_id is None):
            raise ParameterError("parameters.username", "give exactly one of username or user_id")


Since = Annotated[date | None, Meta(description="Only items on or after this UTC day (YYYY-MM-DD)")]
Until = Annotated[date | None, Meta(description="Only items before this UTC day (YYYY-MM-DD)")]


def _check_window(params: Any) -> None:
    if params.since and params.until and params.since >= params.until:
        raise ParameterError("parameters.until", "until must be after since")


class UserInfoParams(_ByUser, frozen=True, kw_only=True):
    """USER_INFO: one user's profile."""


class UserTweetsParams(_ByUser, frozen=True, kw_only=True):
    """USER_TWEETS: a user's posts, newest first."""

    limit: Limit = 100
    include_replies: bool = False
    include_retweets: bool = True
    since: Since = None
    until: Until = None

    def check(self) -> None:
        _ByUser.check(self)
        _check_window(self)


class KeywordSearchParams(_Params, frozen=True, kw_only=True):
    """KEYWORD_SEARCH: posts matching a query (X search syntax allowed)."""

    query: Annotated[str, Meta(min_length=1, max_length=500, pattern=r"^[^\x00]*$", examples=["open source"])]
    limit: Limit = 100
    product: SearchProduct = SearchProduct.Latest
    lang: Lang | None = None
    since: Since = None
    until: Until = None

    def check(self) -> None:
        if not self.query.strip():
            raise ParameterError("parameters.query", "query must not be blank")
        _check_window(self)


class HashtagSearchParams(_Params, frozen=True, kw_only=True):
    """HASHTAG_SEARCH: posts with a hashtag (given with or without #)."""

    hashtag: Annotated[str, Meta(pattern=r"^#?\w{1,100}$", examples=["python"])]
    limit: Limit = 100
    product: SearchProduct = SearchProduct.Latest
    since: Since = None
    until: Until = None

    def check(self) -> None:
        _check_window(self)


class UserFollowersParams(_ByUser, frozen=True, kw_only=True):
    """USER_FOLLOWERS: accounts that follow a user."""

    limit: Limit = 100


class UserFollowingParams(_ByUser, frozen=True, kw_only=True):
    """USER_FOLLOWING: accounts a user follows."""

    limit: Limit = 100


PARAMS_BY_TYPE: dict[TaskType, type[_Params]] = {
    TaskType.USER_INFO: UserInfoParams,
    TaskType.USER_TWEETS: UserTweetsParams,
    TaskType.KEYWORD_SEARCH: KeywordSearchParams,
    TaskType.HASHTAG_SEARCH: HashtagSearchParams,
    TaskType.USER_FOLLOWERS: UserFollowersParams,
    TaskType.USER_FOLLOWING: UserFollowingParams,
}

PARAMS_EXAMPLES: dict[TaskType, dict[str, Any]] = {
    TaskType.USER_INFO: {"username": "elonmusk"},
    TaskType.USER_TWEETS: {"username": "elonmusk", "limit": 50, "include_replies": False, "include_retweets": False},
    TaskType.KEYWORD_SEARCH: {"query": "open source", "limit": 200, "product": "Latest", "lang": "en",
                              "since": "2026-01-01", "until": "2026-06-30"},
    TaskType.HASHTAG_SEARCH: {"hashtag": "#python", "limit": 100, "product": "Top"},
    TaskType.USER_FOLLOWERS: {"username": "elonmusk", "limit": 1000},
    TaskType.USER_FOLLOWING: {"user_id": "44196397", "limit": 500},
}


class ParameterError(ValueError):
    """A parameter is invalid; ``field`` is its dotted path (``parameters.limit``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


_PATH = re.compile(r"at `\$\.?([^`]*)`")


def validate_parameters(task_type: TaskType, raw: Any) -> dict[str, Any]:
    """Validate ``raw`` for ``task_type``; return the normalized parameters with defaults filled in."""
    cls = PARAMS_BY_TYPE[task_type]
    try:
        params = msgspec.convert(raw if raw is not None else {}, cls, strict=True)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _PATH.search(text)
        field = "parameters" + (("." + match.group(1)) if match and match.group(1) else "")
        message = _PATH.sub("", text).strip().rstrip("-").strip()
        if text.startswith("Object contains unknown field"):
            field = field + "." + text.split("`")[1]
            message = f"unknown parameter for {task_type.value}; allowed: {', '.join(cls.__struct_fields__)}"
        elif text.startswith("Object missing required field"):
            field = field + "." + text.split("`")[1]
            message = f"required for {task_type.value}"
        raise ParameterError(field, message) from None
    params.check()
    out = {k: v for k, v in msgspec.to_builtins(params).items() if v is not None}
    if task_type is TaskType.HASHTAG_SEARCH:
        out["hashtag"] = "#" + out["hashtag"].lstrip("#")
    if out.get("username"):
        out["username"] = out["username"].lstrip("@")
    return out
