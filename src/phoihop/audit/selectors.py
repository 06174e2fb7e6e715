"""Reading the audit trail as its users see it: per object, filtered by their rights."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from phoihop.audit.models import AuditEvent
from phoihop.audit.policy import readable_events_q
from phoihop.audit.services import scope_of
from phoihop.core import policy

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

# Foreign keys to these are named (by this attribute) only for a reader who may see the
# target; for anyone else they stay a bare number.
RESTRICTED_TARGETS = {
    "dossiers.dossier": "reference",
    "subjects.subject": "full_name",
}

# Labels of the keys some events record that are not fields of the event's model.
KEY_LABELS = {
    "documents": _("giấy tờ tùy thân"),
    "failed_attempt_records": _("số lần đăng nhập sai đã ghi"),
    "totp_device": _("thiết bị xác thực hai lớp"),
    "totp_devices": _("thiết bị xác thực hai lớp"),
    "api_tokens": _("khóa truy cập API"),
    "subjects": _("đối tượng"),
    "kind": _("hình thức"),
    "purpose": _("mục đích"),
    "note": _("ghi rõ mục đích"),
    "articles": _("số điều"),
    "attachments": _("tệp đính kèm"),
    "supporting_agencies": _("cơ quan phối hợp"),
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


# Keys that hold ids of a model without being one of the event model's fields.
KEY_RELATIONS = {"supporting_agencies": ("dossiers.dossier", "lead_agency")}


def _key_field(key: str):
    """A relation field standing in for `key`, so its ids are named like a field's."""
    if key not in KEY_RELATIONS:
        return None
    label, name = KEY_RELATIONS[key]
    return apps.get_model(label)._meta.get_field(name)


def _label(field, key: str) -> str:
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    if field is not None:
        return str(field.verbose_name)
    return key


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _moment(field, value: Any) -> Any:
    """A date as dd/mm/yyyy, a date and time as dd/mm/yyyy HH:MM local time; else as stored."""
    try:
        if isinstance(field, models.DateTimeField):
            when = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
            if when is None:
                return value
            if timezone.is_naive(when):
                when = timezone.make_aware(when, timezone.get_default_timezone())
            return f"{timezone.localtime(when, timezone.get_default_timezone()):%d/%m/%Y %H:%M}"
        day = value if isinstance(value, dt.date) else parse_date(str(value))
    except (TypeError, ValueError, OverflowError):
        return value
    return value if day is None else f"{day:%d/%m/%Y}"


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
        if not _is_id(value):
            return value
        return names.get((field.related_model._meta.label_lower, value), f"#{value}")
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(field, models.DateField):  # DateTimeField included
        return _moment(field, value)
    return value


def _names(wanted: dict[str, set], actor) -> dict[tuple[str, int], str]:
    """Names of the wanted targets: all of the harmless ones, the others if `actor` may see them."""
    names = {}
    for label, ids in wanted.items():
        if not ids:
            continue
        queryset = apps.get_model(label)._default_manager.filter(pk__in=ids)
        if label in RESTRICTED_TARGETS:
            attribute = RESTRICTED_TARGETS[label]
            for pk, name in policy.restrict(queryset, actor).values_list("pk", attribute):
                names[(label, pk)] = name
        else:
            for obj in queryset:
                names[(label, obj.pk)] = str(obj)
    return names


def describe(events: list[AuditEvent], actor) -> list[tuple[AuditEvent, list[Change]]]:
    """Each event with its field-level changes labelled and, where `actor` may know them, named."""
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
            field = _field(model, attname) or _key_field(attname)
            if field is not None and field.is_relation and field.related_model is not None:
                target = field.related_model._meta.label_lower
                if target in NAMED_TARGETS or target in RESTRICTED_TARGETS:
                    for v in (before, after):
                        values = v if isinstance(v, list) else [v]
                        wanted.setdefault(target, set()).update(x for x in values if _is_id(x))
            rows.append((field, attname, before, after))
        parsed.append((event, rows))
    names = _names(wanted, actor)
    result = []
    for event, rows in parsed:
        changes = [
            Change(
                _label(field, attname),
                _display(field, before, names),
                _display(field, after, names),
            )
            for field, attname, before, after in rows
        ]
        result.append((event, changes))
    return result
