"""factory_boy factories for capacity-building data."""

from datetime import date

import factory

from santuni.directory.tests.factories import seremban
from santuni.geo.models import District, State
from santuni.training import models


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Programme

    name = factory.Sequence(lambda n: f"Program Latihan {n}")
    name_en = factory.Sequence(lambda n: f"Training Programme {n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Kursus Ketua CBO {n}")
    name_en = factory.Sequence(lambda n: f"Course for CBO heads {n}")
    date = date(2026, 9, 14)
    district = factory.LazyFunction(seremban)
    place = "Dewan Ujian"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Attendance

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Peserta Ujian {n} binti Contoh")
    role = models.AttendeeRole.MEMBER


def johor_district() -> District:
    """A district in another state than the personas' (the seed has Negeri Sembilan's only)."""
    district, _ = District.objects.get_or_create(
        slug="muar",
        defaults={
            "name": "Muar",
            "latitude": 2.05,
            "longitude": 102.57,
            "state": State.objects.get(code="MY-01"),
        },
    )
    return district
