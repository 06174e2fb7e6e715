"""A first draft of a news article from a review: its public figures and conclusions.

`article_from_review` is started by a leader or the secretariat of a party (editors
cannot read reviews) and leaves the draft on their agency's desk; `review_draft` writes
the text, shown to them before they hand it over.

What goes in, and only that:

* the review's frozen headline counts by coordination content (joint criminal cases
  cleared with the foreign police and their penal-code categories, border incidents
  resolved, persons verified) — counts over the period, never a dossier or a person;
* the parties (agencies: public bodies), the period, the conference date;
* the conference's conclusions, screened: names of recorded persons are replaced by the
  report's own screening (`reviews.report._NameScreen`), dossier numbers are removed.

What never goes in: anything from a review classified above "Thường" (refused before
drafting), the units' assessments and proposals (internal), the conference's chairs,
participants and place, any dossier, person or correspondence. The editors revise the
draft before anything is published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from phoihop.accounts.choices import AgencyKind, Role
from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record, snapshot
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.newsroom import services
from phoihop.newsroom.choices import ArticleStatus
from phoihop.newsroom.models import NewsArticle
from phoihop.reviews.choices import ReviewKind
from phoihop.reviews.models import Conference, Review
from phoihop.reviews.report import _NameScreen

# A dossier number as the dossiers app gives it (HS-2010-000123), however it is spaced.
DOSSIER_NUMBER = re.compile(r"\bHS\s*[-‐–]\s*\d{4}\s*[-‐–]\s*\d{1,9}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    title: str
    lead: str
    body: str
    tags: str


def _n(value) -> str:
    """A count the Vietnamese way: 1.234."""
    return f"{int(value or 0):,}".replace(",", ".")


def _d(value) -> str:
    return value.strftime("%d/%m/%Y")


def _and(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return _("%(list)s và %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def screen_text(screen, text: str) -> str:
    """Free text with recorded persons' names and dossier numbers taken out."""
    text = screen(text or "")
    return DOSSIER_NUMBER.sub(_("[đã lược số hồ sơ]"), text)


def _figures(stats: dict) -> list[str]:
    items = []
    joint = stats.get("joint_criminal_cases_cleared") or 0
    if joint:
        crimes = [
            _lower_first(row["name"])
            for row in stats.get("by_crime_type") or []
            if row.get("name") and row.get("count")
        ]
        text = _("phối hợp với công an nước bạn điều tra, làm rõ **%(n)s vụ án hình sự**") % {
            "n": _n(joint)
        }
        if crimes:  # names may hold commas ("mua bán, đánh tráo hoặc chiếm đoạt trẻ em")
            text += f" ({'; '.join(crimes)})"
        items.append(text)
    border = stats.get("border_incidents_resolved") or 0
    if border:
        items.append(
            _("giải quyết **%(n)s vụ việc** về an ninh, trật tự trên tuyến biên giới")
            % {"n": _n(border)}
        )
    verified = stats.get("subjects_verified") or 0
    if verified:
        items.append(
            _("trao đổi thông tin, xác minh làm rõ **%(n)s đối tượng** vi phạm pháp luật")
            % {"n": _n(verified)}
        )
    return items


def review_draft(review: Review) -> Draft:
    """The draft's title, lead, body (Markdown) and tags, in Vietnamese."""
    with translation.override("vi"):
        return _draft(review)


