"""Operational figures for the dashboards: cases, referrals, CBOs, listings, coverage.

Every figure is counted by the database, in a fixed number of queries per table, shaped so
a million referrals stay fast on SQLite (with or without ANALYZE) and PostgreSQL:
- a GROUP BY over one column of the scope's referrals, read from an index that covers it
  (`Referral` keeps its case's urgency and category for that);
- a row per district, mukim or CBO with a correlated COUNT(*) subquery per column
  (`_count`), each one index range keyed by the district (or mukim, or case); a state's
  figure adds up its districts' counts in SQL (`_summed`), since counting over a join to
  the districts lets a planner walk every referral of a status once per state;
- overdue referrals counted and listed step by step (`_late`), each step one index range,
  where the OR of the steps is a full scan for SQLite without statistics.
Medians are read, not computed: count the values, then take the middle one or two in index
order with LIMIT/OFFSET (`_medians`).
"""

import heapq
import operator
from collections import Counter
from datetime import timedelta
from functools import reduce
from operator import itemgetter

from django.conf import settings
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from santuni.cases.models import LATE_STEPS, TARGET_GROUPS, Case, Referral, Urgency
from santuni.directory.models import CboProfile, Organization, TaxonomyTerm
from santuni.geo.models import District, Mukim, State
from santuni.listings.selectors import due_for_verification

from .tables import MINISTRY, STATE_AND_MINISTRY, Scope, Table, report

S = Referral.Status
# What `overdue_filter` means, step by step: the status and the target time it waits on.
TOP_AGENCIES = 10
OVERDUE_LISTED = 100
ACTIVITY_DAYS = 365
HOUR, DAY = 3600, 86400
ACKNOWLEDGE, COMPLETE = "seconds_to_acknowledge", "seconds_to_complete"


# --- scope -------------------------------------------------------------------------------


def _where(scope: Scope, field: str = "district", state: str = "") -> Q:
    """Rows in the scope's districts. A state's by the row's own state field (`state`) where
    it has one (cases and referrals: one index range); else as a subquery of its district
    ids, which both databases turn into one index range per district."""
    if scope.district is not None:
        return Q(**{field: scope.district.pk})
    if scope.state is not None:
        if state:
            return Q(**{state: scope.state.pk})
        return Q(**{f"{field}__in": District.objects.filter(state=scope.state).values("pk")})
    return Q()


def _districts(scope: Scope) -> QuerySet[District]:
    if scope.district is not None:
        return District.objects.filter(pk=scope.district.pk)
    if scope.state is not None:
        return District.objects.filter(state=scope.state)
    return District.objects.all()


def _states(scope: Scope) -> QuerySet[State]:
    if scope.district is not None:
        return State.objects.filter(pk=scope.district.state_id)
    if scope.state is not None:
        return State.objects.filter(pk=scope.state.pk)
    return State.objects.all()


def _cases(scope: Scope) -> QuerySet[Case]:
    return Case.objects.filter(_where(scope, state="state"))


def _referrals(scope: Scope) -> QuerySet[Referral]:
    return Referral.objects.filter(_where(scope, state="state"))


# --- query helpers -----------------------------------------------------------------------


def _count(queryset: QuerySet) -> Subquery:
    """COUNT(*) of a correlated queryset as a scalar subquery (0 when nothing matches)."""
    counted = queryset.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
    return Subquery(counted.values("n"), output_field=IntegerField())


class _AllGroups(Func):
    """SUM(COUNT(*)) OVER (): all the groups' counts added up, in the grouped query itself."""

    template = "SUM(COUNT(*)) OVER ()"
    contains_aggregate = True  # so Django does not group by it
    output_field = IntegerField()


def _by(queryset: QuerySet, field: str) -> dict:
    # COUNT(*) rather than COUNT(pk): SQLite keeps the UUID key in the table, not the index.
    return dict(queryset.order_by().values_list(field).annotate(n=Count("*")))


def _choice_table(queryset: QuerySet, field: str, choices, *, slug, title, columns) -> Table:
    """Counts of `field` over `queryset`, one row per choice in the choices' order."""
    counts = _by(queryset, field)
    rows = [[str(label), counts.get(value, 0)] for value, label in choices]
    return Table(slug=slug, title=title, columns=columns, rows=rows)


