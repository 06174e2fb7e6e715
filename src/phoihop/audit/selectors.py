"""Reading the audit trail as its users see it: per object, filtered by their rights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet

from phoihop.audit.models import AuditEvent
from phoihop.audit.policy import readable_events_q
from phoihop.audit.services import scope_of

# Reads of personal data are kept in the chain but shown in the read log, not
# in an object's history of changes.
READ_ACTION_SUFFIX = ".accessed"

# Events of these verbs store the new object's fields; the others, [before, after].
SNAPSHOT_VERBS = {"open", "create", "add", "request", "link", "generate"}

# Foreign keys whose targets are not secret: shown by name rather than by id.
NAMED_TARGETS = {
    "accounts.agency",
    "accounts.unit",
    "accounts.user",
    "regulations.category",
    "regulations.crimetype",
    "regulations.clause",
}


def object_history(actor, obj: models.Model) -> QuerySet[AuditEvent]:
    """The change events of `obj` and everything inside it that `actor` may read, newest first."""
    label, pk = scope_of(obj)
    return (
        AuditEvent.objects.filter(readable_events_q(actor, [label]), scope_type=label, scope_id=pk)
        .exclude(action__endswith=READ_ACTION_SUFFIX)
        .order_by("-seq")
    )


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


def _field(model, attname: str):
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    try:
        field = model._meta.get_field(attname)
    except FieldDoesNotExist:
        return None
    return field if hasattr(field, "verbose_name") else None


def _display(field, value, names: dict) -> Any:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(_display(field, v, names)) for v in value)
    if field is None:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.related_model is not None:
        return names.get((field.related_model._meta.label_lower, value), f"#{value}")
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return value


def describe(events: list[AuditEvent]) -> list[tuple[AuditEvent, list[Change]]]:
    """Each event with its field-level changes labelled and, where harmless, named."""
    models_by_type = {}
    wanted: dict[str, set] = {}
    parsed = []
    for event in events:
        try:
            model = models_by_type.setdefault(event.object_type, apps.get_model(event.object_type))
        except (LookupError, ValueError):
            model = None
        rows = []
        is_snapshot = event.action.rsplit(".", 1)[-1] in SNAPSHOT_VERBS
        for attname, value in sorted((event.changes or {}).items()):
            if is_snapshot or not (isinstance(value, list) and len(value) == 2):
                before, after = None, value
            else:
                before, after = value
            field = _field(model, attname)
            if field is not None and field.is_relation and field.related_model is not None:
                target = field.related_model._meta.label_lower
                if target in NAMED_TARGETS:
                    for v in (before, after):
                        values = v if isinstance(v, list) else [v]
                        wanted.setdefault(target, set()).update(x for x in values if x)
            rows.append((field, attname, before, after))
        parsed.append((event, rows))
    names = {}
    for label, ids in wanted.items():
        for obj in apps.get_model(label)._default_manager.filter(pk__in=ids):
            names[(label, obj.pk)] = str(obj)
    result = []
    for event, rows in parsed:
        changes = [
            Change(
                str(field.verbose_name) if field is not None else attname,
                _display(field, before, names),
                _display(field, after, names),
            )
            for field, attname, before, after in rows
        ]
        result.append((event, changes))
    return result
