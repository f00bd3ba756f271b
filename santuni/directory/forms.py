"""The results page's query string, validated."""

from django import forms
from django.utils.translation import gettext_lazy as _

from santuni.geo.forms import DistrictChoiceField, StateChoiceField
from santuni.geo.home import HomePlace
from santuni.geo.models import Mukim
from santuni.geo.places import gazetteer

from .models import Taxonomy, TaxonomyTerm
from .selectors import SearchQuery

UNREADABLE_POSITION = _("We could not read your location. Please try 'Near me' again.")
POSITION_ERRORS = {
    "invalid": UNREADABLE_POSITION,
    "min_value": UNREADABLE_POSITION,
    "max_value": UNREADABLE_POSITION,
}


def coordinate_field(limit: int) -> forms.FloatField:
    """A hidden latitude or longitude set by the 'Near me' button."""
    return forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        min_value=-limit,
        max_value=limit,
        error_messages=POSITION_ERRORS,
    )


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.tr.name


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.tr.name

    def to_python(self, value):
        try:
            return super().to_python(value)
        except self.queryset.model.MultipleObjectsReturned:
            raise forms.ValidationError(
                _("There are several places of that name: choose the district first."),
                code="ambiguous",
            ) from None


class SearchForm(forms.Form):
    """Field names are the URL's parameters, in Malay, so a shared link reads naturally."""

    q = forms.CharField(label=_("What help is needed?"), required=False, max_length=200)
    negeri = StateChoiceField(label=_("State"), required=False)
    daerah = DistrictChoiceField(
        label=_("District"), required=False, empty_label=_("All districts")
    )
    mukim = PlaceChoiceField(
        label=_("Mukim"),
        queryset=Mukim.objects.select_related("district"),
        to_field_name="slug",
        required=False,
        empty_label=_("All mukims"),
    )
    kumpulan = TermChoiceField(
        label=_("Target group"),
        queryset=TaxonomyTerm.objects.filter(taxonomy__code=Taxonomy.TARGET_GROUPS),
        to_field_name="code",
        required=False,
        empty_label=_("Everyone"),
    )
    keperluan = TermChoiceField(
        label=_("Need"),
        queryset=TaxonomyTerm.objects.filter(taxonomy__code=Taxonomy.NEEDS),
        to_field_name="code",
        required=False,
        empty_label=_("Any need"),
    )
    buka = forms.BooleanField(label=_("Open now"), required=False)
    lat = coordinate_field(90)
    lng = coordinate_field(180)

    def __init__(self, *args, home: HomePlace | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        places = gazetteer()
        state = places.state(self.data.get("negeri", ""))
        district = places.district(self.data.get("daerah", ""))
        if state is not None and district is not None and district.state_id != state.pk:
            # The person chose another state: the district (and mukim) of the last one go.
            self.data = self.data.copy()
            for name in ("daerah", "mukim"):
                self.data.pop(name, None)
            district = None
        if state is None and district is not None:
            state = places.state_of_district(district)
        # One state's districts once a state is known; else all, the person's own state first.
        self.fields["daerah"].show_state(state, first=home.state if home else None)
        # A mukim's slug is unique only inside its district: narrow to the chosen district.
        if district is not None:
            self.fields["mukim"].queryset = Mukim.objects.filter(district=district)
        elif state is not None:
            self.fields["mukim"].queryset = Mukim.objects.filter(district__state=state)
        self.state_shown = state

    FILTERS = ("negeri", "daerah", "mukim", "kumpulan", "keperluan", "buka")

    @property
    def filters_used(self) -> bool:
        """Whether the filter panel should start open: a filter is set or is wrong."""
        return any(self.data.get(name) for name in self.FILTERS) or any(
            name in self.errors for name in self.FILTERS
        )

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise forms.ValidationError(
                _("Your location was incomplete. Please try 'Near me' again."), code="position"
            )
        mukim, district = data.get("mukim"), data.get("daerah")
        if mukim and district and mukim.district_id != district.pk:
            self.add_error("mukim", _("This mukim is not in the chosen district."))
        return data

    def to_query(self) -> SearchQuery:
        data = self.cleaned_data
        latitude, longitude = data.get("lat"), data.get("lng")
        if latitude is not None and longitude is not None:
            # ~1 km is enough to sort by; a person's precise position is never kept or logged.
            latitude, longitude = round(latitude, 2), round(longitude, 2)
        return SearchQuery(
            text=data.get("q") or "",
            state=data.get("negeri"),
            district=data.get("daerah"),
            mukim=data.get("mukim"),
            target_group=data.get("kumpulan"),
            need=data.get("keperluan"),
            open_now=bool(data.get("buka")),
            latitude=latitude,
            longitude=longitude,
        )
