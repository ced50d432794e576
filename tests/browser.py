"""A real browser for the tests: Debian's chromium driven through its chromium-driver, and axe-core.

Nothing is downloaded: the browser and driver are the system packages
``make test`` installs, axe-core is the npm package it fetches into
``.cache/axe-core`` (see the Makefile).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = ROOT / ".cache" / "axe-core" / "package" / "axe.min.js"
SERIOUS = ("serious", "critical")


def chromium(width: int = 1280, height: int = 900):
    """Return a headless Chromium WebDriver (the caller quits it; quitting removes every file it made).

    Chromium makes its profile and its ``org.chromium.Chromium.*`` singleton
    folders in the temporary folder and leaves some of them behind: here the
    temporary folder is one of its own, removed when the driver quits.
    """
    import os
    import shutil
    import tempfile

    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        pytest.fail("chromium and chromium-driver are not installed; run make test (or: sudo apt-get install chromium chromium-driver).")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(argument)
    own = tempfile.mkdtemp(prefix="policybrief-chromium-")
    options.add_argument(f"--user-data-dir={own}/profile")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env={**os.environ, "TMPDIR": own}), options=options)
    driver.set_script_timeout(60)
    quit_driver = driver.quit

    def quit_and_clean() -> None:
        try:
            quit_driver()
        finally:
            shutil.rmtree(own, ignore_errors=True)

    driver.quit = quit_and_clean
    driver.temporary_folder = Path(own)
    return driver


def phone(driver, width: int = 360, height: int = 740) -> None:
    """Make ``driver``'s viewport a phone's (``width`` CSS px, touch, no desktop minimum)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})


def axe_violations(driver, impacts: tuple[str, ...] = SERIOUS) -> list[str]:
    """Return the axe-core violations of the current page with one of ``impacts``, one line each."""
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing; run make test (it fetches axe-core 4 from npm).")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations'], iframes: false}).then(done, (e) => done({error: String(e)}));")
    assert "error" not in result, result
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in impacts]
