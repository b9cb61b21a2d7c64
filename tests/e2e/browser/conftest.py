"""Fixtures of the dashboard tests: the isolated product, and Debian's Chromium driven by
Playwright (``scripts/browser.sh`` installs Chromium; Playwright comes with the dev extra and
never downloads a browser of its own here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.browser.product import Product, isolated, reset
from tests.processes import LOGS
from xget.settings import Settings

CHROMIUM = os.environ.get("XGET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = LOGS / "screenshots"


def _require_browser() -> None:
    missing = [what for what, ok in (("chromium", shutil.which(CHROMIUM) or Path(CHROMIUM).exists()),
                                     ("playwright", _importable("playwright"))) if not ok]
    if missing:
        message = f"{' and '.join(missing)} missing: run ./scripts/browser.sh (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser there is a broken setup
        pytest.skip(message)


def _importable(module: str) -> bool:
    try:
        __import__(module)
        return True
    except ImportError:
        return False


@pytest.fixture(scope="module")
async def product(settings: Settings) -> AsyncIterator[Product]:
    """The whole product on its own databases, topics and ports, for this module's tests."""
    _require_browser()
    own = isolated(settings)
    await reset(own)
    running = Product(own)
    try:
        await running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
async def browser(product: Product) -> AsyncIterator[object]:
    """Headless Chromium (Debian's), through Playwright."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: object, request: pytest.FixtureRequest) -> AsyncIterator[object]:
    """A fresh page (own storage, downloads accepted) that fails the test on any script error,
    and leaves a screenshot of how it ended in .var/log/tests/screenshots/."""
    context = await browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            await page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
        finally:
            await context.close()
