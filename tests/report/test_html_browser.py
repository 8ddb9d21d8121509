"""The report in a real headless browser: the figures load, the tables have rows, the page is not blank.

Uses the system's Chromium and chromedriver (Debian: ``apt-get install chromium
chromium-driver``; ``.ci/run`` installs them), driven by Selenium pointed at both binaries so
that nothing is downloaded. Without them the test is skipped, saying why, except in CI (the
``CI`` variable set), where it fails.
"""

import io
import os
import shutil

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario

import sim
from sim.report import write_results
from sim.report.html import write_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--window-size=1100,900", "--hide-scrollbars", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps")


def _missing_or_skip(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser test (.ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium driven by the system chromedriver, never by Selenium Manager."""
    chromium = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        _missing_or_skip("no system Chromium and chromedriver (apt-get install chromium "
                         "chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing_or_skip("selenium is not installed (pip install -e '.[dev]')")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run = sim.run(small_scenario(), replications=2, workers=1)
    folder = write_results(run, tmp_path_factory.mktemp("results") / "small")
    return write_report(folder)


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)


def test_report_renders_in_a_headless_browser(browser, report, tmp_path):
    browser.get(report.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    assert browser.title.startswith("zappos_vs_competitor")

    images = browser.execute_script(
        "return Array.from(document.images).map(i => "
        "[i.complete, i.naturalWidth, i.getBoundingClientRect().width])"
    )
    assert len(images) == 2
    for complete, natural_width, shown_width in images:
        assert complete and natural_width > 0 and shown_width > 500

    rows = browser.execute_script(
        "return Object.fromEntries(Array.from(document.querySelectorAll('table[class]'))"
        ".map(t => [t.className, [t.querySelectorAll('tbody tr').length, t.offsetHeight]]))"
    )
    for name in ("summary", "differences", "settings", "items", "manifest", "versions"):
        count, height = rows[name]
        assert count > 0 and height > 0, name
    assert rows["summary"][0] == pd.read_csv(report.parent / "summary.csv")["metric"].nunique()

    screenshot = tmp_path / "report.png"
    assert browser.save_screenshot(str(screenshot))
    page = _pixels(screenshot.read_bytes())
    assert page.shape[1] >= 1000
    assert page.std() > 10, "the screenshot is blank"

    figure = browser.find_element("css selector", "figure img")
    browser.execute_script("arguments[0].scrollIntoView()", figure)
    plot = _pixels(figure.screenshot_as_png)
    assert plot.std() > 10, "the comparison figure did not render"

