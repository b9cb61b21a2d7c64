"""The dashboard's files as the API serves them: the page, every asset it and its modules load,
their content types, and a Content-Security-Policy that allows this origin only (no CDN)."""

from __future__ import annotations

import re

import httpx

MODULE_IMPORT = re.compile(r"""from\s+["'](\./[\w./-]+)["']""")


async def test_the_root_leads_to_the_dashboard_page_with_a_same_origin_policy(client: httpx.AsyncClient) -> None:
    root = await client.get("/")
    assert root.status_code == 302 and root.headers["location"] == "/dashboard"
    page = await client.get("/dashboard")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page.text)  # nothing loaded from elsewhere


async def test_every_asset_the_page_and_its_modules_load_is_served(client: httpx.AsyncClient) -> None:
    page = (await client.get("/dashboard")).text
    pending = re.findall(r'(?:src|href)="(/dashboard/assets/[^"]+)"', page)
    assert "/dashboard/assets/app.css" in pending and "/dashboard/assets/js/app.js" in pending
    seen: set[str] = set()
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        response = await client.get(url)
        assert response.status_code == 200, url
        expected = "text/css" if url.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].startswith(expected), (url, response.headers["content-type"])
        if url.endswith(".js"):
            base = url.rsplit("/", 1)[0]
            pending += [f"{base}/{path[2:]}" for path in MODULE_IMPORT.findall(response.text)]
    assert {u.rsplit("/", 1)[1] for u in seen} >= {"app.js", "api.js", "dom.js", "list.js", "detail.js", "create.js"}


async def test_a_missing_asset_is_a_404_and_the_dashboard_is_not_in_the_api_schema(client: httpx.AsyncClient) -> None:
    assert (await client.get("/dashboard/assets/nope.js")).status_code == 404
    assert (await client.get("/dashboard/assets/../app.py")).status_code == 404
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith("/dashboard")]