def _late(referrals: QuerySet[Referral], now) -> list[QuerySet[Referral]]:
    """The overdue referrals (`overdue_filter`) step by step, each one range of the index
    on (status, due time) or (district, status, due time)."""
    return [referrals.filter(status=status, **{f"{due}__lt": now}) for status, due in LATE_STEPS]


def _late_count(referrals: QuerySet[Referral], now):
    return reduce(operator.add, [_count(step) for step in _late(referrals, now)])


def _summed(scope: Scope, per_district) -> Coalesce:
    """For a row of State: a per-district count (correlated on the district) added up over
    the state's districts in scope. Each count stays one index range keyed by district,
    where a count over a join to the districts may walk a status's every referral."""
    districts = _districts(scope).filter(state=OuterRef("pk")).order_by().values("state")
    total = districts.annotate(total=Sum(per_district)).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def _medians(
    referrals: QuerySet[Referral], *fields: str
) -> tuple[dict[str, int], dict[tuple[str, str], float | None]]:
    """The referrals per urgency, and the median of each field per urgency {(field,
    urgency): value}, in two queries whatever the data.

    The first counts each urgency's referrals and values of every field in one pass over
    the (urgency, seconds to acknowledge, seconds to complete) index. The second reads the
    middle one (odd count) or two (even) of each from the (urgency, field) index, ORDER BY
    field LIMIT 1 or 2 OFFSET (n - 1) / 2, and averages them. The slices are the ORM's own
    SQL; only the UNION ALL around them is written here, as Django cannot combine sliced
    queries on SQLite.
    """
    counted = referrals.order_by().values_list("urgency")
    counted = counted.annotate(n=Count("*"), **{f"n_{field}": Count(field) for field in fields})
    totals, counts = {}, {}
    for urgency, total, *values in counted:
        totals[urgency] = total
        counts[urgency] = dict(zip(fields, values, strict=True))
    connection = connections[referrals.db]
    parts, params = [], []
    for field in fields:
        column = connection.ops.quote_name(Referral._meta.get_field(field).column)
        for urgency in Urgency.values:
            n = counts.get(urgency, {}).get(field, 0)
            params += [field, urgency]
            if not n:
                parts.append("SELECT %s, %s, CAST(NULL AS DOUBLE PRECISION)")
                continue
            middle = (
                referrals.filter(urgency=urgency, **{f"{field}__isnull": False})
                .order_by(field)
                .values_list(field)[(n - 1) // 2 : n // 2 + 1]
            )
            sql, middle_params = middle.query.get_compiler(using=referrals.db).as_sql()
            average = f"CAST(AVG({column}) AS DOUBLE PRECISION)"
            parts.append(
                f"SELECT %s, %s, {average}"  # noqa: S608 # nosec B608 - ORM-compiled, with params
                f" FROM ({sql}) AS middle"
            )
            params += middle_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        medians = {(f, u): float(m) if m is not None else None for f, u, m in cursor.fetchall()}
    return totals, medians


def _organization_names(ids) -> dict:
    return {
        o.pk: o.tr.name for o in Organization.objects.filter(pk__in=ids).only("name", "name_en")
    }


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def _since():
    return timezone.now() - timedelta(days=ACTIVITY_DAYS)


# --- cases -------------------------------------------------------------------------------


@report("cases-status", section="operations", order=10)
def cases_by_status(scope: Scope) -> Table:
    return _choice_table(
        _cases(scope),
        "status",
        Case.Status.choices,
        slug="cases-status",
        title=_("Cases by status"),
        columns=[_("Status"), _("Cases")],
    )


def _cases_open_and_all(scope: Scope, field: str, choices, slug: str, title: str, first: str):
    rows = (
        _cases(scope)
        .order_by()
        .values_list(field)
        .annotate(open=Count("status", filter=Q(status=Case.Status.OPEN)), all=Count("*"))
    )
    counts = {value: (open_, all_) for value, open_, all_ in rows}
    return Table(
        slug=slug,
        title=title,
        columns=[first, _("Open cases"), _("All cases")],
        rows=[[str(label), *counts.get(value, (0, 0))] for value, label in choices],
    )


@report("cases-urgency", section="operations", order=11)
def cases_by_urgency(scope: Scope) -> Table:
    return _cases_open_and_all(
        scope, "urgency", Urgency.choices, "cases-urgency", _("Cases by urgency"), _("Urgency")
    )


@report("cases-category", section="operations", order=12)
def cases_by_category(scope: Scope) -> Table:
    return _cases_open_and_all(
        scope,
        "category",
        Case.Category.choices,
        "cases-category",
        _("Cases by category"),
        _("Category"),
    )


# --- referrals ---------------------------------------------------------------------------


@report("referrals-status", section="operations", order=20)
def referrals_by_status(scope: Scope) -> Table:
    return _choice_table(
        _referrals(scope),
        "status",
        S.choices,
        slug="referrals-status",
        title=_("Referrals by status"),
        columns=[_("Status"), _("Referrals")],
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 1)


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / DAY, 1)


