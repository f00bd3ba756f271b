"""Bilingual content: Malay is required, English falls back to Malay."""

from django.utils.translation import get_language


class Translated:
    """`obj.tr.name` gives `name_en` when English is active and filled in, else `name`."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, field: str):
        value = getattr(self._obj, field)
        if (get_language() or "ms").startswith("en"):
            english = getattr(self._obj, f"{field}_en", "")
            if english:
                return english
        return value

    __getitem__ = __getattr__


class TranslatedMixin:
    @property
    def tr(self) -> Translated:
        return Translated(self)
