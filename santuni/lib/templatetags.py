"""Template helpers loaded on every template (see TEMPLATES builtins in settings)."""

from django import template
from django.urls import translate_url
from django.utils.translation import get_language

from santuni.lib.phones import phone_display
from santuni.lib.redirects import current_path, site_path

register = template.Library()


@register.simple_tag(takes_context=True)
def other_language(context) -> dict:
    """The current page in the other language: Malay at /, English under /en/."""
    request = context.get("request")
    code = "ms" if (get_language() or "ms").startswith("en") else "en"
    path = current_path(request) if request else "/"
    return {
        "code": code,
        "name": "Bahasa Melayu" if code == "ms" else "English",
        # A path that names no page comes back as it went in: a path of this site still.
        "url": site_path(translate_url(path, code)) or "/",
    }


@register.filter
def phone(number: str):
    return phone_display(number or "")


@register.filter
def km(value: float | None) -> str:
    """A distance in whole kilometres: positions are rounded to ~1 km before use."""
    if value is None:
        return ""
    if value < 1:
        return "< 1 km"
    return f"{value:.0f} km"


@register.filter
def overdue_at(referral, now) -> str:
    """Which target time of a referral has passed ('acknowledge', 'complete' or '')."""
    return referral.overdue(now)
