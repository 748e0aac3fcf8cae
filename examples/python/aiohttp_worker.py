#!/usr/bin/env python3
"""A crosstalk worker for aiohttp: one shared ClientSession, every call an asyncio task on one event loop.

    npx crosstalk verify --exec "/usr/bin/python3 examples/python/aiohttp_worker.py"

The session's connector is bounded to crosstalk's --connections (TCPConnector(limit=N)); an abort cancels the
call's task, which is how an asyncio application gives up on a request.
"""
import ssl

from crosstalk_worker import Reply, python_description, require, serve_asyncio

aiohttp = require("aiohttp", "python3-aiohttp")


class SharedSession:
    def __init__(self, hello):
        self.hello = hello
        # The mock's CA as the only trust anchor: verification stays on.
        context = ssl.create_default_context(cafile=hello.ca_file)
        connector = aiohttp.TCPConnector(limit=hello.connections, ssl=context)
        self.session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=hello.timeout_s))
        self.traits = {"maxSockets": hello.connections, "pipelining": 1, "reuses": True, "retriesIdempotent": False}

    async def run(self, op):
        auth = aiohttp.BasicAuth(op.username, op.password)
        url = op.url(self.hello.origin)
        if op.kind == "get":
            request = self.session.get(url, params=op.query(), auth=auth, headers=op.headers())
        else:
            request = self.session.post(url, json=op.json_body(), auth=auth, headers=op.headers())
        async with request as response:
            body = await response.read()
            return Reply(response.status, response.headers.get("X-Couch-Request-ID"), body)

    async def close(self):
        await self.session.close()


async def open_session(hello):
    # A ClientSession is made inside the running loop it will use.
    return SharedSession(hello)


if __name__ == "__main__":
    serve_asyncio(open_session, lambda: f"aiohttp {aiohttp.__version__}, {python_description()}")
