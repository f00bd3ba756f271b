"""The aid screener: two short steps, then each scheme with its reason, amount, documents and
where to apply. Public and stored nowhere: the answers travel in the form (POST, never the
address) and are forgotten after the answer."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from santuni.accounts.access import active_membership
from santuni.accounts.models import Role
from santuni.geo.home import home_place

from . import selectors
from .forms import HouseholdForm, PersonForm, answer
from .rules import CHECK, LIKELY, Household, Result, rm, screen


def household_of(place: dict, person: dict) -> Household:
    """The answers as the rules read them: what was left unanswered is None, not known."""
    district = place["district"]
    work = person["work"]
    return Household(
        state_code=district.state.code,
        state_name=district.state.tr.name,
        area=place["area"],
        size=place["size"],
        income=place["income"],
        own_income=person["own_income"],
        age=person["age"],
        children_ages=person["children"],
        oku_registered=answer(person["oku"]),
        working=work == "working" if work else None,
        unable_to_work=work == "unable" if work else None,
        carer_of_bedridden=answer(person["carer"]),
        in_institution=answer(person["institution"]),
        pdk_trainee=answer(person["pdk"]),
        other_jkm_aid=answer(person["other_aid"]),
    )


@dataclass(frozen=True)
class Card:
    """A scheme's answer, its reasons apart: what rules it out, what is not known (JKM checks
    it), what is met, then any note on the scheme itself."""

    result: Result
    groups: list[tuple[str, list[str]]]
    notes: list[str]


def card_of(result: Result) -> Card:
    headings = {
        False: _("Not met:"),
        None: _("Not known yet, for JKM to check:"),
        True: _("Met:"),
    }
    groups = []
    for met, heading in headings.items():
        reasons = [check.reason for check in result.checks if check.met is met]
        if reasons:
            groups.append((heading, reasons))
    # The reasons past the checks' own are notes on the scheme (rates that may have changed).
    return Card(result, groups, result.reasons[len(result.checks) :])


def summary(results, household: Household) -> str:
    """The answer in a few lines, for the case a CBO head opens from it."""
    lines = [
        _("Aid screener: %(n)s in the household, %(state)s, household income %(income)s a month.")
        % {"n": household.size, "state": household.state_name, "income": rm(household.income)}
    ]
    for result in results:
        if result.status in (LIKELY, CHECK):
            lines.append(f"- {result.scheme.tr.name}: {result.status_label}. {result.amount_text}")
    return "\n".join(lines)


@never_cache
@require_http_methods(["GET", "POST"])
def screener(request):
    if request.method == "GET":
        return render(
            request, "aid/step_household.html", {"form": HouseholdForm(home=home_place(request))}
        )
    place = HouseholdForm(request.POST, home=home_place(request))
    if not place.is_valid():
        return render(request, "aid/step_household.html", {"form": place})
    if request.POST.get("back"):
        return render(request, "aid/step_household.html", {"form": place})
    if request.POST.get("step") != "person":
        return render(request, "aid/step_person.html", {"place": place, "form": PersonForm()})
    person = PersonForm(request.POST)
    if not person.is_valid():
        return render(request, "aid/step_person.html", {"place": place, "form": person})
    household = household_of(place.cleaned_data, person.cleaned_data)
    results = screen(household, timezone.localdate())
    district = place.cleaned_data["district"]
    office = selectors.welfare_office(district)
    membership = active_membership(request) if request.user.is_authenticated else None
    refer = None
    if membership is not None and membership.role == Role.CBO_HEAD:
        service = selectors.aid_service(office)
        refer = {
            "service": service,
            "situation": summary(results, household),
            "age": household.age,
            "size": household.size,
        }
    return render(
        request,
        "aid/results.html",
        {
            "place": place,
            "person": person,
            "household": household,
            "cards": [card_of(result) for result in results],
            "district": district,
            "office": office,
            "refer": refer,
            "LIKELY": LIKELY,
            "CHECK": CHECK,
        },
    )
