"""Every URL of the site against every persona and a visitor: the authorization matrix.

The URLs are read from the URL configuration itself (the admin's and the HSDS API's too, and
every page of `i18n_patterns` in Malay and under /en/), so a new URL without an entry here
fails `test_every_url_has_an_entry`. Where an app's tests already hold the expectations for
its pages (cases, accounts and self-service, training, the booklet, the dashboards), they are
imported from there, not written again.

An outcome is a status, or a redirect (302) to a page: SIGN_IN for the sign-in page, and
ADMIN_LOGIN for the admin's login address, which itself sends a visitor to sign in and refuses
(403) anyone signed in (santuni.accounts.admin_site).

Every answer is also read for a way off the site (a redirect, link, form or `next` leading to
another site, from a crafted address or `next`), and for the header that lets other sites'
pages read it (CORS): only the public HSDS API has it.
"""

import html
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

# Two apps' access tables share the module name test_access: each is named by its full path.
import santuni.accounts.tests.test_access
import santuni.cases.tests.test_access
from santuni.accounts.models import Role
from santuni.accounts.tests.personas import PASSWORD, PERSONAS
from santuni.api.schemas import profile_patch_names, schema_names
from santuni.cases.tests.test_pages import case_form
from santuni.directory.models import TaxonomyTerm
from santuni.listings.tests.test_self_service import profile_form
from santuni.reports.aid_statistics import csv_import
from santuni.reports.tests import test_booklet, test_dashboards
from santuni.training.tests import test_pages

from .access_world import RECOVERY_CODE, changed_tables, client_as, kept_world, row_counts, snapshot

pytestmark = pytest.mark.django_db

OK, DENIED, NOT_FOUND, WRONG_METHOD, GONE = 200, 403, 404, 405, 410
WHO = (*PERSONAS, "anonymous")
# The only paths whose answers any web site's pages may read (the open data).
PUBLIC_API = "/api/hsds/"
CORS = "Access-Control-Allow-Origin"


@dataclass(frozen=True)
class To:
    """A redirect (302) to the page of this URL name, in the language of the request."""

    name: str
    args: tuple = ()

    def __str__(self):
        return f"302 to {reverse(self.name, args=self.args)}"


SIGN_IN = To("accounts:sign_in")
ADMIN_LOGIN = To("admin:login")


@dataclass
class Entry:
    args: list
    expect: dict  # persona (and "anonymous") -> outcome
    query: dict = field(default_factory=dict)
    path: str = ""  # for a URL pattern without a name: the address to open


def everyone(outcome, **others) -> dict:
    return {**dict.fromkeys(WHO, outcome), **others}


def signed_in(outcome, **others) -> dict:
    return everyone(outcome, anonymous=SIGN_IN, **others)


def from_app(expected: dict, default=DENIED) -> dict:
    """An app's own table (its personas), with a visitor sent to sign in."""
    return {**dict.fromkeys(PERSONAS, default), **expected, "anonymous": SIGN_IN}


# --- the URL configuration ------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    key: str  # namespace:name, or the route of a pattern without a name
    route: str
    i18n: bool