@report("referrals-urgency", section="operations", order=21)
def referrals_by_urgency(scope: Scope) -> Table:
    referrals = _referrals(scope)
    totals, medians = _medians(referrals, ACKNOWLEDGE, COMPLETE)
    # The medians count answered referrals only: those still waiting stand beside them, so
    # that an organisation that never answers does not look fast.
    unanswered = _by(referrals.filter(status=S.SENT), "urgency")
    # One status at a time: with IN (...) SQLite leaves the (status, urgency, mode) index.
    unfinished = Counter()
    for status in (S.ACCEPTED, S.IN_PROGRESS):
        unfinished.update(_by(referrals.filter(status=status, mode=Referral.Mode.LIVE), "urgency"))
    return Table(
        slug="referrals-urgency",
        title=_("Referrals by urgency of the case, and how fast they were answered"),
        columns=[
            _("Urgency"),
            _("Referrals"),
            _("Median hours to acknowledge"),
            _("Median days to complete"),
            _("Waiting for an answer now"),
            _("Accepted, not completed yet"),
        ],
        more_charts=(2, 3),
        rows=[
            [
                str(label),
                totals.get(value, 0),
                _hours(medians[ACKNOWLEDGE, value]),
                _days(medians[COMPLETE, value]),
                unanswered.get(value, 0),
                unfinished.get(value, 0),
            ]
            for value, label in Urgency.choices
        ],
        note=_(
            "Medians from sending to the receiving organisation's first answer (accepting, "
            "declining or redirecting) and to completion, over all referrals answered or "
            "completed so far; those still waiting are counted beside them. Referrals the "
            "person took up on their own are not timed."
        ),
    )


@report("referrals-category", section="operations", order=22)
def referrals_by_category(scope: Scope) -> Table:
    return _choice_table(
        _referrals(scope),
        "category",
        Case.Category.choices,
        slug="referrals-category",
        title=_("Referrals by category of the case"),
        columns=[_("Category"), _("Referrals")],
    )


@report("referrals-agency", section="operations", order=23)
def referrals_by_agency(scope: Scope) -> Table:
    # The window adds up every organisation's count in the same pass, before the LIMIT.
    # What the organisation received: sent to it for action, as its inbox shows them.
    received = _referrals(scope).filter(mode=Referral.Mode.LIVE, sent_at__isnull=False)
    top = list(
        received.order_by()
        .values_list("organization")
        .annotate(n=Count("*"), total=_AllGroups())
        .order_by("-n", "organization")[:TOP_AGENCIES]
    )
    names = _organization_names([pk for pk, _n, _total in top])
    rows = [[names.get(pk, "?"), n] for pk, n, _total in top]
    others = (int(top[0][2]) if top else 0) - sum(n for _pk, n, _total in top)
    if others:
        rows.append([_("All other organisations"), others])
    return Table(
        slug="referrals-agency",
        title=_("Referrals by receiving organisation"),
        columns=[_("Receiving organisation"), _("Referrals")],
        rows=rows,
        note=_(
            "Referrals sent for action (not drafts, nor records of help the person sought on "
            "their own). The %(n)d organisations that received the most, then the rest together."
        )
        % {"n": TOP_AGENCIES},
    )


