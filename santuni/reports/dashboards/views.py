"""Officers' dashboards and their exports: `/laporan/` and `/laporan/eksport/<table>.<fmt>`.

A district officer sees their own district, a state officer their own state; a ministry admin
sees Malaysia and may narrow it to a state (`?negeri=MY-05` or `?negeri=negeri-sembilan`) or a
district (`?daerah=seremban`). An export takes the same filters, so it holds exactly what the
page showed.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from santuni.accounts.access import active_membership, role_required
from santuni.accounts.models import Role
from santuni.geo.models import District, State

from . import charts, exports
from .tables import OFFICERS, REPORTS, Scope, Table, reports_for

SECTIONS = {
    "operations": gettext_lazy("Cases and referrals"),
    "places": gettext_lazy("By state and district"),
    "coverage": gettext_lazy("Coverage: CBOs and open cases"),
    "aid": gettext_lazy("JKM aid statistics"),
}
WRITERS = {"csv": exports.csv_response, "xlsx": exports.xlsx_response}


class ScopeForm(forms.Form):
    """The ministry's filters: a state by ISO code or slug, a district by slug."""

    negeri = forms.CharField(required=False, max_length=60)
    daerah = forms.CharField(required=False, max_length=100)

    def clean_negeri(self) -> State | None:
        value = self.cleaned_data["negeri"].strip()
        if not value:
            return None
        state = State.objects.filter(Q(code__iexact=value) | Q(slug=value.lower())).first()
        if state is None:
            raise forms.ValidationError(
                _("There is no state “%(value)s”. Choose one from the list."),
                params={"value": value},
            )
        return state

    def clean_daerah(self) -> District | None:
        value = self.cleaned_data["daerah"].strip()
        if not value:
            return None
        district = District.objects.select_related("state").filter(slug=value.lower()).first()
        if district is None:
            raise forms.ValidationError(
                _("There is no district “%(value)s”. Choose one from the list."),
                params={"value": value},
            )
        return district

    def clean(self):
        data = super().clean()
        state, district = data.get("negeri"), data.get("daerah")
        if state and district and district.state_id != state.pk:
            raise forms.ValidationError(
                _("%(district)s is not in %(state)s. Choose a district of that state."),
                params={"district": district.tr.name, "state": state.tr.name},
            )
        return data

    def scope(self) -> Scope:
        if self.cleaned_data.get("daerah"):
            return Scope(district=self.cleaned_data["daerah"])
        return Scope(state=self.cleaned_data.get("negeri"))


class BadFilter(Exception):
    def __init__(self, form: ScopeForm):
        self.form = form


# Officers who see their own area only, any filter ignored.
LOCAL = (Role.DISTRICT_OFFICER, Role.STATE_OFFICER)


def _scope(request, membership) -> tuple[Scope, ScopeForm | None]:
    """A district or state officer's own district or state (any filter ignored), or the
    ministry's choice."""
    if membership.role == Role.DISTRICT_OFFICER:
        if membership.district_id is None:
            # Scope(district=None) would be Malaysia: an officer of no district sees nothing.
            raise PermissionDenied
        return Scope(district=membership.district), None
    if membership.role == Role.STATE_OFFICER:
        if membership.state_id is None:
            raise PermissionDenied  # as above: never Malaysia for want of a state
        return Scope(state=membership.state), None
    form = ScopeForm(request.GET)
    if not form.is_valid():
        raise BadFilter(form)
    return form.scope(), form


def _query(scope: Scope, membership) -> str:
    if membership.role in LOCAL or scope.national:
        return ""
    if scope.district is not None:
        return "?" + urlencode({"daerah": scope.district.slug})
    return "?" + urlencode({"negeri": scope.state.code})


