"""Scripted browser for the development identity provider, used by the benchmarks.

    python3 bench/signin_client.py cookie BASE          prints a signed-in session cookie (name=value)
    python3 bench/signin_client.py signins BASE SECONDS THREADS
                                                        full sign-ins per second, printed as JSON

A full sign-in is what a browser does: GET /login, GET the authorize page, POST the user
choice, GET the callback (which redeems the code at the token endpoint), GET the signed-in
home page. Standard library only, one keep-alive connection per thread.
"""
import html
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse


class Browser:
    def __init__(self, base):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies = {}

    def request(self, method, url, body=None):
        parts = urllib.parse.urlsplit(url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val and "Max-Age=0" not in value:
                    self.cookies[key] = val
                else:
                    self.cookies.pop(key, None)
        return response.status, response.getheader("Location"), text

    def sign_in(self, user="adele"):
        status, location, page = self.request("GET", "/login")
        if status != 200:
            raise RuntimeError(f"/login answered {status}")
        authorize = html.unescape(re.search(r'href="([^"]*/oauth2/v2\.0/authorize[^"]*)"', page).group(1))
        status, _, form_page = self.request("GET", authorize)
        action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', form_page).group(1))
        fields = [(n, html.unescape(v)) for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', form_page)]
        status, callback, _ = self.request("POST", action, urllib.parse.urlencode(fields + [("user", user)]))
        if status != 302 or "code=" not in (callback or ""):
            raise RuntimeError(f"authorize answered {status} {callback}")
        status, landing, _ = self.request("GET", callback)
        if status != 302:
            raise RuntimeError(f"callback answered {status}")
        status, _, home = self.request("GET", landing)
        if status != 200 or "Welcome" not in home:
            raise RuntimeError(f"signed-in page answered {status}")


def cookie(base):
    browser = Browser(base)
    browser.sign_in()
    name, value = next(iter(browser.cookies.items()))
    print(f"{name}={value}")


def signins(base, seconds, threads):
    done, failed = [0], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            try:
                Browser(base).sign_in()
                with lock:
                    done[0] += 1
            except Exception:
                with lock:
                    failed[0] += 1

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    print(json.dumps({"signins": done[0], "failed": failed[0], "seconds": round(elapsed, 2),
                      "per_second": round(done[0] / elapsed, 1)}))


if __name__ == "__main__":
    if sys.argv[1] == "cookie":
        cookie(sys.argv[2])
    elif sys.argv[1] == "signins":
        signins(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
