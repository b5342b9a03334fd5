"""A stand-in for Microsoft Graph's /me in a process of its own, for benchmarks that must
count only the app's CPU: answers every GET with a profile like the development
provider's, over HTTP/1.1 keep-alive, on 127.0.0.1 and a port the OS picks, which it
prints on its first line. It checks nothing: the app's own token handling is measured
elsewhere. Usage: python3 bench/graph_stub.py"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROFILE = json.dumps({
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
    "businessPhones": [], "displayName": "Adele Vance", "givenName": "Adele", "surname": "Vance",
    "jobTitle": "Product Manager", "mail": "adele@dev.example", "mobilePhone": None,
    "officeLocation": "Development", "preferredLanguage": "en-US",
    "userPrincipalName": "adele@dev.example", "id": "00000000-0000-0000-0000-00000000ad01",
}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Head and body in one write, sent at once: written separately, Nagle's algorithm holds
    # the body until the client's delayed ACK of the head, 40 ms per call.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(PROFILE)))
        self.end_headers()
        self.wfile.write(PROFILE)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 drops the SYNs of the app's first connections when its
    # workers all connect at once, and each retry costs a second (the 1 s requests at p99).
    request_queue_size = 256


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
