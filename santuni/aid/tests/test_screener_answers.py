"""The screener takes only what the person said: nothing is chosen for them, a question left
unanswered is "not known" (for JKM to check), never a "no", and each answer card lists the
conditions not met, not known and met apart."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from santuni.aid.models import Scheme
from santuni.aid.rules import FACTS
from santuni.demo.directory import demo_data_load
from santuni.geo.models import District

pytestmark = pytest.mark.django_db

YES_NO = ("oku", "carer", "institution", "pdk", "other_aid")


def malay(message) -> str:
    with translation.override("ms"):
        return gettext(str(message)) if isinstance(message, str) else str(message)


@pytest.fixture
def place():
    demo_data_load()
    return {
        "district": District.objects.get(slug="seremban").pk,
        "area": "all",
        "size": "3",
        "income": "1400",
    }


def step_two(client, place) -> str:
    return client.post(reverse("aid:screener"), place).content.decode()


def answer(client, place, **person) -> str:
    data = {**place, "step": "person", **person}
    return client.post(reverse("aid:screener"), data).content.decode()


def card(page: str, code: str) -> dict:
    """A scheme's card: its status badge and its groups of reasons, heading by heading."""
    name = html.escape(Scheme.objects.get(code=code).name, quote=False)
    start = page.index(f"<h2>{name}</h2>")
    text = page[start : page.index("</li>", page.index('<p class="note">', start))]
    groups = re.findall(r'<h3 class="reasons">(.*?)</h3>\s*<ul>(.*?)</ul>', text, re.S)
    return {
        "status": re.search(r'class="badge status-(\w+)"', text).group(1),
        "groups": [
            (html.unescape(h), [html.unescape(r) for r in re.findall(r"<li>(.*?)</li>", items)])
            for h, items in groups
        ],
    }


def test_step_two_chooses_nothing_for_the_person(client, place):
    page = step_two(client, place)
    form = page[page.index('name="step" value="person"') :]
    for name in ("work", *YES_NO):
        assert f'name="{name}"' in form
    # No answer is ticked, and no figure typed in for them.
    assert " checked" not in form
    for name in ("age", "own_income", "children"):
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0)
        assert "value=" not in box, name
    assert malay(
        "Answer what you know. A question left unanswered rules out no aid: JKM will check it."
    ) in html.unescape(page)


def test_step_one_chooses_nothing_either(client):
    page = client.get(reverse("aid:screener")).content.decode()
    form = page[page.index("<form") :]
    assert " checked" not in form
    assert "value=" not in re.search(r'<input[^>]*name="size"[^>]*>', form).group(0)


def test_an_unanswered_question_is_not_known_not_a_no(client, place):
    """A 70-year-old whose work and yes/no questions were left unanswered."""
    unanswered = answer(client, place, age="70", children="5, 9")
    bwe = card(unanswered, "bwe")
    assert bwe["status"] == "check"  # not "likely", as a "no" for the JKM home would make it
    not_known = malay("Not known yet, for JKM to check:")
    asked = malay("Not answered: %(question)s") % {"question": malay(FACTS["in_institution"][0])}
    assert (not_known, [asked]) in bwe["groups"]
    # Nothing is said of them that they did not say.
    for said in (FACTS["working"][2], FACTS["unable_to_work"][2], FACTS["in_institution"][2]):
        assert html.escape(malay(said), quote=False) not in unanswered

    # Said "no", it counts as no.
    told = answer(client, place, age="70", children="5, 9", institution="no")
    assert card(told, "bwe")["status"] == "likely"


def test_a_not_eligible_card_lists_what_failed_apart_from_what_was_met(client, place):
    page = answer(client, place, age="70", children="5, 9", own_income="0")
    bap = card(page, "bap")  # Bantuan Am Persekutuan: Seremban is not a Federal Territory
    assert bap["status"] == "not_eligible"
    headings = [heading for heading, _reasons in bap["groups"]]
    assert headings == [
        "Tidak dipenuhi:",
        "Belum diketahui, untuk disemak oleh JKM:",
        "Dipenuhi:",
    ]
    failed, not_known, met = (reasons for _heading, reasons in bap["groups"])
    assert failed == [malay(FACTS["federal_territory"][2])]
    assert not_known == [
        malay("Not answered: %(question)s") % {"question": malay(FACTS["other_jkm_aid"][0])}
    ]
    assert len(met) == 1 and "RM1,400" in met[0]


def test_the_groups_are_in_english_too(client, place):
    data = {**place, "step": "person", "age": "70", "children": "5, 9"}
    page = client.post("/en" + reverse("aid:screener"), data).content.decode()
    assert '<h3 class="reasons">Not met:</h3>' in page
    assert '<h3 class="reasons">Not known yet, for JKM to check:</h3>' in page
    assert '<h3 class="reasons">Met:</h3>' in page


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        ("household", "district", "Choose the district the household lives in."),
        ("household", "size", "Type how many people live in the household (1 for someone alone)."),
        ("person", "age", "Type the age of the person who needs help, in years."),
    ],
)
def test_a_required_question_left_unanswered_says_what_to_do(client, place, step, field, message):
    data = {**place, field: ""} if step == "household" else {**place, "step": "person"}
    response = client.post(reverse("aid:screener"), data)
    assert response.context["form"].errors[field] == [malay(message)]
    error = re.search(
        rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode()
    )
    assert html.unescape(error.group(1)) == malay(message)
