"""People who sign in, the roles they act in (memberships), invitations, and the audit trail."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.directory.models import Organization
from santuni.geo.models import District, State


class Role(models.TextChoices):
    CBO_MEMBER = "cbo_member", _("CBO member")
    CBO_HEAD = "cbo_head", _("CBO head")
    AGENCY_FOCAL_POINT = "agency_focal_point", _("Agency focal point")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    STATE_OFFICER = "state_officer", _("State officer")
    MINISTRY_ADMIN = "ministry_admin", _("Ministry admin")


CBO_ROLES = {Role.CBO_MEMBER, Role.CBO_HEAD}
# Roles that see other people's data across organisations must sign in with a second factor.
TWO_FACTOR_ROLES = {
    Role.AGENCY_FOCAL_POINT,
    Role.DISTRICT_OFFICER,
    Role.STATE_OFFICER,
    Role.MINISTRY_ADMIN,
}
# Who may invite (and remove) whom. A district officer's agency focal points act in the
# officer's district; a state officer's in its state or one of its districts, and its
# district officers are of its districts; a state officer needs a ministry admin.
INVITES: dict[str, set[Role]] = {
    Role.MINISTRY_ADMIN: {
        Role.STATE_OFFICER,
        Role.DISTRICT_OFFICER,
        Role.MINISTRY_ADMIN,
        Role.AGENCY_FOCAL_POINT,
    },
    Role.STATE_OFFICER: {Role.DISTRICT_OFFICER, Role.AGENCY_FOCAL_POINT},
    Role.DISTRICT_OFFICER: {Role.CBO_HEAD, Role.AGENCY_FOCAL_POINT},
    Role.CBO_HEAD: {Role.CBO_MEMBER},
}
# Roles that invite and remove people (the people page).
MANAGERS = tuple(INVITES)


def one_area(name: str) -> models.CheckConstraint:
    """A role acts in a district or in a state, never in both at once."""
    return models.CheckConstraint(
        condition=Q(district__isnull=True) | Q(state__isnull=True), name=name
    )


def state_officer_in_a_state(name: str) -> models.CheckConstraint:
    """A state officer acts in one state: no district, no organization."""
    return models.CheckConstraint(
        condition=~Q(role=Role.STATE_OFFICER)
        | Q(state__isnull=False, district__isnull=True, organization__isnull=True),
        name=name,
    )


class Scope(models.Model):
    """Where a role applies: a CBO or agency organization, a district or a state, or (none of
    them) the nation. An agency focal point acts for its organization in one district or one
    state: agencies such as JPW Negeri Sembilan serve many districts. A state officer acts in
    one state, a district officer in one district."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("state"),
    )

    class Meta:
        abstract = True

    @property
    def requires_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES

    def where(self) -> str:
        """The organisation, district, state or nation this role applies to, for people to
        read; an agency's focal point with the district or state it acts in."""
        place = None
        if self.district is not None:
            place = self.district.tr.name
        elif self.state is not None:
            place = self.state.tr.name
        if self.organization is None:
            return place or str(_("Malaysia"))
        if self.role != Role.AGENCY_FOCAL_POINT:
            return self.organization.tr.name  # a CBO's people act where the CBO is
        place = place or str(_("no district or state"))
        return f"{self.organization.tr.name} · {place}"

    def area(self, field: str = "district", state: str = "") -> Q:
        """Rows whose district (in `field`) lies in this role's district or state. For a role
        of a whole state, `state` names the row's own state field where it has one (kept
        with its district), read without a join through the district. A role with neither
        matches nothing: a missing area never widens what is seen."""
        if self.district_id:
            return Q(**{field: self.district_id})
        if self.state_id:
            return Q(**{state or f"{field}__state": self.state_id})
        return Q(pk__in=[])

    def covers(self, district: District) -> bool:
        """Whether `district` lies in this role's district or state (as `area`)."""
        if self.district_id:
            return district.pk == self.district_id
        return self.state_id is not None and district.state_id == self.state_id

    @staticmethod
    def acting_in(district_id) -> Q:
        """The roles that act in the district: those for it, and those for its whole state."""
        return Q(district=district_id) | Q(district__isnull=True, state__districts=district_id)


class Membership(Scope):
    """One role a user holds; a user may hold several and picks which one is active."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    invited_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    revoked_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization", "district"],
                condition=Q(revoked_at__isnull=True),
                name="acc_membership_unique_active",
            ),
            one_area("acc_membership_one_area"),
            state_officer_in_a_state("acc_membership_state_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.where()}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.user.is_active


class Invitation(Scope):
    """A one-time, expiring link that makes a membership (and the account, if new)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="ms"
    )
    # Only a hash: a copy of the database gives no usable link.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            one_area("acc_invitation_one_area"),
            state_officer_in_a_state("acc_invitation_state_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_role_display()}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > now