def walk(resolver=None, prefix="", namespace=(), i18n=False):
    """Every URL pattern under the resolver, with the namespaces and routes above it."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            locale = isinstance(pattern.pattern, LocalePrefixPattern)
            yield from walk(
                pattern,
                prefix + ("" if locale else str(pattern.pattern)),
                namespace + ((pattern.namespace,) if pattern.namespace else ()),
                i18n or locale,
            )
        else:
            route = prefix + str(pattern.pattern)
            key = ":".join((*namespace, pattern.name)) if pattern.name else route
            yield Url(key, route, i18n)


URLS = {url.key: url for url in walk()}
LANGUAGES = [(url.key, "ms") for url in URLS.values()] + [
    (url.key, "en") for url in URLS.values() if url.i18n
]


def address(url: Url, entry: Entry) -> str:
    if entry.path:
        return entry.path
    if url.key == url.route:  # no name: the route with the arguments in its converters
        values = iter(entry.args)
        return "/" + re.sub(r"<[^>]+>", lambda _m: str(next(values)), url.route)
    return reverse(url.key, args=entry.args)


# --- the admin ------------------------------------------------------------------------------

# What a ministry admin may do with each table of the admin: every table is theirs, and no
# other persona enters the admin at all (SantuniAdminSite.has_permission). VIEW tables are
# shown, not written: roles and invitations change only through santuni.accounts.services,
# the audit trail never, background tasks are the worker's. A newly registered model has
# no entry until it is written here.
FULL = frozenset({"add", "change", "delete"})
VIEW = frozenset()
# Records of sign-ins and failures: shown (every field read-only in django-axes' admin) and
# removed to lift a lock-out; never made by hand.
REMOVE = frozenset({"change", "delete"})
# Second factors: seen and deleted (a lost phone), never made or changed by a ministry admin,
# who would then hold the key (santuni.accounts.admin).
DELETE_ONLY = frozenset({"delete"})
ADMIN_MODELS = {
    "auth.Group": FULL,
    "auth.User": FULL,
    "accounts.Membership": VIEW,
    "accounts.Invitation": VIEW,
    "audit.AuditEntry": VIEW,
    "geo.State": FULL,
    "geo.District": FULL,
    "geo.Mukim": FULL,
    "directory.Organization": FULL,
    "directory.Service": FULL,
    "directory.Location": FULL,
    "directory.Taxonomy": FULL,
    "directory.TaxonomyTerm": FULL,
    "directory.Attribute": FULL,
    "directory.Program": FULL,
    "directory.CboProfile": FULL,
    "directory.Phone": FULL,
    "directory.Schedule": FULL,
    "directory.Contact": FULL,
    "directory.Address": FULL,
    "directory.ServiceArea": FULL,
    "directory.ServiceAtLocation": FULL,
    "search.SynonymFamily": FULL,
    "cases.ServiceLevel": FULL,
    "cases.PublicHoliday": FULL,
    "aid.SchemeVersion": FULL,
    "aid.Scheme": FULL,
    "aid.PovertyLine": FULL,
    "reports.AidStatistic": FULL,
    "training.Programme": FULL,
    "training.Event": FULL,
    "django_tasks_database.DBTaskResult": VIEW,
    "otp_totp.TOTPDevice": DELETE_ONLY,
    "otp_static.StaticDevice": DELETE_ONLY,
    "axes.AccessAttempt": REMOVE,
    "axes.AccessLog": REMOVE,
    "axes.AccessFailureLog": REMOVE,
}


def for_admins(outcome) -> dict:
    return everyone(ADMIN_LOGIN, ministry_admin=outcome)


def admin_entries(w) -> dict[str, Entry]:
    entries = {}
    for model in admin.site._registry:
        label = model._meta.label
        if label not in ADMIN_MODELS:
            continue  # its URLs have no entry: test_every_url_has_an_entry names them
        may = ADMIN_MODELS[label]
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"The world has no {label}: add one to access_world"
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        change = f"{prefix}_change"
        entries |= {
            f"{prefix}_changelist": Entry([], for_admins(OK)),
            f"{prefix}_add": Entry([], for_admins(OK if "add" in may else DENIED)),
            change: Entry([row.pk], for_admins(OK)),  # read-only tables show the row
            f"{prefix}_delete": Entry([row.pk], for_admins(OK if "delete" in may else DENIED)),
            f"{prefix}_history": Entry([row.pk], for_admins(OK)),
            # The old address of the change page.
            f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/": Entry(
                [row.pk], for_admins(To(change, (str(row.pk),)))
            ),
        }
    device = TOTPDevice.objects.get(user=w.p.ministry_admin.user)
    organization = ContentType.objects.get_for_model(w.p.cbo.organization)
    return entries | {
        "admin:index": Entry([], for_admins(OK)),
        # One sign-in page for the whole site: the admin's own sends a visitor there, and
        # refuses anyone signed in (a ministry admin is never sent to it).
        "admin:login": Entry([], everyone(DENIED, anonymous=SIGN_IN)),
        # POST only; anyone else is sent to the index (and from there to the login address).
        "admin:logout": Entry([], everyone(To("admin:index"), ministry_admin=WRONG_METHOD)),
        "admin:password_change": Entry([], for_admins(OK)),
        "admin:password_change_done": Entry([], for_admins(OK)),
        "admin:jsi18n": Entry([], for_admins(OK)),
        "admin:autocomplete": Entry(
            [],
            for_admins(OK),
            query={"app_label": "directory", "model_name": "service", "field_name": "organization"},
        ),
        # No model has a public page of its own (get_absolute_url): nothing to go to.
        "admin:view_on_site": Entry(
            [organization.pk, w.p.cbo.organization.pk], for_admins(NOT_FOUND)
        ),
        "admin:app_list": Entry(["directory"], for_admins(OK)),
        "admin/(?P<url>.*)$": Entry([], for_admins(NOT_FOUND), path="/admin/tiada-di-sini/"),
        # Only a superuser sets another person's password (santuni.accounts.admin).
        "admin:auth_user_password_change": Entry([w.p.cbo_head.user.pk], for_admins(DENIED)),
        "admin:reports_aidstatistic_import": Entry([], for_admins(OK)),
        # A second factor's secret is not shown, not even to an admin: it would let them sign
        # in as the user (settings.OTP_ADMIN_HIDE_SENSITIVE_DATA).
        "admin:otp_totp_totpdevice_config": Entry([device.pk], for_admins(DENIED)),
        "admin:otp_totp_totpdevice_qrcode": Entry([device.pk], for_admins(DENIED)),
    }


# --- the HSDS API: public and read-only ------------------------------------------------------


def api_entries(w) -> dict[str, Entry]:
    term = TaxonomyTerm.objects.select_related("taxonomy").first()
    at_location = w.jkm.service_at_locations.get()
    public = everyone(OK)
    return {
        "hsds:openapi-json": Entry([], public),
        "hsds:openapi-view": Entry([], public),
        "hsds:about": Entry([], public),
        "hsds:api-root": Entry([], public),
        "hsds:services": Entry([], public),
        "hsds:service": Entry([w.service.pk], public),
        "hsds:organizations": Entry([], public),
        "hsds:organization": Entry([w.p.cbo.organization.pk], public),
        "hsds:service_at_locations": Entry([], public),
        "hsds:service_at_location": Entry([at_location.pk], public),
        "hsds:taxonomies": Entry([], public),
        "hsds:taxonomy": Entry([term.taxonomy_id], public),
        "hsds:taxonomy_terms": Entry([], public),
        "hsds:taxonomy_term": Entry([term.pk], public),
        "hsds:profile": Entry([], public),
        "hsds:profile_file": Entry([profile_patch_names()[0]], public),
        "hsds:profile_schema_file": Entry([schema_names()[0]], public),
    }


# --- the pages -------------------------------------------------------------------------------


def imported_entries(w) -> dict[str, Entry]:
    """The apps' own tables, for the world's objects (which are the apps' worlds)."""
    p = w.p
    tables = [
        *santuni.cases.tests.test_access.pages((p, w.case, w.referral, w.attachment)),
        *santuni.accounts.tests.test_access.pages((p, w.service, w.change)),
        *test_pages.pages((p, w.event, w.attendance)),
    ]
    entries = {
        name: Entry(list(args), from_app(expected))
        for name, args, expected in tables
        if name != "admin:index"  # the accounts table allows "302 or 403"; ours is exact
    }
    officers = dict.fromkeys(test_dashboards.ALLOWED, OK)
    return entries | {
        "reports:dashboard": Entry([], from_app(officers)),
        "reports:export": Entry(["cases-status", "csv"], from_app(officers)),
        "reports:booklet": Entry([], from_app(test_booklet.PRINTERS)),
        "reports:booklet_status": Entry([w.booklet.pk], from_app(test_booklet.OWN_DISTRICT)),
        "reports:booklet_file": Entry([w.booklet.pk], from_app(test_booklet.OWN_DISTRICT)),
    }


def page_entries(w) -> dict[str, Entry]:
    p = w.p
    home = To("pages:home")
    public = everyone(OK)
    uid, token = w.reset
    return {
        "directory:home": Entry([], public),
        "directory:search": Entry([], public, query={"q": "bantuan"}),
        "directory:service": Entry([w.service.pk], public),
        "pages:organization": Entry([p.cbo.organization.pk], public),
        # POST only, and the method is checked before anything else.
        "listings:verify_listing": Entry(["cbo", p.cbo.organization.pk], everyone(WRONG_METHOD)),
        "aid:screener": Entry([], public),
        # Signed in already: on to the account page.
        "accounts:sign_in": Entry([], everyone(home, anonymous=OK)),
        "accounts:sign_in_code": Entry([], everyone(home, anonymous=SIGN_IN)),
        "accounts:sign_out": Entry([], everyone(WRONG_METHOD)),
        "accounts:choose_role": Entry([], signed_in(OK, outsider=DENIED)),
        "accounts:reauthenticate": Entry([], signed_in(OK)),
        # The token moves into the session at once; with none there, the invitation is gone.
        "accounts:invitation": Entry(
            ["jemputan-sampel"], everyone(To("accounts:invitation_accept"))
        ),
        "accounts:invitation_accept": Entry([], everyone(GONE)),
        "accounts:two_factor_setup": Entry([], signed_in(OK)),
        "accounts:membership_remove": Entry([p.cbo_member.membership.pk], everyone(WRONG_METHOD)),
        "accounts:invitation_cancel": Entry([w.invitation.pk], everyone(WRONG_METHOD)),
        "accounts:password_reset": Entry([], public),
        "accounts:password_reset_sent": Entry([], public),
        # A good link moves the token out of the address, for anyone who has it.
        "accounts:password_reset_confirm": Entry(
            [uid, token], everyone(To("accounts:password_reset_confirm", (uid, "set-password")))
        ),
        "accounts:password_reset_complete": Entry([], public),
    }


def cached(w, name, build):
    """Built once for the world: the tables read the world's rows."""
    if name not in w.tables:
        w.tables[name] = build(w)
    return w.tables[name]


def _matrix(w) -> dict[str, Entry]:
    return admin_entries(w) | api_entries(w) | imported_entries(w) | page_entries(w)


def matrix(w) -> dict[str, Entry]:
    return cached(w, "matrix", _matrix)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with kept_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


# --- opening every URL --------------------------------------------------------------------------


def seen(response) -> str:
    """The outcome as the expectations write it."""
    if response.streaming:
        # Read to the end, which closes the file: the test client then keeps the database
        # connection (response.close() would end the request and close it, world and all).
        b"".join(response.streaming_content)
    if response.status_code == 302:
        return f"302 to {urlsplit(response['Location']).path}"
    return str(response.status_code)


# --- staying on the site ------------------------------------------------------------------------

# Addresses crafted to send a person elsewhere: a path that the page would link back to, and a
# `next` page to go on to after a step. Browsers read "//host", "/\host", "///host" and
# "\\host" (tabs and newlines dropped) as another site.
EVIL_PATHS = [
    "/%2F%2Fevil.example",
    "/%5C%5Cevil.example",
    "/%2F%5Cevil.example",
    "/%5C/evil.example",
    "/%2F%2F%2Fevil.example",
]
EVIL_NEXT = [
    "//evil.example",
    "https://evil.example",
    "/\\evil",
    "///evil.example",
    "/\t/evil.example",
    "\\\\evil.example",
    "https:evil.example",
]


def leads_off_site(url: str) -> bool:
    """Whether a browser following `url` from a page of the site would reach the evil one."""
    # As a browser reads it: blanks around it and tabs and newlines in it dropped, a backslash
    # taken for a slash.
    url = re.sub(r"^[\x00-\x20]+|[\x00-\x20]+$|[\t\n\r]", "", html.unescape(url))
    url = url.replace("\\", "/")
    scheme = re.match(r"(?i)https?:", url)
    if scheme:  # another site's address (the site links to some) or, without "//", this one's
        return url[scheme.end() :].lstrip("/").lower().startswith("evil")
    # Any other host: the site never writes the address of a page of its own so.
    return url.startswith("//")


def stray_links(response) -> list[str]:
    """The addresses in an answer that lead off the site: its redirect and the `next` page it
    carries, its links and forms, and the `next` page its forms carry. (A link to this page
    in the other language keeps the page's query as it came: the page itself reads it.)"""
    location = response.get("Location", "")
    found = [location, *parse_qs(urlsplit(location).query).get("next", [])]
    if not response.streaming and "html" in response.get("Content-Type", ""):
        text = response.content.decode()
        found += re.findall(r'\s(?:href|src|action|formaction)="([^"]*)"', text)
        found += re.findall(r'name="next" value="([^"]*)"', text)
    return [url for url in found if leads_off_site(url)]


def with_evil_next(url: str, query: dict) -> dict:
    """The query with a `next` page elsewhere, which no page may take up. (Not in the admin:
    its lists take every parameter for a filter, and refuse one they do not know.)"""
    return query if url.startswith("/admin/") else {**query, "next": EVIL_NEXT[0]}


def cross_site(response, url: str) -> list[str]:
    """What is wrong with the CORS headers of an answer from `url`."""
    wrong = []
    if url.startswith(PUBLIC_API) and response.get(CORS) != "*":
        wrong.append(f"{CORS}: * missing")
    if not url.startswith(PUBLIC_API) and CORS in response:
        wrong.append(f"{CORS}: {response[CORS]} on a page of the site")
    if "Access-Control-Allow-Credentials" in response:
        wrong.append("Access-Control-Allow-Credentials")
    return wrong


def clients(w) -> dict[str, Client]:
    """A client for each persona, signed in (both factors), and one for a visitor."""
    return {who: client_as(w, who) for who in WHO}


def test_every_url_has_an_entry(world):
    entries = matrix(world)
    keys = [url.key for url in walk()]
    shared = sorted({key for key in keys if keys.count(key) > 1})
    missing = sorted(set(URLS) - set(entries))
    gone = sorted((set(entries) | set(takes_post(world)) | set(post_refusals(world))) - set(URLS))
    registered = {m._meta.label for m in admin.site._registry}
    models = sorted(registered ^ set(ADMIN_MODELS))
    assert not shared, "URL patterns that share a name (reverse finds one): " + ", ".join(shared)
    assert not missing, "URLs with no entry in the access matrix: " + ", ".join(missing)
    assert not gone, "Entries for URLs that no longer exist: " + ", ".join(gone)
    assert not models, "Admin models to add to or remove from ADMIN_MODELS: " + ", ".join(models)
    for key, entry in entries.items():
        assert set(entry.expect) == set(WHO), f"{key}: the expectations name {sorted(entry.expect)}"


@pytest.mark.parametrize(
    ("key", "language"), LANGUAGES, ids=[f"{k}[{lang}]" for k, lang in LANGUAGES]
)
def test_who_may_open_each_url(world, key, language):
    entry = matrix(world).get(key)
    assert entry is not None, f"{key} has no entry in the access matrix"
    wrong = []
    with translation.override(language):
        url = address(URLS[key], entry)
        for who, client in clients(world).items():
            expected = str(entry.expect[who])
            try:
                response = client.get(url, with_evil_next(url, entry.query))
                got = seen(response)
            except Exception as error:  # a 500: name the persona, not just the URL
                got = f"{type(error).__name__}: {error}"
            else:
                wrong += [f"  {who}: leads off the site: {u}" for u in stray_links(response)]
                wrong += [f"  {who}: {fault}" for fault in cross_site(response, url)]
            if got != expected:
                wrong.append(f"  {who}: expected {expected}, got {got}")
    assert not wrong, f"GET {url} ({key}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", ["ms", "en"])
