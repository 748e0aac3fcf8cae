"""The app crosstalk's question came from: a WSGI app under gunicorn's threads, calling Cloudant through ONE
requests Session made at import and shared by every thread of the process.

It used python-cloudant, now retired, whose `Account` is a requests.Session with
HTTPAdapter(pool_connections=10, pool_maxsize=100) mounted, and which sends each call with the account's Basic
credentials. Here that Session is made directly, and each call carries its own caller's credentials and request
id, so that crosstalk can check, per call, that the rows a caller got back are the ones Cloudant sent for its request.

Routes, mirroring Cloudant's:
    GET  /{db}/_all_docs?...       POST /{db}/_all_docs       POST /{db}/_all_docs/queries
    GET  /                         answers "ok" without calling Cloudant (the worker's readiness check)

Configuration, from the environment: CLOUDANT_URL, CLOUDANT_CA_FILE (the CA to trust; verification stays on),
CLOUDANT_TIMEOUT_S. A call that gets no answer from Cloudant is a 502 marked `X-Upstream-Error: 1`.
"""
import base64
import json
import os
from urllib.parse import parse_qsl

import requests
from requests.adapters import HTTPAdapter

CLOUDANT_URL = os.environ["CLOUDANT_URL"]
CA_FILE = os.environ["CLOUDANT_CA_FILE"]
TIMEOUT_S = float(os.environ.get("CLOUDANT_TIMEOUT_S", "5"))

# What python-cloudant's Account wrapped: one Session for the whole process, shared by gunicorn's threads.
SESSION = requests.Session()
SESSION.mount("https://", HTTPAdapter(pool_connections=10, pool_maxsize=100))
SESSION.verify = CA_FILE


def credentials(environ):
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    username, _, password = base64.b64decode(token).decode("utf-8").partition(":")
    return username, password


def app(environ, start_response):
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO", "")
    if path == "/":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    options = {
        "auth": credentials(environ),
        "headers": {"X-Couch-Request-ID": environ.get("HTTP_X_COUCH_REQUEST_ID", ""), "Accept": "application/json"},
        "timeout": TIMEOUT_S,
        "verify": CA_FILE,
    }
    url = CLOUDANT_URL + path
    try:
        if method == "GET":
            params = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
            upstream = SESSION.get(url, params=params, **options)
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            upstream = SESSION.post(url, data=body, headers={**options.pop("headers"), "Content-Type": "application/json"},
                                    **options)
    except requests.RequestException as error:
        start_response("502 Bad Gateway", [("Content-Type", "application/json"), ("X-Upstream-Error", "1")])
        return [json.dumps({"error": type(error).__name__, "reason": str(error)[:300]}).encode()]
    headers = [("Content-Type", upstream.headers.get("Content-Type", "application/json"))]
    request_id = upstream.headers.get("X-Couch-Request-ID")
    if request_id is not None:
        headers.append(("X-Couch-Request-ID", request_id))
    start_response(f"{upstream.status_code} {upstream.reason}", headers)
    return [upstream.content]
