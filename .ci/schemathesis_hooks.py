"""Schemathesis hooks for provisio: a real bunq API context, and every call signed.

Loaded by `.ci/schemathesis` through SCHEMATHESIS_HOOKS. It reads PROVISIO_URL,
PROVISIO_API_KEY (the demo partner's key) and PROVISIO_ADMIN_TOKEN, then opens an API context
the way a partner's client does: an installation with a fresh RSA key, a device-server with the
API key, a session-server. Every generated call then gets

- `X-Bunq-Client-Authentication`: the session token, or the installation token for
  `POST /v1/device-server` and `POST /v1/session-server` (which take no session);
- `X-Bunq-Client-Signature`: RSA-SHA256 (PKCS#1 v1.5), base64, over the exact body bytes, which
  this hook serialises itself and hands to the transport so nothing re-serialises them;
- `Authorization: Bearer <admin token>` under `/_provisio`.
"""

import base64
import json
import os
import threading

import requests
import schemathesis
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

BASE = os.environ["PROVISIO_URL"].rstrip("/")
API_KEY = os.environ["PROVISIO_API_KEY"]
ADMIN_TOKEN = os.environ["PROVISIO_ADMIN_TOKEN"]
# Where generated webhook filters point: a closed port on this machine, so the worker never
# calls anything elsewhere whatever URL the fuzzer invents.
HARMLESS_TARGET = "http://127.0.0.1:9/schemathesis"

_lock = threading.Lock()
_context = {}


def _sign(key, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def _post(key, path, payload, token=None):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Bunq-Client-Signature": _sign(key, body)}
    if token:
        headers["X-Bunq-Client-Authentication"] = token
    response = requests.post(BASE + path, data=body, headers=headers, timeout=30)
    response.raise_for_status()
    return response.json()["Response"]


def _token(items):
    return next(item["Token"]["token"] for item in items if "Token" in item)


def _open_context():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    installation = _token(_post(key, "/v1/installation", {"client_public_key": public_pem}))
    _post(
        key,
        "/v1/device-server",
        {"description": "schemathesis", "secret": API_KEY, "permitted_ips": ["127.0.0.1"]},
        installation,
    )
    opened = _post(key, "/v1/session-server", {"secret": API_KEY}, installation)
    user_id = next(item["UserCompany"]["id"] for item in opened if "UserCompany" in item)
    return {"key": key, "installation": installation, "session": _token(opened), "user": user_id}


def _current():
    with _lock:
        if not _context:
            _context.update(_open_context())
        return dict(_context)


def _reopen():
    with _lock:
        _context.clear()
        _context.update(_open_context())


def _body_bytes(case, kwargs):
    """The exact bytes the transport will send, or None for a call without body."""
    serialized = case.as_transport_kwargs(base_url=BASE)
    if "json" in serialized:
        return json.dumps(serialized["json"]).encode()
    data = serialized.get("data")
    if data is None:
        return None
    if isinstance(data, str):
        return data.encode()
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    return None


def _harmless_targets(case):
    if case.path.endswith("/notification-filter-url") and isinstance(case.body, dict):
        filters = case.body.get("notification_filters")
        if isinstance(filters, list):
            for item in filters:
                if isinstance(item, dict) and "notification_target" in item:
                    item["notification_target"] = HARMLESS_TARGET


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if case.headers is None:
        case.headers = {}
    # Stateful links may carry an id into a header (e.g. X-Bunq-Client-Request-Id) as an
    # integer, which the HTTP library refuses before anything is sent: send it as text.
    for name, value in list(case.headers.items()):
        if not isinstance(value, (str, bytes)):
            case.headers[name] = str(value)
    if case.path.startswith("/_provisio"):
        case.headers["Authorization"] = "Bearer " + ADMIN_TOKEN
        return
    context = _current()
    if case.method.upper() == "POST" and case.path in ("/v1/device-server", "/v1/session-server"):
        case.headers["X-Bunq-Client-Authentication"] = context["installation"]
    elif not (case.method.upper() == "POST" and case.path == "/v1/installation"):
        case.headers["X-Bunq-Client-Authentication"] = context["session"]
    # Large user ids only ever answer 404, which tests nothing further: those become the
    # partner's own; the small ones the fuzzer tries are the seeded users.
    user_id = (case.path_parameters or {}).get("user_id")
    if isinstance(user_id, int) and user_id > 8:
        case.path_parameters["user_id"] = context["user"]
    _harmless_targets(case)
    body = _body_bytes(case, kwargs)
    if body is not None:
        kwargs["data"] = body
        case.headers["X-Bunq-Client-Signature"] = _sign(context["key"], body)


@schemathesis.hook
def after_call(ctx, case, response):
    # Moving the virtual clock far enough expires the session: open a new one, so the calls
    # after it still test something besides the 401.
    if case.path == "/_provisio/clock/advance" and response.status_code == 200:
        _reopen()
