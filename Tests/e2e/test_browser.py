"""A real browser against the real binary: headless Chromium (Debian's `chromium` and
`chromedriver`, driven by selenium) signs in through the development identity provider.

In one browser session it checks that:
- `/` signed out -> one click on Sign in -> the provider's page (`/login` only redirects: the
  browser's network log shows one navigation, redirected once, and no page of ours between)
  -> Adele (admin) -> back on `/` signed in; `/graph` shows her profile and `/admin` her claims;
- the `session` cookie is HttpOnly and SameSite=Lax: `get_cookies()` lists it, but
  `document.cookie` does not show it;
- Sign out (the home page's button, a same-origin POST with the session's token) lands on
  `/` signed out with the cookie gone; a signed-out visit to `/admin` goes straight to the
  provider; signing in as Alex (no admin role) there comes back to `/admin`, which answers
  with the 403 page;
- a script's fetch() of `/graph` signed out gets 401 JSON with a `WWW-Authenticate` challenge,
  and Alex's fetch() of `/admin` gets 403 JSON;
- no page logs a Content-Security-Policy violation or an error about the app's origin
  (and that this console check does catch an inline script).

Every page is saved as a PNG under `screenshots/` at the repository root (git-ignored), or
under $SCREENSHOT_DIR. A step that does not show what it should fails with the page's text
(and leaves `failed-<step>.png`).
"""
import json
import os
import pathlib
import tempfile

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOT_DIR = pathlib.Path(os.environ.get("SCREENSHOT_DIR", ROOT / "screenshots"))
TIMEOUT = 30  # seconds; generous, for a loaded 2-core CI machine
WIDTH, HEIGHT = 1280, 900


@pytest.fixture
def driver():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: `make test` installs chromium and chromium-driver")
    with tempfile.TemporaryDirectory(prefix="entra-web-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                         f"--window-size={WIDTH},{HEIGHT}", "--disable-background-networking", "--no-first-run"):
            options.add_argument(argument)
        # "performance": the DevTools network events, to count the navigations a click makes.
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        # An explicit driver path: selenium-manager never runs, so nothing is downloaded.
        browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        try:
            browser.set_page_load_timeout(TIMEOUT)
            yield browser
        finally:
            browser.quit()


class Walk:
    """The steps of one browser session: wait for a page, screenshot it, check its console."""

    def __init__(self, driver, base):
        self.driver, self.base, self.count = driver, base, 0
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def page(self, step, *texts, status=None):
        """Waits for `texts`, saves a screenshot, and checks the console; an error status of the
        page itself (`status`) is logged by Chromium as a failed load, and must be."""
        for text in texts:
            expect_text(self.driver, text, step)
        self.screenshot(step)
        problems = console_problems(self.driver, self.base)
        if status:
            expected = [problem for problem in problems
                        if problem.startswith(self.driver.current_url + " ") and f"status of {status} " in problem]
            assert expected, f"{step}: no {status} status logged for {self.driver.current_url}: {problems}"
            problems = [problem for problem in problems if problem not in expected]
        assert not problems, f"{step}: the browser console reports:\n" + "\n".join(problems)

    def screenshot(self, step):
        """The whole page: the window grows to the page's height first."""
        height = self.driver.execute_script(
            "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight")
        self.driver.set_window_size(WIDTH, max(HEIGHT, min(height, 4000)))
        self.count += 1
        self.driver.save_screenshot(str(SCREENSHOT_DIR / f"{self.count:02d}-{step}.png"))
        self.driver.set_window_size(WIDTH, HEIGHT)

    def click(self, css):
        # The element may be replaced by a navigation between finding and clicking it.
        WebDriverWait(self.driver, TIMEOUT, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: d.find_element(By.CSS_SELECTOR, css).click() or True)

    def open(self, path):
        self.driver.get(self.base + path)


def expect_text(driver, text, step):
    """Waits until the page shows `text`; fails with the page's visible text if it never does."""
    try:
        # While a navigation is under way the body read a moment ago may already be gone.
        WebDriverWait(driver, TIMEOUT, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: text in d.find_element(By.TAG_NAME, "body").text)
    except TimeoutException:
        try:
            body = driver.find_element(By.TAG_NAME, "body").text
        except Exception as error:  # the page may be gone or half-loaded
            body = f"(no body: {error})"
        driver.save_screenshot(str(SCREENSHOT_DIR / f"failed-{step}.png"))
        pytest.fail(f"{step}: expected {text!r} on {driver.current_url}; the page shows:\n{body}", pytrace=False)


def console_problems(driver, base):
    """SEVERE console entries that are CSP violations or about the app's own origin."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and ("Content Security Policy" in entry["message"] or base in entry["message"])]


def document_requests(driver):
    """The documents the browser requested since the last call, from the DevTools network
    log: (url, status of the redirect that led to it, or None for a new navigation)."""
    documents = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent" and params.get("type") == "Document":
            redirect = params.get("redirectResponse")
            documents.append((params["request"]["url"], redirect["status"] if redirect else None))
    return documents


def fetch(driver, base, path):
    """The page's own fetch() of `path` (Sec-Fetch-Mode: cors): status, JSON body, challenge.
    Chromium logs the error status as a failed load; that line, and only that, is expected."""
    status, body, challenge = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(r => r.json().then(j => done([r.status, j, r.headers.get("WWW-Authenticate") || ""])))
            .catch(e => done([0, String(e), ""]));""", path)
    problems = console_problems(driver, base)
    assert all(p.startswith(f"{base}{path} ") and f"status of {status} " in p for p in problems), problems
    return status, body, challenge


