"""Exact ids, counts and cursors of the main recorded pages (checked by hand with jq)."""

from __future__ import annotations

import pytest

from xget.x.errors import TargetSuspended
from xget.x.page import detect_operation, parse_page
from xget.x.records import TweetRecord, UserRecord

USER_TWEETS_IDS = [
    "2019881223666233717",  # pinned (TimelinePinEntry comes first)
    "2083305234688803178", "2082669627528601817", "2082643671132864764", "2082642229944778990",
    "2082642214451020128",
    "2082640274845811115", "2082640276389249363",  # profile-conversation module, in order
    "2082157691451920667", "2079821023071907954", "2079814622639469025", "2079328902745305313",
    "2079326824333533428", "2077992748905590821", "2075724225273323678", "2075722586172846484",
    "2074882755905585583", "2072441496809136296", "2072437483321569650", "2072390249175531597",
    "2072126677535346779",
]

REPLIES_IDS = [
    "2019881223666233717", "2083305234688803178", "2083289084567724316", "2083305191776924151",
    "2082669627528601817", "2082643515624800613", "2082644401822548386", "2082643671132864764",
    "2082642493892628916", "2082643509970948198", "2082642229944778990", "2082642214451020128",
    "2082640274845811115", "2082640276389249363", "2082157691451920667", "2079821023071907954",
    "2079814622639469025", "2079328902745305313", "2079319709330423928", "2079326854322733289",
    "2079326824333533428", "2077990228690940158", "2077990813733388538", "2077992805851644128",
    "2077992748905590821", "2075716337603907695", "2075724289643290711", "2075724225273323678",
]

SEARCH_IDS = [
    "2074976613713031490", "2074974895750951259", "2074968793441591473", "2074968589820739994",
    "2074967301221396711", "2074964027764363573", "2074963597222977690", "2074963269429661921",
    "2074960554146267459", "2074958156459868660", "2074955725571559685", "2074955486441492823",
    "2074955188138635286", "2074954293514309854", "2074953952550863143", "2074953500061053347",
    "2074953114466033994", "2074952565641695738", "2074952020008591722", "2074951212344992233",
]

NEO_IDS = [
    "2029450917993652659", "2032260689633407007", "2032251865589825710", "2031831012611932179",
    "2032116823013863441", "2032385505459843292", "2031507292454269171", "2032330295119155212",
    "2031807468507128253",
]


def ids(page):
    return [item.id for item in page.items]


def test_user_tweets_page_has_pinned_once_then_entries_and_conversation_in_order(raw):
    page = parse_page("UserTweets", raw("twscrape/raw_user_tweets.json"))
    assert ids(page) == USER_TWEETS_IDS
    assert all(isinstance(i, TweetRecord) for i in page.items)
    assert page.skipped == {"who_to_follow": 1}
    assert page.cursor_bottom == "DAAHCgABHPEX6f6__-sLAAIAAAATMjA3MjEyNjY3NzUzNTM0Njc3OQgAAwAAAAIAAA"
    assert page.errors == []


def test_user_tweets_and_replies_page_flattens_seven_conversation_modules(raw):
    page = parse_page("UserTweetsAndReplies", raw("twscrape/raw_user_tweets_and_replies.json"))
    assert ids(page) == REPLIES_IDS
    assert len(page.items) == 28
    assert page.skipped == {"who_to_follow": 1}
    assert page.cursor_bottom == "DAAHCgABHPEX6yN__-sLAAIAAAATMjA3NTcyNDIyNTI3MzMyMzY3OAgAAwAAAAIAAA"


def test_search_latest_page(raw):
    page = parse_page("SearchTimeline", raw("twscrape/raw_search.json"))
    assert ids(page) == SEARCH_IDS
    assert page.skipped == {}
    assert page.cursor_bottom.startswith(
        "DAADDAABCgABHMvMPImbsUIKAAIcy7UiUhbh6QAIAAIAAAACCAADAAAAAAgABAAAAAAK")
    assert page.cursor_bottom.endswith("ekx1M01mbHdIMAAA")
    assert len(page.cursor_bottom) == 428


def test_search_top_page_leaves_out_the_people_module(raw):
    page = parse_page("SearchTimeline", raw("FxEmbed/SearchTimeline/neo.json"))
    assert ids(page) == NEO_IDS
    assert page.skipped == {"who_to_follow": 1}
    assert page.cursor_bottom.startswith("DAACCgACHDTpv61AJxAKAAMcNOm_rT_Y8AgABAAAAAILAAUAAAB8RW1Q")
    assert page.cursor_bottom.endswith("HCoO24AaIbMAAAA")


