"""What every view with a form needs, and form fields of our own."""

from django import forms
from django.utils.translation import gettext_lazy as _

from santuni.lib.phones import normalise_phone


def posted(request):
    """The data of a POST, else None (the form is shown new). Not `request.POST or None`: a
    POST with no fields is empty, hence false, and would be shown as a new form instead of
    refused with the reasons."""
    return request.POST if request.method == "POST" else None


class PhoneField(forms.CharField):
    """A Malaysian phone number, stored in E.164 (+60...); empty stays empty."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        try:
            return normalise_phone(value)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "This is not a Malaysian phone number. "
                    "Write it like 06-763 1234 or 012-345 6789."
                )
            ) from None
