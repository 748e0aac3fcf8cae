"""crosstalk's worker protocol, version 1, for Python workers (standard library only).

crosstalk writes one JSON message a line on the worker's stdin and reads one a line from its stdout; stderr is
free for logs. A worker module supplies only its client (how to open one from a hello, run one operation, close
it); this module speaks the protocol: sessions, operations run concurrently on one shared client (a thread pool,
or asyncio tasks), aborts, close, and exit at the end of stdin. The protocol is specified in crosstalk's README,
"Writing a worker in any language".
"""
import asyncio
import json
import os
import platform
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

PROTOCOL = 1

# CouchDB reads these query parameters as JSON; every other one is a plain string.
JSON_PARAMS = frozenset(["key", "keys", "startkey", "endkey", "start_key", "end_key"])


class Hello:
    """A session's options: the client to make for it."""

    def __init__(self, message):
        self.session = message["session"]
        self.origin = message["origin"]
        self.ca_file = message["caFile"]
        self.connections = message["connections"]
        self.timeout_s = message["timeoutMs"] / 1000
        # At least this many threads, so that every concurrent caller reaches the client at once.
        self.threads = max(1, message["callers"])


class Op:
    """One `_all_docs` operation, with the request id to send and echo."""

    def __init__(self, message):
        self.session = message["session"]
        self.id = message["id"]
        self.caller = message.get("caller")
        self.kind = message["kind"]
        self.db = message["db"]
        self.params = message["params"]
        self.username = message["credentials"]["username"]
        self.password = message["credentials"]["password"]
        # The same request on the wire's terms, already encoded by crosstalk: for workers that only forward it.
        self.method = message["method"]
        self.path = message["path"]
        self.body = message["body"]

    def url(self, origin):
        base = f"{origin}/{quote(self.db, safe='')}/_all_docs"
        return base + "/queries" if self.kind == "queries" else base

    def query(self):
        """GET's query parameters, in order, as (name, text) pairs."""
        return [
            (name, value if isinstance(value, str) and name not in JSON_PARAMS else compact_json(value))
            for name, value in self.params.items()
        ]

    def json_body(self):
        """POST's body, as data for the client library to encode."""
        return {"queries": self.params["queries"]} if self.kind == "queries" else self.params

    def headers(self):
        return {"X-Couch-Request-ID": self.id, "Accept": "application/json"}


