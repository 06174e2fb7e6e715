"""Reads of regulations used by other apps and the pages."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.models import Agency
from phoihop.core import policy
from phoihop.regulations.models import (
    Article,
    Category,
    Chapter,
    Clause,
    Point,
    Regulation,
    Responsibility,
    Section,
)
from phoihop.regulations.tree import (
    ArticleNode,
    ChapterNode,
    ClauseNode,
    PointNode,
    RegulationTree,
    SectionNode,
)

if TYPE_CHECKING:
    from phoihop.regulations.export import ExportMeta


def regulations_for(actor):
    return policy.restrict(Regulation.objects.all(), actor).prefetch_related("parties")


def regulation_in_force(actor, on: dt.date | None = None):
    """The version in force on `on` (today by default); the latest to take effect first."""
    on = on or timezone.localdate()
    return regulations_for(actor).in_force(on).order_by("-effective_from", "-version").first()


def category_in_force(category: Category, on: dt.date) -> Category:
    """The category with the same code in the version of the same regulation in force on
    `on`: a dossier opened that day follows that version's clause and deadlines. The
    category itself when no version of its regulation is in force that day."""
    version = (
        Regulation.objects.in_force(on)
        .filter(series=category.regulation.series)
        .order_by("-effective_from", "-version")
        .first()
    )
    if version is None or version.pk == category.regulation_id:
        return category
    return (
        version.categories.select_related("clause", "regulation").filter(code=category.code).first()
        or category
    )


def regulation_tree(regulation: Regulation):
    """Chapters with articles (and the section each sits in), clauses, points and
    responsibilities: 6 queries in all."""
    clauses = Clause.objects.prefetch_related(
        "points",
        Prefetch("responsibilities", Responsibility.objects.select_related("agency")),
    )
    articles = Article.objects.select_related("section").prefetch_related(
        Prefetch("clauses", clauses)
    )
    return Chapter.objects.filter(regulation=regulation).prefetch_related(
        Prefetch("articles", articles)
    )


def regulation_as_tree(regulation: Regulation) -> RegulationTree:
    """The version's text as a `RegulationTree`, for the exporter, the PDF the parties sign,
    the redline and the import round trip: five queries whatever its length, reading
    values only (no model instances)."""
    chapters: dict[int, ChapterNode] = {}
    for pk, number, title in (
        Chapter.objects.filter(regulation=regulation)
        .order_by("number")
        .values_list("pk", "number", "title")
    ):
        chapters[pk] = ChapterNode(number=number, title=title)
    for chapter_id, number, title in (
        Section.objects.filter(chapter__regulation=regulation)
        .order_by("chapter__number", "number")
        .values_list("chapter_id", "number", "title")
    ):
        chapters[chapter_id].sections.append(SectionNode(number=number, title=title))
    articles: dict[int, ArticleNode] = {}
    for pk, chapter_id, number, title, text, section in (
        Article.objects.filter(chapter__regulation=regulation)
        .order_by("number", "pk")
        .values_list("pk", "chapter_id", "number", "title", "text", "section__number")
    ):
        article = ArticleNode(number=number, title=title, text=text, section=section)
        articles[pk] = article
        chapters[chapter_id].articles.append(article)
    clauses: dict[int, ClauseNode] = {}
    for pk, article_id, number, text in (
        Clause.objects.filter(article__chapter__regulation=regulation)
        .order_by("article__number", "number")
        .values_list("pk", "article_id", "number", "text")
    ):
        clause = ClauseNode(number=number, text=text)
        clauses[pk] = clause
        articles[article_id].clauses.append(clause)
    for clause_id, letter, text in (
        Point.objects.filter(clause__article__chapter__regulation=regulation)
        .order_by("clause_id", "position", "pk")
        .values_list("clause_id", "letter", "text")
    ):
        clauses[clause_id].points.append(PointNode(letter=letter, text=text))
    return RegulationTree(title=regulation.title, chapters=list(chapters.values()))


def parties_in_order(regulation: Regulation) -> list[Agency]:
    """The parties, the lead first: in the order they were registered (their key)."""
    return sorted(regulation.parties.select_related("head"), key=lambda a: a.pk)


def party_number_symbol(regulation: Regulation, agency: Agency) -> str:
    """The number and symbol a party gives the joint regulation in its own register.

    Each party numbers the document itself: "NN/QCPH-<the party's document prefix>",
    NN being the number of the regulation's own number and symbol ("01" of
    "01/QCPH-CAT-SNgV"), or the version number on two digits when it has none. A party
    without a document prefix shows the regulation's number and symbol as it is.
    """
    own = (regulation.number_symbol or "").strip()
    number = own.split("/", 1)[0].strip() if "/" in own else ""
    if not number.isdigit():
        number = f"{regulation.version:02d}"
    if not agency.document_prefix:
        return own or f"{number}/QCPH"
    return f"{number}/QCPH-{agency.document_prefix}"


def export_meta(regulation: Regulation, *, signed_on: dt.date | None = None) -> ExportMeta:
    """What the exported document says around the text: the parties side by side (the
    lead first), each with its number and symbol and its head's signature block."""
    # Imported here: the exporter pulls in the report's fonts and charts, which the
    # dossier services that read this module never need.
    from phoihop.regulations.export import ExportMeta, Issuer

    return ExportMeta(
        issuers=[
            Issuer(
                name=agency.name,
                number_symbol=party_number_symbol(regulation, agency),
                head_title=agency.head_title,
                signer_name=agency.head.get_full_name() if agency.head else "",
            )
            for agency in parties_in_order(regulation)
        ],
        place=regulation.place,
        signed_on=signed_on if signed_on is not None else regulation.signed_on,
        recipients=[_("Các bên ký kết;"), _("Lưu: VT.")],
    )
