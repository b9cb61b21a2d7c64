"""Parser throughput: xget's parse_page against twscrape's parse_tweets/parse_users.

Both parse the same recorded responses from bytes (JSON decoding included) in the same run;
twscrape is also timed on pre-decoded dicts, its most favourable case. twscrape must be installed
in the interpreter running this script (the ``bench`` extra), never in the runtime environment.

    .bench-venv/bin/python bench/parse.py [--seconds 2] [--fixtures DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xget.x.page import parse_page  # noqa: E402

# (recording, kind): the pages of the operations the engine calls.
PAGES = [
    ("twscrape/raw_user_tweets.json", "tweets"),
    ("twscrape/raw_user_tweets_and_replies.json", "tweets"),
    ("twscrape/raw_user_media.json", "tweets"),
    ("twscrape/raw_search.json", "tweets"),
    ("FxEmbed/SearchTimeline/neo.json", "tweets"),
    ("FxEmbed/UserTweets/783214.json", "tweets"),
    ("twscrape/raw_followers.json", "users"),
    ("twscrape/raw_following.json", "users"),
    ("twscrape/raw_verified_followers.json", "users"),
    ("twscrape/raw_user_by_login.json", "users"),
    ("FxEmbed/UserByScreenName/x.json", "users"),
]


def default_fixtures() -> Path:
    from xget.fixtures import fixtures_dir

    return fixtures_dir()


def measure(fn: Callable[[], int], seconds: float) -> tuple[float, float, int]:
    """Run ``fn`` (one pass over all pages, returning its item count) for about ``seconds``;
    return (best pass time, mean pass time, items per pass)."""
    items = fn()  # warm-up
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 5:
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), sum(times) / len(times), items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=2.0, help="time budget per contender")
    ap.add_argument("--fixtures", type=Path, default=default_fixtures())
    args = ap.parse_args()

    try:
        import twscrape
        from twscrape.models import parse_tweets, parse_users
    except ImportError:
        sys.exit("twscrape is not installed here: pip install 'twscrape==0.20.1' (the bench extra)")
    import twscrape.models as tw_models

    # twscrape writes a dump file for every item it fails to parse; the disk I/O is not parsing,
    # so it is switched off (in twscrape's favour). Its logger goes quiet for the same reason.
    tw_models._write_dump = lambda *args, **kwargs: None
    logging.getLogger("twscrape").setLevel(logging.CRITICAL)
    try:
        from loguru import logger as loguru_logger

        loguru_logger.remove()
    except ImportError:
        pass

    blobs = [((args.fixtures / name).read_bytes(), kind) for name, kind in PAGES]
    total_bytes = sum(len(b) for b, _ in blobs)

    def ours() -> int:
        return sum(len(parse_page(None, b).items) for b, _ in blobs)

    def theirs_from_bytes() -> int:
        n = 0
        for b, kind in blobs:
            parser = parse_tweets if kind == "tweets" else parse_users
            n += sum(1 for _ in parser(json.loads(b)))
        return n

    dicts = [(json.loads(b), kind) for b, kind in blobs]

    def theirs_from_dicts() -> int:
        n = 0
        for d, kind in dicts:
            parser = parse_tweets if kind == "tweets" else parse_users
            n += sum(1 for _ in parser(d))
        return n

    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"twscrape {getattr(twscrape, '__version__', '0.20.1')}; {len(blobs)} pages, "
          f"{total_bytes / 1e6:.2f} MB per pass")
    rows = [("xget parse_page (bytes)", *measure(ours, args.seconds))]
    rows.append(("twscrape json.loads + parse (bytes)", *measure(theirs_from_bytes, args.seconds)))
    rows.append(("twscrape parse (pre-decoded dicts)", *measure(theirs_from_dicts, args.seconds)))
    base_pass = rows[0][1]
    print(f"{'contender':38} {'items/pass':>10} {'best ms':>9} {'items/s':>10} {'MB/s':>7} "
          f"{'time ratio':>10}")
    for name, best, _mean, items in rows:
        print(f"{name:38} {items:>10} {best * 1e3:>9.2f} {items / best:>10.0f} "
              f"{total_bytes / best / 1e6:>7.1f} {best / base_pass:>9.2f}x")
    ours_ips = rows[0][3] / rows[0][1]
    for name, best, _, items in rows[1:]:
        print(f"xget items/s vs {name}: {ours_ips / (items / best):.2f}x; "
              f"same pages parsed {best / base_pass:.2f}x faster")


if __name__ == "__main__":
    main()
