from django import template
from django.utils.html import format_html

from phoihop.core.choices import Classification

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for paging and sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def classification_badge(level) -> str:
    """A coloured mark with the level's name; nothing for unclassified."""
    try:
        level = Classification(int(level))
    except (TypeError, ValueError):
        return ""
    return format_html('<span class="badge badge-class-{}">{}</span>', level.value, level.label)


@register.filter
def status_badge(dossier) -> str:
    return format_html(
        '<span class="badge badge-status-{}">{}</span>',
        dossier.status,
        dossier.get_status_display(),
    )


@register.filter
def classification_label(level) -> str:
    """The level's name (Mật, Tối mật, Tuyệt mật); empty for unclassified."""
    try:
        level = Classification(int(level))
    except (TypeError, ValueError):
        return ""
    return "" if level == Classification.THUONG else str(level.label)
