"""Writes to regulations. Each checks the policy and records the audit event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc
from phoihop.regulations.models import (
    Article,
    Category,
    Chapter,
    Clause,
    Point,
    Regulation,
    Responsibility,
)
from phoihop.regulations.policy import may_edit


def _require_editor(actor) -> None:
    if not may_edit(actor):
        raise policy.NotFound


@transaction.atomic
def regulation_create(
    *,
    actor,
    code: str,
    title: str,
    parties: list[Agency],
    chapters: list[dict[str, Any]],
    **fields: Any,
) -> Regulation:
    """Create a regulation with its whole tree in one transaction.

    `chapters` is [{number, title, articles: [{number, title, text?, clauses:
    [{number, text, points: [(letter, text)], responsibilities: [{agency, role,
    response_days?, response_hours?, task_title?}]}]}]}].
    """
    _require_editor(actor)
    if Regulation.objects.filter(code__iexact=code).exists():
        raise ServiceError({"code": _("Mã quy chế “%(code)s” đã tồn tại.") % {"code": code}})
    regulation = Regulation.objects.create(code=code, title=nfc(title), **fields)
    regulation.parties.set(parties)
    seen_articles: set[int] = set()
    for ch in chapters:
        chapter = Chapter.objects.create(
            regulation=regulation, number=ch["number"], title=nfc(ch["title"])
        )
        for art in ch["articles"]:
            if art["number"] in seen_articles:
                raise ServiceError(
                    {"chapters": _("Điều %(n)s bị trùng số.") % {"n": art["number"]}}
                )
            seen_articles.add(art["number"])
            article = Article.objects.create(
                chapter=chapter,
                number=art["number"],
                title=nfc(art["title"]),
                text=nfc(art.get("text", "")),
            )
            for cl in art.get("clauses", []):
                clause = Clause.objects.create(
                    article=article, number=cl["number"], text=nfc(cl["text"])
                )
                Point.objects.bulk_create(
                    Point(clause=clause, letter=letter, text=nfc(text), position=i)
                    for i, (letter, text) in enumerate(cl.get("points", []))
                )
                Responsibility.objects.bulk_create(
                    Responsibility(clause=clause, **resp) for resp in cl.get("responsibilities", [])
                )
    audit_record(
        actor=actor,
        action="regulation.create",
        obj=regulation,
        changes={"code": code, "title": regulation.title, "articles": len(seen_articles)},
    )
    return regulation


def find_clause(regulation: Regulation, article: int, clause: int) -> Clause:
    return Clause.objects.select_related("article").get(
        article__chapter__regulation=regulation, article__number=article, number=clause
    )


@transaction.atomic
def category_create(
    *, actor, regulation: Regulation, code: str, name: str, kind: str, clause: Clause
) -> Category:
    _require_editor(actor)
    if clause.article.chapter.regulation_id != regulation.pk:
        raise ServiceError({"clause": _("Khoản không thuộc quy chế này.")})
    category = Category.objects.create(
        regulation=regulation, code=code, name=nfc(name), kind=kind, clause=clause
    )
    audit_record(
        actor=actor,
        action="category.create",
        obj=category,
        changes={"kind": kind, "clause": str(clause)},
    )
    return category
