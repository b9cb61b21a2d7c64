"""Every recorded file parses: a page, or one of the engine's typed errors, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from x_fixture_paths import fixtures_dir

from xget.x.errors import XError
from xget.x.page import parse_page

ALL = sorted(p for p in fixtures_dir().rglob("*.json") if p.name != "__meta.json")

# The operations the collection engine calls; their recordings must parse to a page.
MAIN = {
    "twscrape/raw_user_by_login.json", "twscrape/raw_user_tweets.json",
    "twscrape/raw_user_tweets_and_replies.json", "twscrape/raw_search.json",
    "twscrape/raw_followers.json", "twscrape/raw_following.json",
    "twscrape/raw_verified_followers.json", "twscrape/raw_user_media.json",
    "FxEmbed/SearchTimeline/neo.json", "FxEmbed/UserByScreenName/x.json",
    "FxEmbed/UserResultByScreenName/x.json", "FxEmbed/UserTweets/783214.json",
    "Scweet/user_lookup_rest_id.json",
    "twitter-api-client/readme_UserByScreenName_full.json",
    "twitter-api-client/readme_Followers.json", "twitter-api-client/readme_Following.json",
    "twitter-api-client/readme_UserTweets.json",
    "twitter-api-client/readme_UserTweetsAndReplies.json",
    "twitter-api-client/readme_UsersByRestIds.json",
}


def test_the_recordings_are_there():
    assert len(ALL) >= 50
    rel = {p.relative_to(fixtures_dir()).as_posix() for p in ALL}
    assert MAIN <= rel


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.relative_to(fixtures_dir()).as_posix())
def test_every_recording_parses_or_raises_a_typed_error(path: Path):
    rel = path.relative_to(fixtures_dir()).as_posix()
    try:
        page = parse_page(None, path.read_bytes())
    except XError:
        assert rel not in MAIN
        return
    if rel in MAIN:
        assert page.items, rel
        assert page.errors == []
