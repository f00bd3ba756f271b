"""What a compact result card says: where the service is, in a few words, and its name and
description without the sample markers the card shows once as a badge."""

import re

from django import template
from django.utils.translation import gettext

register = template.Library()

# Fictional demonstration records carry the marker in their data; a card shows it once.
SAMPLE_NAME = re.compile(r"\s*\((?:Contoh|Sample)\)\s*$")
SAMPLE_DESCRIPTION = re.compile(r"^\s*(?:Data contoh|Sample data)\.\s*")
PLACES_SHOWN = 2


@register.filter
def without_sample_marker(text: str) -> str:
    """A sample record's name or description without its "(Contoh)" or "Data contoh." marker."""
    return SAMPLE_DESCRIPTION.sub("", SAMPLE_NAME.sub("", text or ""))


def _place_names(service) -> list[str]:
    names: list[str] = []
    locations = list(service.service_at_locations.all())
    for sal in locations:
        if sal.location.is_confidential:
            name = gettext("Confidential address")
        else:
            address = next(iter(sal.location.public_addresses), None)
            if address is None:
                continue
            name = address.district.tr.name if address.district else address.city
            # One place: its mukim too, when it says more than the district does.
            if (
                len(locations) == 1
                and address.mukim
                and address.mukim.name != address.district.name
            ):
                name = f"{address.mukim.tr.name}, {name}"
        if name and name not in names:
            names.append(name)
    if not locations:
        for area in service.service_areas.all():
            name = area.mukim.tr.name if area.mukim else area.district.tr.name
            if name not in names:
                names.append(name)
    return names


@register.filter
def places_short(service) -> dict:
    """Where a service is or serves, once: names "Seremban, Port Dickson" and 5 more."""
    names = _place_names(service) or [gettext("Place not given")]
    return {"names": ", ".join(names[:PLACES_SHOWN]), "more": max(len(names) - PLACES_SHOWN, 0)}


@register.filter
def directions_url(service) -> str:
    """A map link to the first public place of the service, or ""."""
    for sal in service.service_at_locations.all():
        if sal.location.has_public_position:
            return sal.location.google_maps_url
    return ""
