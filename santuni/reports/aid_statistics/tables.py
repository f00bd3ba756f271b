"""The ministry dashboard's JKM aid tables: figures by year, by state and by scheme, each with
its sources."""

from datetime import date
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from santuni.aid.rules import rm
from santuni.geo.models import State
from santuni.lib.i18n import in_language

from ..dashboards.tables import MINISTRY, Scope, Table, report
from ..models import AidStatistic


def _place(scope: Scope) -> State | None:
    if scope.state is not None:
        return scope.state
    return scope.district.state if scope.district is not None else None


def _where(scope: Scope) -> str:
    place = _place(scope)
    return place.tr.name if place is not None else _("Malaysia")


def _money(sen: int | None) -> str:
    return rm(Decimal(sen) / 100) if sen is not None else _("not known")


def _share(part: int | None, whole: int | None) -> str:
    if part is None or not whole:
        return ""
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%"


def _day(value: date | None) -> str:
    return formats.date_format(value, "j F Y") if value else ""


def _sources(figures: list[dict], label) -> str:
    """One sentence per source: its text, link and date, and which rows it gave."""
    groups: dict[tuple, list[str]] = {}
    for f in figures:
        groups.setdefault((f["source"], f["source_url"], f["as_of"]), []).append(label(f))
    parts = []
    for (source, url, as_of), labels in groups.items():
        text = source.rstrip(". ")
        if url:
            text = f"{text} ({url})"
        if as_of:
            text = _("%(source)s, figures as of %(date)s") % {"source": text, "date": _day(as_of)}
        parts.append(f"{', '.join(labels)}: {text}." if len(groups) > 1 else f"{text}.")
    if not parts:
        return ""
    if len(parts) == 1:
        return _("Source: %(source)s") % {"source": parts[0]}
    return _("Sources: %(sources)s") % {"sources": " ".join(parts)}


_FIGURES = ("source", "source_url", "as_of")


@report("aid-by-year", section="aid", order=1, roles=MINISTRY)
def aid_by_year(scope: Scope) -> Table:
    """The all-schemes figures of the scope's place (Malaysia unless a state), year by year."""
    where = _where(scope)
    figures = list(
        AidStatistic.objects.filter(state=_place(scope), scheme__isnull=True)
        .values("year", *_FIGURES)
        .annotate(recipients_sum=Sum("recipients"), amount_sum=Sum("amount_sen"))
        .order_by("year")
    )
    table = Table(
        slug="aid-by-year",
        title=_("JKM aid recipients and amounts by year: %(place)s") % {"place": where},
        columns=[_("Year"), _("Recipients"), _("Amount paid")],
        rows=[[str(f["year"]), f["recipients_sum"], _money(f["amount_sum"])] for f in figures],
    )
    table.note = _sources(figures, lambda f: str(f["year"])) or _(
        "No JKM aid figures have been imported for %(place)s yet."
    ) % {"place": where}
    return table


@report("aid-by-state", section="aid", order=2, roles=MINISTRY)
def aid_by_state(scope: Scope) -> Table:
    """Each state's all-schemes figures in the latest year that has any, beside Malaysia's."""
    place = _place(scope)
    states = AidStatistic.objects.filter(state__isnull=False, scheme__isnull=True)
    if place is not None:
        states = states.filter(state=place)
    year = states.aggregate(latest=Max("year"))["latest"]
    table = Table(
        slug="aid-by-state",
        title=_("JKM aid by state"),
        columns=[
            _("State"),
            _("Recipients"),
            _("Share of Malaysia's recipients"),
            _("Amount paid"),
            _("Share of Malaysia's amount"),
        ],
    )
    if year is None:
        table.note = _("No per-state JKM aid figures have been imported yet.")
        return table
    table.title = _("JKM aid by state, %(year)d") % {"year": year}
    figures = list(
        states.filter(year=year)
        .values("state__name", "state__name_en", *_FIGURES)
        .annotate(recipients_sum=Sum("recipients"), amount_sum=Sum("amount_sen"))
        .order_by("state__name")
    )
    malaysia = (
        AidStatistic.objects.filter(year=year, state__isnull=True, scheme__isnull=True)
        .values("recipients", "amount_sen", *_FIGURES)
        .first()
    )
    people = malaysia["recipients"] if malaysia else None
    paid = malaysia["amount_sen"] if malaysia else None

    for f in figures:
        table.rows.append(
            [
                _state_label(f),
                f["recipients_sum"],
                _share(f["recipients_sum"], people),
                _money(f["amount_sum"]),
                _share(f["amount_sum"], paid),
            ]
        )
    if len(figures) > 1:
        # The listed states' sum, computed by the database, shows how much of Malaysia they cover.
        total = states.filter(year=year).aggregate(
            recipients_sum=Sum("recipients"), amount_sum=Sum("amount_sen")
        )
        table.rows.append(
            [
                _("The states listed"),
                total["recipients_sum"],
                _share(total["recipients_sum"], people),
                _money(total["amount_sum"]),
                _share(total["amount_sum"], paid),
            ]
        )
    if malaysia:
        table.rows.append([_("Malaysia"), people, "100.0%", _money(paid), "100.0%" if paid else ""])
    note = _sources(figures + ([malaysia] if malaysia else []), _figure_place)
    if not malaysia:
        note = " ".join(
            [note, _("No figure for the whole of Malaysia in %(year)d.") % {"year": year}]
        )
    table.note = note
    return table


def _state_label(figure: dict) -> str:
    return in_language(figure["state__name"], figure["state__name_en"])


def _figure_place(figure: dict) -> str:
    return _state_label(figure) if "state__name" in figure else _("Malaysia")


@report("aid-by-scheme", section="aid", order=3, roles=MINISTRY)
def aid_by_scheme(scope: Scope) -> Table:
    """Per-scheme figures of the scope's place in the latest year that has them."""
    place = _place(scope)
    where = _where(scope)
    schemes = AidStatistic.objects.filter(state=place, scheme__isnull=False)
    year = schemes.aggregate(latest=Max("year"))["latest"]
    table = Table(
        slug="aid-by-scheme",
        title=_("JKM aid by scheme: %(place)s") % {"place": where},
        columns=[_("Scheme"), _("Recipients"), _("Amount paid")],
    )
    if year is None:
        table.note = _("No per-scheme JKM aid figures have been imported yet.")
        return table
    table.title = _("JKM aid by scheme, %(year)d: %(place)s") % {"year": year, "place": where}
    figures = list(
        schemes.filter(year=year)
        .values("scheme__name", "scheme__name_en", "scheme__order", *_FIGURES)
        .annotate(recipients_sum=Sum("recipients"), amount_sum=Sum("amount_sen"))
        .order_by("scheme__order", "scheme__name")
    )
    table.rows = [[_scheme_label(f), f["recipients_sum"], _money(f["amount_sum"])] for f in figures]
    everyone = (
        AidStatistic.objects.filter(year=year, state=place, scheme__isnull=True)
        .values("recipients", "amount_sen")
        .first()
    )
    if everyone:
        # Not a sum: one person may receive several schemes.
        table.rows.append(
            [_("All schemes"), everyone["recipients"], _money(everyone["amount_sen"])]
        )
    table.note = _sources(figures, _scheme_label)
    return table


def _scheme_label(figure: dict) -> str:
    return in_language(figure["scheme__name"], figure["scheme__name_en"])
