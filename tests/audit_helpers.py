"""Tampering with the audit table as a database owner could: lift the guard, edit, restore."""

import contextlib

from django.db import connection

from phoihop.audit import guard


@contextlib.contextmanager
def guard_lifted():
    """Drop the append-only triggers for the block (inside the test's transaction)."""
    guard.remove(connection)
    try:
        yield
    finally:
        guard.install(connection)
