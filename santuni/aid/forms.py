"""The screener's two short steps: the household, then the person who needs help."""

from django import forms
from django.utils.translation import gettext_lazy as _

from santuni.geo.forms import DistrictChoiceField
from santuni.geo.home import HomePlace

from .models import PovertyLine

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# Nothing is chosen for the person: a question left unanswered stays unanswered, and the rules
# count it as not known (the scheme is then for JKM to check), never as a "no".
ANSWERS = {"yes": True, "no": False}


def yes_no(label, help_text=""):
    return forms.ChoiceField(
        label=label, choices=YES_NO, widget=forms.RadioSelect, required=False, help_text=help_text
    )


def answer(value: str) -> bool | None:
    """A yes/no answer: True, False, or None when it was left unanswered."""
    return ANSWERS.get(value)


class HouseholdForm(forms.Form):
    district = DistrictChoiceField(
        label=_("Which district does the household live in?"),
        empty_label=_("Choose the district"),
        to_field_name=None,
        help_text=_("Districts are grouped by state; the federal territories are listed too."),
        error_messages={"required": _("Choose the district the household lives in.")},
    )
    area = forms.ChoiceField(
        label=_("Town or village?"),
        choices=[
            (PovertyLine.Area.URBAN, _("Town (urban)")),
            (PovertyLine.Area.RURAL, _("Village (rural)")),
            (PovertyLine.Area.ALL, _("Not sure")),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Left unanswered, it counts as not sure."),
    )
    size = forms.IntegerField(
        label=_("How many people live in the household?"),
        min_value=1,
        max_value=30,
        error_messages={
            "required": _("Type how many people live in the household (1 for someone alone).")
        },
    )
    income = forms.DecimalField(
        label=_("Household income a month (RM)"),
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text=_("Everyone's pay, pensions and regular help together."),
        error_messages={"required": _("Type the household's income a month: 0 if none.")},
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, home: HomePlace | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        home = home or HomePlace()
        # Every district of Malaysia, the person's own state first; their district chosen.
        self.fields["district"].show_state(None, first=home.state)
        if not self.is_bound and not self.initial.get("district") and home.district:
            self.initial["district"] = home.district

    def clean_area(self):
        return self.cleaned_data["area"] or PovertyLine.Area.ALL


class PersonForm(forms.Form):
    age = forms.IntegerField(
        label=_("Age of the person who needs help"),
        min_value=0,
        max_value=130,
        error_messages={"required": _("Type the age of the person who needs help, in years.")},
    )
    own_income = forms.DecimalField(
        label=_("Their own income a month (RM)"),
        min_value=0,
        max_digits=9,
        decimal_places=2,
        required=False,
        help_text=_("0 if they have none; leave it empty if you do not know."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
    )
    work = forms.ChoiceField(
        label=_("Do they work?"),
        choices=[
            ("working", _("Yes, they work")),
            ("not_working", _("No, but they could")),
            ("unable", _("No, they are unable to work")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    oku = yes_no(_("Are they registered as OKU (with an OKU card)?"))
    carer = yes_no(_("Do they care full time for a bedridden OKU or chronic patient?"))
    institution = yes_no(_("Do they live in an institution (a JKM home)?"))
    pdk = yes_no(_("Are they a trainee of a PDK centre?"))
    other_aid = yes_no(_("Does the household already get monthly aid from JKM?"))
    children = forms.CharField(
        label=_("Ages of the children under 18 in the household"),
        required=False,
        max_length=100,
        help_text=_("Separated by commas, e.g. 5, 9. Leave empty if none."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean_children(self):
        text = self.cleaned_data["children"].replace(";", ",")
        ages = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            # isdecimal, not isdigit: "²" is a digit that int() cannot read.
            if not part.isdecimal() or int(part) > 30:
                raise forms.ValidationError(
                    _("Write each child's age in whole years, separated by commas, e.g. 5, 9.")
                )
            ages.append(int(part))
        if len(ages) > 20:
            raise forms.ValidationError(_("At most 20 children."))
        return tuple(ages)