@report("overdue", section="operations", order=31)
def overdue(scope: Scope) -> Table:
    now = timezone.now()
    referrals = _referrals(scope)
    # Each step's late referrals come in due order from an index on (status, due time), so
    # the most late are read first; one ORDER BY over all of them would read every one.
    runs = [
        step.annotate(due=F(due))
        .order_by(due, "reference")
        .values("pk", "reference", "organization", "district", "status", "due")[:OVERDUE_LISTED]
        for step, (_status, due) in zip(_late(referrals, now), LATE_STEPS, strict=True)
    ]
    listed = list(heapq.merge(*runs, key=itemgetter("due", "reference")))[:OVERDUE_LISTED]
    total = sum(step.count() for step in _late(referrals, now))
    names = _organization_names({r["organization"] for r in listed})
    districts = {
        d.pk: d.tr.name for d in District.objects.filter(pk__in={r["district"] for r in listed})
    }
    waiting = {S.SENT: _("Acknowledgement")}
    table = Table(
        slug="overdue",
        title=_("Overdue referrals"),
        columns=[
            _("Referral"),
            _("Receiving organisation"),
            _("District"),
            _("Status"),
            _("Waiting for"),
            _("Due"),
            _("Days late"),
        ],
        chart=None,
        rows=[
            [
                r["reference"],
                names.get(r["organization"], "?"),
                districts.get(r["district"], "?"),
                _label(S.choices, r["status"]),
                waiting.get(r["status"], _("Completion")),
                timezone.localtime(r["due"]).date(),
                round((now - r["due"]).total_seconds() / DAY, 1),
            ]
            for r in listed
        ],
        links=[reverse("cases:referral", args=[r["pk"]]) for r in listed],
    )
    if total > len(listed):
        table.note = _(
            "%(total)d referrals are overdue; the %(shown)d most overdue are listed."
        ) % {
            "total": total,
            "shown": len(listed),
        }
    else:
        table.note = ngettext(
            "%(total)d referral is overdue.", "%(total)d referrals are overdue.", total
        ) % {"total": total}
    return table


# --- CBOs and listings -------------------------------------------------------------------


def _referrals_of_cbo(**filters) -> QuerySet[Referral]:
    return Referral.objects.filter(case__organization=OuterRef("organization"), **filters)


@report("cbo-activity", section="operations", order=40)
def cbo_activity(scope: Scope) -> Table:
    since = _since()
    note = _(
        "Cases opened and referrals sent in the last 12 months; last activity is the latest "
        "case opened or referral sent at any time. Active CBOs only."
    )
    if scope.district is None:
        return _cbo_activity_by_district(scope, since, note)
    last_case = Case.objects.filter(organization=OuterRef("organization")).order_by("-opened_at")
    last_referral = _referrals_of_cbo(sent_at__isnull=False).order_by("-sent_at")
    cbos = (
        CboProfile.objects.filter(district=scope.district, is_active=True)
        .annotate(
            cases=_count(
                Case.objects.filter(organization=OuterRef("organization"), opened_at__gte=since)
            ),
            referrals=_count(_referrals_of_cbo(sent_at__gte=since)),
            last_case=Subquery(last_case.values("opened_at")[:1]),
            last_referral=Subquery(last_referral.values("sent_at")[:1]),
        )
        # SQLite's two-argument MAX is NULL if either is; PostgreSQL's GREATEST skips NULLs.
        .annotate(
            last=Greatest(
                Coalesce("last_case", "last_referral"), Coalesce("last_referral", "last_case")
            )
        )
        .select_related("organization")
        .only("organization__name", "organization__name_en")
        .order_by("-cases", "-referrals", "organization__name")
    )
    return Table(
        slug="cbo-activity",
        title=_("CBO activity"),
        columns=[_("CBO"), _("Cases opened"), _("Referrals sent"), _("Last activity")],
        rows=[
            [
                c.organization.tr.name,
                c.cases,
                c.referrals,
                timezone.localtime(c.last).date() if c.last else None,
            ]
            for c in cbos
        ],
        note=note,
    )


