"""No English on the Malay pages a person reaches on the daily walk (the browser walk's pages,
with the refusals a person can meet on them), as a visitor, a CBO head and an agency officer.

English is found by the English catalogues' source strings: the msgids of our own catalogue and
of Django's and the installed libraries' catalogues (django-otp, django-axes, …). A part of a
msgid between its placeholders and tags that is at least 12 characters or 3 words long, found
in a page's visible text, is English the page should not show."""

import functools
import html.parser
import re
from pathlib import Path

import django
import polib
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from santuni.accounts.tests.personas import PASSWORD, sign_in
from santuni.cases.models import Referral
from santuni.cases.tests.factories import jkm_service
from santuni.directory.tests.factories import mukim, place_service, term
from santuni.lib.compile_messages import LOCALE_DIR
from santuni.reports.booklet import layout
from santuni.reports.models import Booklet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]

MIN_CHARS = 12
MIN_WORDS = 3
# Source strings that are the same words in Malay: names a Malay page shows as they are.
# Each with the reason it is not English on a Malay page.
SAME_IN_BOTH = {
    "Bahasa Melayu": "the name of the Malay language, written in Malay in either language",
}
# Placeholders (%(name)s, %s, {name}) and tags split a msgid into the parts a page shows as
# written.
SPLIT = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>|\n")
OUR_CODE = LOCALE_DIR.parent  # the santuni package; its apps share one catalogue
LIBRARIES = Path(django.__file__).parent.parent  # site-packages


