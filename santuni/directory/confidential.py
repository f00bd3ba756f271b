"""What of a confidential location may leave the system: one allow-list for every output.

A confidential location (a domestic-violence shelter) is stored whole, as imported or typed,
but the API, the HSDS exports, the public pages, the search index and the booklet publish of
it, and of the records that hang from it, only the fields `published_fields` names. Which
records hang from a location is read from the foreign keys, so a kind of record added later
is withheld until it is named here. Imports only the framework, so that the models can use
it too.
"""

import operator
from functools import cache, reduce
from typing import Any

from django.db import models
from django.db.models import Q

# By model name. A foreign key is named as the model field (`location`, output `location_id`).
_PARENTS = ("organization", "service", "location", "service_at_location")
_PUBLISHED: dict[str, frozenset[str]] = {
    "location": frozenset(
        {"id", "organization", "location_type", "name", "name_en", "is_confidential"}
    ),
    "serviceatlocation": frozenset({"id", "service", "location"}),
    "phone": frozenset(
        {"id", *_PARENTS, "number", "extension", "type", "description", "description_en"}
    ),
    "schedule": frozenset(
        {"id", *_PARENTS[1:], "valid_from", "valid_to", "freq", "interval", "byday"}
        | {"bymonthday", "opens_at", "closes_at"}
    ),
}


def published_fields(model: type[models.Model]) -> frozenset[str]:
    """The fields of a record of `model` that may leave the system when the record is a
    confidential location or hangs from one. Everything else is withheld, so that a field
    added later stays in; an empty set withholds the record whole (and what hangs from it).

    The allowed set is what a shelter's public pages and the booklet have always shown:
    - location: its id, organization, type (HSDS requires it), its name in both languages (the
      name the organisation chose to show on the page) and the flag itself. Withheld: the
      description, alternate name, web page, directions, position and external identifiers,
      any of which can tell where the place is.
    - phones of the place or of a service there: number, extension, type and note. The phone
      is how a person reaches a shelter ("only the phone"); pages and booklet show the note.
    - schedules of the place or of a service there: the hours (days, times, dates of
      validity), which the service's page shows; their description, notes and attending
      type are free text, withheld.
    - service at the location: the link itself (which service, which place); its
      description is free text about the place, withheld.
    - withheld whole: addresses; languages (of the place or of its phones, with their free
      notes), contacts (people's names, titles, emails, and their phones), attributes linked
      to the place (free values; HSDS accessibility and metadata have no table here, a
      place's accessibility would be such an attribute). No page shows them.
    """
    return _PUBLISHED.get(model._meta.model_name or "", frozenset())


def publishes(model: type[models.Model], name: str) -> bool:
    """Whether a field of this name, or the related records of this name, of a confidential
    location (or of a record hanging from one) may leave the system."""
    field = model._meta.get_field(name)
    if field.auto_created and not field.concrete:  # related records: their kind decides
        related = field.related_model  # a model class once the models are loaded
        return isinstance(related, type) and bool(published_fields(related))
    return field.name in published_fields(model)


Kinds = tuple[type[models.Model], ...]


def _chains(model: type[models.Model], seen: frozenset = frozenset()) -> list[tuple[str, Kinds]]:
    """Each chain of foreign keys from a record of `model` up to a location: its lookup and
    the kinds of record on the way (the location last)."""
    if model._meta.model_name == "location":
        return [("", ())]
    found: list[tuple[str, Kinds]] = []
    for field in model._meta.concrete_fields:
        target = field.related_model  # a model class for a foreign key
        if not field.many_to_one or not isinstance(target, type):
            continue
        if target in seen or target._meta.app_label != "directory":
            continue
        for lookup, kinds in _chains(target, seen | {model}):
            found.append(("__".join(filter(None, [field.name, lookup])), (target, *kinds)))
    return found


@cache
def _chains_of(model: type[models.Model]) -> tuple[tuple[str, bool], ...]:
    """The chains to a location, each with whether every record on the way may be published."""
    return tuple(
        (lookup, all(published_fields(kind) for kind in (model, *kinds)))
        for lookup, kinds in _chains(model)
    )


def _location_link(model: type[models.Model]) -> bool:
    """HSDS attributes point at a location by id and table name, not by a foreign key."""
    return model._meta.model_name == "attribute"


def confidential_rows(model: type[models.Model]) -> tuple[Q | None, Q | None]:
    """The records of this kind that are a confidential location or hang from one, as query
    conditions: those published in part (`published_fields`), and those withheld whole
    (their kind, or one on the way to the location, has nothing to publish). None: no such
    record can exist."""
    shown: list[Q] = []
    withheld: list[Q] = []
    for lookup, publishable in _chains_of(model):
        condition = Q(**{"__".join(filter(None, [lookup, "is_confidential"])): True})
        (shown if publishable else withheld).append(condition)
    if _location_link(model):
        places = model._meta.apps.get_model("directory", "Location").objects
        hidden = places.filter(is_confidential=True).values("pk")
        withheld.append(Q(link_entity="location", link_id__in=hidden))
    return _either(shown), _either(withheld)


def _either(conditions: list[Q]) -> Q | None:
    return reduce(operator.or_, conditions) if conditions else None


def belongs_to_confidential(record: models.Model, *, came_from: str = "") -> bool:
    """Whether the record is a confidential location or hangs from one, read through its
    foreign keys (a query for each one not loaded). `came_from`: the foreign key by which it
    was reached from a parent already known not to be confidential, not read again."""
    for lookup, _publishable in _chains_of(type(record)):
        steps = lookup.split("__") if lookup else []
        if steps and steps[0] == came_from:
            continue
        # Read by field name (this module cannot import the models): a location at the end.
        found: Any = record
        for step in steps:
            if found.serializable_value(step) is None:  # the key, without loading the row
                break
            found = getattr(found, step)
        else:
            if found.is_confidential:
                return True
    if _location_link(type(record)):
        attribute: Any = record  # an HSDS attribute, read by field name
        if attribute.link_entity == "location":
            places = record._meta.apps.get_model("directory", "Location").objects
            return places.filter(pk=attribute.link_id, is_confidential=True).exists()
    return False
