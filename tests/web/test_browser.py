"""The dashboard in Debian's Chromium (selenium + Debian's chromium-driver; never a downloaded browser).

An operator signs in, filters devices, opens one, annotates it, sees the change in the log, exports the
filtered CSV, imports a register spreadsheet and signs out; a viewer gets no form; a page without a session
goes to the login; the lab's `<script>` model shows as text. Screenshots go to $CAMAUDIT_SCREENSHOTS (else
the test's temporary folder).
"""

from __future__ import annotations

import csv
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.web.conftest import HOSTILE, PASSWORD
from tests.web.serving import free_port, serving

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CAMAUDIT_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (make deps)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"):  # fmt: skip
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(tmp_path / "downloads"), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _sign_in(driver: object, url: str, name: str, go: bool = True) -> None:
    if go:
        driver.get(f"{url}/login")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "name").send_keys(name)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    _navigate(driver, driver.find_element(By.ID, "signin"))  # type: ignore[attr-defined]


def _navigate(driver: object, element: object) -> None:
    """Click what loads a new page and wait until the old page is gone: a click returns before the next
    page has loaded, and reading the old one then fails at random (argon2 alone takes a while)."""
    old = driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    element.click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(old))  # type: ignore[arg-type]


def _no_alert(driver: object) -> bool:
    try:
        driver.switch_to.alert  # type: ignore[attr-defined]  # noqa: B018
    except NoAlertPresentException:
        return True
    return False


def _wait_for(path: Path, seconds: float = 30) -> list[Path]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [p for p in path.glob("*.csv")] if path.exists() else []
        if done:
            return done
        time.sleep(0.1)
    return []


def test_an_operator_and_a_viewer_in_chromium(
    app: object, browser: object, shots: Path, tmp_path: Path
) -> None:
    d = browser
    with serving(app, free_port()) as url:
        d.get(f"{url}/devices")  # type: ignore[attr-defined]
        assert d.current_url.startswith(f"{url}/login?next=")  # type: ignore[attr-defined]
        d.save_screenshot(str(shots / "01-login.png"))  # type: ignore[attr-defined]
        _sign_in(d, url, "operator", go=False)  # on the page the redirect showed: back to /devices
        assert d.current_url == f"{url}/devices"  # type: ignore[attr-defined]
        d.get(f"{url}/")  # type: ignore[attr-defined]
        d.save_screenshot(str(shots / "02-overview.png"))  # type: ignore[attr-defined]
        d.get(f"{url}/devices")  # type: ignore[attr-defined]
        Select(d.find_element(By.ID, "f-maker")).select_by_value("dahua")  # type: ignore[attr-defined]
        _navigate(d, d.find_element(By.ID, "apply"))  # type: ignore[attr-defined]
        rows = d.find_elements(By.CSS_SELECTOR, "#device-table tr")[1:]  # type: ignore[attr-defined]
        assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == ["127.0.0.2"]
        d.save_screenshot(str(shots / "03-devices-filtered.png"))  # type: ignore[attr-defined]
        d.find_element(By.ID, "export").click()  # type: ignore[attr-defined]
        [exported] = _wait_for(tmp_path / "downloads")
        with exported.open(encoding="utf-8") as stream:
            assert [r["ip"] for r in csv.DictReader(stream)] == ["127.0.0.2"]
        _navigate(d, rows[0].find_element(By.TAG_NAME, "a"))
        owner = d.find_element(By.ID, "owner")  # type: ignore[attr-defined]
        owner.clear()
        owner.send_keys("Facilities <b>team</b>")
        Select(d.find_element(By.ID, "status")).select_by_value("to_replace")  # type: ignore[attr-defined]
        _navigate(d, d.find_element(By.ID, "save"))  # type: ignore[attr-defined]
        assert d.find_element(By.ID, "a-owner").text == "Facilities <b>team</b>"  # type: ignore[attr-defined]
        log = d.find_element(By.ID, "changes").text  # type: ignore[attr-defined]
        assert "operator owner - Facilities <b>team</b>" in log and "in_service to_replace" in log
        d.save_screenshot(str(shots / "04-device-annotated.png"))  # type: ignore[attr-defined]
        sheet = tmp_path / "register.csv"
        sheet.write_text("ip,site,due\n127.0.0.1,HQ,2027-03-31\n10.0.0.9,Depot,\n127.0.0.3,,soon\n")
        d.get(f"{url}/register/import")  # type: ignore[attr-defined]
        d.find_element(By.ID, "import-file").send_keys(str(sheet))  # type: ignore[attr-defined]
        _navigate(d, d.find_element(By.CSS_SELECTOR, "#import button"))  # type: ignore[attr-defined]
        result = d.find_element(By.ID, "import-result").text  # type: ignore[attr-defined]
        assert result == "1 added, 1 updated, 0 unchanged, 1 rejected"
        assert "4" in d.find_element(By.ID, "rejected").text  # type: ignore[attr-defined]
        d.save_screenshot(str(shots / "04b-register-imported.png"))  # type: ignore[attr-defined]
        d.get(f"{url}/devices/3")  # type: ignore[attr-defined]
        assert d.find_element(By.ID, "model").text == HOSTILE and _no_alert(d)  # type: ignore[attr-defined]
        d.save_screenshot(str(shots / "05-hostile-device.png"))  # type: ignore[attr-defined]
        _navigate(d, d.find_element(By.ID, "logout"))  # type: ignore[attr-defined]
        d.get(f"{url}/devices")  # type: ignore[attr-defined]
        assert "/login" in d.current_url  # type: ignore[attr-defined]
        _sign_in(d, url, "viewer")
        d.get(f"{url}/devices/2")  # type: ignore[attr-defined]
        assert not d.find_elements(By.ID, "annotate") and not d.find_elements(By.ID, "changes")  # type: ignore[attr-defined]
        d.save_screenshot(str(shots / "06-viewer-device.png"))  # type: ignore[attr-defined]
