"""A person's own place: the state (and district) that forms offer first.

A signed-in person's comes from the role they act in, set on the request by
`accounts.access.HomePlaceMiddleware`. Anyone else has none (a public page sets no cookie)."""

from dataclasses import dataclass

from .models import District, State
from .places import gazetteer


@dataclass(frozen=True)
class HomePlace:
    state: State | None = None
    district: District | None = None


def place_of(state_id: int | None, district_id: int | None) -> HomePlace:
    """The place for ids (a role's), with the district's state when only a district is set."""
    places = gazetteer()
    district = places.districts_by_id.get(district_id) if district_id else None
    if district is not None:
        return HomePlace(places.states_by_id.get(district.state_id), district)
    return HomePlace(places.states_by_id.get(state_id) if state_id else None)


def home_place(request) -> HomePlace:
    """The place of the role the person acts in; an empty place for anyone else."""
    own = getattr(request, "home_place", None)  # lazy: false when the role has no place
    return own if own else HomePlace()
