"""The eligibility engine: applies a scheme version's declarative rules to a household and
says, in words, why it is likely eligible, to be checked with JKM, or not eligible.

A rule is a dict with a `kind` and its settings (validated by `validate_rules`):
- {"kind": "age_at_least", "years": 60} / {"kind": "age_below", "years": 18}
- {"kind": "income_at_most", "income": "household" | "own", "limit": "pgk" | "pgk_per_person"
  | <RM a month>}
- {"kind": "fact", "fact": <one of FACTS>, "value": true | false}
- {"kind": "has_child", "under": 18}
- {"kind": "confirm", "text": "...", "text_en": "..."}: something only JKM can check
An unanswered question makes a rule unknown: the scheme is then "check with JKM".
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from santuni.lib.dates import age_on

from .models import PovertyLine, SchemeVersion

FEDERAL_TERRITORIES = {"MY-14", "MY-15", "MY-16"}
LIKELY, CHECK, NOT_ELIGIBLE = "likely", "check", "not_eligible"
STATUS_LABELS = {
    LIKELY: gettext_lazy("Likely eligible"),
    CHECK: gettext_lazy("Check with JKM"),
    NOT_ELIGIBLE: gettext_lazy("Not eligible"),
}
# Each fact: the question, what to say when it is true, and when it is false.
FACTS = {
    "oku_registered": (
        gettext_lazy("Is the person registered as OKU?"),
        gettext_lazy("Registered as OKU."),
        gettext_lazy("Not registered as OKU (register at the district welfare office first)."),
    ),
    "working": (
        gettext_lazy("Does the person work?"),
        gettext_lazy("Working."),
        gettext_lazy("Not working."),
    ),
    "unable_to_work": (
        gettext_lazy("Is the person unable to work?"),
        gettext_lazy("Unable to work."),
        gettext_lazy("Able to work."),
    ),
    "carer_of_bedridden": (
        gettext_lazy("Does the person care full time for a bedridden OKU or chronic patient?"),
        gettext_lazy("Cares full time for a bedridden OKU or chronic patient."),
        gettext_lazy("Not a full-time carer of a bedridden person."),
    ),
    "federal_territory": (
        gettext_lazy("Does the household live in a Federal Territory?"),
        gettext_lazy("Lives in a Federal Territory."),
        gettext_lazy("Does not live in a Federal Territory."),
    ),
    "in_institution": (
        gettext_lazy("Does the person live in an institution (a JKM home)?"),
        gettext_lazy("Lives in an institution."),
        gettext_lazy("Does not live in an institution."),
    ),
    "pdk_trainee": (
        gettext_lazy("Is the person a trainee of a PDK centre?"),
        gettext_lazy("A trainee of a PDK centre."),
        gettext_lazy("Not a PDK trainee."),
    ),
    "other_jkm_aid": (
        gettext_lazy("Does the household already receive another JKM monthly aid?"),
        gettext_lazy("Already receives another JKM monthly aid."),
        gettext_lazy("Receives no other JKM monthly aid."),
    ),
}
INCOMES = ("household", "own")
LIMITS = ("pgk", "pgk_per_person")
# Above any aid rate or income limit: a figure past it is a typing mistake.
MAX_MONTHLY_RM = 1_000_000


def is_amount(value) -> bool:
    """A number of ringgit a month that rules may hold (no NaN, infinity or yes/no)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= MAX_MONTHLY_RM
    )


@dataclass(frozen=True)
class Household:
    """The screener's answers; None is 'not answered'."""

    state_code: str = ""  # ISO 3166-2; "" (no state): Malaysia's poverty lines apply
    state_name: str = ""
    area: str = PovertyLine.Area.ALL
    size: int = 1
    income: Decimal | None = None  # the household's, RM a month
    own_income: Decimal | None = None  # the person's own
    age: int | None = None
    date_of_birth: date | None = None
    children_ages: tuple[int, ...] = ()
    oku_registered: bool | None = None
    working: bool | None = None
    unable_to_work: bool | None = None
    carer_of_bedridden: bool | None = None
    in_institution: bool | None = None
    pdk_trainee: bool | None = None
    other_jkm_aid: bool | None = None

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return self.age
        return age_on(self.date_of_birth, day)

    def fact(self, name: str) -> bool | None:
        if name == "federal_territory":
            return self.state_code in FEDERAL_TERRITORIES
        return getattr(self, name)