@pytest.mark.parametrize("path", EVIL_PATHS)
def test_a_crafted_address_links_nowhere_else(world, path, language):
    """A page not found at an address made of encoded slashes links back to itself in the
    other language: as a path of this site, never as another site's address."""
    url = ("/en" if language == "en" else "") + path
    wrong = []
    for who, client in clients(world).items():
        response = client.get(url)
        assert response.status_code == NOT_FOUND, (who, url)
        wrong += [f"  {who}: {link}" for link in stray_links(response)]
    assert not wrong, f"GET {url} leads off the site:\n" + "\n".join(wrong)


# The steps that go on to a `next` page: signing in (and its code), choosing a role, giving
# the password again, setting up two factors, and the admin's login address.
NEXT_PAGES = [
    "accounts:sign_in",
    "accounts:sign_in_code",
    "accounts:choose_role",
    "accounts:reauthenticate",
    "accounts:two_factor_setup",
    "admin:login",
]


@pytest.mark.parametrize("language", ["ms", "en"])
@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_no_step_goes_on_to_another_site(world, evil, language):
    """Each step's page and its answer, for every persona, with `next` set to another site:
    the page carries no such `next` and the step ends on a page of this site."""
    p = world.p
    wrong = []
    with translation.override(language):
        for name in NEXT_PAGES:
            for who, client in clients(world).items():
                response = client.get(reverse(name), {"next": evil})
                wrong += [f"  GET {name} as {who}: {u}" for u in stray_links(response)]
        steps = [
            ("anonymous", "accounts:sign_in", {"username": p.cbo_head.user.email}),
            ("anonymous", "accounts:sign_in", {"username": p.district_officer.user.email}),
            ("cbo_head", "accounts:reauthenticate", {}),
            ("district_officer", "accounts:sign_in_code", {"code": p.district_officer.code()}),
            (
                "ministry_admin",
                "accounts:choose_role",
                {"membership": p.ministry_admin.membership.pk},
            ),
        ]
        for who, name, data in steps:
            data = {"password": PASSWORD, **data, "next": evil}
            response = client_as(world, who).post(reverse(name), data)
            assert response.status_code == 302, (who, name, response.status_code)
            wrong += [f"  POST {name} as {who}: {u}" for u in stray_links(response)]
    assert not wrong, f"next={evil!r} leads off the site:\n" + "\n".join(wrong)