def shown(value) -> str:
    """A cell as people read it: grouped whole numbers, one decimal, a dash for no figure."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    if isinstance(value, float | Decimal):
        return formats.number_format(value, decimal_pos=1, force_grouping=True)
    if isinstance(value, date):
        return formats.date_format(value, "j M Y")
    return str(value)


@dataclass
class Row:
    label: str
    cells: list[str]
    link: str = ""
    marked: bool = False


@dataclass
class Panel:
    table: Table
    scope: Scope
    rows: list[Row] = field(default_factory=list)
    charts: list[tuple[str, SafeString]] = field(default_factory=list)  # (column, SVG)
    chart_shows: int = 0  # rows drawn, when fewer than the table has
    more: tuple[str, str] | None = None
    csv: str = ""
    xlsx: str = ""


def _panel(table: Table, scope: Scope, query: str, membership) -> Panel:
    # The referral pages are the district's and the state's officers' (the ministry is
    # refused them), the verification pages the district officer's.
    links = table.links if membership.role in LOCAL else []
    more = table.more if membership.role == Role.DISTRICT_OFFICER else None
    panel = Panel(table=table, scope=scope, more=more)
    for i, row in enumerate(table.rows):
        panel.rows.append(
            Row(
                label=shown(row[0]),
                cells=[shown(c) for c in row[1:]],
                link=links[i] if i < len(links) else "",
                marked=i in table.marked,
            )
        )
    charted = [] if table.chart is None or not table.rows else [table.chart, *table.more_charts]
    drawn = table.rows[: charts.MAX_BARS]
    for column in charted:
        panel.charts.append(
            (
                table.columns[column],
                charts.bar_chart(
                    f"chart-{table.slug}-{column}",
                    f"{table.title}: {table.columns[column]} · {scope}",
                    [
                        charts.Bar(str(r[0]), r[column], shown(r[column]), i in table.marked)
                        for i, r in enumerate(drawn)
                    ],
                ),
            )
        )
    if charted and len(table.rows) > len(drawn):
        panel.chart_shows = len(drawn)
    for fmt in WRITERS:
        url = reverse("reports:export", kwargs={"table": table.slug, "fmt": fmt}) + query
        setattr(panel, fmt, url)
    return panel


def _sections(membership, scope: Scope) -> list[tuple[str, str, list[Panel]]]:
    query = _query(scope, membership)
    grouped: dict[str, list[Panel]] = {}
    for found in reports_for(membership.role):
        table = found.build(scope)
        grouped.setdefault(found.section, []).append(_panel(table, scope, query, membership))
    order = list(SECTIONS)
    names = sorted(grouped, key=lambda s: (order.index(s) if s in order else len(order), s))
    return [(name, str(SECTIONS.get(name, name)), grouped[name]) for name in names]


def _places() -> dict:
    """The filter's choices: every state, and every district (grouped by state on the page)."""
    return {
        "states": State.objects.order_by("name"),
        "districts": District.objects.select_related("state").order_by("state__name", "name"),
    }


@never_cache
@require_GET
@role_required(*OFFICERS)
def dashboard(request):
    membership = active_membership(request)
    ministry = membership.role == Role.MINISTRY_ADMIN
    context = {
        "ministry": ministry,
        "state_officer": membership.role == Role.STATE_OFFICER,
        **(_places() if ministry else {}),
    }
    try:
        scope, _form = _scope(request, membership)
    except BadFilter as bad:
        problems = [e for errors in bad.form.errors.values() for e in errors]
        context |= {"problems": problems, "scope": None}
        return render(request, "reports/dashboard.html", context, status=400)
    state = scope.state
    if ministry and scope.district is not None:
        state = scope.district.state  # the filter's district comes with its state
    context |= {
        "scope": scope,
        "chosen_state": state.code if state is not None else "",
        "chosen_district": scope.district.slug if scope.district else "",
        "sections": _sections(membership, scope),
    }
    return render(request, "reports/dashboard.html", context)


@never_cache
@require_GET
@role_required(*OFFICERS)
def export(request, table, fmt):
    membership = active_membership(request)
    found = REPORTS.get(table)
    if found is None or fmt not in WRITERS:
        raise Http404
    if membership.role not in found.roles:
        raise PermissionDenied
    try:
        scope, _form = _scope(request, membership)
    except BadFilter:
        raise Http404 from None
    return WRITERS[fmt](found.build(scope), scope)