def _cbo_activity_by_district(scope: Scope, since, note: str) -> Table:
    active = CboProfile.objects.filter(district=OuterRef("pk"), is_active=True)
    lately = active.filter(
        Exists(Case.objects.filter(organization=OuterRef("organization"), opened_at__gte=since))
        | Exists(_referrals_of_cbo(sent_at__gte=since))
    )
    districts = (
        _districts(scope)
        .annotate(
            n_cbos=_count(active),
            busy=_count(lately),
            cases=_count(Case.objects.filter(district=OuterRef("pk"), opened_at__gte=since)),
            referrals=_count(Referral.objects.filter(district=OuterRef("pk"), sent_at__gte=since)),
        )
        .select_related("state")
        .order_by("state__name", "name")
    )
    return Table(
        slug="cbo-activity",
        title=_("CBO activity by district"),
        columns=[
            _("District"),
            _("Active CBOs"),
            _("CBOs active in the last 12 months"),
            _("Cases opened"),
            _("Referrals sent"),
        ],
        rows=[[d.tr.name, d.n_cbos, d.busy, d.cases, d.referrals] for d in districts],
        note=note,
    )


@report("unverified", section="operations", order=41)
def unverified(scope: Scope) -> Table:
    days = settings.SANTUNI["VERIFY_EVERY_DAYS"]
    cbos, services = due_for_verification(timezone.localdate())
    districts = _districts(scope).annotate(
        n_cbos=_count(cbos.filter(district=OuterRef("pk"))),
        services=_count(services.filter(organization__cbo__district=OuterRef("pk"))),
    )
    table = Table(
        slug="unverified",
        title=_("Listings not verified for %(days)d days") % {"days": days},
        columns=[_("District"), _("CBO profiles"), _("CBO services")],
        rows=[[d.tr.name, d.n_cbos, d.services] for d in districts.order_by("state__name", "name")],
        note=_("Active CBOs, and their services that are not defunct."),
    )
    if scope.district is not None:
        table.more = (reverse("listings:unverified"), _("Open the list and verify them"))
    return table


# --- by state and district (ministry) ----------------------------------------------------

STATUS_GROUPS = [
    ("draft", (S.DRAFT,)),
    ("open", Referral.OPEN),
    ("completed", (S.COMPLETED,)),
    ("returned", Referral.RETURNED),
    ("ended", (S.CLOSED, S.CANCELLED)),
]


@report("state-referrals", section="places", order=10, roles=MINISTRY)
def referrals_by_state(scope: Scope) -> Table:
    now = timezone.now()
    in_district = Referral.objects.filter(district=OuterRef("pk"))
    counts = {
        name: _summed(scope, _count(in_district.filter(status__in=statuses)))
        for name, statuses in STATUS_GROUPS
    }
    states = _states(scope).annotate(
        overdue=_summed(scope, _late_count(in_district, now)), **counts
    )
    return Table(
        slug="state-referrals",
        title=_("Referrals by state and status"),
        columns=[
            _("State"),
            _("Referrals"),
            _("Drafts"),
            _("Open (sent, accepted or in progress)"),
            _("Completed"),
            _("Declined or redirected"),
            _("Closed or cancelled"),
            _("Overdue now"),
        ],
        rows=[
            [s.tr.name, sum(groups), *groups, s.overdue]
            for s in states.order_by("name")
            # The groups take every status once, so they add up to all the state's referrals.
            for groups in [[getattr(s, name) for name, _statuses in STATUS_GROUPS]]
        ],
    )


@report("state-cases", section="places", order=11, roles=MINISTRY)
def cases_by_state(scope: Scope) -> Table:
    cases = Case.objects.filter(district=OuterRef("pk"))
    cbos = CboProfile.objects.filter(district=OuterRef("pk"), is_active=True)
    states = _states(scope).annotate(
        n_cbos=_summed(scope, _count(cbos)),
        open=_summed(scope, _count(cases.filter(status=Case.Status.OPEN))),
        all=_summed(scope, _count(cases)),
    )
    return Table(
        slug="state-cases",
        title=_("Cases and CBOs by state"),
        columns=[_("State"), _("Open cases"), _("All cases"), _("Active CBOs")],
        rows=[[s.tr.name, s.open, s.all, s.n_cbos] for s in states.order_by("name")],
    )


