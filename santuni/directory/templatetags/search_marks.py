"""Result cards mark the words a search found: `{% load search_marks %}`."""

from django import template

from santuni.search.text import highlight as highlighted

register = template.Library()


@register.filter
def highlight(text: str, wanted) -> str:
    """The text, escaped, with the searched-for words marked (already safe HTML)."""
    return highlighted(text, wanted or set())
