"""Two instances of the real binary sharing one redis-server (started by the test, see
redis_server.py), with `oidc-provider-mock` as their provider: one instance is killed with
SIGKILL in the middle of requests while the other keeps serving the same user, whose
session is whole afterwards. (The in-process tests in Tests/AppTests/RedisEndToEndTests
cover sign-in across instances, the shared refresh, sign-out and Redis outages.)
"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from oidc_mock import running_provider
from outbound_support import send_json
from test_oidc_provider_mock import ALICE, CLIENT_ID, SECRET, Browser, sign_in

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class HeldGraph:
    """A Graph endpoint that holds every request until released: an instance calling it is
    in the middle of a request for as long as the test wants."""

    def __init__(self):
        self.arrived = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.arrived.set()
                outer.release.wait(30)
                send_json(self, {"displayName": "Held"})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1.0/me"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


def test_kill_9_of_one_instance_mid_request_tears_no_session(start_app, redis_server):
    held = HeldGraph()
    try:
        with running_provider(users=[ALICE]) as provider:
            shared = {"CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": SECRET, "OIDC_AUTHORITY": provider.issuer, "SCOPE": "email",
                      "TOKEN_AUTH_METHOD": "client_secret_basic", "SESSION_STORE": redis_server.url,
                      "REDIS_PASSWORD": redis_server.password, "SESSION_SECRET": "5e" * 32}
            doomed = start_app(env={**shared, "GRAPH_ENDPOINT": held.url})
            survivor = start_app(env={**shared, "GRAPH_ENDPOINT": provider.userinfo_endpoint})
            provider.register_client(CLIENT_ID, SECRET, [doomed.base + "/getAToken", survivor.base + "/getAToken"],
                                     "client_secret_basic")
            browser = Browser()
            _, _, answer = sign_in(browser, doomed, provider)
            assert answer.status_code == 302, answer.text
            cookies = {"session": browser.cookies["session"]}
            assert "Welcome, Alice Example" in requests.get(survivor.base + "/", cookies=cookies, timeout=10).text

            # The survivor serves the same user without pause while the other one dies.
            statuses, stop = [], threading.Event()

            def keep_asking():
                with requests.Session() as client:
                    while not stop.is_set():
                        statuses.append(client.get(survivor.base + "/", cookies=cookies, timeout=10).status_code)
            asker = threading.Thread(target=keep_asking)
            asker.start()

            # The doomed instance is mid-request: /graph waits on Graph (the session read,
            # the token checked or refreshed), and more requests for the session are in flight.
            def request(path):
                try:
                    requests.get(doomed.base + path, cookies=cookies, timeout=30)
                except requests.RequestException:
                    pass  # the connection dies with the process
            in_flight = [threading.Thread(target=request, args=(path,)) for path in ["/graph", "/", "/admin", "/"]]
            for thread in in_flight:
                thread.start()
            assert held.arrived.wait(20), "the Graph call never started"
            doomed.process.kill()
            assert doomed.process.wait(timeout=10) == -9
            held.release.set()
            for thread in in_flight:
                thread.join(timeout=30)
            stop.set()
            asker.join(timeout=30)

            assert statuses and set(statuses) == {200}, statuses
            home = requests.get(survivor.base + "/", cookies=cookies, timeout=10)
            assert "Welcome, Alice Example" in home.text
            graph = requests.get(survivor.base + "/graph", cookies=cookies, timeout=20)
            assert graph.status_code == 200 and "alice@example.org" in graph.text, graph.text[:500]
            keys = redis_server.command("KEYS", "entra-web:*")
            sessions = [key for key in keys if key.endswith(b":session")]
            assert len(sessions) == 1, keys  # the signed-in one; the pre-sign-in one was rotated away
            assert "e2e-redis-password" not in survivor.log
    finally:
        held.close()
