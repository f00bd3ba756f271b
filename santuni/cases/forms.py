"""Forms for recording a case, referring it, and moving a referral on. They check the input;
the rules (who may, consent, state) are in services, and what each step asks is in workflow."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.directory.forms import PlaceChoiceField
from santuni.geo.models import Mukim
from santuni.lib.forms import PhoneField

from . import mykad, workflow
from .models import Case, Client, Consent, Referral, Urgency
from .selectors import target_groups

TEXTAREA = {"rows": 3}


class PageKeyField(forms.UUIDField):
    """A key the page carries, never typed. A damaged one is read as a key of its own rather
    than refused: nobody could act on a message about a field they cannot see."""

    widget = forms.HiddenInput

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return uuid.uuid5(uuid.NAMESPACE_OID, str(value))


class SubmissionKeyField(PageKeyField):
    """A one-time key per form shown; a second tap on the button sends the same key."""

    def __init__(self):
        super().__init__(required=False, initial=uuid.uuid4)


class CaseForm(forms.Form):
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"), choices=Urgency.choices, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(label=_("What kind of help"), choices=Case.Category.choices)
    situation = forms.CharField(
        label=_("The situation"),
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=5000,
        help_text=_("What happened and what help is needed, in a few sentences."),
    )
    name = forms.CharField(label=_("Full name"), max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=Client.Sex.choices, widget=forms.RadioSelect)
    mykad = forms.CharField(
        label=_("MyKad number"),
        required=False,
        max_length=20,
        help_text=_("If the person has one. It is stored encrypted and shown only in part."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    age = forms.IntegerField(
        label=_("Age"),
        required=False,
        min_value=0,
        max_value=130,
        help_text=_("If the date of birth is not known; a guess is fine."),
    )
    phone = PhoneField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=500, widget=forms.Textarea(attrs=TEXTAREA)
    )
    mukim = PlaceChoiceField(label=_("Mukim"), queryset=Mukim.objects.none(), required=False)
    household_size = forms.IntegerField(
        label=_("Number of people in the household"), required=False, min_value=1, max_value=50
    )
    household = forms.CharField(
        label=_("Household members"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Who lives with the person: relation and age."),
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("The person is"),
        queryset=target_groups(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    oku_card = forms.CharField(label=_("OKU card number"), required=False, max_length=30)
    consent_method = forms.ChoiceField(
        label=_("How was consent given?"), choices=Consent.Method.choices, widget=forms.RadioSelect
    )
    consent_purposes = forms.MultipleChoiceField(
        label=_("The person agrees to"),
        choices=Consent.Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_given_by = forms.CharField(
        label=_("Consent given by"),
        required=False,
        max_length=200,
        help_text=_(
            "Leave empty if the person gave it; otherwise the parent's or guardian's name."
        ),
    )
    consent_relationship = forms.CharField(
        label=_("Their relationship to the person"), required=False, max_length=100
    )
    submission_key = SubmissionKeyField()
    # Set when the case comes from the aid screener: refer it to the district welfare office.
    refer_service = PageKeyField(required=False)

    CLIENT_FIELDS = (
        *("name", "sex", "mykad", "date_of_birth", "age", "phone", "address", "mukim"),
        *("household_size", "household", "target_groups", "oku_card"),
    )
    CONSENT_FIELDS = ("consent_method", "consent_purposes", "consent_given_by")
    CONSENT_FIELDS += ("consent_relationship",)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mukim"].queryset = Mukim.objects.filter(district=district).order_by("name")
        self.fields["target_groups"].label_from_instance = lambda term: term.tr.name

    def section(self, names):
        return [self[name] for name in names]

    def clean_mykad(self):
        value = self.cleaned_data["mykad"].strip()
        return mykad.validate(value, timezone.localdate()) if value else ""

    def clean(self):
        data = super().clean()
        number = data.get("mykad")
        today = timezone.localdate()
        born = data.get("date_of_birth")
        if born and born > today:
            self.add_error("date_of_birth", _("The date of birth is in the future."))
        if number:
            from_card = mykad.birth_date(number, today)
            if born and born != from_card:
                self.add_error(
                    "date_of_birth",
                    _("The MyKad number says the person was born on %(date)s.")
                    % {"date": from_card.strftime("%d/%m/%Y")},
                )
            elif not born:
                data["date_of_birth"] = from_card
            if data.get("sex") and data["sex"] != mykad.sex(number):
                self.add_error(
                    "sex",
                    _(
                        "The last digit of the MyKad number is odd for men and even for women; "
                        "check the number or the sex."
                    ),
                )
        if not data.get("date_of_birth") and data.get("age") is None and "age" not in self.errors:
            self.add_error("age", _("Give the date of birth or the age (a guess is fine)."))
        return data


# Said when no service is chosen, or the page sent something that is not one of its choices.
CHOOSE_SERVICE = _("Find the service and choose it from the list.")


class ReferralForm(forms.Form):
    # Chosen from the service picker's list (never typed, never shown as an id).
    service = forms.UUIDField(
        label=_("Service to refer to"),
        error_messages={"required": CHOOSE_SERVICE, "invalid": CHOOSE_SERVICE},
    )
    mode = forms.ChoiceField(
        label=_("Kind of referral"),
        choices=Referral.Mode.choices,
        initial=Referral.Mode.LIVE,
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        label=_("What the organisation needs to know"),
        max_length=3000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("They see this, the person's name, age, phone and mukim: not the whole case."),
    )
    consent_override = workflow.ConsentOverride().formfield()
    submission_key = SubmissionKeyField()


class ReferralActionForm(forms.Form):
    """One step on a referral, asking what workflow.STEPS says the step asks."""

    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, action: str, **kwargs):
        # Several steps share a page, and several ask for a note: each its own ids, so each
        # box has its own label.
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        self.step = workflow.STEPS[action]
        self.fields["action"].initial = action
        for ask in self.step.asks:
            self.fields[ask.name] = ask.formfield()

    @property
    def label(self):
        return self.step.label

    @property
    def step_name(self) -> str:
        # (Not `action` in a template: that is the form's field of that name.)
        return self.action

    @property
    def confirms(self) -> bool:
        return self.step.confirms

    def fields_besides_service(self):
        """The visible fields the page shows under the service picker."""
        return [field for field in self.visible_fields() if field.name != "service"]

    @property
    def asks_service(self) -> bool:
        return self.step.asked(workflow.OnwardService) is not None

    @property
    def asks_consent_override(self) -> bool:
        return self.step.asked(workflow.ConsentOverride) is not None

    def answers(self) -> dict:
        """What the step's service takes, by its keywords (once the form is valid)."""
        return {ask.argument: self.cleaned_data[ask.name] for ask in self.step.asks}

    def clean(self):
        data = super().clean()
        # "Other" says nothing a report can count: the note says what it was.
        other = data.get("reason") == "other" and "note" in self.fields
        if other and not data.get("note", "").strip():
            self.add_error("note", _("Say what happened in the note."))
        return data


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("All")), *Urgency.choices]
    )
    target_group = forms.ModelChoiceField(
        label=_("Target group"), queryset=target_groups(), required=False, empty_label=_("All")
    )

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *statuses]
        self.fields["target_group"].label_from_instance = lambda term: term.tr.name


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Add a note"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    submission_key = SubmissionKeyField()


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a document"),
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
