#!/usr/bin/env python3
"""A crosstalk worker for httpx: one shared httpx.Client, its calls made from a thread pool.

    npx crosstalk verify --exec "/usr/bin/python3 examples/python/httpx_worker.py"

The Client's pool is bounded to crosstalk's --connections (httpx.Limits(max_connections=N,
max_keepalive_connections=N)); a call that finds every connection busy waits for one (up to the client's timeout).
"""
from crosstalk_worker import Reply, python_description, require, serve_threads

httpx = require("httpx", "python3-httpx")


class SharedClient:
    def __init__(self, hello):
        self.hello = hello
        limits = httpx.Limits(max_connections=hello.connections, max_keepalive_connections=hello.connections)
        # verify= the mock's CA: verification stays on.
        self.client = httpx.Client(verify=hello.ca_file, limits=limits, timeout=hello.timeout_s)
        self.traits = {"maxSockets": hello.connections, "pipelining": 1, "reuses": True, "retriesIdempotent": False}

    def run(self, op):
        auth = (op.username, op.password)
        url = op.url(self.hello.origin)
        if op.kind == "get":
            response = self.client.get(url, params=op.query(), auth=auth, headers=op.headers())
        else:
            response = self.client.post(url, json=op.json_body(), auth=auth, headers=op.headers())
        return Reply(response.status_code, response.headers.get("X-Couch-Request-ID"), response.content)

    def close(self):
        self.client.close()


if __name__ == "__main__":
    serve_threads(SharedClient, lambda: f"httpx {httpx.__version__}, {python_description()}")
