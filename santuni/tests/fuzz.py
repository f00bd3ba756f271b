"""Bad input for property tests: what a careless, confused or hostile person might
send through a form, and the checks every answer to it must pass."""

import copy
from contextlib import contextmanager

from django.db import transaction
from django.utils.html import escape
from hypothesis import example, given, settings
from hypothesis import strategies as st

# Values that have broken web forms somewhere: NUL and control characters, bidi overrides,
# a byte-order mark, digits of other scripts, markup, SQL, template syntax, paths, numbers
# too big or not numbers at all, impossible dates, and text far past any limit.
NASTY = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t",
    "\x07\x1b[31m",
    "\u202eabc",
    "\ufeff",
    "\u200b",
    "😀👩‍👩‍👧",
    "٣٤٥",
    "²",
    "①",
    "𝟙𝟚",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"; DROP TABLE cases_case; --',
    "%s %(x)s {0}",
    "{{ request }}{% debug %}",
    "../../../etc/passwd",
    "-1",
    "0",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "1.0000000000001",
    "2026-02-30",
    "0000-00-00",
    "null",
    "true",
    "[]",
    '{"a": 1}',
    "00000000-0000-0000-0000-000000000000",
)
# Far past any field's limit (built, not listed, to keep failure reports short).
HUGE = st.sampled_from([("x", 5_000), ("ź", 20_000)]).map(lambda pair: pair[0] * pair[1])
# A page costs a request, often a rendering too, per example: half the profile's examples
# (12 by default, 250 with HYPOTHESIS_PROFILE=explore); explicit examples come on top.
PAGE = settings(max_examples=max(10, settings.default.max_examples // 2))
# Any character a browser can send: surrogates cannot be encoded, everything else goes.
CHARACTERS = st.characters(exclude_categories=("Cs",))


def one_of(*values):
    """One of these values, as the text a form sends."""
    return st.sampled_from([str(v) for v in values])


def digits(low, high):
    return st.integers(low, high).map(str)


def any_text(max_size: int = 200):
    return st.one_of(st.sampled_from(NASTY), HUGE, st.text(CHARACTERS, max_size=max_size))


MISSING = object()


def field_value(valid):
    """One field's value: a good one, a bad one, several of them, or none at all."""
    return st.one_of(
        valid,
        any_text(),
        st.lists(st.one_of(valid, any_text(20)), min_size=2, max_size=3),
        st.just(MISSING),
    )


def form_data(fields: dict, *, strict: bool = False):
    """A POST or GET body for a form: every field good (sometimes), else any mix of good, bad,
    repeated and missing values, plus fields nobody asked for."""
    good = st.fixed_dictionaries(fields)
    mixed = st.fixed_dictionaries({name: field_value(s) for name, s in fields.items()})
    extra = st.dictionaries(st.text(CHARACTERS, min_size=1, max_size=20), any_text(40), max_size=2)

    def merge(parts):
        data, more = parts
        data = {k: v for k, v in data.items() if v is not MISSING}
        for key, value in more.items():
            if strict or key in fields:
                continue
            data.setdefault(key, value)
        return data

    return st.tuples(st.one_of(good, mixed), extra).map(merge)


class _RollBack(Exception):
    pass


@contextmanager
def rolled_back(*clients):
    """One example's writes undone: each example starts from the same database, and the
    clients from the same session cookie (a session made in the example is gone with it)."""
    cookies = [copy.deepcopy(client.cookies) for client in clients]
    try:
        with transaction.atomic():
            yield
            raise _RollBack
    except _RollBack:
        pass
    finally:
        for client, kept in zip(clients, cookies, strict=True):
            client.cookies = kept


def counts(*models) -> dict:
    return {model.__name__: model.objects.count() for model in models}


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.content[:2000]


def form_in(response, key: str = "form"):
    """The form the page was rendered with, if any."""
    if response.context is None:
        return None
    try:
        return response.context[key]
    except KeyError:
        return None


def assert_errors_shown(response, form) -> None:
    """Every error the form found is on the page, in words a person reads."""
    html = response.content.decode()
    for field, errors in form.errors.items():
        for message in errors:
            assert escape(message) in html, f"the error of {field!r} is not shown: {message!r}"


def templates_of(response) -> list[str]:
    return [t.name for t in response.templates]


def assert_unreadable_page(response) -> None:
    """A body the server could not read is a 400 in a page of the site that says so."""
    assert response.status_code == 400
    assert "400.html" in templates_of(response)
    assert b"<main" in response.content


def assert_refused_or_done(response, form_key="form", *, before=None, after=None) -> str:
    """The page either accepted the input (a redirect) or refused it, showing why and writing
    nothing; returns which."""
    assert_no_server_error(response)
    if response.status_code == 302:
        return "accepted"
    if "400.html" in templates_of(response):
        assert_unreadable_page(response)
        return "unreadable"
    assert response.status_code in (200, 400), response.status_code
    form = form_in(response, form_key)
    assert form is not None and form.is_bound, "re-rendered without the form that was sent"
    assert form.errors, "re-rendered without saying what is wrong"
    assert_errors_shown(response, form)
    if before is not None:
        assert after() == before, "a refused submission wrote something"
    return "refused"


def assert_any_post_refused_or_done(
    client, url, fields, models=(), *, form_key="form", cookies=False, then=None
):
    """POSTs any mix of the fields' values, and an empty body, to the URL: each is accepted, or
    refused with its reasons on the page and nothing written to the models' tables. `cookies`:
    each example starts from the client's cookies as they were (the session it signed in);
    `then(response)`: a further check of each answer."""

    @PAGE
    @given(form_data(fields))
    @example({})  # an empty body
    def post(data):
        with rolled_back(*([client] if cookies else [])):
            before = counts(*models)
            response = client.post(url, data)
            assert_refused_or_done(response, form_key, before=before, after=lambda: counts(*models))
            if then is not None:
                then(response)

    post()
