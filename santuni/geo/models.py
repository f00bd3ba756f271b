"""States, districts (daerah) and mukims of Malaysia, each with a centre point, and the postcode
gazetteer (data/SOURCES.md says where each list comes from)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from santuni.lib.i18n import TranslatedMixin

# Malaysia spans roughly 0.8–7.4 N and 99.6–119.3 E; anything outside is a typo.
LATITUDE_VALIDATORS = [MinValueValidator(0.5), MaxValueValidator(7.5)]
LONGITUDE_VALIDATORS = [MinValueValidator(99.5), MaxValueValidator(119.5)]


class Place(TranslatedMixin, models.Model):
    name = models.CharField(_("name (Malay)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100)
    latitude = models.FloatField(_("latitude"), validators=LATITUDE_VALIDATORS)
    longitude = models.FloatField(_("longitude"), validators=LONGITUDE_VALIDATORS)
    variants = models.JSONField(
        _("other spellings"),
        default=list,
        blank=True,
        help_text=_("Other names people write for this place, such as old or English spellings."),
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class State(Place):
    class Weekend(models.TextChoices):
        SATURDAY_SUNDAY = "sat_sun", _("Saturday and Sunday")
        FRIDAY_SATURDAY = "fri_sat", _("Friday and Saturday")

    code = models.CharField(
        _("ISO 3166-2 code"), max_length=5, unique=True, help_text=_("For example MY-05.")
    )
    # Kedah, Kelantan and Terengganu rest on Friday and Saturday; target times count in it.
    weekend = models.CharField(
        _("weekend"), max_length=7, choices=Weekend.choices, default=Weekend.SATURDAY_SUNDAY
    )

    class Meta(Place.Meta):
        verbose_name = _("state")
        verbose_name_plural = _("states")
        constraints = [models.UniqueConstraint(fields=["slug"], name="geo_state_slug_unique")]

    @property
    def weekend_days(self) -> frozenset[int]:
        """Python weekday numbers (Monday 0) of the state's weekend."""
        return frozenset({4, 5} if self.weekend == self.Weekend.FRIDAY_SATURDAY else {5, 6})


class District(Place):
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="districts", verbose_name=_("state")
    )
    code = models.CharField(
        _("official code"),
        max_length=10,
        blank=True,
        help_text=_("The district's code in a published official list, where there is one."),
    )
    division = models.CharField(
        _("division"),
        max_length=100,
        blank=True,
        help_text=_("In Sabah and Sarawak: the division (bahagian) the district belongs to."),
    )
    towns = models.JSONField(
        _("towns"),
        default=list,
        blank=True,
        help_text=_("Postal towns that lie in this district, as the postcode list spells them."),
    )

    class Meta(Place.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="geo_district_slug_unique"),
            models.UniqueConstraint(fields=["state", "name"], name="geo_district_name_unique"),
        ]


class Mukim(Place):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="mukims", verbose_name=_("district")
    )
    uncertain = models.BooleanField(
        _("needs confirming"),
        default=False,
        help_text=_("The name or boundary comes from an unconfirmed list."),
    )

    class Meta(Place.Meta):
        verbose_name = _("mukim")
        verbose_name_plural = _("mukims")
        constraints = [
            models.UniqueConstraint(fields=["district", "slug"], name="geo_mukim_slug_unique"),
        ]


class Postcode(models.Model):
    """One postcode's town; a postcode may serve several towns, and a town several postcodes.
    The district is known where the source gives it or the town is the district's own."""

    postcode = models.CharField(_("postcode"), max_length=5, db_index=True)
    town = models.CharField(_("town"), max_length=100)
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="+", verbose_name=_("state")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        ordering = ["postcode", "town"]
        constraints = [
            models.UniqueConstraint(fields=["postcode", "town"], name="geo_postcode_town_unique")
        ]

    def __str__(self) -> str:
        return f"{self.postcode} {self.town}"
