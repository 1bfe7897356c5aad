"""Headless Chromium for the kennisbank: serve a built site on 127.0.0.1, open it with Debian's
`chromium` + `chromedriver` through Selenium, take screenshots and run axe-core in the page.

Used by tests/kennisbank/test_browser.py and by `bench/kennisbank_bench.py --screenshot`.
Nothing here downloads anything: Selenium gets explicit paths (so Selenium Manager never runs)
and axe-core comes from tests/kennisbank/node_modules (`npm ci --prefix tests/kennisbank`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def chromium_paths() -> tuple[str, str] | str:
    """(chromium, chromedriver) executables, or the reason why they cannot be used."""
    chromium = shutil.which(os.environ.get("SAMEN_CHROMIUM") or "chromium")
    driver = shutil.which(os.environ.get("SAMEN_CHROMEDRIVER") or "chromedriver")
    missing = [
        name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path
    ]
    if missing:
        return (
            f"{' and '.join(missing)} not found: install Debian's packages with "
            "`apt-get install -y chromium chromium-driver`"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: `.venv/bin/pip install -e '.[dev]'`"
    assert chromium and driver
    return chromium, driver


def axe_missing() -> str | None:
    """Why axe-core cannot be used, or None when it is installed."""
    if AXE.is_file():
        return None
    return f"axe-core not found at {AXE}: run `npm ci --prefix tests/kennisbank`"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve(directory: Path, prefix: str = "") -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) in a thread; yields the base URL.

    With `prefix` (such as 'kennisbank/') the site is served below that path, as on a host
    that publishes it in a sub-folder: links must be relative for it to work.
    """
    root = Path(directory)
    with tempfile.TemporaryDirectory() as holder:
        if prefix:
            mount = Path(holder, prefix.strip("/"))
            mount.parent.mkdir(parents=True, exist_ok=True)
            mount.symlink_to(root.resolve(), target_is_directory=True)
            root = Path(holder)
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield (
                f"http://127.0.0.1:{server.server_address[1]}/{prefix.strip('/')}".rstrip("/") + "/"
            )
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


@contextlib.contextmanager
def chromium(profile: Path, width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile in `profile`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = chromium_paths()
    if isinstance(paths, str):
        raise RuntimeError(paths)
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile.mkdir(parents=True, exist_ok=True)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=paths[1]))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(
    driver: Any, url: str, path: Path, *, width: int = 1280, max_height: int = 2200
) -> Path:
    """Save a PNG of the page at `url`, as tall as the page (up to `max_height` pixels)."""
    driver.set_window_size(width, 800)
    driver.get(url)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height), max_height))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"could not save a screenshot of {url}")
    return path


def run_axe(driver: Any, url: str) -> list[dict[str, Any]]:
    """axe-core's violations (WCAG 2.0/2.1 A and AA rules and best practices) for `url`."""
    driver.get(url)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {
            runOnly: {type: "tag", values: arguments[0]},
            resultTypes: ["violations"],
        }).then(r => done(r.violations)).catch(e => done({error: String(e)}));
        """,
        list(AXE_TAGS),
    )
    if isinstance(result, dict) and "error" in result:
        raise RuntimeError(f"axe-core failed on {url}: {result['error']}")
    return list(result)


def resources(driver: Any) -> list[str]:
    """Every URL the current page loaded (the document and its subresources)."""
    return list(
        driver.execute_script(
            "return [location.href].concat("
            "performance.getEntriesByType('resource').map(e => e.name));"
        )
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """axe-core violations in a few readable lines (rule, impact, first nodes)."""
    lines = []
    for violation in violations:
        targets = [node.get("target") for node in violation.get("nodes", [])[:3]]
        lines.append(
            f"{violation['id']} ({violation.get('impact')}): {violation['help']} {targets}"
        )
    return "\n".join(lines)
