"""What a CBO head may change of their listing: each field, where it lives, how it is checked."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from santuni.directory.models import CboProfile, Organization, Phone, Service
from santuni.lib.forms import PhoneField
from santuni.lib.i18n import StrOrPromise


@dataclass(frozen=True)
class Field:
    name: str
    label: StrOrPromise
    kind: str = "text"  # text, long, phone, email, url, yes, number, status
    owner: str = "self"  # self (the organization or service), cbo, phone
    # True where a change only hides personal data: it applies at once, unchecked.
    hides_when_off: bool = False


PROFILE_FIELDS = (
    Field("phone", _("Phone of the CBO"), "phone", "phone"),
    Field("email", _("Email"), "email"),
    Field("website", _("Website or Facebook page"), "url"),
    Field("description", _("About the CBO (Malay)"), "long"),
    Field("description_en", _("About the CBO (English)"), "long"),
    Field("head_name", _("CBO head's name"), owner="cbo"),
    Field("head_phone", _("CBO head's phone"), "phone", "cbo"),
    Field(
        "head_consent",
        _("The head agrees to show their name and phone in the directory"),
        "yes",
        "cbo",
        hides_when_off=True,
    ),
    Field("member_count", _("Number of members"), "number", "cbo"),
)
SERVICE_FIELDS = (
    Field("phone", _("Phone of the service"), "phone", "phone"),
    Field("name", _("Name (Malay)")),
    Field("name_en", _("Name (English)")),
    Field("status", _("Status"), "status"),
    Field("description", _("What it offers (Malay)"), "long"),
    Field("description_en", _("What it offers (English)"), "long"),
    Field("eligibility_description", _("Who qualifies (Malay)"), "long"),
    Field("eligibility_description_en", _("Who qualifies (English)"), "long"),
    Field("application_process", _("How to apply (Malay)"), "long"),
    Field("application_process_en", _("How to apply (English)"), "long"),
    Field("fees_description", _("Fees (Malay)"), "long"),
    Field("fees_description_en", _("Fees (English)"), "long"),
    Field("email", _("Email"), "email"),
    Field("url", _("Web page"), "url"),
)
REQUIRED = {"name"}


def fields_for(listing: Organization | Service) -> tuple[Field, ...]:
    return SERVICE_FIELDS if isinstance(listing, Service) else PROFILE_FIELDS


def main_phone(listing: Organization | Service) -> Phone | None:
    """The listing's own number: not a location's or a contact's."""
    owner: dict[str, object]
    if isinstance(listing, Service):
        owner = {"service": listing}
    else:
        owner = {"organization": listing, "service__isnull": True}
    return (
        Phone.objects.filter(
            **owner, location__isnull=True, contact__isnull=True, service_at_location__isnull=True
        )
        .order_by("number")
        .first()
    )


def current_values(listing: Organization | Service) -> dict:
    values = {}
    for field in fields_for(listing):
        if field.owner == "phone":
            phone = main_phone(listing)
            values[field.name] = phone.number if phone else ""
        elif field.owner == "cbo":
            values[field.name] = getattr(_profile(listing), field.name)
        else:
            values[field.name] = getattr(listing, field.name)
    return values


def apply_values(listing: Organization | Service, values: dict) -> None:
    """Writes the values to the listing's rows (the caller holds the transaction)."""
    fields = {f.name: f for f in fields_for(listing)}
    own, cbo = [], []
    for name, value in values.items():
        field = fields[name]
        if field.owner == "phone":
            _set_phone(listing, value)
        elif field.owner == "cbo":
            setattr(_profile(listing), name, value)
            cbo.append(name)
        else:
            setattr(listing, name, value)
            own.append(name)
    if own:
        listing.save()
    if cbo:
        _profile(listing).save(update_fields=cbo)


def _profile(listing: Organization | Service) -> CboProfile:
    """Where the `cbo` fields are kept: only a CBO's profile has them."""
    if isinstance(listing, Service):
        raise TypeError("A service has no CBO profile fields.")
    return listing.cbo


def _set_phone(listing, number: str) -> None:
    phone = main_phone(listing)
    if not number:
        if phone:
            phone.delete()
    elif phone:
        phone.number = number
        phone.save(update_fields=["number"])
    else:
        owner = {"service": listing} if isinstance(listing, Service) else {}
        organization = listing.organization if isinstance(listing, Service) else listing
        Phone.objects.create(organization=organization, number=number, **owner)


def _form_field(field: Field) -> forms.Field:
    required = field.name in REQUIRED
    if field.kind == "phone":
        return PhoneField(
            label=field.label,
            required=False,
            max_length=20,
            widget=forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
            ),
        )
    if field.kind == "email":
        return forms.EmailField(label=field.label, required=False)
    if field.kind == "url":
        return forms.URLField(label=field.label, required=False, assume_scheme="https")
    if field.kind == "yes":
        return forms.BooleanField(label=field.label, required=False)
    if field.kind == "number":
        return forms.IntegerField(label=field.label, min_value=0, max_value=100_000)
    if field.kind == "status":
        return forms.ChoiceField(label=field.label, choices=Service.Status.choices)
    if field.kind == "long":
        return forms.CharField(
            label=field.label, required=required, widget=forms.Textarea(attrs={"rows": 4})
        )
    return forms.CharField(label=field.label, required=required, max_length=300)


class ListingForm(forms.Form):
    def __init__(self, *args, listing, **kwargs):
        super().__init__(*args, **kwargs)
        for field in fields_for(listing):
            self.fields[field.name] = _form_field(field)
