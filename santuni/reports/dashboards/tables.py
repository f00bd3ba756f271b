"""The dashboards' figures as tables: one shape that the page charts, shows and exports.

Each figure is a function `(scope) -> Table` registered under a slug with `@report(...)`; the
dashboard shows the ones its viewer may see, and `/laporan/eksport/<slug>.<csv|xlsx>` exports
any of them with the same scope. The functions aggregate in the database (one query or a few
per table, never a loop over rows in Python).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from santuni.accounts.models import Role
from santuni.geo.models import District, State


@dataclass(frozen=True)
class Scope:
    """What a dashboard covers: Malaysia, one state, or one district."""

    state: State | None = None
    district: District | None = None

    @property
    def national(self) -> bool:
        return self.state is None and self.district is None

    def __str__(self) -> str:
        if self.district is not None:
            return self.district.tr.name
        return self.state.tr.name if self.state is not None else "Malaysia"


@dataclass
class Table:
    """A titled grid: the first column labels the rows, the others hold numbers or text.

    `chart` names the column (by index) drawn as bars; None shows the table alone.
    `more_charts` names further columns drawn as charts of their own, under the first.
    `note` says where figures come from or how they were counted (shown under the table).
    Cells hold int, float, Decimal, str, date or None (no figure: shown as a dash, left
    empty in exports).

    For the officers' own work pages (the viewer may be refused them): `links` gives a
    row's first cell a link to a referral's page (one URL or "" per row), for the district
    and state officers who see them; `more` is a (URL, label) link under the table to the
    district officer's own list. `marked` lists rows to highlight (a gap); the rows should say
    why in a cell of their own, which exports keep.
    """

    slug: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: int | None = 1
    note: str = ""
    more_charts: tuple[int, ...] = ()
    links: list[str] = field(default_factory=list)
    more: tuple[str, str] | None = None
    marked: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Report:
    slug: str
    build: Callable[[Scope], Table]
    roles: frozenset
    section: str
    order: int


REPORTS: dict[str, Report] = {}

OFFICERS = frozenset({Role.DISTRICT_OFFICER, Role.STATE_OFFICER, Role.MINISTRY_ADMIN})
MINISTRY = frozenset({Role.MINISTRY_ADMIN})
# Tables by district, for a state's officer (its districts) and the ministry.
STATE_AND_MINISTRY = frozenset({Role.STATE_OFFICER, Role.MINISTRY_ADMIN})


def report(slug: str, *, section: str, order: int = 0, roles: frozenset = OFFICERS):
    """Registers a table function; `section` groups tables on the dashboard."""

    def register(build: Callable[[Scope], Table]) -> Callable[[Scope], Table]:
        if slug in REPORTS:
            raise ValueError(f"report {slug!r} registered twice")
        REPORTS[slug] = Report(slug, build, roles, section, order)
        return build

    return register


def reports_for(role: str, section: str | None = None) -> list[Report]:
    """The reports a role may see, in dashboard order."""
    found = [r for r in REPORTS.values() if role in r.roles]
    if section is not None:
        found = [r for r in found if r.section == section]
    return sorted(found, key=lambda r: (r.section, r.order, r.slug))