@dataclass
class Check:
    met: bool | None  # None: not known
    reason: str


@dataclass
class Result:
    version: SchemeVersion
    status: str
    reasons: list[str]
    amount: Decimal | None
    amount_text: str
    checks: list[Check] = field(default_factory=list)

    @property
    def scheme(self):
        return self.version.scheme

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def rm(amount: Decimal) -> str:
    """RM1,400 or RM800.67: ringgit as people write them."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole = amount == amount.to_integral_value()
    return "RM" + (f"{amount:,.0f}" if whole else f"{amount:,.2f}")


class PovertyLines:
    """The PGK in force on a day, most specific first: the state's area, the state's, then
    Malaysia's. Read once per screening."""

    def __init__(self, on: date):
        self.lines = list(
            PovertyLine.objects.filter(effective_from__lte=on)
            .select_related("state")
            .order_by("-effective_from")
        )

    def find(self, household: Household) -> PovertyLine | None:
        """The state's newest release (its line for the area, else the whole state), else
        Malaysia's: a newer whole-state figure replaces an older urban or rural one."""
        for state_code in (household.state_code, None):
            lines = [
                line
                for line in self.lines
                if (line.state.code if line.state_id else None) == state_code
            ]
            if not lines:
                continue
            newest = lines[0].effective_from  # newest first
            release = [line for line in lines if line.effective_from == newest]
            for area in (household.area, PovertyLine.Area.ALL):
                for line in release:
                    if line.area == area:
                        return line
            return release[0]
        return None


def _pgk_words(line: PovertyLine, household: Household) -> str:
    where = household.state_name if line.state_id else "Malaysia"
    if line.area != PovertyLine.Area.ALL:
        where = f"{where} ({line.get_area_display().lower()})"
    return where


