"""Field-level content of records: full text, entities, media, nesting, counts."""

from __future__ import annotations

import msgspec

from xget.x.page import parse_page
from xget.x.records import TweetRecord
from xget.x.users import x_time_to_iso


def find(page, tweet_id) -> TweetRecord:
    return next(i for i in page.items if i.id == tweet_id)


def test_long_post_text_comes_from_note_tweet(raw):
    page = parse_page("SearchTimeline", raw("twscrape/raw_search.json"))
    tweet = find(page, "2074976613713031490")
    assert len(tweet.text) == 473
    assert tweet.text.endswith(" Iceland (~60% of Tesla sales in Europe)")


def test_escaped_html_entities_are_unescaped(raw):
    page = parse_page("UserMedia", raw("twscrape/raw_user_media.json"))
    tweet = find(page, "2037623826285027567")
    assert "connections, & streaming rules." in tweet.text
    assert "&amp;" not in tweet.text


def test_retweet_nests_the_original_and_rebuilds_its_text(raw):
    page = parse_page("UserTweets", raw("twscrape/raw_user_tweets.json"))
    rt = find(page, "2083305234688803178")
    assert rt.is_retweet is True
    assert rt.retweeted_tweet is not None and rt.retweeted_tweet.id == "2083289084567724316"
    assert rt.retweeted_tweet.author.screen_name == "benjitaylor"
    assert rt.text == f"RT @benjitaylor: {rt.retweeted_tweet.text}"
    assert not rt.text.endswith("…")
    assert rt.mentions == ["benjitaylor"]
    assert rt.view_count == 2062
    assert rt.created_at == "2026-07-31T21:34:08Z"


def test_quote_and_reply_fields(raw):
    page = parse_page("UserTweetsAndReplies", raw("twscrape/raw_user_tweets_and_replies.json"))
    quote = find(page, "2082643515624800613")
    assert quote.quoted_tweet is not None and quote.quoted_tweet.id == "2082640274845811115"
    assert quote.author.screen_name == "mike_rosinsky"
    assert quote.source == "Twitter for iPhone"
    reply = find(page, "2082644401822548386")
    assert reply.in_reply_to_tweet_id == "2082643515624800613"
    assert reply.in_reply_to_user_id == "1830023695835787264"
    assert reply.in_reply_to_screen_name == "mike_rosinsky"


def test_video_keeps_thumbnail_and_best_mp4_variant(raw):
    page = parse_page("UserTweets", raw("twscrape/raw_user_tweets.json"))
    (media,) = find(page, "2074882755905585583").media
    assert media.type == "video"
    assert media.preview.endswith("/img/_ifWIXfNVQ4aiIp1.jpg")
    assert media.variant.bitrate == 8768000
    assert media.url.endswith("/vid/avc1/1080x1080/tTKa11kiPdc1LfJs.mp4?tag=28")
    assert (media.duration_ms, media.width, media.height) == (10850, 1080, 1080)


def test_records_become_plain_documents_without_dots_or_dollars(raw):
    page = parse_page("UserTweets", raw("twscrape/raw_user_tweets.json"))
    docs = msgspec.to_builtins(page.items)

    def keys(o):
        if isinstance(o, dict):
            for k, v in o.items():
                yield k
                yield from keys(v)
        elif isinstance(o, list):
            for v in o:
                yield from keys(v)

    assert all("." not in k and "$" not in k for k in keys(docs))
    assert docs[0]["author"]["screen_name"] == "XDevelopers"
    assert msgspec.convert(docs[0], TweetRecord) == page.items[0]


def test_x_timestamps_become_iso_utc():
    assert x_time_to_iso("Fri Jul 31 21:34:08 +0000 2026") == "2026-07-31T21:34:08Z"
    assert x_time_to_iso("Fri Jul 31 23:34:08 +0200 2026") == "2026-07-31T21:34:08Z"
    assert x_time_to_iso("garbage") is None
    assert x_time_to_iso(None) is None