class Reply:
    def __init__(self, status, request_id, body):
        self.status = status
        self.request_id = request_id
        # The body as received: CouchDB sends UTF-8 JSON.
        self.body = body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def compact_json(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_out_lock = threading.Lock()


def send(message):
    """One line on stdout, whole, whichever thread writes it."""
    line = json.dumps(message, separators=(",", ":")) + "\n"
    with _out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def fatal(message):
    """The worker cannot go on (a library missing, a bad hello): say why, and exit."""
    send({"type": "fatal", "message": message})
    sys.stdout.flush()
    os._exit(1)


def require(module, apt_package):
    """Import a client library, or stop with a message that says which Python lacks it and how to get it."""
    try:
        return __import__(module)
    except ImportError as error:
        fatal(
            f"{module} cannot be imported by {sys.executable} (Python {platform.python_version()}): {error}. "
            f"Debian's /usr/bin/python3 gets it with: apt-get install {apt_package}"
        )


def python_description():
    return f"{platform.python_implementation()} {platform.python_version()}, {sys.executable}"


def answer(op, run):
    """Runs one operation and answers it: a result, or an error when there was no response."""
    try:
        reply = run(op)
    except BaseException as error:  # every failure is this operation's outcome, never the worker's end
        send(error_message(op, error))
        return
    send(result_message(op, reply))


def result_message(op, reply):
    return {
        "type": "result",
        "session": op.session,
        "id": op.id,
        "status": reply.status,
        "requestId": reply.request_id,
        "body": reply.body,
    }


def error_message(op, error):
    return {
        "type": "error",
        "session": op.session,
        "id": op.id,
        "code": type(error).__name__,
        "message": str(error)[:500],
    }


def read_messages():
    """crosstalk's messages, one a line, until stdin ends."""
    while True:
        line = sys.stdin.readline()
        if line == "":
            return
        if line.strip() == "":
            continue
        message = json.loads(line)
        if message.get("type") == "hello" and message.get("protocol") != PROTOCOL:
            fatal(f"this worker speaks protocol {PROTOCOL}, crosstalk asked for {message.get('protocol')}")
        yield message


def opened(open_client):
    try:
        return open_client()
    except Exception as error:
        fatal(f"could not open a client: {error!r}")


class ThreadSession:
    """One session: its client, the thread pool its operations run on, and those not yet finished."""

    def __init__(self, hello, client):
        self.client = client
        self.pool = ThreadPoolExecutor(max_workers=hello.threads, thread_name_prefix=f"crosstalk-{hello.session}")
        self.futures = {}


def serve_threads(open_client, describe):
    """The protocol over a thread pool: `open_client(hello)` returns an object with `traits` (a dict),
    `run(op) -> Reply` (called from many threads at once) and `close()`. Sessions may overlap; each has its own."""
    sessions = {}
    for message in read_messages():
        kind = message["type"]
        session_id = message["session"]
        if kind == "hello":
            hello = Hello(message)
            session = ThreadSession(hello, opened(lambda: open_client(hello)))
            sessions[session_id] = session
            send({"type": "ready", "session": session_id, "traits": session.client.traits, "client": describe()})
        elif kind == "op":
            session = sessions[session_id]
            op = Op(message)
            future = session.pool.submit(answer, op, session.client.run)
            session.futures[op.id] = future
            future.add_done_callback(lambda _, op_id=op.id, futures=session.futures: futures.pop(op_id, None))
        elif kind == "abort":
            # A call already running cannot be interrupted from another thread: it finishes, and crosstalk ignores
            # its late answer. One still queued is not started.
            future = sessions[session_id].futures.get(message["id"]) if session_id in sessions else None
            if future is not None and future.cancel():
                send({"type": "error", "session": session_id, "id": message["id"], "code": "aborted",
                      "message": "aborted before it started"})
        elif kind == "close":
            session = sessions.pop(session_id)
            session.client.close()
            for op_id, future in list(session.futures.items()):
                if future.cancel():
                    send({"type": "error", "session": session_id, "id": op_id, "code": "closed",
                          "message": "the session closed before it started"})
            session.pool.shutdown(wait=False)
            send({"type": "closed", "session": session_id})
    for session in sessions.values():
        session.client.close()
    # Threads still blocked in a call must not keep the process alive: stdin's end is the end.
    sys.stdout.flush()
    os._exit(0)


def serve_asyncio(open_client, describe):
    """The protocol over asyncio tasks: `await open_client(hello)` returns an object with `traits`,
    `async run(op) -> Reply` and `async close()`. An abort cancels the operation's task."""
    asyncio.run(_serve_asyncio(open_client, describe))
    sys.stdout.flush()
    os._exit(0)


async def _serve_asyncio(open_client, describe):
    loop = asyncio.get_running_loop()
    inbox = asyncio.Queue()

    def reader():
        for message in read_messages():
            loop.call_soon_threadsafe(inbox.put_nowait, message)
        loop.call_soon_threadsafe(inbox.put_nowait, None)

    threading.Thread(target=reader, daemon=True).start()
    clients = {}
    tasks = {}

    async def run_one(op, client):
        try:
            reply = await client.run(op)
        except asyncio.CancelledError:
            send({"type": "error", "session": op.session, "id": op.id, "code": "aborted", "message": "task cancelled"})
            return
        except Exception as error:  # this operation's outcome
            send(error_message(op, error))
            return
        send(result_message(op, reply))

    def finished(task, op):
        tasks.pop(op.id, None)
        # A task cancelled before it began never ran run_one: it is answered here, as every operation must be.
        if task.cancelled():
            send({"type": "error", "session": op.session, "id": op.id, "code": "aborted", "message": "cancelled before it began"})

    while True:
        message = await inbox.get()
        if message is None:
            break
        kind = message["type"]
        session_id = message["session"]
        if kind == "hello":
            try:
                clients[session_id] = await open_client(Hello(message))
            except Exception as error:
                fatal(f"could not open a client for session {session_id}: {error!r}")
            send({"type": "ready", "session": session_id, "traits": clients[session_id].traits, "client": describe()})
        elif kind == "op":
            op = Op(message)
            tasks[op.id] = asyncio.ensure_future(run_one(op, clients[session_id]))
            tasks[op.id].add_done_callback(lambda task, op=op: finished(task, op))
        elif kind == "abort":
            task = tasks.get(message["id"])
            if task is not None:
                task.cancel()
        elif kind == "close":
            await clients.pop(session_id).close()
            send({"type": "closed", "session": session_id})
    for client in clients.values():
        await client.close()
