"""Export benchmark: stream a task's results (default 1,000,000 items) in each format from a real
API process, sampling its RSS; the export must run in constant memory (target: API under ~150 MB).

    .venv/bin/python bench/export.py [--items 1000000] [--formats json,ndjson,csv,xlsx]

Baseline in the same run: the API's RSS at rest before the first export.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_settings, report  # noqa: E402
from tests.e2e.stack import wait_until  # noqa: E402
from tests.processes import XgetProcess  # noqa: E402
from xget.bootstrap import open_container  # noqa: E402
from xget.results.store import ResultStore  # noqa: E402

API_PORT = 18703


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tweet_doc(task_id: str, n: int) -> dict:
    author = {"id": "44196397", "screen_name": "elonmusk", "name": "Elon Musk", "description": "Mars & Cars",
              "location": "", "url": None, "created_at": "2009-06-02T20:12:29Z", "followers_count": 10800,
              "following_count": 500, "tweet_count": 1500, "like_count": 1000, "media_count": 100,
              "listed_count": None, "verified": False, "is_blue_verified": True, "protected": False,
              "profile_image_url": "https://pbs.twimg.com/profile_images/1/a_normal.jpg", "profile_banner_url": None}
    tweet_id = str(2_000_000_000_000_000_000 + n)
    return {"_id": f"{task_id}:tweet:{tweet_id}", "id": tweet_id, "url": f"https://x.com/elonmusk/status/{tweet_id}",
            "text": f"post number {n} about rockets, cars and the future of everything #space #tesla",
            "lang": "en", "created_at": "2026-07-31T23:49:46Z", "author": author, "conversation_id": tweet_id,
            "in_reply_to_tweet_id": None, "in_reply_to_user_id": None, "in_reply_to_screen_name": None,
            "reply_count": n % 100, "retweet_count": n % 50, "like_count": n % 1000, "quote_count": 1,
            "bookmark_count": 2, "view_count": n * 3, "hashtags": ["space", "tesla"], "mentions": [], "urls": [],
            "media": [], "is_retweet": False, "retweeted_tweet": None, "quoted_tweet": None, "source": None,
            "possibly_sensitive": False, "task_id": task_id, "execution_id": "bench", "executions": ["bench"],
            "user_id": "bench", "item_type": "tweet", "seq": n}


async def seed(settings, task_id: str, items: int) -> float:
    async with open_container(settings) as container:
        store: ResultStore = await container.results_store()
        name = store.collection_name(1, task_id)
        started = time.perf_counter()
        for start in range(0, items, 5000):
            await store.db[name].insert_many([tweet_doc(task_id, n) for n in range(start, min(items, start + 5000))],
                                             ordered=False)
        return time.perf_counter() - started


def export(base: str, task_id: str, fmt: str, pid: int) -> tuple[int, float, float]:
    """Stream one export to nowhere; returns (bytes, seconds, peak RSS MB while it ran)."""
    peak = rss_mb(pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    size = 0
    started = time.perf_counter()
    try:
        with httpx.stream("POST", f"{base}/api/v1/tasks/export/{task_id}", params={"format": fmt},
                          timeout=httpx.Timeout(30, read=600)) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                size += len(chunk)
    finally:
        done.set()
        sampler.join()
    return size, time.perf_counter() - started, peak


async def main(args: argparse.Namespace) -> None:
    settings = await bench_settings(XGET_RESULTS_LAYOUT="per_task")
    projector = XgetProcess(settings, "projector", name="bench-export-projector")
    api = XgetProcess(settings, "api", "--port", str(API_PORT), name="bench-export-api", XGET_ACCESS_LOG="false")
    base = f"http://127.0.0.1:{API_PORT}"
    try:
        await asyncio.to_thread(wait_until, lambda: httpx.get(f"{base}/health").status_code == 200, "API up", api)
        task = httpx.post(f"{base}/api/v1/tasks", json={"task_name": "export bench", "task_type": "USER_TWEETS",
                                                       "parameters": {"username": "elonmusk"}, "user_id": "bench"},
                          timeout=30)
        task_id = task.json()["id"]
        seeded = await seed(settings, task_id, args.items)
        at_rest = rss_mb(api.proc.pid)
        rows = [("items in the task's results", f"{args.items:,} (seeded in {seeded:.0f}s)"),
                ("baseline: API RSS at rest", f"{at_rest:.0f} MB")]
        for fmt in args.formats.split(","):
            size, seconds, peak = await asyncio.to_thread(export, base, task_id, fmt, api.proc.pid)
            rows.append((f"{fmt}: peak API RSS", f"{peak:.0f} MB  (+{peak - at_rest:.0f} MB; target < ~150 MB)"))
            rows.append((f"{fmt}: size, items/s", f"{size / 1e6:,.0f} MB in {seconds:.0f}s, "
                                                  f"{args.items / seconds:,.0f} items/s"))
        report(f"export of {args.items:,} items from one API process (FerretDB per-task layout)", rows)
    finally:
        api.stop()
        projector.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--formats", default="json,ndjson,csv,xlsx")
    asyncio.run(main(parser.parse_args()))