def _income_check(rule, household: Household, pgk: PovertyLine | None) -> Check:
    income = household.income if rule["income"] == "household" else household.own_income
    label = _("household income") if rule["income"] == "household" else _("own income")
    if income is None:
        return Check(None, _("The %(what)s was not given.") % {"what": label})
    limit = rule["limit"]
    if limit in LIMITS:
        if pgk is None:
            return Check(None, _("No poverty line (PGK) is on record for this state."))
        where = _pgk_words(pgk, household)
        if limit == "pgk":
            amount = pgk.amount
            limit_words = _("the %(where)s PGK of %(amount)s") % {
                "where": where,
                "amount": rm(amount),
            }
        else:
            # Counted in sen, as the line is written: RM2,402 for 3 is RM800.67 a person.
            amount = (pgk.amount / max(household.size, 1)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            limit_words = _(
                "the %(where)s PGK per person of %(amount)s (%(total)s for %(n)s people)"
            ) % {
                "where": where,
                "amount": rm(amount),
                "total": rm(pgk.amount),
                "n": household.size,
            }
    else:
        amount = Decimal(str(limit))
        limit_words = rm(amount)
    values = {"what": label, "income": rm(income), "limit": limit_words}
    income = Decimal(income)
    if income < amount:
        return Check(True, _("The %(what)s %(income)s is below %(limit)s.") % values)
    if income == amount:
        return Check(True, _("The %(what)s %(income)s is exactly %(limit)s: within it.") % values)
    return Check(False, _("The %(what)s %(income)s is above %(limit)s.") % values)


def _check(rule, household: Household, on: date, pgk: PovertyLine | None) -> Check:
    kind = rule["kind"]
    if kind in ("age_at_least", "age_below"):
        age = household.age_on(on)
        years = rule["years"]
        if age is None:
            return Check(None, _("The age was not given."))
        values = {"age": age, "years": years}
        if kind == "age_at_least":
            # Each sentence names the condition and says whether the age meets it.
            if age >= years:
                return Check(
                    True, _("Aged %(age)s: meets the condition of %(years)s or older.") % values
                )
            return Check(
                False,
                _("Aged %(age)s: does not meet the condition of %(years)s or older.") % values,
            )
        if age < years:
            return Check(True, _("Aged %(age)s: meets the condition of under %(years)s.") % values)
        return Check(
            False, _("Aged %(age)s: does not meet the condition of under %(years)s.") % values
        )
    if kind == "income_at_most":
        return _income_check(rule, household, pgk)
    if kind == "fact":
        value = household.fact(rule["fact"])
        if value is None:
            return Check(
                None, _("Not answered: %(question)s") % {"question": FACTS[rule["fact"]][0]}
            )
        said = str(FACTS[rule["fact"]][1 if value else 2])
        return Check(value == rule["value"], said)
    if kind == "has_child":
        under = rule["under"]
        children = [a for a in household.children_ages if a < under]
        if children:
            said = ngettext(
                "%(n)s child under %(under)s.", "%(n)s children under %(under)s.", len(children)
            )
            return Check(True, said % {"n": len(children), "under": under})
        return Check(False, _("No child under %(under)s.") % {"under": under})
    # confirm: JKM checks it (a doctor's recommendation, a home visit).
    text = rule.get("text_en") if (get_language() or "ms").startswith("en") else None
    return Check(None, text or rule["text"])


def _amount(version: SchemeVersion, household: Household) -> tuple[Decimal | None, str]:
    kind = version.amount_kind
    cap = version.family_cap
    if kind == SchemeVersion.AmountKind.FIXED:
        return version.amount, _("%(amount)s a month") % {"amount": rm(version.amount)}
    if kind == SchemeVersion.AmountKind.ACTUAL_COST:
        return None, _("The actual cost of the device")
    if kind == SchemeVersion.AmountKind.PER_PERSON:
        total = version.amount * household.size
        parts = f"{rm(version.amount)} × {household.size}"
    else:
        bands = sorted(version.child_rates, key=lambda band: band["max_age"])
        counts: dict[Decimal, int] = {}
        for age in household.children_ages:
            for band in bands:
                if age <= band["max_age"]:
                    rate = Decimal(str(band["amount"]))
                    counts[rate] = counts.get(rate, 0) + 1
                    break
        if not counts:
            return Decimal(0), rm(Decimal(0))
        total = sum((rate * n for rate, n in counts.items()), Decimal(0))
        parts = " + ".join(f"{rm(rate)} × {n}" for rate, n in sorted(counts.items(), reverse=True))
    if cap is not None and total > cap:
        return cap, _("%(parts)s = %(total)s, at most %(cap)s a family: %(cap)s a month") % {
            "parts": parts,
            "total": rm(total),
            "cap": rm(cap),
        }
    return total, _("%(parts)s = %(total)s a month") % {"parts": parts, "total": rm(total)}


def evaluate(version: SchemeVersion, household: Household, on: date, pgk) -> Result:
    checks = [_check(rule, household, on, pgk) for rule in version.rules]
    if any(c.met is False for c in checks):
        status = NOT_ELIGIBLE
    elif any(c.met is None for c in checks) or version.uncertain:
        status = CHECK
    else:
        status = LIKELY
    amount, amount_text = _amount(version, household) if status != NOT_ELIGIBLE else (None, "")
    # What rules the scheme out first, then what JKM must check, then what is met.
    order = {False: 0, None: 1, True: 2}
    reasons = [c.reason for c in sorted(checks, key=lambda c: order[c.met])]
    if version.uncertain and status != NOT_ELIGIBLE:
        reasons.append(
            _("The rate or rules may have changed since %(date)s: JKM will confirm.")
            % {"date": version.source_date.strftime("%d/%m/%Y")}
        )
    return Result(version, status, reasons, amount, amount_text, checks)


def versions_on(on: date) -> list[SchemeVersion]:
    """Each scheme's version in force on the day (the latest that has started)."""
    current: dict[int, SchemeVersion] = {}
    for version in (
        SchemeVersion.objects.filter(effective_from__lte=on)
        .select_related("scheme")
        .order_by("scheme__order", "scheme__code", "-effective_from")
    ):
        current.setdefault(version.scheme_id, version)
    return list(current.values())


ORDER = {LIKELY: 0, CHECK: 1, NOT_ELIGIBLE: 2}


def screen(household: Household, on: date, versions=None) -> list[Result]:
    """Every scheme for the household on the day: likely first, then to check, then not."""
    pgk = PovertyLines(on).find(household)
    results = [evaluate(v, household, on, pgk) for v in (versions or versions_on(on))]
    return sorted(results, key=lambda r: ORDER[r.status])


def validate_rules(rules) -> list[str]:
    """What is wrong with a list of rules, in words an admin can act on (empty when valid)."""
    if not isinstance(rules, list):
        return [_("The rules must be a list.")]
    errors = []
    for number, rule in enumerate(rules, start=1):
        where = _("Rule %(n)s") % {"n": number}
        if not isinstance(rule, dict) or "kind" not in rule:
            errors.append(_("%(where)s needs a 'kind'.") % {"where": where})
            continue
        kind = rule["kind"]
        needs = {
            "age_at_least": {"years": int},
            "age_below": {"years": int},
            "income_at_most": {"income": str, "limit": (str, int, float)},
            "fact": {"fact": str, "value": bool},
            "has_child": {"under": int},
            "confirm": {"text": str},
        }.get(kind)
        if needs is None:
            errors.append(_("%(where)s: unknown kind %(kind)r.") % {"where": where, "kind": kind})
            continue
        for key, kind_of in needs.items():
            value = rule.get(key)
            # True is an int in Python; a number must not be a yes/no, nor the reverse.
            if not isinstance(value, kind_of) or (kind_of is not bool and isinstance(value, bool)):
                errors.append(
                    _("%(where)s: '%(key)s' is missing or of the wrong type.")
                    % {"where": where, "key": key}
                )
        if kind == "income_at_most":
            if rule.get("income") not in INCOMES:
                errors.append(_("%(where)s: 'income' must be household or own.") % {"where": where})
            limit = rule.get("limit")
            if isinstance(limit, str) and limit not in LIMITS:
                errors.append(
                    _("%(where)s: 'limit' must be pgk, pgk_per_person or an amount.")
                    % {"where": where}
                )
            elif isinstance(limit, int | float) and not is_amount(limit):
                errors.append(
                    _("%(where)s: the amount in 'limit' must be from RM0 to %(most)s a month.")
                    % {"where": where, "most": rm(Decimal(MAX_MONTHLY_RM))}
                )
        if kind == "fact" and rule.get("fact") not in FACTS:
            errors.append(
                _("%(where)s: unknown fact %(fact)r.") % {"where": where, "fact": rule.get("fact")}
            )
    return errors


# Households the admin's preview runs a version against.
SAMPLES = [
    (
        gettext_lazy("Grandmother, 64, raising grandchildren aged 5 and 9 on RM1,400"),
        Household(
            size=3,
            income=Decimal(1400),
            own_income=Decimal(0),
            age=64,
            children_ages=(5, 9),
            oku_registered=False,
            working=False,
            unable_to_work=False,
            carer_of_bedridden=False,
            in_institution=False,
            pdk_trainee=False,
            other_jkm_aid=False,
        ),
    ),
    (
        gettext_lazy("Registered OKU, 30, working, earning RM1,200, household of 2 on RM2,000"),
        Household(
            size=2,
            income=Decimal(2000),
            own_income=Decimal(1200),
            age=30,
            oku_registered=True,
            working=True,
            unable_to_work=False,
            carer_of_bedridden=False,
            in_institution=False,
            pdk_trainee=False,
            other_jkm_aid=False,
        ),
    ),
    (
        gettext_lazy(
            "Mother, 38, caring full time for a bedridden child, household of 4 on RM2,800"
        ),
        Household(
            size=4,
            income=Decimal(2800),
            own_income=Decimal(0),
            age=38,
            children_ages=(8, 12),
            oku_registered=False,
            working=False,
            unable_to_work=False,
            carer_of_bedridden=True,
            in_institution=False,
            pdk_trainee=False,
            other_jkm_aid=False,
        ),
    ),
    (
        gettext_lazy("Family of 5 in Kuala Lumpur on RM2,000"),
        Household(
            state_code="MY-14",
            state_name="Kuala Lumpur",
            size=5,
            income=Decimal(2000),
            own_income=Decimal(2000),
            age=40,
            children_ages=(3, 6, 10),
            oku_registered=False,
            working=True,
            unable_to_work=False,
            carer_of_bedridden=False,
            in_institution=False,
            pdk_trainee=False,
            other_jkm_aid=False,
        ),
    ),
]
