#!/usr/bin/env python3
"""A crosstalk worker for python-requests, its calls made from a thread pool as gunicorn's threads make them.

    npx crosstalk verify --exec "python3 examples/python/requests_worker.py --mode shared"

--mode shared                  one Session with HTTPAdapter(pool_connections=10, pool_maxsize=100), shared by every
                               thread: python-cloudant's Account, the configuration crosstalk's question began with
--mode per-call                a new Session for every call, closed after it
--mode small-pool-nonblocking  one shared Session, pool_maxsize = crosstalk's --connections (fewer than the
                               threads), pool_block=False: urllib3's default
--mode small-pool-blocking     the same with pool_block=True

What the worker declares (its traits) is what urllib3 promises. With pool_block=True, pool_maxsize is a bound on
connections. With pool_block=False it is only how many idle connections are kept: a thread that finds none makes a
new one, and one returned to a full pool is closed ("Connection pool is full, discarding connection"). So the
bound declared is the thread count (a thread holds one connection at a time); --trust-maxsize declares pool_maxsize
instead, the reading of it urllib3 does not keep.
"""
import argparse

from crosstalk_worker import Reply, python_description, require, serve_threads

requests = require("requests", "python3-requests")
urllib3 = require("urllib3", "python3-urllib3")
from requests.adapters import HTTPAdapter  # noqa: E402  (after the import that says what is missing)

MODES = ("shared", "per-call", "small-pool-nonblocking", "small-pool-blocking")


def call(session, hello, op):
    options = {
        "auth": (op.username, op.password),
        "headers": op.headers(),
        "timeout": hello.timeout_s,
        # Per request as well as on the Session: REQUESTS_CA_BUNDLE in the environment overrides Session.verify
        # (requests #3829). Verification stays on, against the mock's CA.
        "verify": hello.ca_file,
    }
    if op.kind == "get":
        response = session.get(op.url(hello.origin), params=op.query(), **options)
    else:
        response = session.post(op.url(hello.origin), json=op.json_body(), **options)
    return Reply(response.status_code, response.headers.get("X-Couch-Request-ID"), response.content)


class SharedSession:
    def __init__(self, hello, pool_maxsize, pool_block, declared_bound):
        self.hello = hello
        self.session = requests.Session()
        self.session.mount("https://", HTTPAdapter(pool_connections=10, pool_maxsize=pool_maxsize, pool_block=pool_block))
        self.session.verify = hello.ca_file
        self.traits = {"maxSockets": declared_bound, "pipelining": 1, "reuses": True, "retriesIdempotent": False}

    def run(self, op):
        return call(self.session, self.hello, op)

    def close(self):
        self.session.close()


class SessionPerCall:
    traits = {"maxSockets": None, "pipelining": 1, "reuses": False, "retriesIdempotent": False}

    def __init__(self, hello):
        self.hello = hello

    def run(self, op):
        with requests.Session() as session:
            return call(session, self.hello, op)

    def close(self):
        pass


def opener(mode, trust_maxsize):
    def open_client(hello):
        if mode == "per-call":
            return SessionPerCall(hello)
        if mode == "shared":
            return SharedSession(hello, 100, False, hello.threads)
        blocking = mode == "small-pool-blocking"
        bound = hello.connections if blocking or trust_maxsize else hello.threads
        return SharedSession(hello, hello.connections, blocking, bound)

    return open_client


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=MODES, default="shared")
    parser.add_argument("--trust-maxsize", action="store_true", help="declare pool_maxsize as the socket bound")
    args = parser.parse_args()
    describe = lambda: (  # noqa: E731
        f"requests {requests.__version__}, urllib3 {urllib3.__version__}, {python_description()}, --mode {args.mode}"
    )
    serve_threads(opener(args.mode, args.trust_maxsize), describe)


if __name__ == "__main__":
    main()
