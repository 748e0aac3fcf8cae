#!/usr/bin/env python3
"""The seed's app end to end: crosstalk's callers are HTTP clients of the app under gunicorn, and the app's one
shared requests Session is the client under test.

    npx crosstalk verify --exec "/usr/bin/python3 examples/python/gunicorn_worker.py" --runs 30

For every session (every crosstalk run) the worker starts `python -m gunicorn --threads 8 seed_app:app` on a
loopback port of its own (127.0.0.1, ephemeral), with the mock's origin and CA in the app's environment. Each
operation is one plain-HTTP request to the app with the caller's credentials and request id; the app makes the
Cloudant call through its module-level Session and returns Cloudant's status, body and echoed request id. crosstalk
checks both ends: what each HTTP caller got against what the mock sent for that request id, and the sockets,
handshakes and pool bound of the app's Session at the mock. Close stops gunicorn (a quick shutdown, SIGINT).

The declared socket bound is gunicorn's thread count: with pool_block=False, pool_maxsize (100) is not a bound,
and each of the 8 threads holds one connection at a time. Run it with Debian's /usr/bin/python3, which has gunicorn.
"""
import base64
import ctypes
import http.client
import os
import signal
import socket
import subprocess
import sys
import time

from crosstalk_worker import Reply, python_description, require, serve_threads

gunicorn = require("gunicorn", "gunicorn")
requests = require("requests", "python3-requests")

HERE = os.path.dirname(os.path.abspath(__file__))
THREADS = 8
START_BOUND_S = 10


def stop_with_parent():
    """In gunicorn's process before it starts: Linux stops it (quick shutdown) if this worker dies, even by
    SIGKILL, so that no server outlives crosstalk."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGINT)


class UpstreamError(Exception):
    """The app got no answer from Cloudant: the call failed, whatever status the app gave it."""


class GunicornApp:
    def __init__(self, hello):
        self.hello = hello
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        environment = {
            **os.environ,
            "CLOUDANT_URL": hello.origin,
            "CLOUDANT_CA_FILE": hello.ca_file,
            "CLOUDANT_TIMEOUT_S": str(hello.timeout_s),
        }
        command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", str(THREADS),
                   "--bind", f"fd://{self.listener.fileno()}", "--chdir", HERE, "--graceful-timeout", "1",
                   "--log-level", "warning", "seed_app:app"]
        # gunicorn's own log goes to this worker's stderr, which crosstalk keeps for its diagnoses.
        self.gunicorn = subprocess.Popen(command, env=environment, pass_fds=[self.listener.fileno()],
                                         stdin=subprocess.DEVNULL, stdout=sys.stderr, preexec_fn=stop_with_parent)
        self.wait_until_serving()
        self.traits = {"maxSockets": THREADS, "pipelining": 1, "reuses": True, "retriesIdempotent": False}

    def wait_until_serving(self):
        deadline = time.monotonic() + START_BOUND_S
        while True:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.gunicorn.returncode} before serving")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not serve within {START_BOUND_S} s")
                time.sleep(0.02)

    def run(self, op):
        token = base64.b64encode(f"{op.username}:{op.password}".encode()).decode()
        headers = {**op.headers(), "Authorization": f"Basic {token}"}
        method, path, body = op.method, op.path, op.body
        if body is not None:
            headers["Content-Type"] = "application/json"
        # One connection per call, as a browser or a load balancer would open: only the app's Session is measured.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.hello.timeout_s + 1)
        try:
            connection.request(method, path, body=body.encode() if body is not None else None, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        if response.getheader("X-Upstream-Error") == "1":
            raise UpstreamError(content.decode("utf-8", "replace"))
        return Reply(response.status, response.getheader("X-Couch-Request-ID"), content)

    def close(self):
        self.gunicorn.send_signal(signal.SIGINT)
        try:
            self.gunicorn.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.gunicorn.kill()
            self.gunicorn.wait()
        self.listener.close()


if __name__ == "__main__":
    describe = lambda: (  # noqa: E731
        f"seed_app under gunicorn {gunicorn.__version__} --threads {THREADS}, requests {requests.__version__}, "
        f"{python_description()}"
    )
    serve_threads(GunicornApp, describe)