def session_cookie(driver):
    return next((cookie for cookie in driver.get_cookies() if cookie["name"] == "session"), None)


def test_sign_in_graph_admin_sign_out_and_forbidden_in_a_real_browser(start_app, driver):
    app = start_app(args=["--dev-idp"])
    walk = Walk(driver, app.base)

    walk.open("/")
    walk.page("home-signed-out", "Entra Web", "Sign in")
    assert driver.find_element(By.CSS_SELECTOR, "header a[href='/login']").text == "Sign in", "the header's link too"
    document_requests(driver)  # forget the home page's own load
    walk.click("main a.button[href='/login']")
    walk.page("provider-pick-user", "Pick a demo user", "Adele Vance", "Alex Wilber")
    # One click, one navigation: /login answered with a redirect straight to the provider.
    documents = document_requests(driver)
    assert [status for _, status in documents] == [None, 302], documents
    assert documents[0][0] == app.base + "/login", documents
    assert documents[1][0].startswith(app.base + "/_dev/idp/") and "/oauth2/v2.0/authorize?" in documents[1][0], documents
    assert driver.execute_script("return performance.getEntriesByType('navigation')[0].redirectCount") == 1
    walk.click("button[name='user'][value='adele']")
    walk.page("home-adele", "Welcome, Adele Vance", "Call Microsoft Graph", "Admin")

    cookie = session_cookie(driver)
    assert cookie, f"no session cookie after sign-in: {driver.get_cookies()}"
    assert not any(c["name"] == "signin" for c in driver.get_cookies()), "the finished sign-in's cookie is gone"
    assert cookie["httpOnly"] is True and cookie.get("sameSite") == "Lax", cookie
    visible = driver.execute_script("return document.cookie")
    assert cookie["value"] not in visible and "session=" not in visible, f"document.cookie shows {visible!r}"

    walk.click("a.button[href='/graph']")
    walk.page("graph-adele", "Your profile from Microsoft Graph", "Display name", "Adele Vance")
    walk.click("main a[href='/']")
    walk.click("a.button[href='/admin']")
    walk.page("admin-adele", "You hold the admin app role", "These are the claims of your ID token")
    walk.click("main a[href='/']")
    walk.click("main form[action='/logout'] button")
    walk.page("home-signed-out-again", "This app signs you in")
    assert session_cookie(driver) is None, f"session cookie left after sign-out: {driver.get_cookies()}"
    # A script's fetch() of a protected page gets a 401 it can act on, not a redirect.
    status, body, challenge = fetch(driver, app.base, "/graph")
    assert status == 401 and body == {"error": "unauthenticated", "login": "/login?next=%2Fgraph"}, (status, body)
    assert challenge.startswith("Cookie realm="), challenge

    document_requests(driver)
    walk.open("/admin")
    walk.page("provider-pick-user-again", "Pick a demo user")
    documents = document_requests(driver)
    assert [status for _, status in documents] == [None, 302], documents
    assert documents[0][0] == app.base + "/admin" and "/oauth2/v2.0/authorize?" in documents[1][0], documents
    walk.click("button[name='user'][value='alex']")
    walk.page("admin-forbidden-alex", "You can't open this page", "needs the admin app role", status=403)
    walk.click("main a[href='/']")
    walk.page("home-alex", "Welcome, Alex Wilber", "Call Microsoft Graph")
    assert not driver.find_elements(By.CSS_SELECTOR, "a[href='/admin']"), "Alex, not an admin, is offered the Admin link"
    status, body, _ = fetch(driver, app.base, "/admin")
    assert status == 403 and body == {"error": "forbidden", "missing_role": "admin"}, (status, body)

    # The console check is not vacuous: an inline script is blocked by the CSP and reported.
    driver.execute_script("const s = document.createElement('script'); s.textContent = 'void 0'; document.body.append(s)")
    reported = WebDriverWait(driver, TIMEOUT).until(lambda d: console_problems(d, app.base))
    assert "Content Security Policy" in reported[0], reported
