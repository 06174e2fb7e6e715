"""What the current request or job is, for attributing audit events and reads.

A request gets an id from `RequestContextMiddleware`; a command or job binds
its own (`job:<name>:<id>`) with `bound(...)`. `audit_record` and the read log
take the id and the client address from here, so services need no request.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "phoihop_request_context",
    default=RequestContext(),  # noqa: B039 (a frozen dataclass: immutable)
)
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def current() -> RequestContext:
    return _current.get()


def new_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def bound(*, request_id: str, ip: str = "") -> Iterator[RequestContext]:
    ctx = RequestContext(request_id=request_id[:64], ip=ip)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def job(name: str) -> contextlib.AbstractContextManager[RequestContext]:
    """The context of a command or background job named `name`."""
    return bound(request_id=f"job:{name}:{new_id()[:12]}")


def client_ip(request) -> str:
    """The client address as the web server saw it.

    X-Forwarded-For is not trusted: behind the agencies' reverse proxy,
    configure it to set REMOTE_ADDR (see docs/operations.md).
    """
    return request.META.get("REMOTE_ADDR", "")[:45]


def request_id_for(request) -> str:
    """The proxy's X-Request-ID when the deployment trusts it, else a new id.

    A client's own header is never taken (PHOIHOP_TRUST_REQUEST_ID off): it could
    make a browser's events look like a job's or reuse another request's id.
    """
    from django.conf import settings

    incoming = request.headers.get("X-Request-ID", "")
    if (
        getattr(settings, "PHOIHOP_TRUST_REQUEST_ID", False)
        and _INCOMING_ID.match(incoming)
        and not incoming.startswith("job:")
    ):
        return incoming
    return new_id()
