"""Browser tests: Playwright for Python driving Debian's chromium (installed by `make test`)."""

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture
def browser_page(django_db_serialized_rollback, live_server, monkeypatch):
    """A fresh headless chromium page, and the live server's URL. Dialogs (alert, confirm) are
    recorded in `page.dialogs` and dismissed, so a test can assert that no script ever ran. Anything
    the Content-Security-Policy blocked fails the test (`page.csp_violations`): a blocked script is a
    page that looks right and does nothing.

    The live server needs committed data; serialized rollback keeps what migrations seeded (roles,
    taxonomy) across the flushes between such tests."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make test installs it with apt-get)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes between
    # browser steps are ordinary blocking calls, which Django would otherwise refuse here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.dialogs = []

        def record(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", record)
        page.csp_violations = []
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and page.csp_violations.append(message.text)
            ),
        )
        page.set_default_timeout(30_000)
        yield page, live_server.url
        browser.close()
        assert page.csp_violations == []


def log_in(page, base_url: str, username: str, password: str = "pw") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/queue/")


def screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(autouse=True)
def _no_proxy_for_localhost(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    os.environ.pop("HTTP_PROXY", None)
