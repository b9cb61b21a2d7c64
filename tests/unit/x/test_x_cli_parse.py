"""``xget parse``: JSON lines in page order, a cursor line, exit 2 for a non-X file."""

from __future__ import annotations

import json

from click.testing import CliRunner

from xget.cli.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["parse", *args])


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_prints_items_in_page_order_then_the_cursor(fixtures):
    result = run(str(fixtures / "twscrape/raw_following.json"))
    assert result.exit_code == 0
    out = lines(result)
    assert len(out) == 61
    assert {o["type"] for o in out[:-1]} == {"user"}
    assert out[0]["id"] == "236209129" and out[0]["screen_name"] == "leslieberland"
    assert out[-1] == {"type": "cursor", "bottom": "1771337970390780275|2085474368099450818"}


def test_tweets_carry_their_record_fields(fixtures):
    out = lines(run(str(fixtures / "FxEmbed/UserTweets/783214.json"), "--op", "UserTweets"))
    assert [o["type"] for o in out] == ["tweet", "cursor"]
    assert out[0]["id"] == "2036082537949434164"
    assert out[0]["author"]["screen_name"] == "rtwlz"
    assert set(out[0]) >= {"text", "created_at", "view_count", "media", "quoted_tweet"}


def test_a_user_lookup_has_no_cursor_line(fixtures):
    out = lines(run(str(fixtures / "twscrape/raw_user_by_login.json")))
    assert [o["type"] for o in out] == ["user"]


def test_an_error_response_prints_one_error_line(fixtures):
    result = run(str(fixtures / "FxEmbed/SearchTimeline/blocklisted_query.json"))
    assert result.exit_code == 0
    (line,) = lines(result)
    assert line["type"] == "error" and line["code"] == "bad_request"


def test_a_file_that_is_not_an_x_response_exits_2(tmp_path, fixtures):
    for content in (b"not json", b'{"hello": "world"}', b"[]"):
        path = tmp_path / "f.json"
        path.write_bytes(content)
        result = run(str(path))
        assert result.exit_code == 2
        assert "xget parse:" in result.stderr
    assert run(str(fixtures / "twscrape/__meta.json")).exit_code == 2


def test_a_response_given_for_the_wrong_op_exits_2(fixtures):
    result = run(str(fixtures / "twscrape/raw_followers.json"), "--op", "SearchTimeline")
    assert result.exit_code == 2
    assert "not a SearchTimeline response" in result.stderr


def test_every_recording_of_the_collected_operations_is_handled(fixtures):
    names = ["twscrape/raw_user_by_login.json", "twscrape/raw_user_tweets.json",
             "twscrape/raw_user_tweets_and_replies.json", "twscrape/raw_search.json",
             "twscrape/raw_followers.json", "twscrape/raw_following.json",
             "FxEmbed/SearchTimeline/neo.json", "FxEmbed/SearchTimeline/empty_query_error.json",
             "FxEmbed/UserByScreenName/x.json", "FxEmbed/UserByScreenName/testsuspendeduser.json",
             "FxEmbed/UserTweets/783214.json", "twitter-api-client/readme_Followers.json"]
    for name in names:
        result = run(str(fixtures / name))
        assert result.exit_code == 0, (name, result.stderr)
        assert lines(result), name


def test_tweets_given_for_a_user_list_op_exit_2(fixtures):
    result = run(str(fixtures / "twscrape/raw_user_tweets.json"), "--op", "Followers")
    assert result.exit_code == 2 and result.stdout == ""
    assert "not a Followers response" in result.stderr and "tweet" in result.stderr


def test_users_given_for_a_tweet_timeline_op_exit_2(fixtures):
    result = run(str(fixtures / "twscrape/raw_followers.json"), "--op", "UserTweets")
    assert result.exit_code == 2 and "not a UserTweets response" in result.stderr


def test_the_right_op_of_a_shared_root_still_parses(fixtures):
    for name, op in (("twscrape/raw_user_tweets.json", "UserTweets"),
                     ("twscrape/raw_followers.json", "Followers"),
                     ("twscrape/raw_user_media.json", "UserMedia"),
                     ("twscrape/raw_user_by_login.json", "UserByScreenName")):
        result = run(str(fixtures / name), "--op", op)
        assert result.exit_code == 0, (name, result.stderr)
