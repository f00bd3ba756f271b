"""Cases data for tests, made through the domain functions as users would make it."""

import uuid
from datetime import date

from django.utils import translation
from django.utils.translation import gettext

from santuni.directory.tests.factories import ServiceFactory, mukim, term

from ..models import Consent, Urgency
from ..services import cases, referrals

# A valid MyKad number: born 15 March 1985 in Negeri Sembilan (05), a woman (even last digit).
MYKAD = "850315-05-5124"
CLIENT_NAME = "Rohani binti Sampel"
CLIENT_PHONE = "+60123456789"
DUPLICATE = (
    "A person with this MyKad number may already be recorded in this district. "
    "Ask your district officer before referring them again."
)
ALL_PURPOSES = [p for p, _label in Consent.Purpose.choices]


def jkm_service(people, **fields):
    """A service of the personas' JKM district office (the agency focal point's organisation)."""
    return ServiceFactory(
        organization=people.agency, name=fields.pop("name", "Bantuan Kebajikan JKM"), **fields
    )


def client_details(**fields) -> cases.ClientDetails:
    values = {
        "name": CLIENT_NAME,
        "sex": "f",
        "mykad": MYKAD.replace("-", ""),
        "phone": CLIENT_PHONE,
        "address": "No. 12, Jalan Sampel, Rasah",
        "mukim": mukim("Rasah"),
        "date_of_birth": date(1985, 3, 15),
        "household_size": 3,
        "household": "Dua anak, 6 dan 9 tahun",
        "target_groups": [term("mangsa-krt")],
    }
    values.update(fields)
    return cases.ClientDetails(**values)


def make_case(persona, *, urgency=Urgency.HIGH, purposes=ALL_PURPOSES, **client_fields):
    return cases.case_create(
        actor=persona.membership,
        client=client_details(**client_fields),
        consent=cases.ConsentDetails(method=Consent.Method.WRITTEN, purposes=list(purposes)),
        category="domestic_violence",
        urgency=urgency,
        situation="Suami memukul; dia dan anak-anak perlukan tempat selamat.",
        submission_key=uuid.uuid4(),
    ).case


def make_referral(persona, case, service, *, send=True, mode="live", override=""):
    return referrals.referral_create(
        actor=persona.membership,
        case_id=case.pk,
        service_id=service.pk,
        mode=mode,
        summary="Perlukan perlindungan dan bantuan segera.",
        send=send,
        consent_override=override,
        submission_key=uuid.uuid4(),
    )


def malay(message: str) -> str:
    with translation.override("ms"):
        return gettext(message)
