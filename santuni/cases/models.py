"""People helped (clients), their consent, cases, referrals to services, service-level targets
and notifications. Personal data lives here and nowhere else (DESIGN.md, Data).

Rows change only through `santuni.cases.services`; the version numbers there detect two
people editing the same case or referral at once.
"""

import operator
import secrets
import uuid
from functools import reduce

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from santuni.accounts.models import Membership
from santuni.directory.models import Organization, Service, TaxonomyTerm
from santuni.geo.models import District, Mukim, State
from santuni.lib import crypto
from santuni.lib.dates import age_on
from santuni.lib.i18n import StrOrPromise

TARGET_GROUPS = "kumpulan-sasar"
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread on a phone


def new_reference() -> str:
    """A case reference like K-7M2QXD: says nothing about the person, readable over the phone."""
    return "K-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token (santuni.lib.crypto); the database never holds it plain."""

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else ""


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate danger")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class Client(models.Model):
    """A person a CBO helps. Anonymised (personal fields emptied) when consent is withdrawn or
    the retention period after the last case ends."""

    class Sex(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("CBO")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    mukim = models.ForeignKey(
        Mukim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mukim"),
    )
    name = models.CharField(_("full name"), max_length=200, blank=True)
    mykad = EncryptedTextField(_("MyKad number"), blank=True)
    # HMAC of the MyKad number: finds the same person recorded twice in a district.
    mykad_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.TextField(_("address"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    household_size = models.PositiveSmallIntegerField(
        _("number of people in the household"), null=True, blank=True
    )
    household = models.TextField(_("household members"), blank=True)
    target_groups = models.ManyToManyField(
        TaxonomyTerm,
        related_name="+",
        blank=True,
        limit_choices_to={"taxonomy__code": TARGET_GROUPS},
        verbose_name=_("target groups"),
    )
    oku_card = EncryptedTextField(_("OKU card number"), blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [models.Index(fields=["district", "mykad_hash"], name="cas_client_duplicate")]

    def __str__(self) -> str:
        return self.name or str(_("Anonymised client"))

    def age_on(self, day) -> int | None:
        if self.date_of_birth is None:
            return self.age
        return age_on(self.date_of_birth, day)


class Consent(models.Model):
    """What the client (or their guardian) agreed to, how and when; withdrawable."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written (signed form)")
        VERBAL = "verbal", _("Verbal, witnessed by the CBO head")

    class Purpose(models.TextChoices):
        RECORD = "record", _("Keep a record so the CBO can help")
        SHARE = "share", _("Share with other organisations to refer them for help")
        CONTACT = "contact", _("Be contacted by the organisation they are referred to")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("given by"), max_length=200, blank=True)
    relationship = models.CharField(_("relationship to the client"), max_length=100, blank=True)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    purposes = models.JSONField(_("for what"), default=list)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    recorded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} · {self.given_at:%Y-%m-%d}"

    def allows(self, purpose: str) -> bool:
        return self.withdrawn_at is None and purpose in self.purposes

    def purpose_labels(self) -> list[str]:
        return [str(label) for value, label in self.Purpose.choices if value in self.purposes]


class Case(models.Model):
    class Category(models.TextChoices):
        CHILD_PROTECTION = "child_protection", _("Child protection")
        DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
        OKU = "oku", _("Disability (OKU)")
        ELDERLY = "elderly", _("Elderly care")
        FINANCIAL = "financial", _("Financial hardship")
        HEALTH = "health", _("Health")
        SHELTER = "shelter", _("Housing or shelter")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        CLOSED = "closed", pgettext_lazy("status", "Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_reference)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("CBO")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    # The district's, kept beside it: a state's cases are read without a join. Indexed by
    # the indexes below that start with it.
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="+", verbose_name=_("state"), db_index=False
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    situation = models.TextField(_("situation"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The form's one-time key: a second tap on "record" finds the case the first one made.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["organization", "status"], name="cas_case_cbo"),
            # The district's counts by status, urgency and category read this index alone.
            models.Index(
                fields=["district", "status", "urgency", "category"], name="cas_case_district_figs"
            ),
            # The same for a state; and a state officer's list, newest first.
            models.Index(
                fields=["state", "status", "urgency", "category"], name="cas_case_state_figs"
            ),
            models.Index(fields=["state", "opened_at"], name="cas_case_state_opened"),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.at:%Y-%m-%d %H:%M}"


def _attachment_path(instance, filename: str) -> str:
    # The stored name says nothing of the person or of the file's own name.
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return str(self.pk)


class Referral(models.Model):
    """A case sent to a service (live), or a record that the person went on their own (logged)."""

    class Mode(models.TextChoices):
        LIVE = "live", _("Send to the organisation for action")
        LOGGED = "logged", _("Record only: the person went on their own")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REDIRECTED = "redirected", _("Redirected")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", pgettext_lazy("status", "Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class DeclineReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("Not eligible for this service")
        OUTSIDE_AREA = "outside_area", _("Outside our area")
        NO_CAPACITY = "no_capacity", _("No place or capacity now")
        WRONG_SERVICE = "wrong_service", _("Another service fits better")
        DUPLICATE = "duplicate", _("Already referred or already helped")
        CLIENT_REFUSED = "client_refused", _("The person does not want this help")
        OTHER = "other", _("Other (see note)")

    class Outcome(models.TextChoices):
        AID_APPROVED = "aid_approved", _("Aid approved")
        AID_REJECTED = "aid_rejected", _("Aid applied for, not approved")
        SERVICE_DELIVERED = "service_delivered", _("Service delivered")
        PLACED = "placed", _("Placed in care or a shelter")
        NO_FURTHER_ACTION = "no_further_action", _("No further action needed")
        NOT_CONTACTED = "not_contacted", _("Could not be contacted")
        CLIENT_DECLINED = "client_declined", _("The person declined the help")
        OTHER = "other", _("Other (see note)")

    class CloseReason(models.TextChoices):
        RESOLVED = "resolved", _("Done: the outcome is known")
        CLIENT_WITHDREW = "client_withdrew", _("The person withdrew")
        CLIENT_MOVED = "client_moved", _("The person moved away")
        CLIENT_DIED = "client_died", _("The person died")
        DUPLICATE = "duplicate", _("Duplicate referral")
        OTHER = "other", _("Other (see note)")

    OPEN = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS)
    # Back with the sender, who has to refer again.
    RETURNED = (Status.DECLINED, Status.REDIRECTED)
    # Finished for the receiving organisation: it no longer sees who the person is.
    ENDED = (Status.CANCELLED, Status.DECLINED, Status.REDIRECTED, Status.CLOSED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=16, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    # Copies of the case's, which never change once it is opened: the dashboards count a
    # million referrals by district or state, urgency and category from an index, without
    # joining the cases or the districts.
    # Indexed by the indexes below that start with it.
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+", db_index=False)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, editable=False)
    category = models.CharField(
        _("category"), max_length=20, choices=Case.Category.choices, editable=False
    )
    mode = models.CharField(_("kind"), max_length=10, choices=Mode.choices, default=Mode.LIVE)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("what the organisation needs to know"), blank=True)
    consent_override = models.TextField(_("reason to refer without consent"), blank=True)
    decline_reason = models.CharField(
        _("reason"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    close_reason = models.CharField(
        _("reason"), max_length=20, choices=CloseReason.choices, blank=True
    )
    redirected_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="redirects"
    )
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    acknowledge_due = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    complete_due = models.DateTimeField(_("complete by"), null=True, blank=True)
    acknowledge_escalated_at = models.DateTimeField(null=True, blank=True)
    complete_escalated_at = models.DateTimeField(null=True, blank=True)
    # Sent → acknowledged and sent → completed, kept when the step happens so a median is
    # an index walk (ORDER BY … OFFSET n/2) on SQLite and PostgreSQL alike.
    seconds_to_acknowledge = models.PositiveIntegerField(null=True, editable=False)
    seconds_to_complete = models.PositiveIntegerField(null=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "status"], name="cas_referral_inbox"),
            # With the due times, a district's overdue referrals are counted, and listed most
            # late first, from the index.
            models.Index(
                fields=["district", "status", "acknowledge_due"], name="cas_ref_district_ack_due"
            ),
            models.Index(
                fields=["district", "status", "complete_due"], name="cas_ref_district_done_due"
            ),
            models.Index(fields=["status", "acknowledge_due"], name="cas_referral_ack_due"),
            models.Index(fields=["status", "complete_due"], name="cas_referral_done_due"),
            # The dashboards (santuni.reports.dashboards.figures), nationally then per
            # district. The first holds both times, so one pass counts them; each medians'
            # order is an index's own.
            models.Index(
                fields=["urgency", "seconds_to_acknowledge", "seconds_to_complete"],
                name="cas_ref_times",
            ),
            models.Index(fields=["urgency", "seconds_to_complete"], name="cas_ref_done_time"),
            models.Index(fields=["category"], name="cas_ref_category"),
            models.Index(
                fields=["district", "urgency", "seconds_to_acknowledge", "seconds_to_complete"],
                name="cas_ref_district_times",
            ),
            models.Index(
                fields=["district", "urgency", "seconds_to_complete"],
                name="cas_ref_district_done_time",
            ),
            models.Index(fields=["district", "category"], name="cas_ref_district_category"),
            # What each organisation received (sent for action), and what still waits for
            # an answer or completion, per urgency.
            models.Index(fields=["mode", "organization", "sent_at"], name="cas_ref_received"),
            models.Index(
                fields=["district", "mode", "organization", "sent_at"],
                name="cas_ref_district_received",
            ),
            models.Index(fields=["status", "urgency", "mode"], name="cas_ref_waiting"),
            models.Index(
                fields=["district", "status", "urgency", "mode"], name="cas_ref_district_waiting"
            ),
            # CBO activity: referrals sent lately, per case (so per CBO) and per district.
            models.Index(fields=["case", "sent_at"], name="cas_ref_case_sent"),
            models.Index(fields=["district", "sent_at"], name="cas_ref_district_sent"),
            # A state's figures, as its districts' above; its officer's list, newest first.
            models.Index(
                fields=["state", "status", "acknowledge_due"], name="cas_ref_state_ack_due"
            ),
            models.Index(fields=["state", "status", "complete_due"], name="cas_ref_state_done_due"),
            models.Index(
                fields=["state", "urgency", "seconds_to_acknowledge", "seconds_to_complete"],
                name="cas_ref_state_times",
            ),
            models.Index(
                fields=["state", "urgency", "seconds_to_complete"], name="cas_ref_state_done_time"
            ),
            models.Index(fields=["state", "category"], name="cas_ref_state_category"),
            models.Index(
                fields=["state", "mode", "organization", "sent_at"], name="cas_ref_state_received"
            ),
            models.Index(
                fields=["state", "status", "urgency", "mode"], name="cas_ref_state_waiting"
            ),
            models.Index(fields=["state", "created_at"], name="cas_ref_state_created"),
        ]

    def __str__(self) -> str:
        return self.reference

    def overdue(self, now=None) -> str:
        """'acknowledge' or 'complete' when a target time has passed, else ''."""
        now = now or timezone.now()
        if self.status == self.Status.SENT and self.acknowledge_due and self.acknowledge_due < now:
            return "acknowledge"
        if (
            self.status in (self.Status.ACCEPTED, self.Status.IN_PROGRESS)
            and self.complete_due
            and self.complete_due < now
        ):
            return "complete"
        return ""

    @property
    def ended(self) -> bool:
        return self.status in self.ENDED

    @property
    def reason_label(self) -> StrOrPromise:
        for value, choices in (
            (self.decline_reason, self.DeclineReason),
            (self.close_reason, self.CloseReason),
        ):
            if value:
                return choices(value).label
        return ""


# Overdue: each status and the target time it waits on.
LATE_STEPS = (
    (Referral.Status.SENT, "acknowledge_due"),
    (Referral.Status.ACCEPTED, "complete_due"),
    (Referral.Status.IN_PROGRESS, "complete_due"),
)


def overdue_filter(now) -> Q:
    return reduce(
        operator.or_, (Q(status=status, **{f"{due}__lt": now}) for status, due in LATE_STEPS)
    )


class ReferralEvent(models.Model):
    """One step of a referral's timeline: who moved it to which status, when, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(Membership, on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=12, choices=Referral.Status.choices)
    # Escalations by the deadline check have no actor and keep the status.
    escalation = models.CharField(max_length=12, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} → {self.status}"

    @property
    def reason_label(self) -> StrOrPromise:
        reasons: dict[str, type[models.TextChoices]] = {
            Referral.Status.DECLINED: Referral.DeclineReason,
            Referral.Status.COMPLETED: Referral.Outcome,
            Referral.Status.CLOSED: Referral.CloseReason,
        }
        choices = reasons.get(self.status)
        if choices is None or self.reason not in choices.values:
            return ""
        return choices(self.reason).label


class ServiceLevel(models.Model):
    """Target times per urgency; a ministry admin changes them in the admin. A referral keeps
    the targets it was sent with."""

    class Unit(models.TextChoices):
        HOURS = "hours", _("hours")
        WORKING_DAYS = "working_days", _("working days (Monday to Friday)")

    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, unique=True)
    acknowledge_within = models.PositiveIntegerField(_("acknowledge within"))
    acknowledge_unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    complete_within = models.PositiveIntegerField(_("complete within"))
    complete_unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")

    def __str__(self) -> str:
        return self.get_urgency_display()


class PublicHoliday(models.Model):
    """A day that is not a working day: national (no state) or in one state. Target times
    counted in working days skip it."""

    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    state = models.ForeignKey(
        State,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("state"),
        help_text=_("Leave empty for a national holiday."),
    )

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=Q(state__isnull=True), name="cas_holiday_national"
            ),
            models.UniqueConstraint(
                fields=["date", "state"], condition=Q(state__isnull=False), name="cas_holiday_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Notification(models.Model):
    """An in-app message; it names a referral by its reference only."""

    recipient = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="santuni_notifications"
    )
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="cas_notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.referral_id}"
