"""Writing and verifying the hash-chained audit trail.

Services call `audit_record` inside their own transaction, so the event
commits or rolls back with the change it describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from phoihop.audit.models import AuditEvent, AuditHead
from phoihop.core import context
from phoihop.core.policy import is_system

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, default=str))


def _digest(
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    extra: tuple = ("", "", None, "", None),
) -> str:
    fields = [
        prev_hash,
        seq,
        at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        actor_label,
        action,
        object_type,
        object_id,
        object_repr,
        changes,
    ]
    # (request id, scope type, scope id, ip, actor id) joined the chain later;
    # events written before carry none of them and keep their original digest.
    if any(v not in ("", None) for v in extra):
        fields.append(list(extra))
    payload = json.dumps(
        fields,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj`, for before/after in an event."""
    values = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"search_text", "updated_at", "created_at"}:
            continue
        values[field.attname] = field.value_from_object(obj)
    return _canonical(values)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level changes as {field: [before, after]}."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


# Objects that live inside another take its scope: a task is read with its
# dossier's rights, an identity document with its person's. First match wins.
_PARENT_SCOPES = (
    ("dossier_id", "dossiers.dossier"),
    ("subject_id", "subjects.subject"),
    ("regulation_id", "regulations.regulation"),
)


def scope_of(obj: models.Model) -> tuple[str, int | None]:
    """The object whose access rule decides who may read events about `obj`."""
    explicit = getattr(obj, "audit_scope", None)
    if explicit is not None:
        return explicit
    for attname, label in _PARENT_SCOPES:
        parent_id = getattr(obj, attname, None)
        if parent_id is not None:
            return label, parent_id
    return obj._meta.label_lower, obj.pk


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    scope: tuple[str, int | None] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    The request or job id and the client address come from the current
    request context (core.context).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
        scope = scope or scope_of(obj)
    scope_type, scope_id = scope or ("", None)
    ctx = context.current()
    actor_label = "system" if is_system(actor) else getattr(actor, "username", "") or "?"
    actor_id = None if is_system(actor) else getattr(actor, "pk", None)
    extra = (ctx.request_id, scope_type, scope_id, ctx.ip, actor_id)
    changes = _canonical(changes or {})
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq = head.seq + 1
        at = timezone.now()
        digest = _digest(
            head.hash,
            seq,
            at,
            actor_label,
            action,
            object_type,
            object_id,
            object_repr[:255],
            changes,
            extra,
        )
        event = AuditEvent.objects.create(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            changes=changes,
            scope_type=scope_type,
            scope_id=scope_id,
            request_id=ctx.request_id,
            ip=ctx.ip,
            prev_hash=head.hash,
            hash=digest,
        )
        head.seq, head.hash = seq, digest
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def audit_verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the chain; name the first event whose hash or link does not hold."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, "missing or reordered event")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq, "link to previous event broken")
        digest = _digest(
            prev_hash,
            event.seq,
            event.at,
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            event.object_repr,
            _canonical(event.changes),
            (event.request_id, event.scope_type, event.scope_id, event.ip, event.actor_id),
        )
        if digest != event.hash:
            return VerifyResult(False, checked, event.seq, "content does not match its hash")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return VerifyResult(False, checked, checked + 1, "events after the last one are missing")
    return VerifyResult(True, checked)
