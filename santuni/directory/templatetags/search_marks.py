"""Result cards mark the words a search found: `{% load search_marks %}`."""

from django import template

from santuni.search import text

register = template.Library()


@register.filter
def highlight(value: str, wanted) -> str:
    """The text, escaped, with the searched-for words marked (already safe HTML)."""
    return text.highlight(value, wanted or set())
