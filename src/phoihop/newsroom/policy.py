"""Who works the editorial desk.

An agency's articles are written, scheduled and published by its editors and
administrators, and by nobody else: other users, and editors of another agency,
get 404. The desk holds no dossier or person; editors see none elsewhere either
(they are not a casework role). The bundles sent to the bulletin carry every
agency's published articles: their record is read by all editors and administrators.
"""

from phoihop.accounts.choices import Role
from phoihop.core import policy
from phoihop.newsroom.models import BundleRecord, NewsArticle, NewsImage

DESK_ROLES = frozenset({Role.EDITOR, Role.ADMINISTRATOR})


def works_the_desk(actor) -> bool:
    """Whether `actor` writes articles for an agency (the newsroom's pages exist for them)."""
    if policy.is_system(actor):
        return True
    return bool(
        policy.is_active_user(actor)
        and getattr(actor, "role", None) in DESK_ROLES
        and getattr(actor, "agency_id", None)
    )


@policy.register(NewsArticle)
def article_rule(actor, action, queryset):
    if not works_the_desk(actor):
        return queryset.none()
    return queryset.filter(agency_id=actor.agency_id)


@policy.register(NewsImage)
def image_rule(actor, action, queryset):
    if not works_the_desk(actor):
        return queryset.none()
    return queryset.filter(article__agency_id=actor.agency_id)


@policy.register(BundleRecord)
def bundle_rule(actor, action, queryset):
    if action != policy.VIEW or not works_the_desk(actor):
        return queryset.none()
    return queryset
