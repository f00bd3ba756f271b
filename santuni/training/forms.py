"""The form an officer fills in to add a person to an event's attendance list. It checks the
input; who may record for which CBO is in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Attendance, AttendeeRole


class CboChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, with_district: bool = False, **kwargs):
        self.with_district = with_district
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        if self.with_district:
            return f"{obj.tr.name} · {obj.cbo.district.tr.name}"
        return obj.tr.name


class AttendanceForm(forms.Form):
    organization = CboChoiceField(
        label=_("CBO"),
        queryset=None,
        empty_label=_("Pick the CBO"),
        error_messages={
            "required": _("Pick the person's CBO."),
            "invalid_choice": _("Pick a CBO from the list: that one is not in your scope."),
        },
    )
    name = forms.CharField(
        label=_("Full name"),
        max_length=Attendance._meta.get_field("name").max_length,
        help_text=_("As on the MyKad, with bin or binti."),
        error_messages={"required": _("Write the person's name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role at the CBO"),
        choices=AttendeeRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pick the person's role at the CBO."),
            "invalid_choice": _("Pick the person's role at the CBO."),
        },
    )

    def __init__(self, *args, organizations, with_district: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations.select_related("cbo__district").order_by(
            "cbo__district__name", "name"
        )
        field.with_district = with_district