def test_the_cors_preflight_is_answered_for_the_public_api_only(world):
    """A browser asks (OPTIONS) before another site's page may read an answer: yes for the
    HSDS API, with no cookies; no for every other URL."""
    client = client_as(world, "anonymous")
    wrong = []
    for key, entry in matrix(world).items():
        url = address(URLS[key], entry)
        response = client.options(
            url, HTTP_ORIGIN="https://app.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
        )
        wrong += [f"  OPTIONS {url}: {fault}" for fault in cross_site(response, url)]
        if url.startswith(PUBLIC_API) and "GET" not in response.get(
            "Access-Control-Allow-Methods", ""
        ):
            wrong.append(f"  OPTIONS {url}: GET not among the allowed methods")
    assert not wrong, "Cross-site reading:\n" + "\n".join(wrong)


# --- posting to every URL ----------------------------------------------------------------------

# A refusal: not allowed, not found, nothing there, or sent to sign in first.
REFUSALS = {DENIED, NOT_FOUND, GONE, SIGN_IN, ADMIN_LOGIN, To("admin:index")}


def takes_post(w) -> dict:
    """The URLs whose view writes on a POST, and what its form would send there: a POST by
    someone allowed is theirs to make, and not tried here."""
    return cached(w, "takes_post", _takes_post)


