"""factory_boy factories for directory data (geo and taxonomies come from the seed migrations)."""

from datetime import time

import factory

from santuni.directory import models
from santuni.directory.indexing import index_services
from santuni.geo.models import District, Mukim


def seremban() -> District:
    return District.objects.get(slug="seremban")


def mukim(name: str, district: str = "seremban") -> Mukim:
    return Mukim.objects.get(district__slug=district, name=name)


def term(code: str) -> models.TaxonomyTerm:
    return models.TaxonomyTerm.objects.get(code=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    name = factory.Sequence(lambda n: f"Pertubuhan Ujian {n}")
    description = "Pertubuhan untuk ujian."


class CboProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CboProfile

    organization = factory.SubFactory(OrganizationFactory)
    district = factory.LazyFunction(seremban)
    head_name = "Siti Aminah binti Hassan"
    head_phone = "+60120001111"
    head_consent = False


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Service
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Perkhidmatan {n}")
    description = "Perkhidmatan untuk ujian."

    @factory.post_generation
    def terms(self, create, extracted, **kwargs):
        for code in extracted or []:
            models.Attribute.objects.create(
                link_entity="service", link_id=self.id, taxonomy_term=term(code)
            )

    @factory.post_generation
    def search_index(self, create, extracted, **kwargs):
        # As every write path does (admin, import): the index follows the data.
        if create:
            index_services([self.pk])


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Location

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Pejabat {n}")
    latitude = 2.7258
    longitude = 101.9424


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Address

    location = factory.SubFactory(LocationFactory)
    address_1 = factory.Sequence(lambda n: f"No. {n}, Jalan Ujian")
    city = "Seremban"
    postal_code = "70000"
    state_province = "Negeri Sembilan"
    district = factory.LazyFunction(seremban)


def place_service(service: models.Service, *, mukim_name: str = "Rasah", **location_fields):
    """Offer `service` at a new location with an address in a Seremban mukim."""
    location = LocationFactory(organization=service.organization, **location_fields)
    AddressFactory(location=location, mukim=mukim(mukim_name))
    models.ServiceAtLocation.objects.create(service=service, location=location)
    index_services([service.pk])
    return location


def weekday_hours(service: models.Service, days="MO,TU,WE,TH,FR", opens=time(8), closes=time(17)):
    return models.Schedule.objects.create(
        service=service, byday=days, opens_at=opens, closes_at=closes
    )
