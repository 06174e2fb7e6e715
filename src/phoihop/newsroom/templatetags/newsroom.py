from django import template
from django.utils.html import format_html

from phoihop.newsroom.choices import ArticleStatus

register = template.Library()

# The project's status badges (phoihop.css) for an article's states.
_BADGES = {
    ArticleStatus.DRAFT: "badge-state-draft",
    ArticleStatus.SCHEDULED: "badge-state-pending",
    ArticleStatus.PUBLISHED: "badge-state-in_force",
    ArticleStatus.UNPUBLISHED: "badge-state-superseded",
}


@register.filter
def news_status_badge(article) -> str:
    """The article's status as a reader of the desk sees it (scheduled and due: published)."""
    status = ArticleStatus(article.shown_status)
    return format_html('<span class="badge {}">{}</span>', _BADGES[status], status.label)
