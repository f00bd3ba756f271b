"""Forms of sign-in, invitations and two-factor authentication."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from santuni.directory.models import Organization
from santuni.geo.models import District, State

from .models import INVITES, Role


class SignInForm(forms.Form):
    # Named "username" for django-axes, which counts failures per submitted username.
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def compact_code(value: str) -> str:
    """A typed code without spaces, in lower case (recovery codes are shown in lower case)."""
    return "".join(value.split()).lower()


class CodeInput(forms.TextInput):
    """A code box that comes back empty after a refusal: the refused code left in it would sit
    beside the next one typed (the caret lands before or after it), and that is refused too."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code in your authenticator app, or one of your recovery codes."),
        widget=CodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return compact_code(self.cleaned_data["code"])


class NewPasswordMixin:
    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        elif one:
            probe = User(username=self.email, email=self.email, first_name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(one, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _password(label, autocomplete="new-password"):
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class NewAccountForm(NewPasswordMixin, forms.Form):
    name = forms.CharField(
        label=_("Your full name"), max_length=150, help_text=_("As on your MyKad.")
    )
    password1 = _password(_("Choose a password"))
    password2 = _password(_("The same password again"))

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()


class ExistingAccountForm(forms.Form):
    password = _password(_("Your password"), "current-password")


class ReauthenticateForm(forms.Form):
    password = _password(_("Your password"), "current-password")

    def __init__(self, *args, with_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if with_code:
            self.fields["code"] = CodeForm.base_fields["code"]

    def clean_code(self):
        return compact_code(self.cleaned_data["code"])


class ChooseRoleForm(forms.Form):
    membership = forms.TypedChoiceField(label=_("Act as"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [(m.pk, str(m)) for m in memberships]


# What an inviter may choose of the scope of each role; the rest follows from the inviter
# (services.invitation_scope). A choice the role does not take is an error, not dropped.
CHOSEN = {
    Role.MINISTRY_ADMIN: (),
    Role.STATE_OFFICER: ("state",),
    Role.DISTRICT_OFFICER: ("district",),
    Role.AGENCY_FOCAL_POINT: ("organization", "district", "state"),
    Role.CBO_HEAD: ("organization",),
    Role.CBO_MEMBER: (),
}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"))
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), required=False
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )
    state = forms.ModelChoiceField(label=_("State"), queryset=State.objects.none(), required=False)
    language = forms.ChoiceField(
        label=_("Language of the email"),
        choices=[("ms", "Bahasa Melayu"), ("en", "English")],
        initial="ms",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        roles = INVITES.get(actor.role, set())
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r in roles]
        if actor.role == Role.MINISTRY_ADMIN:
            # An agency focal point for one district or a whole state, a district officer,
            # or a state officer.
            self.fields["organization"].queryset = Organization.objects.filter(
                cbo__isnull=True
            ).order_by("name")
            self.fields["organization"].help_text = _("For an agency focal point: the agency.")
            self.fields["district"].queryset = District.objects.select_related("state")
            self.fields["district"].help_text = _(
                "For a district officer, or a focal point who acts in one district."
            )
            self.fields["state"].queryset = State.objects.all()
            self.fields["state"].help_text = _(
                "For a state officer; or, for a focal point who acts in the whole state: the state."
            )
        elif actor.role == Role.STATE_OFFICER:
            # The state's districts and the agencies there; a focal point without a district
            # acts in the whole state (services).
            del self.fields["state"]
            self.fields["organization"].queryset = (
                Organization.objects.filter(
                    cbo__isnull=True, locations__addresses__district__state=actor.state_id
                )
                .distinct()
                .order_by("name")
            )
            self.fields["organization"].help_text = _("For an agency focal point: the agency.")
            self.fields["district"].queryset = District.objects.filter(state=actor.state_id)
            self.fields["district"].help_text = _(
                "For a district officer, or a focal point who acts in one district. Leave it "
                "empty for a focal point who acts in the whole state."
            )
        else:
            # A district officer's focal points act in the officer's district (services).
            del self.fields["district"]
            del self.fields["state"]
            if actor.role == Role.DISTRICT_OFFICER:
                # The district's CBOs, and agencies (organizations without a CBO profile).
                district = actor.district
                self.fields["organization"].queryset = (
                    Organization.objects.filter(
                        Q(cbo__district=district)
                        | Q(cbo__isnull=True, locations__addresses__district=district)
                    )
                    .distinct()
                    .order_by("name")
                )
            else:
                del self.fields["organization"]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role:
            for name in ("organization", "district", "state"):
                if name in self.fields and cleaned.get(name) and name not in CHOSEN[role]:
                    self.add_error(name, _("Leave this empty for this role."))
        if role == Role.DISTRICT_OFFICER and not cleaned.get("district"):
            self.add_error("district", _("Choose the district this officer works for."))
        if role == Role.STATE_OFFICER and not cleaned.get("state"):
            self.add_error("state", _("Choose the state this officer works for."))
        if role == Role.AGENCY_FOCAL_POINT and "state" in self.fields:
            if cleaned.get("district") and cleaned.get("state"):
                self.add_error("state", _("Choose a district or a state, not both."))
            elif not cleaned.get("district") and not cleaned.get("state"):
                self.add_error(
                    "district", _("Choose the district or the state this focal point acts for.")
                )
        if role in (Role.CBO_HEAD, Role.AGENCY_FOCAL_POINT):
            organization = cleaned.get("organization")
            if organization is None:
                self.add_error("organization", _("Choose the organization."))
            elif (role == Role.CBO_HEAD) != hasattr(organization, "cbo"):
                self.add_error(
                    "organization",
                    _("Choose a CBO for a CBO head.")
                    if role == Role.CBO_HEAD
                    else _("Choose an agency, not a CBO, for an agency focal point."),
                )
        return cleaned
