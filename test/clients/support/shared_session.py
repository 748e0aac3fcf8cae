"""One requests.Session shared by many threads, as python-cloudant's Account shares its r_session under gunicorn.

Usage: shared_session.py ORIGIN CA_FILE USER PASSWORD DB THREADS CALLS_PER_THREAD
Prints one JSON line per call: the request id sent, the id echoed back, the status and a digest of the body, so
the test can join what each thread saw with what the server recorded.
"""
import hashlib
import json
import sys
import threading

import requests
from requests.adapters import HTTPAdapter

origin, ca_file, user, password, db = sys.argv[1:6]
threads, calls = int(sys.argv[6]), int(sys.argv[7])

session = requests.Session()
session.mount("https://", HTTPAdapter(pool_connections=10, pool_maxsize=100))
session.auth = (user, password)
# Trust the mock's CA; verification stays on. Set per request too: requests lets REQUESTS_CA_BUNDLE from the
# environment override Session.verify (requests #3829), and CI machines set it.
session.verify = ca_file

lock = threading.Lock()
failures = []
start = threading.Barrier(threads)


def caller(t):
    start.wait()
    for c in range(calls):
        request_id = f"py-t{t}-c{c}"
        params = {"limit": str(1 + (t + c) % 7), "skip": str((t * 3 + c) % 11)}
        try:
            response = session.get(
                f"{origin}/{db}/_all_docs",
                params=params,
                headers={"X-Couch-Request-ID": request_id},
                timeout=10,
                verify=ca_file,
            )
        except Exception as error:  # an outcome to report, not a crash of the thread
            failures.append(request_id)
            with lock:
                print(json.dumps({"requestId": request_id, "error": repr(error)}), flush=True)
            continue
        line = json.dumps(
            {
                "requestId": request_id,
                "echoed": response.headers.get("X-Couch-Request-ID"),
                "status": response.status_code,
                "digest": hashlib.sha256(response.content).hexdigest()[:16],
            }
        )
        with lock:
            print(line, flush=True)


workers = [threading.Thread(target=caller, args=(t,)) for t in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
session.close()
sys.exit(1 if failures else 0)
