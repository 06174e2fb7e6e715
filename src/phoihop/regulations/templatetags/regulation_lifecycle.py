"""`{% lifecycle_panel regulation as lifecycle %}`: the context of the lifecycle panel.

The detail page computes it once; `_lifecycle_panel.html` and the clause edit links of
the text read it.
"""

from django import template

from phoihop.regulations.lifecycle_views import lifecycle_panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def lifecycle_panel(context, regulation):
    return lifecycle_panel_context(regulation, context["request"].user)
