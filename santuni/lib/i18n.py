"""Bilingual content: Malay is required, English falls back to Malay."""

from typing import TYPE_CHECKING

from django.utils.translation import get_language

# Text a person reads: a plain string, or one translated when shown (gettext_lazy). The type
# checker knows django-stubs' lazy string; at run time it is Django's Promise (django-stubs-ext,
# which names it so, is a development dependency only).
if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
else:
    from django.utils.functional import Promise

    StrOrPromise = str | Promise


def in_language(malay: str, english: str) -> str:
    """The English text when English is active and there is one, else the Malay."""
    if english and (get_language() or "ms").startswith("en"):
        return english
    return malay


class Translated:
    """`obj.tr.name` gives `name_en` when English is active and filled in, else `name`."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, field: str):
        return in_language(getattr(self._obj, field), getattr(self._obj, f"{field}_en", ""))

    __getitem__ = __getattr__


class TranslatedMixin:
    @property
    def tr(self) -> Translated:
        return Translated(self)
