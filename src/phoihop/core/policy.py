"""The access policy's mechanism: one registry of per-model rules, applied in the query.

Each domain app states its rules in `<app>/policy.py` and registers them here;
core never needs to know what a dossier is. The policy fails closed:

* no actor, an anonymous or inactive user → nothing;
* a model with no registered rule → nothing;
* jobs, migrations and the demo loader act as the explicit `SYSTEM` actor.

Use `restrict(queryset, actor, action)` for every queryset a user sees, and
`get_or_404` / `require` in services before a change. Something a user may not
see is indistinguishable from something that does not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

VIEW = "view"
CHANGE = "change"
AGGREGATE = "aggregate"
ACTIONS = frozenset({VIEW, CHANGE, AGGREGATE})

Rule = Callable[[Any, str, models.QuerySet], models.QuerySet]


class NotFound(Http404):
    """The object does not exist, or the actor may not see it: the same answer."""


class SystemActor:
    """The actor of jobs, commands and the demo loader; sees everything."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_system = True
    username = "system"

    def __str__(self) -> str:
        return str(_("Hệ thống"))


SYSTEM = SystemActor()

_rules: dict[type[models.Model], Rule] = {}


def register(model: type[models.Model]) -> Callable[[Rule], Rule]:
    """Register the rule deciding which rows of `model` an actor may act on."""

    def decorator(rule: Rule) -> Rule:
        if model in _rules:
            raise ValueError(f"a policy rule for {model.__name__} is already registered")
        _rules[model] = rule
        return rule

    return decorator


def registered_models() -> frozenset[type[models.Model]]:
    return frozenset(_rules)


def is_system(actor: Any) -> bool:
    return actor is SYSTEM


def is_active_user(actor: Any) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and getattr(actor, "is_active", False)
    )


def restrict(queryset: models.QuerySet, actor: Any, action: str = VIEW) -> models.QuerySet:
    """The rows of `queryset` that `actor` may act on with `action`, as a queryset."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if is_system(actor):
        return queryset
    if not is_active_user(actor):
        return queryset.none()
    rule = _rules.get(queryset.model)
    if rule is None:
        return queryset.none()
    return rule(actor, action, queryset)


def get_or_404(queryset: models.QuerySet, actor: Any, action: str = VIEW, **lookup: Any):
    """The one object matching `lookup` that `actor` may act on, or NotFound."""
    try:
        return restrict(queryset, actor, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def allows(actor: Any, action: str, obj: models.Model) -> bool:
    if obj is None or obj.pk is None:
        return False
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), actor, action).exists()


def require(actor: Any, action: str, obj: models.Model) -> None:
    """Raise NotFound unless `actor` may act on `obj` with `action`."""
    if not allows(actor, action, obj):
        raise NotFound
