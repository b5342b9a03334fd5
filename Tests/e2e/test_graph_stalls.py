"""Graph stopping in the middle of a kept-alive connection, with the real binary and
oidc-provider-mock: /graph's usual case waits for Graph on the event loop, so while that
call hangs the server answers everything else at once; the call ends at the outbound
timeout (15 s) with the "could not be reached" page, and the next /graph connects afresh.
"""
import threading
import time
from http.server import ThreadingHTTPServer

import pytest
import requests

from oidc_mock import running_provider
from outbound_support import KeepAliveProfile
from test_oidc_provider_mock import ALICE, Browser, graph_rows, sign_in, start

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class StallingGraph:
    """Graph's /me over HTTP/1.1 keep-alive; while `stall` is set it reads a request and
    never answers it, keeping the connection open (a Graph front end that has hung)."""

    def __init__(self):
        self.stall = threading.Event()
        self.stalled = threading.Event()
        self.done = threading.Event()
        self.connections = 0
        outer = self

        class Handler(KeepAliveProfile):
            profile = {"displayName": "Alice Example", "mail": "alice@example.org"}

            def setup(self):
                super().setup()
                outer.connections += 1

            def do_GET(self):
                if not outer.stall.is_set():
                    super().do_GET()
                    return
                outer.stalled.set()
                outer.done.wait(60)
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1.0/me"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.done.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_graph_that_stops_answering_holds_up_nothing_else(start_app):
    graph = StallingGraph()
    try:
        with running_provider(users=[ALICE]) as provider:
            app = start(start_app, provider, TOKEN_AUTH_METHOD="client_secret_basic", GRAPH_ENDPOINT=graph.url)
            browser = Browser()
            _, _, answer = sign_in(browser, app, provider)
            assert answer.status_code == 302, f"{answer.text}\n{app.log}"
            for _ in range(2):  # the first opens the kept-alive connection, the second reuses it
                profile = browser.get(app.base + "/graph")
                assert profile.status_code == 200, f"{profile.text}\n{app.log}"
                assert graph_rows(profile.text).get("Mail") == "alice@example.org"
            assert graph.connections == 1
            cookies = {"session": browser.cookies["session"]}

            graph.stall.set()
            result = {}

            def stalled_call():
                started = time.monotonic()
                result["page"] = requests.get(app.base + "/graph", cookies=cookies, timeout=60)
                result["seconds"] = time.monotonic() - started
            caller = threading.Thread(target=stalled_call)
            caller.start()
            assert graph.stalled.wait(10), "the call never reached Graph"
            # Meanwhile everything else is answered at once, the same user's pages included.
            with requests.Session() as other:
                for _ in range(20):
                    assert other.get(app.base + "/healthz", timeout=2).status_code == 200
                    home = other.get(app.base + "/", cookies=cookies, timeout=2)
                    assert "Welcome, Alice Example" in home.text
            assert caller.is_alive(), "the stalled call must still be waiting"
            caller.join(40)

            page = result["page"]
            assert page.status_code == 502, page.text
            assert "The profile endpoint could not be reached" in page.text
            assert 14 <= result["seconds"] < 30, result["seconds"]
            assert "Graph call failed" in app.log and "timedOut" in app.log

            # The hung connection was given up: the next call connects afresh and works.
            graph.stall.clear()
            profile = browser.get(app.base + "/graph")
            assert profile.status_code == 200, f"{profile.text}\n{app.log}"
            assert graph.connections == 2
            assert cookies["session"] not in app.log
    finally:
        graph.close()
