"""Choosing a place in a form: a state, then a district among that state's, grouped by state when
no state is known yet."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import District, State
from .places import gazetteer


class StateChoiceField(forms.ModelChoiceField):
    """A state by its slug (`negeri=johor`); its ISO code (`MY-01`) or any of its names are
    taken too, so a link typed by hand works."""

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", _("All states"))
        super().__init__(queryset=State.objects.order_by("name"), to_field_name="slug", **kwargs)

    def label_from_instance(self, obj):
        return obj.tr.name

    def to_python(self, value):
        if value in self.empty_values:
            return None
        known = gazetteer().state(str(value))
        if known is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return known


class DistrictChoiceField(forms.ModelChoiceField):
    """Any district of Malaysia by its slug. The choices shown are one state's districts when a
    state is known (`show_state`), else every district grouped by state, the person's own
    state first."""

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(queryset=District.objects.select_related("state"), **kwargs)

    def label_from_instance(self, obj):
        return obj.tr.name

    def show_state(self, state: State | None, first: State | None = None) -> None:
        """Offer `state`'s districts only, or (None) all of them grouped by state with `first`
        on top. The choices come from the gazetteer: no query."""
        places = gazetteer()
        key = self.to_field_name or "pk"
        districts = sorted(places.districts_by_id.values(), key=lambda d: d.tr.name)
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        if state is not None:
            self.choices = empty + [
                (getattr(d, key), d.tr.name) for d in districts if d.state_id == state.pk
            ]
            return
        states = sorted(
            places.states_by_id.values(),
            key=lambda s: (first is None or s.pk != first.pk, s.tr.name),
        )
        self.choices = empty + [
            (
                s.tr.name,
                [(getattr(d, key), d.tr.name) for d in districts if d.state_id == s.pk],
            )
            for s in states
        ]