def _draft(review: Review) -> Draft:
    stats = review.statistics or {}
    parties = list(
        review.regulation.parties.filter(kind=AgencyKind.DOMESTIC)
        .order_by("name")
        .values_list("name", flat=True)
    )
    conference = Conference.objects.filter(review=review).first()
    conclusions = conference.conclusions if conference else ""
    screen = _NameScreen([review.title, conclusions])
    kind = str(ReviewKind(review.kind).label) if review.kind in ReviewKind.values else _("Sơ kết")
    parties_text = _and(parties) or _("các cơ quan")
    period = {"a": _d(review.period_from), "b": _d(review.period_to)}

    title = " ".join(screen_text(screen, review.title).split())
    if conference:
        lead = _(
            "Ngày %(d)s, %(parties)s tổ chức hội nghị %(kind)s việc thực hiện quy chế phối hợp "
            "giai đoạn %(a)s – %(b)s."
        ) % {"d": _d(conference.held_on), "parties": parties_text, "kind": kind.lower(), **period}
    else:
        lead = _(
            "%(parties)s %(kind)s việc thực hiện quy chế phối hợp giai đoạn %(a)s – %(b)s."
        ) % {
            "parties": parties_text,
            "kind": kind.lower(),
            **period,
        }
        lead = lead[:1].upper() + lead[1:]

    paragraphs = [
        _(
            "Theo quy chế phối hợp, hai bên phân công trách nhiệm rõ ràng và cùng phối hợp "
            "quản lý, bảo đảm an ninh các hoạt động đối ngoại trên địa bàn."
        )
        if len(parties) == 2
        else _(
            "Theo quy chế phối hợp, các bên phân công trách nhiệm rõ ràng và cùng phối hợp "
            "quản lý, bảo đảm an ninh các hoạt động đối ngoại trên địa bàn."
        )
    ]
    figures = _figures(stats)
    if figures:
        paragraphs.append(_("Trong giai đoạn này, với sự thống nhất của các bên, đã:"))
        paragraphs.append(
            "\n".join(
                f"- {item}{';' if i < len(figures) - 1 else '.'}" for i, item in enumerate(figures)
            )
        )
    else:
        paragraphs.append(_("Trong giai đoạn này không có số liệu kết quả phối hợp được tổng hợp."))
    text = screen_text(screen, conclusions).strip()
    if text:
        paragraphs.append("## " + _("Kết luận của hội nghị"))
        paragraphs.extend(line.strip() for line in text.splitlines() if line.strip())
    tags = [kind, _("Quy chế phối hợp")]
    return Draft(
        title=title[:300],
        lead=lead,
        body="\n\n".join(paragraphs),
        tags=", ".join(tags),
    )


# --- the service ---------------------------------------------------------------------------------

# Who hands a review's results to the editors: editors cannot read reviews (the reviews
# policy keeps them to the roles reading whole-regulation figures), so the review's own
# people (its leaders and secretariat) start the draft, for their agency's editors.
DRAFTING_ROLES = frozenset({Role.LEADER, Role.SECRETARIAT})


def may_draft_from_review(actor, review: Review) -> bool:
    """Whether `actor` may hand this review's public results to their agency's editors."""
    return bool(
        policy.is_active_user(actor)
        and actor.role in DRAFTING_ROLES
        and actor.agency_id
        and policy.allows(actor, policy.VIEW, review)
        and review.regulation.parties.filter(pk=actor.agency_id, kind=AgencyKind.DOMESTIC).exists()
    )


def check_review_for_draft(review: Review) -> None:
    """Refuse a review whose documents are classified: nothing of it goes to the public."""
    if review.classification > Classification.THUONG:
        raise ServiceError(
            _(
                "Đợt sơ kết, tổng kết này được xác định độ %(level)s: không soạn tin công khai "
                "từ đợt này."
            )
            % {"level": str(Classification(review.classification).label)}
        )


@transaction.atomic
def article_from_review(*, actor, review: Review, agency: Agency | None = None) -> NewsArticle:
    """A draft for the agency's editors, pre-filled with the review's public figures and
    conclusions (see newsroom.drafting: no classified data, no person, no dossier number).

    Started by a leader or the secretariat of a party who may read the review; the draft
    belongs to their agency (the system actor names the agency)."""
    if policy.is_system(actor):
        if agency is None:
            raise ServiceError({"agency": _("Cần chọn cơ quan đăng tin.")})
    elif may_draft_from_review(actor, review):
        agency = actor.agency
    else:
        raise policy.NotFound
    review = Review.objects.select_related("regulation").get(pk=review.pk)
    check_review_for_draft(review)
    waiting = NewsArticle.objects.filter(
        agency=agency, source_review=review, status=ArticleStatus.DRAFT
    ).first()
    if waiting is not None:
        raise ServiceError(
            _("Đã có bản nháp tin «%(title)s» từ đợt này đang chờ biên tập viên của cơ quan.")
            % {"title": waiting.title}
        )
    draft = review_draft(review)
    article = services.create_unchecked(
        actor=actor,
        agency=agency,
        source_review=review,
        values={"title": draft.title, "lead": draft.lead, "body": draft.body, "tags": draft.tags},
    )
    audit_record(
        actor=actor,
        action="news.draft_from_review",
        obj=article,
        changes={**snapshot(article), "review": review.pk},
    )
    return article