def _takes_post(w) -> dict:
    p = w.p
    cases_world = (p, w.case, w.referral, w.attachment)
    pages = {
        **{
            page: lambda page=page: santuni.cases.tests.test_access.post_data(page, cases_world)
            for page in santuni.cases.tests.test_access.WRITES
        },
        "cases:case_new": case_form,
        "cases:referral": lambda: santuni.cases.tests.test_access.action_data(
            "accept", w.referral, p
        ),
        "cases:notifications": dict,
        "listings:profile_edit": lambda: profile_form(email="lain@example.invalid"),
        "listings:service_edit": lambda: {
            "name": "Kelas mengaji OKU (diubah)",
            "status": "active",
            "description": "Perkhidmatan untuk ujian.",
        },
        "listings:review": lambda: {"decision": "approve"},
        "listings:verify_listing": dict,
        "aid:screener": dict,
        "accounts:sign_in": lambda: {"username": p.cbo_head.user.email, "password": PASSWORD},
        "accounts:sign_in_code": lambda: {"code": "000000"},
        "accounts:sign_out": dict,
        "accounts:choose_role": lambda: {"membership": p.cbo_head.membership.pk},
        "accounts:reauthenticate": lambda: {"password": PASSWORD},
        "accounts:invitation_accept": lambda: {
            "name": "Orang Lain",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        "accounts:two_factor_setup": lambda: {"code": "000000"},
        "accounts:recovery_codes": dict,
        "accounts:people": lambda: {
            "email": "orang.lain@example.invalid",
            "name": "Orang Lain",
            "role": Role.CBO_MEMBER,
            "organization": p.cbo.organization.pk,
            "language": "ms",
        },
        "accounts:membership_remove": dict,
        "accounts:invitation_cancel": dict,
        "accounts:password_reset": lambda: {"email": p.cbo_head.user.email},
        "reports:booklet": lambda: {"district": p.district.pk, "language": "ms"},
        "training:event": lambda: {
            "organization": p.cbo.organization.pk,
            "name": "Orang Lain binti Contoh",
            "role": "member",
        },
        "training:attendance_remove": dict,
        "admin:password_change": lambda: {
            "old_password": PASSWORD,
            "new_password1": "Kata-Laluan-Baru-2026!",
            "new_password2": "Kata-Laluan-Baru-2026!",
        },
        "admin:auth_user_password_change": lambda: {
            "password1": "Kata-Laluan-Baru-2026!",
            "password2": "Kata-Laluan-Baru-2026!",
            "usable_password": "true",
        },
        "admin:reports_aidstatistic_import": lambda: {
            "file": SimpleUploadedFile("statistik.csv", csv_import.EXAMPLE.encode())
        },
    }
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        row = model._default_manager.order_by("pk").first()
        # The row's own values sent back: a valid form, which would save (and log) it.
        values = {k: "" if v is None else v for k, v in model_to_dict(row).items()}
        pages[f"{prefix}_add"] = lambda values=values: dict(values)
        pages[f"{prefix}_change"] = lambda values=values: dict(values)
        pages[f"{prefix}_delete"] = lambda: {"post": "yes"}
    return pages


def post_refusals(w) -> dict[str, dict]:
    """Who is refused a POST where the GET cannot tell: pages that take only a POST."""
    return cached(w, "post_refusals", _post_refusals)


def _post_refusals(w) -> dict[str, dict]:
    case_writes = {
        page: dict(santuni.cases.tests.test_access.KEPT_OUT)
        | ({"cbo_member": DENIED} if page in santuni.cases.tests.test_access.HEAD_ONLY else {})
        for page in santuni.cases.tests.test_access.WRITES
    }
    # Only a manager of the role finds it: the CBO head who invited the member.
    managed = {
        **dict.fromkeys(
            (
                "ministry_admin",
                "district_officer",
                "other_district_officer",
                "state_officer",
                "other_state_officer",
            ),
            NOT_FOUND,
        ),
        "other_cbo_head": NOT_FOUND,
        **dict.fromkeys(
            ("agency_focal_point", "other_agency_focal_point", "cbo_member", "outsider"), DENIED
        ),
        "anonymous": SIGN_IN,
    }
    # The district officer of the CBO's district verifies its listing.
    officer = {
        **{who: DENIED for who in PERSONAS if who != "district_officer"},
        "other_district_officer": NOT_FOUND,
        "anonymous": SIGN_IN,
    }
    read_only = {
        f"admin:{label.replace('.', '_').lower()}_change": {"ministry_admin": DENIED}
        for label, may in ADMIN_MODELS.items()
        if "change" not in may
    }
    return {
        **case_writes,
        "accounts:membership_remove": managed,
        "accounts:invitation_cancel": managed,
        "listings:verify_listing": officer,
        # Port Dickson's officer sees the Seremban event but not Seremban's CBO's attendee;
        # Melaka's state officer sees neither.
        "training:attendance_remove": {
            "other_district_officer": NOT_FOUND,
            "other_state_officer": NOT_FOUND,
        },
        **read_only,
    }


def post_expectations(key, entry, w) -> tuple[dict, dict]:
    """Who is refused a POST and who may read the URL though it takes no POST: each persona
    with the outcomes their POST may have. Those allowed to write are left out."""
    explicit = post_refusals(w).get(key, {})
    writes = key in takes_post(w)
    refused, readers = {}, {}
    for who in WHO:
        if who in explicit:
            refused[who] = {str(explicit[who])}
        elif entry.expect[who] in REFUSALS:
            refused[who] = {str(entry.expect[who]), str(WRONG_METHOD)}
        elif not writes:
            readers[who] = {str(entry.expect[who]), str(WRONG_METHOD)}
    return refused, readers


def post(client, url, data) -> str:
    try:
        return seen(client.post(url, data))
    except Exception as error:  # a 500: name the persona
        return f"{type(error).__name__}: {error}"


def post_everyone(w, keys, only=WHO) -> list[str]:
    """POSTs to each URL as every persona (of `only`) that may not write there, then as those
    who may read it (a POST to a page that only shows is refused or shown; reading a case may
    write its audit row, as the GET does); what went wrong."""
    entries, forms = matrix(w), takes_post(w)
    wrong, refused, readers = [], [], []
    for key in keys:
        url = address(URLS[key], entries[key])
        kept_out, reading = post_expectations(key, entries[key], w)
        kept_out = {who: ok for who, ok in kept_out.items() if who in only}
        # Made before the snapshot: some forms' data are rows (a service to refer to).
        refused += [(key, url, who, ok, forms.get(key, dict)()) for who, ok in kept_out.items()]
        readers += [(key, url, who, ok, forms.get(key, dict)()) for who, ok in reading.items()]
    before, counts = snapshot(), row_counts()
    for key, url, who, allowed, data in refused:
        got = post(client_as(w, who), url, data)
        if got not in allowed:
            either = " or ".join(sorted(allowed))
            wrong.append(f"  {who} to {url} ({key}): expected {either}, got {got}")
        now = row_counts()
        if now != counts:
            grew = sorted(t for t in now if now[t] != counts[t])
            wrong.append(f"  {who} to {url} ({key}) added or removed rows in {', '.join(grew)}")
            counts = now
    changed = changed_tables(before, snapshot())
    if changed:
        wrong.append(f"  refused POSTs changed rows in {', '.join(changed)}")
    for key, url, who, allowed, data in readers:
        got = post(client_as(w, who), url, data)
        if got not in allowed:
            either = " or ".join(sorted(allowed))
            wrong.append(f"  {who} to {url} ({key}): expected {either}, got {got}")
    return wrong


ADMIN_MODEL_KEYS = {
    m._meta.label: f"admin:{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry
}
POST_KEYS = [
    key
    for key in URLS
    if not key.startswith("admin")
    or key
    in (
        "admin:password_change",
        "admin:auth_user_password_change",
        "admin:reports_aidstatistic_import",
    )
]


@pytest.mark.parametrize("key", POST_KEYS)
def test_a_refused_post_writes_nothing(world, key):
    assert key in matrix(world), f"{key} has no entry in the access matrix"
    wrong = post_everyone(world, [key])
    assert not wrong, f"POST {key}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("model", sorted(ADMIN_MODEL_KEYS))
def test_a_refused_admin_write_writes_nothing(world, model):
    """Deleting a row of the table (the confirmed form), as everyone but a ministry admin, and
    adding, changing and deleting as a ministry admin where the table is read-only. The admin
    turns every other persona away before any view runs, whatever the method: the GET matrix
    shows that for each of its URLs, so the POSTs of the others are made to one of them."""
    prefix = ADMIN_MODEL_KEYS[model]
    keys = [f"{prefix}_add", f"{prefix}_change", f"{prefix}_delete"]
    assert all(key in matrix(world) for key in keys), f"{model} has no entry in ADMIN_MODELS"
    wrong = post_everyone(world, keys[:2], only={"ministry_admin"})
    wrong += post_everyone(world, keys[2:])
    assert not wrong, f"POST to the admin of {model}:\n" + "\n".join(wrong)


def test_the_admin_shows_no_second_factor_secret(world):
    """Whoever reads a user's TOTP key or recovery codes can sign in as them: the admin shows
    neither, not even to a ministry admin (settings.OTP_ADMIN_HIDE_SENSITIVE_DATA). A lost
    phone is handled by deleting the device."""
    client = client_as(world, "ministry_admin")
    totp = TOTPDevice.objects.get(user=world.p.district_officer.user)
    recovery = StaticDevice.objects.get(user=world.p.district_officer.user)
    pages = [
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[totp.pk]),
        reverse("admin:otp_static_staticdevice_change", args=[recovery.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == OK, url
        text = response.content.decode()
        assert totp.key not in text and RECOVERY_CODE not in text, url
        assert reverse("admin:otp_totp_totpdevice_config", args=[totp.pk]) not in text, url
