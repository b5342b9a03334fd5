#!/usr/bin/env python3
"""Scripted sign-ins against entra-web's development identity provider, for bench/soak.sh.

The same steps a browser takes: GET /login (a redirect to the provider, and the sealed
sign-in cookie) -> GET the provider's authorize page (a form) -> POST it with user=adele ->
GET /getAToken (the session is created, the sign-in cookie dropped) -> GET / (signed in).
Standard library only.

    signin.py PORT once N OUT          N sign-ins, one cookie per line in OUT (for wrk)
    signin.py PORT loop SECONDS C OUT  C concurrent loops for SECONDS; cookies appended to OUT
    signin.py PORT check IN            every cookie in IN must still be signed in
Prints one JSON line of counts; exits 1 when a sign-in or a check failed.
"""
import html
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
SIGNED_IN_MARK = "Adele Vance"  # the layout names the signed-in user
MAX_SIGN_INS = 1_000_000  # bounds the loop even if the clock misbehaves


class Failed(Exception):
    pass


class Client:
    """One keep-alive connection with a cookie jar (the session and the sign-in cookie)."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.jar = {}
        self.statuses = []

    @property
    def cookie(self):
        """The session cookie's value."""
        return self.jar.get("session")

    @cookie.setter
    def cookie(self, value):
        self.jar["session"] = value

    def request(self, method, url, body=None, headers=None):
        parts = urllib.parse.urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        headers = dict(headers or {})
        cookies = "; ".join(f"{name}={value}" for name, value in self.jar.items() if value)
        if cookies:
            headers["Cookie"] = cookies
        self.conn.request(method, target, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode(errors="replace")
        self.statuses.append(response.status)
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";")[0]
                cookie, _, content = pair.partition("=")
                self.jar[cookie] = None if "Max-Age=0" in value else (content or None)
        if response.will_close:
            self.conn.close()
        return response, text

    def close(self):
        self.conn.close()


def expect(response, status, step):
    if response.status != status:
        raise Failed(f"{step}: HTTP {response.status}")


def authorize_url(response, page):
    """Where /login sends the browser: its redirect, or (versions before one-click sign-in,
    measured for comparison) the sign-in button on its page."""
    if response.status == 302:
        url = response.getheader("Location") or ""
    else:
        expect(response, 200, "login")
        link = re.search(r'href="([^"]*/oauth2/v2\.0/authorize[^"]*)"', page)
        url = html.unescape(link.group(1)) if link else ""
    if "/oauth2/v2.0/authorize" not in url:
        raise Failed("login: no way to the authorize endpoint")
    return url


def sign_in(port, user="adele"):
    """Returns (session cookie, statuses seen)."""
    client = Client(port)
    try:
        response, page = client.request("GET", "/login")
        authorize = authorize_url(response, page)
        response, page = client.request("GET", authorize)
        expect(response, 200, "authorize page")
        action = re.search(r'<form method="post" action="([^"]*)"', page)
        fields = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)
        if not action:
            raise Failed("authorize page: no form")
        form = urllib.parse.urlencode([(n, html.unescape(v)) for n, v in fields] + [("user", user)])
        response, _ = client.request("POST", html.unescape(action.group(1)), form,
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        expect(response, 302, "authorize post")
        response, _ = client.request("GET", response.getheader("Location"))
        expect(response, 302, "callback")
        response, page = client.request("GET", response.getheader("Location"))
        expect(response, 200, "landing page")
        if SIGNED_IN_MARK not in page:
            raise Failed("landing page: not signed in")
        return client.cookie, client.statuses
    finally:
        client.close()


def is_signed_in(port, cookie):
    client = Client(port)
    client.cookie = cookie
    try:
        response, page = client.request("GET", "/")
        return response.status == 200 and SIGNED_IN_MARK in page
    finally:
        client.close()


def run_loops(port, seconds, concurrency, out_path):
    counts = {"sign_ins": 0, "failed": 0, "responses": 0, "5xx": 0, "errors": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop():
        for _ in range(MAX_SIGN_INS):
            if time.monotonic() >= deadline:
                return
            try:
                cookie, statuses = sign_in(port)
                with lock, open(out_path, "a") as out:
                    out.write(cookie + "\n")
                    counts["sign_ins"] += 1
                    counts["responses"] += len(statuses)
                    counts["5xx"] += sum(s >= 500 for s in statuses)
            except (Failed, OSError, http.client.HTTPException) as error:
                with lock:
                    counts["failed"] += 1
                    if len(counts["errors"]) < 5:
                        counts["errors"].append(f"{type(error).__name__}: {error}")
                    if "HTTP 5" in str(error):
                        counts["5xx"] += 1

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "once":
        count, out_path = int(sys.argv[3]), sys.argv[4]
        with open(out_path, "w") as out:
            for _ in range(count):
                out.write(sign_in(port)[0] + "\n")
        counts = {"sign_ins": count, "failed": 0}
    elif mode == "loop":
        counts = run_loops(port, float(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif mode == "check":
        cookies = [line.strip() for line in open(sys.argv[3]) if line.strip()]
        readable = sum(is_signed_in(port, cookie) for cookie in cookies)
        counts = {"sessions": len(cookies), "readable": readable, "failed": len(cookies) - readable}
    else:
        sys.exit(__doc__)
    print(json.dumps(counts), flush=True)
    sys.exit(1 if counts["failed"] else 0)


if __name__ == "__main__":
    main()
