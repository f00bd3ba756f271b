"""A referral's steps as a person meets them: a service is found by its name and chosen from a
list (with JavaScript or without), never typed as an id; a step that cannot be taken back is
asked twice and is never the main button; each status offers one main next step."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from santuni.accounts.tests.personas import sign_in
from santuni.cases.models import Case, Referral
from santuni.cases.services import referrals
from santuni.directory.indexing import index_services
from santuni.directory.models import ServiceArea
from santuni.directory.tests.factories import OrganizationFactory, ServiceFactory, seremban

from .factories import jkm_service, make_case, make_referral, malay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
S = Referral.Status
HOME = "Penjagaan berinstitusi warga emas (Rumah Seri Kenangan)"
HOME_ORG = "Rumah Seri Kenangan Seremban"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def home():
    """A service elsewhere in the directory, serving Seremban, that the search finds."""
    service = ServiceFactory(
        organization=OrganizationFactory(name=HOME_ORG),
        name=HOME,
        description="Penjagaan dan lawatan untuk warga emas yang tiada penjaga.",
    )
    ServiceArea.objects.create(service=service, district=seremban())
    index_services([service.pk])
    return service


@pytest.fixture
def sent(personas):
    return make_referral(personas.cbo_head, make_case(personas.cbo_head), jkm_service(personas))


def url(referral) -> str:
    return reverse("cases:referral", args=[referral.pk])


def offered(page: str) -> dict[str, str]:
    """The services the picker offers, by the name shown beside each choice: the value its
    radio button posts."""
    found = re.findall(
        r'<input type="radio" name="service" id="[^"]+" value="([^"]+)"[^>]*>'
        r"<label[^>]*><strong>([^<]+)</strong>",
        page,
    )
    return {name: value for value, name in found}


def visible_text(page: str) -> str:
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("words", ["warga emas", "rumah seri kenangan", "lawatan"])
def test_the_agency_redirects_by_picking_a_service_by_name_without_javascript(
    client, personas, sent, home, words
):
    sign_in(client, personas.agency_focal_point)
    page = client.get(url(sent)).content.decode()
    label = malay("New service")
    assert label in page and "Service:" not in page
    assert 'name="service" type="text"' not in page and 'type="text" name="service"' not in page

    # Words typed, Find pressed: the page comes back with the services found, the note kept.
    found = client.post(
        url(sent),
        {
            "action": "redirect",
            "version": sent.version,
            "q": words,
            "note": "Lebih dekat",
            "find": "1",
        },
    )
    assert found.status_code == 200
    page = found.content.decode()
    choices = offered(page)
    assert HOME in choices
    assert f"{HOME_ORG} · Seremban" in page  # its organisation and district beside its name
    assert "Lebih dekat</textarea>" in page
    assert not UUID.search(visible_text(page)), "an id is shown to the person"
    sent.refresh_from_db()
    assert sent.status == S.SENT

    # Chosen, sent: asked once more, naming the service; then done.
    chosen = {"action": "redirect", "version": sent.version, "service": choices[HOME]}
    asked = client.post(url(sent), {**chosen, "note": "Lebih dekat"})
    assert asked.status_code == 200
    assert malay("Redirect to this service?") in asked.content.decode()
    assert HOME in asked.content.decode()
    sent.refresh_from_db()
    assert sent.status == S.SENT
    done = client.post(url(sent), {**chosen, "note": "Lebih dekat", "confirmed": "1"})
    assert done.status_code == 302
    sent.refresh_from_db()
    assert sent.status == S.REDIRECTED
    onward = Referral.objects.get(redirected_from=sent)
    assert (onward.service, onward.status) == (home, S.SENT)


def test_the_picker_follows_the_typing_with_htmx(client, personas, sent, home):
    """As the person types, htmx posts the form with `find`: only the list comes back (no page,
    no look at the person's record), and choosing from it redirects as without JavaScript."""
    sign_in(client, personas.agency_focal_point)
    response = client.post(
        url(sent),
        {"action": "redirect", "version": sent.version, "q": "seri kenangan", "find": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="choices-redirect"')
    assert "<main" not in fragment and malay("Full name") not in fragment
    choice = offered(fragment)[HOME]
    data = {"action": "redirect", "version": sent.version, "service": choice, "confirmed": "1"}
    assert client.post(url(sent), data).status_code == 302
    assert Referral.objects.get(redirected_from=sent).service == home


def test_a_service_is_never_typed(client, personas, sent):
    """A value that is not a choice of the list (a damaged page) asks to choose again, in the
    person's words, not Django's UUID message."""
    sign_in(client, personas.agency_focal_point)
    data = {"action": "redirect", "version": sent.version, "service": "Rumah Seri Kenangan"}
    page = client.post(url(sent), data).content.decode()
    assert escape(malay("Find the other service and choose it from the list.")) in page
    assert malay("Enter a valid UUID.") not in page
    sent.refresh_from_db()
    assert sent.status == S.SENT


def test_a_cbo_head_refers_by_picking_a_service_by_name(client, personas, home):
    case = make_case(personas.cbo_head)
    sign_in(client, personas.cbo_head)
    new = reverse("cases:referral_new", args=[case.pk])
    typed = {"mode": "live", "summary": "Ringkasan untuk agensi", "q": "rumah seri", "find": "1"}
    found = client.post(new, typed)
    page = found.content.decode()
    assert found.status_code == 200 and not Referral.objects.filter(case=case).exists()
    assert "Ringkasan untuk agensi</textarea>" in page
    assert f"{HOME_ORG} · Seremban" in page
    assert malay("Service to refer to") in page
    typed.pop("find")  # the Find button sends it; the Send button does not
    sent = client.post(new, {**typed, "service": offered(page)[HOME], "send": "1"})
    assert sent.status_code == 302
    assert Referral.objects.get(case=case).service == home


def test_cancelling_a_referral_is_asked_first(client, personas, sent):
    sign_in(client, personas.cbo_head)
    cancel = {"action": "cancel", "version": sent.version, "note": "Sudah dapat bantuan"}
    asked = client.post(url(sent), cancel)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert malay("Cancel this referral?") in page
    assert 'name="confirmed" value="1"' in page
    assert 'value="Sudah dapat bantuan"' in page  # the note goes with the confirmation
    assert malay("Yes, cancel the referral") in page
    sent.refresh_from_db()
    assert sent.status == S.SENT
    assert not sent.events.filter(status=S.CANCELLED).exists()

    assert client.post(url(sent), {**cancel, "confirmed": "1"}).status_code == 302
    sent.refresh_from_db()
    assert sent.status == S.CANCELLED
    assert sent.events.get(status=S.CANCELLED).note == "Sudah dapat bantuan"


@pytest.mark.parametrize(
    ("action", "data", "question"),
    [
        ("decline", {"reason": "no_capacity"}, "Decline this referral?"),
        ("close", {"reason": "resolved"}, "Close this referral?"),
    ],
)
def test_declining_and_closing_are_asked_first(client, personas, sent, action, data, question):
    focal = personas.agency_focal_point.membership
    if action == "close":
        referrals.referral_accept(actor=focal, referral_id=sent.pk, version=None)
        sent.refresh_from_db()
    before = sent.status
    sign_in(client, personas.agency_focal_point)
    posted = {"action": action, "version": sent.version, **data}
    assert malay(question) in client.post(url(sent), posted).content.decode()
    sent.refresh_from_db()
    assert sent.status == before
    assert client.post(url(sent), {**posted, "confirmed": "1"}).status_code == 302
    sent.refresh_from_db()
    assert sent.status == {"decline": S.DECLINED, "close": S.CLOSED}[action]


def buttons(page: str) -> dict[str, str]:
    """Each step's form on the page: the class of its submit button ("" for the main one)."""
    found = {}
    for part in page.split("<form")[1:]:
        step = re.search(r'name="action"[^>]*value="([^"]+)"', part)
        button = re.findall(r'<button type="submit"(?: class="([^"]*)")?', part)
        if step and button:
            found[step.group(1)] = button[-1]
    return found


def move(referral, personas, *steps):
    focal = personas.agency_focal_point.membership
    for step, extra in steps:
        referrals.referral_step(
            actor=focal, referral_id=referral.pk, step=step, version=None, **extra
        )


@pytest.mark.parametrize(
    ("status", "persona", "main", "quiet"),
    [
        ("draft", "cbo_head", "send", {"cancel"}),
        ("sent", "cbo_head", None, {"cancel"}),
        ("sent", "agency_focal_point", "accept", {"decline", "redirect"}),
        ("accepted", "agency_focal_point", "complete", {"start", "redirect", "close"}),
        ("in_progress", "agency_focal_point", "complete", {"close"}),
        ("completed", "cbo_head", "close", set()),
    ],
)
def test_each_status_offers_one_main_next_step(client, personas, status, persona, main, quiet):
    case = make_case(personas.cbo_head)
    referral = make_referral(personas.cbo_head, case, jkm_service(personas), send=status != "draft")
    path = {
        "accepted": [("accept", {})],
        "in_progress": [("accept", {}), ("start", {})],
        "completed": [("accept", {}), ("complete", {"code": "service_delivered"})],
    }
    move(referral, personas, *path.get(status, []))
    sign_in(client, getattr(personas, persona))
    page = client.get(url(referral)).content.decode()
    shown = buttons(page)
    assert [step for step, style in shown.items() if style == ""] == ([main] if main else [])
    assert {step for step, style in shown.items() if style} == quiet
    for step in {"cancel", "decline", "redirect", "close"} & quiet:
        assert "destructive" in shown[step]
    # The main step comes first; a note says what it is for.
    if main:
        assert next(iter(shown)) == main
    assert f">{malay('Note')}</label>" not in page
    if status == "sent" and persona == "cbo_head":
        assert malay("Nothing is needed from you now: the organisation answers next.") in page
        assert malay("Why cancel it") in page


def test_closing_a_case_is_asked_first(client, personas):
    case = make_case(personas.cbo_head)
    sign_in(client, personas.cbo_head)
    close = reverse("cases:case_close", args=[case.pk])
    asked = client.post(close, {"version": case.version})
    assert asked.status_code == 200
    assert malay("Close this case?") in asked.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert client.post(close, {"version": case.version, "confirmed": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
