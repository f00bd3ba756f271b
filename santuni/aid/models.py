"""JKM aid schemes as data: each scheme's versions with effective dates (a budget change is a
new version; history stays), their eligibility rules as declarative data, and the dated
poverty line (PGK) per state and urban/rural area. No scheme's rules are written in Python."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from santuni.directory.models import en
from santuni.geo.models import State
from santuni.lib.i18n import TranslatedMixin


class Sourced(TranslatedMixin, models.Model):
    """Where a fact comes from and when it was true; uncertain facts wait for an admin."""

    source = models.CharField(_("source"), max_length=300)
    source_en = models.CharField(en(_("source")), max_length=300, blank=True)
    source_date = models.DateField(_("source date"))
    uncertain = models.BooleanField(
        _("uncertain"),
        default=False,
        help_text=_("Shown as 'check with JKM' until an admin confirms the figure."),
    )

    class Meta:
        abstract = True


class PovertyLine(Sourced):
    """Pendapatan Garis Kemiskinan: household income per month below which a household is poor."""

    class Area(models.TextChoices):
        ALL = "all", _("Whole state")
        URBAN = "urban", _("Urban")
        RURAL = "rural", _("Rural")

    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("state"),
        help_text=_("Empty for the Malaysia-wide figure."),
    )
    area = models.CharField(_("area"), max_length=5, choices=Area.choices, default=Area.ALL)
    amount = models.DecimalField(_("RM a month"), max_digits=8, decimal_places=2)
    effective_from = models.DateField(_("applies from"))

    class Meta:
        verbose_name = _("poverty line (PGK)")
        verbose_name_plural = _("poverty lines (PGK)")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "effective_from"],
                condition=Q(state__isnull=True),
                name="aid_pgk_national",
            ),
            models.UniqueConstraint(
                fields=["state", "area", "effective_from"],
                condition=Q(state__isnull=False),
                name="aid_pgk_state",
            ),
        ]

    def __str__(self) -> str:
        where = self.state.name if self.state is not None else "Malaysia"
        return (
            f"PGK {where} {self.get_area_display()} {self.effective_from:%Y-%m-%d}: RM{self.amount}"
        )


class Scheme(TranslatedMixin, models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(en(_("name")), max_length=200, blank=True)
    explanation = models.TextField(_("explanation"))
    explanation_en = models.TextField(en(_("explanation")), blank=True)
    documents = models.TextField(_("documents to bring"), help_text=_("One per line."))
    documents_en = models.TextField(en(_("documents to bring")), blank=True)
    how_to_apply = models.TextField(_("where and how to apply"))
    how_to_apply_en = models.TextField(en(_("where and how to apply")), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("aid scheme")
        verbose_name_plural = _("aid schemes")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def document_list(self) -> list[str]:
        return [line.strip() for line in self.tr.documents.splitlines() if line.strip()]


class SchemeVersion(Sourced):
    """A scheme's amount and rules from a date on, until a later version takes over."""

    class AmountKind(models.TextChoices):
        FIXED = "fixed", _("A fixed amount a month")
        PER_CHILD = "per_child", _("Per child by age, up to a family cap")
        PER_PERSON = "per_person", _("Per household member, up to a family cap")
        ACTUAL_COST = "actual_cost", _("The actual cost (of a device)")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("applies from"))
    amount_kind = models.CharField(_("amount"), max_length=12, choices=AmountKind.choices)
    amount = models.DecimalField(
        _("RM a month"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    child_rates = models.JSONField(
        _("rates per child"),
        default=list,
        blank=True,
        help_text=_('For example [{"max_age": 6, "amount": 250}, {"max_age": 17, "amount": 200}].'),
    )
    family_cap = models.DecimalField(
        _("at most RM a month per family"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    rules = models.JSONField(
        _("who qualifies (rules)"),
        default=list,
        help_text=_(
            "A list of rules; see the README's 'Aid rules' for the kinds and their settings."
        ),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        ordering = ["scheme", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "effective_from"], name="aid_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} {self.effective_from:%Y-%m-%d}"