@report("districts", section="places", order=12, roles=STATE_AND_MINISTRY)
def districts(scope: Scope) -> Table:
    now = timezone.now()
    referrals = Referral.objects.filter(district=OuterRef("pk"))
    rows = (
        _districts(scope)
        .annotate(
            n_cbos=_count(CboProfile.objects.filter(district=OuterRef("pk"), is_active=True)),
            open_cases=_count(
                Case.objects.filter(district=OuterRef("pk"), status=Case.Status.OPEN)
            ),
            open_referrals=_count(referrals.filter(status__in=Referral.OPEN)),
            overdue=_late_count(referrals, now),
        )
        .select_related("state")
        .order_by("-overdue", "-open_cases", "name")
    )
    return Table(
        slug="districts",
        title=_("Districts: open cases and overdue referrals"),
        columns=[
            _("District"),
            _("State"),
            _("Active CBOs"),
            _("Open cases"),
            _("Open referrals"),
            _("Overdue referrals"),
        ],
        chart=5,
        rows=[
            [
                d.tr.name,
                d.state.tr.name,
                d.n_cbos,
                d.open_cases,
                d.open_referrals,
                d.overdue,
            ]
            for d in rows
        ],
        note=_("Most overdue referrals first."),
    )


# --- coverage ----------------------------------------------------------------------------


def _target_groups() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy__code=TARGET_GROUPS).order_by("position", "name")


@report("coverage-mukims", section="coverage", order=10)
def coverage_by_mukim(scope: Scope) -> Table:
    groups = list(_target_groups())
    # Leaving out the few inactive CBOs (a NOT IN each database works out once) keeps this
    # to the mukim's own rows; joining the profiles to test each one's flag, PostgreSQL
    # reads them all once per mukim.
    inactive = CboProfile.objects.filter(is_active=False).values("pk")
    covering = CboProfile.mukims.through.objects.filter(mukim=OuterRef("pk")).exclude(
        cboprofile__in=inactive
    )
    # The scope's own cases: a district officer sees no other district's, even of a person
    # living in one of the district's mukims. Counted in one pass over them, by where the
    # person lives: a count per mukim would read all the scope's open cases once per mukim.
    open_cases = _cases(scope).filter(status=Case.Status.OPEN)
    open_in = _by(open_cases, "client__mukim")
    mukims = list(
        Mukim.objects.filter(_where(scope))
        .annotate(n_cbos=_count(covering))
        .select_related("district")
        .order_by("district__name", "name")
    )
    for m in mukims:
        m.open = open_in.get(m.pk, 0)
        m.gap = m.n_cbos == 0 and m.open > 0
    # Gaps first, then the most open cases and the fewest CBOs; by name (the database's
    # order, which the sort keeps) within them.
    mukims.sort(key=lambda m: (not m.gap, -m.open, m.n_cbos))
    # One GROUP BY for every (mukim, group) cell rather than a subquery per cell.
    cells = (
        open_cases.filter(client__target_groups__in=[g.pk for g in groups])
        .order_by()
        .values_list("client__mukim", "client__target_groups")
        .annotate(n=Count("*"))
    )
    per_group = {(mukim, group): n for mukim, group, n in cells}
    table = Table(
        slug="coverage-mukims",
        title=_("Mukims by active CBOs and open cases"),
        columns=[
            _("Mukim"),
            _("District"),
            _("Active CBOs covering it"),
            _("Open cases"),
            *(_("Open cases: %(group)s") % {"group": g.tr.name} for g in groups),
            _("Gap"),
        ],
        chart=3,
        note=_(
            "Mukims with open cases and no active CBO come first, marked as gaps. Open cases "
            "are counted by where the person lives; a person may be in more than one group."
        ),
    )
    for i, m in enumerate(mukims):
        table.rows.append(
            [
                m.tr.name,
                m.district.tr.name,
                m.n_cbos,
                m.open,
                *(per_group.get((m.pk, g.pk), 0) for g in groups),
                _("No CBO") if m.gap else "",
            ]
        )
        if m.gap:
            table.marked.add(i)
    return table


@report("coverage-groups", section="coverage", order=11)
def coverage_by_group(scope: Scope) -> Table:
    groups = _target_groups().annotate(
        open=_count(
            _cases(scope).filter(status=Case.Status.OPEN, client__target_groups=OuterRef("pk"))
        ),
        n_cbos=_count(
            CboProfile.objects.filter(_where(scope), is_active=True, target_groups=OuterRef("pk"))
        ),
    )
    return Table(
        slug="coverage-groups",
        title=_("Open cases and CBOs per target group"),
        columns=[_("Target group"), _("Open cases"), _("Active CBOs serving the group")],
        rows=[[g.tr.name, g.open, g.n_cbos] for g in groups],
    )
