"""The web dashboard: static HTML, JavaScript and CSS from ``xget/api/static/``, no build step.

``/`` and ``/dashboard`` serve the page; ``/dashboard/assets/...`` its files. The page uses the
REST API and the task event stream like any other client (with the user's API key, if any).
Everything is served by us: no CDN, and a Content-Security-Policy that allows only this origin.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).parent / "static"
_INDEX = (STATIC_DIR / "index.html").read_bytes()  # once, at import: no file read on the event loop

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@get("/dashboard", include_in_schema=False, media_type=MediaType.HTML)
async def dashboard() -> Response[bytes]:
    """The dashboard page."""
    return Response(_INDEX, media_type=MediaType.HTML, headers=SECURITY_HEADERS)


@get("/", include_in_schema=False)
async def root() -> Redirect:
    """The service root leads to the dashboard."""
    return Redirect("/dashboard")


assets = create_static_files_router(
    path="/dashboard/assets", directories=[STATIC_DIR], name="dashboard-assets", include_in_schema=False,
    # Revalidate every time: a new release's files are picked up at once (they are small).
    cache_control=CacheControlHeader(no_cache=True),
)

DASHBOARD_ROUTES = [dashboard, root, assets]