def _catalogues() -> list[Path]:
    """Our English catalogue, and one catalogue of each of Django's and the installed apps'
    locale folders (English where there is one: the msgids are the same in every language)."""
    roots = {Path(django.__file__).parent}
    for config in apps.get_app_configs():
        path = Path(config.path)
        if not path.is_relative_to(OUR_CODE):
            roots.add(path)
    locales = {p.parent.parent for root in roots for p in root.rglob("locale/*/LC_MESSAGES")}
    found = [LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"]
    for locale in sorted(locales):
        for domain in ("django.po", "djangojs.po"):
            english = locale / "en" / "LC_MESSAGES" / domain
            others = sorted(locale.glob(f"*/LC_MESSAGES/{domain}"))
            chosen = english if english.exists() else (others[0] if others else None)
            if chosen:
                found.append(chosen)
    return list(dict.fromkeys(found))


def _long_enough(part: str) -> bool:
    return len(part) >= MIN_CHARS or len(part.split()) >= MIN_WORDS


@functools.cache
def english_sources() -> dict[str, str]:
    """Each part of a source string a page could show, to the catalogue it comes from."""
    sources: dict[str, str] = {}
    for path in _catalogues():
        where = str(path.relative_to(LIBRARIES if path.is_relative_to(LIBRARIES) else OUR_CODE))
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                for part in SPLIT.split(msgid):
                    # Trimmed of the punctuation a label or sentence puts around it.
                    part = " ".join(part.split()).strip(" .,:;!?()«»\"'·-–—")
                    if _long_enough(part) and re.search(r"[A-Za-z]{2}", part):
                        sources.setdefault(part, where)
    for part in SAME_IN_BOTH:
        sources.pop(part, None)
    return sources


class VisibleText(html.parser.HTMLParser):
    """The words a person reads or hears: text outside scripts and styles, and the attributes
    shown or read aloud (placeholders, alt and title texts, labels for screen readers)."""

    SKIP = {"script", "style", "template"}
    SPOKEN = ("alt", "title", "placeholder", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        values = dict(attrs)
        self.parts.extend(values[a] or "" for a in self.SPOKEN if a in values)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")
        self.parts.append("|")  # an element's edge: words either side are not one phrase

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        self.parts.append("|")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = VisibleText()
    parser.feed(page)
    text = " ".join(parser.parts)
    text = re.sub(r"(https?://|mailto:|tel:)\S+|\S+@\S+", " | ", text)  # addresses
    return " ".join(text.split())


def english_in(page: str, data: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The source strings found in the page's visible text, with their catalogue; `data` is
    what people typed or were named (a persona called "Agency Focal Point"), not read."""
    text = visible_text(page)
    for words in sorted(data, key=len, reverse=True):
        text = text.replace(words, " | ")
    # Inline tags split a sentence into pieces: read it joined again, element edges only
    # between words that were apart.
    text = text.replace(" | ", " ").replace("|", "")
    found = []
    for part, where in english_sources().items():
        pattern = r"(?<!\w)" + re.escape(part) + r"(?!\w)"
        if re.search(pattern, text, flags=re.IGNORECASE):
            found.append((part, where))
    return found


class Walk:
    """The pages of the walk, by name, as a person reaches them."""

    def __init__(self):
        self.pages: dict[str, str] = {}

    def keep(self, name: str, response) -> None:
        assert response.status_code == 200, (name, response.status_code)
        assert 'lang="ms"' in response.content.decode()[:200], name
        self.pages[name] = response.content.decode()

    def get(self, name: str, client, url: str, **data):
        response = client.get(url, data)
        self.keep(name, response)
        return response

    def post(self, name: str, client, url: str, data: dict, follow: bool = False):
        response = client.post(url, data, follow=follow)
        self.keep(name, response)
        return response


@pytest.fixture
def walk(client, personas, settings, tmp_path, monkeypatch) -> dict[str, str]:
    """Every page of the walk in Malay: the visitor's, the CBO head's, the agency officer's."""
    from django.test import Client

    from santuni.demo.directory import demo_data_load

    settings.MEDIA_ROOT = tmp_path / "media"
    # The booklet's pages are read here, not its PDF: a stand-in PDF saves laying it out.
    monkeypatch.setattr(layout, "make_pdf", lambda html, progress=None: (b"%PDF-1.7 ", 3))
    demo_data_load()
    jkm = jkm_service(personas)
    place_service(jkm)
    pages = Walk()

    # A visitor: search, a service, the sign-in page and its refusals.
    visitor = Client()
    pages.get("home", visitor, reverse("directory:home"))
    found = pages.get("search", visitor, reverse("directory:search"), q="warga emas")
    first = re.search(r'href="(/perkhidmatan/[0-9a-f-]{36})"', found.content.decode())
    assert first
    service = pages.get("service", visitor, first.group(1))
    organization = re.search(r'href="(/organisasi/[0-9a-f-]{36})"', service.content.decode())
    assert organization
    pages.get("organisation", visitor, organization.group(1))
    pages.get("search with nothing found", visitor, reverse("directory:search"), q="zzzqqq")
    sign_in_url = reverse("accounts:sign_in")
    pages.get("sign-in", visitor, sign_in_url)
    pages.post("sign-in, nothing typed", visitor, sign_in_url, {})
    wrong = {"username": personas.cbo_head.user.email, "password": "salah-salah-salah"}
    pages.post("sign-in, wrong password", visitor, sign_in_url, wrong)
    pages.post("sign-in, not an email", visitor, sign_in_url, {"username": "x", "password": "y"})

    # The agency officer's second factor: the code page, a wrong code.
    officer = Client()
    officer_email = personas.agency_focal_point.user.email
    officer.post(sign_in_url, {"username": officer_email, "password": PASSWORD})
    code_url = reverse("accounts:sign_in_code")
    pages.get("sign-in code", officer, code_url)
    pages.post("sign-in code, wrong code", officer, code_url, {"code": "000000"})
    pages.post("sign-in code, nothing typed", officer, code_url, {})

    # The CBO head: My account, a new case (refused, then recorded), the referral's picker.
    head = sign_in(Client(), personas.cbo_head)
    pages.get("my account (CBO head)", head, reverse("pages:home"))
    case_new = reverse("cases:case_new")
    pages.get("new case: how urgent", head, case_new)
    pages.get("new case form", head, case_new, tahap="high")
    pages.post("new case form, nothing typed", head, case_new, {"urgency": "high"})
    case_fields = {
        "urgency": "high",
        "category": "financial",
        "situation": "Ibu tunggal; sewa rumah tertunggak dan perlu bantuan makanan.",
        "name": "Siti Aminah binti Sampel",
        "sex": "f",
        "age": "38",
        "mukim": mukim("Rasah").pk,
        "target_groups": [term("mangsa-krt").pk],
        "consent_method": "written",
        "consent_purposes": ["record", "share", "contact"],
    }
    pages.post("new case form, MyKad wrong", head, case_new, {**case_fields, "mykad": "12345"})
    made = pages.post("case", head, case_new, case_fields, follow=True)
    case_url = made.redirect_chain[-1][0]
    refer_url = f"{case_url}/rujuk"
    pages.get("refer", head, refer_url)
    finding = {"q": "Bantuan Kebajikan", "find": "1", "mode": "live"}
    pages.post("refer, services found", head, refer_url, finding)
    pages.post("refer, none found", head, refer_url, {**finding, "q": "zzzqqq"})
    pages.post("refer, none chosen", head, refer_url, {"mode": "live", "send": "1"})
    sent = {"service": jkm.pk, "mode": "live", "summary": "Perlu bantuan makanan.", "send": "1"}
    pages.post("case, referred", head, refer_url, sent, follow=True)
    referral = Referral.objects.get(case__client__name="Siti Aminah binti Sampel")

    # The agency officer redirects it: the list, the referral, the picker, asked, done.
    officer = sign_in(Client(), personas.agency_focal_point)
    pages.get("my account (agency officer)", officer, reverse("pages:home"))
    pages.get("notifications", officer, reverse("cases:notifications"))
    pages.get("referrals to us", officer, reverse("cases:referrals"))
    referral_url = reverse("cases:referral", args=[referral.pk])
    pages.get("referral", officer, referral_url)
    redirecting = {"action": "redirect", "version": referral.version}
    found = pages.post(
        "redirect, services found",
        officer,
        referral_url,
        {**redirecting, "q": "Seri Kenangan", "find": "1"},
    )
    home = re.search(
        r'name="service" id="[^"]+" value="([0-9a-f-]{36})"[^>]*><label[^>]*><strong>'
        r"[^<]*Seri Kenangan",
        found.content.decode(),
    )
    assert home, "the picker offers the home by its name"
    pages.post("redirect, none chosen", officer, referral_url, redirecting)
    chosen = {**redirecting, "service": home.group(1), "note": "Lebih sesuai."}
    pages.post("redirect, asked to confirm", officer, referral_url, chosen)
    done = {**chosen, "confirmed": "1"}
    pages.post("referral, redirected", officer, referral_url, done, follow=True)
    assert Referral.objects.filter(redirected_from=referral).exists()

    # The CBO head sees it moved and gets the booklet.
    pages.get("case, redirected", head, case_url)
    pages.get("notifications (CBO head)", head, reverse("cases:notifications"))
    booklet_url = reverse("reports:booklet")
    pages.get("booklet", head, booklet_url)
    pages.post("booklet, built", head, booklet_url, {"language": "ms"}, follow=True)
    assert Booklet.objects.get().status == Booklet.Status.DONE
    pages.get("booklet, built earlier", head, booklet_url)
    return pages.pages


def people_names() -> tuple[str, ...]:
    """The names of the people in the database (the personas are named after their roles)."""
    users = get_user_model().objects.all()
    names = {name for user in users for name in (user.get_full_name(), user.first_name)}
    return tuple(name for name in names if name)


def test_no_english_on_the_malay_pages_of_the_walk(walk):
    assert len(walk) >= 30
    names = people_names()
    found = {name: english_in(page, names) for name, page in walk.items()}
    english = {name: hits for name, hits in found.items() if hits}
    assert english == {}, "\n".join(
        f"{name}: {part!r} (from {where})" for name, hits in english.items() for part, where in hits
    )


def test_the_english_pages_are_found_english(client, personas):
    """The same check finds English where it is: the English home page and a refusal
    worded by Django, and by our own catalogue."""
    sign_in_page = client.post("/en" + reverse("accounts:sign_in"), {}).content.decode()
    found = {part for part, _where in english_in(sign_in_page)}
    assert "This field is required" in found  # Django's own message
    home = client.get("/en/").content.decode()
    assert "Find help near you" in {part for part, _where in english_in(home)}
    assert english_in(client.get("/").content.decode()) == []


def test_the_catalogues_read_include_django_and_the_libraries():
    read = {str(path) for path in _catalogues()}
    for library in ("django/conf/locale", "django/contrib/auth", "django_otp", "axes"):
        assert any(library in path for path in read), library
    assert "Enter a valid UUID" in english_sources()