def test_followers_page(raw):
    page = parse_page("Followers", raw("twscrape/raw_followers.json"))
    assert len(page.items) == 69
    assert all(isinstance(i, UserRecord) for i in page.items)
    assert [u.id for u in page.items[:2]] == ["236209129", "338048283"]
    assert [u.screen_name for u in page.items[:2]] == ["leslieberland", "bonappetweet"]
    assert page.items[-1].id == "2085371120388030464"
    assert page.items[-1].screen_name == "TeresaBetthdy"
    assert page.cursor_bottom == "1872784690123924126|2085474371463282617"
    assert page.cursor_top == "-1|2085474371463282689"


def test_following_page(raw):
    page = parse_page("Following", raw("twscrape/raw_following.json"))
    assert len(page.items) == 60
    assert [u.id for u in page.items[:2]] == ["236209129", "156417821"]
    assert page.items[-1].screen_name == "archillect"
    assert page.cursor_bottom == "1771337970390780275|2085474368099450818"


def test_user_by_login_newest_generation(raw):
    page = parse_page("UserByScreenName", raw("twscrape/raw_user_by_login.json"))
    assert page.cursor_bottom is None
    (user,) = page.items
    assert (user.id, user.screen_name, user.name) == ("2244994945", "XDevelopers", "Developers")
    assert (user.followers_count, user.following_count) == (695695, 762)
    assert (user.tweet_count, user.media_count, user.like_count) == (4319, 829, 2642)
    assert user.listed_count is None  # the August 2026 shape has no listed count
    assert user.created_at == "2013-12-14T04:35:55Z"
    assert user.url == "https://docs.x.com/"
    assert user.location == "127.0.0.1"
    assert user.is_blue_verified is True and user.verified is False and user.protected is False


def test_user_by_screen_name_classic_generation(raw):
    (user,) = parse_page("UserByScreenName", raw("FxEmbed/UserByScreenName/x.json")).items
    assert (user.id, user.screen_name, user.name) == ("783214", "X", "X")
    assert (user.listed_count, user.followers_count, user.following_count, user.tweet_count) == \
        (87168, 68941492, 1, 15550)
    assert user.description == "what's happening?!"
    assert user.location == "everywhere"
    assert user.url == "https://x.com"
    assert user.created_at == "2007-02-20T14:35:54Z"
    assert user.profile_banner_url == "https://pbs.twimg.com/profile_banners/783214/1690175171"


def test_suspended_target_user_is_a_typed_error(raw):
    with pytest.raises(TargetSuspended) as err:
        parse_page("UserByScreenName", raw("FxEmbed/UserByScreenName/testsuspendeduser.json"))
    assert err.value.code == "target_suspended"
    assert "suspended" in str(err.value)


def test_user_tweets_of_783214(raw):
    page = parse_page("UserTweets", raw("FxEmbed/UserTweets/783214.json"))
    assert ids(page) == ["2036082537949434164"]
    assert page.cursor_bottom == "DAAHCgABHEJR3hu___QLAAIAAAATMjAyODI4MTMxMzk2MzQ4MzM5NAgAAwAAAAIAAA"
    assert page.items[0].author.screen_name == "rtwlz"  # as recorded


@pytest.mark.parametrize(("name", "op"), [
    ("twscrape/raw_user_by_login.json", "UserByScreenName"),
    ("twscrape/raw_user_tweets.json", "UserTweets"),
    ("twscrape/raw_user_tweets_and_replies.json", "UserTweets"),
    ("twscrape/raw_search.json", "SearchTimeline"),
    ("twscrape/raw_followers.json", "Followers"),
    ("twscrape/raw_following.json", "Followers"),
    ("FxEmbed/UserResultByScreenName/x.json", "UserResultByScreenName"),
    ("twscrape/raw_tweet_details.json", "TweetDetail"),
    ("twitter-api-client/readme_Followers.json", "TimelineEntry"),
])
def test_operation_is_detected_from_the_response_shape(raw, name, op):
    assert detect_operation(raw(name)) == op


def test_a_page_given_for_the_wrong_operation_is_refused(raw):
    from xget.x.errors import NotXResponse

    with pytest.raises(NotXResponse):
        parse_page("SearchTimeline", raw("twscrape/raw_followers.json"))
