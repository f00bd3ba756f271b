"""Places by what people write: a state, district or mukim by any of its names, spellings or
codes, in any case or punctuation, and a postcode's town, state and district.

`gazetteer()` is the one copy a process keeps, loaded again when the tables change.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from santuni.lib.reloading import Reloading

from .models import District, Mukim, Postcode, State

# Words that name the kind of place rather than the place: "Daerah Seremban", "Mukim Rantau",
# "Negeri Johor", "W.P. Labuan", "Bahagian Kuching".
KIND_WORDS = (
    "wilayah persekutuan",
    "federal territory of",
    "federal territory",
    "daerah",
    "jajahan",
    "district of",
    "district",
    "mukim",
    "negeri",
    "state of",
    "state",
    "bahagian",
    "division",
    "wp",
    "w p",
)
_KIND = re.compile(r"^(?:(?:" + "|".join(re.escape(w) for w in KIND_WORDS) + r")\s+)+")
_SUFFIX = re.compile(r"\s+(?:district|division|state)$")
_POSTCODE = re.compile(r"^\d{5}$")


def fold_place(text: str) -> str:
    """The key a place's name is known by: lower case, no accents or punctuation, single
    spaces, without a leading kind of place ("Daerah", "W.P.") or a trailing "district"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("'", "").replace("\u2019", "").replace(".", " ")
    words = re.sub(r"[^a-z0-9]+", " ", plain).strip()
    shorter = _SUFFIX.sub("", _KIND.sub("", words)).strip()
    return shorter or words


def _keys(place, extra: Iterable[str] = ()) -> set[str]:
    names = [place.name, place.name_en, place.slug.replace("-", " "), *place.variants, *extra]
    return {fold_place(n) for n in names if n and fold_place(n)}


@dataclass(frozen=True)
class PostcodePlace:
    """What a postcode tells: its towns, its state, and its district where that is known (one
    district for every town of the postcode)."""

    postcode: str
    towns: tuple[str, ...]
    state: State
    district: District | None


class Gazetteer:
    """Every state, district, mukim and postcode, found by name. Lookups that match places in
    several states answer None unless a state is given: never a guess across states."""

    def __init__(
        self,
        states: list[State],
        districts: list[District],
        mukims: list[Mukim],
        postcodes: list[Postcode],
    ):
        self.states_by_id = {s.pk: s for s in states}
        self.districts_by_id = {d.pk: d for d in districts}
        self._states: dict[str, State] = {}
        for state in states:
            for key in _keys(state, [state.code, state.code.replace("MY-", "")]):
                self._states[key] = state
        self._districts: dict[str, list[District]] = defaultdict(list)
        for district in districts:
            for key in _keys(district, [district.code]):
                self._districts[key].append(district)
        self._towns: dict[tuple[int, str], District] = {}
        for district in districts:
            for town in district.towns:
                self._towns[(district.state_id, fold_place(town))] = district
        self._mukims: dict[str, list[Mukim]] = defaultdict(list)
        for mukim in mukims:
            for key in _keys(mukim):
                self._mukims[key].append(mukim)
        rows: dict[str, list[Postcode]] = defaultdict(list)
        for row in postcodes:
            rows[row.postcode].append(row)
        self._postcodes = {code: self._postcode_place(code, found) for code, found in rows.items()}

    def _postcode_place(self, code: str, rows: list[Postcode]) -> PostcodePlace:
        districts = {r.district_id for r in rows}
        district_id = districts.pop() if len(districts) == 1 else None
        return PostcodePlace(
            postcode=code,
            towns=tuple(r.town for r in rows),
            state=self.states_by_id[rows[0].state_id],
            district=self.districts_by_id.get(district_id) if district_id else None,
        )

    def state(self, text: str) -> State | None:
        """A state by its Malay or English name, a spelling, its slug or its ISO code."""
        return self._states.get(fold_place(text)) if text and text.strip() else None

    def districts(self, text: str, state: State | None = None) -> list[District]:
        """The districts called `text` (any of their names or their code), in `state` if given."""
        if not text or not text.strip():
            return []
        found = self._districts.get(fold_place(text), [])
        if state is not None:
            found = [d for d in found if d.state_id == state.pk]
        return found

    def district(self, text: str, state: State | None = None) -> District | None:
        """The one district called `text` (in `state` if given); None when unknown or when the
        name is shared by districts of several states and no state is given."""
        found = self.districts(text, state)
        return found[0] if len(found) == 1 else None

    def district_of_town(self, town: str, state: State) -> District | None:
        """The district a postal town of `state` lies in, where the data says."""
        if not town or not town.strip():
            return None
        key = fold_place(town)
        return self._towns.get((state.pk, key)) or self.district(town, state)

    def mukims(self, text: str, district: District | None = None) -> list[Mukim]:
        if not text or not text.strip():
            return []
        found = self._mukims.get(fold_place(text), [])
        if district is not None:
            found = [m for m in found if m.district_id == district.pk]
        return found

    def mukim(self, text: str, district: District | None = None) -> Mukim | None:
        found = self.mukims(text, district)
        return found[0] if len(found) == 1 else None

    def postcode(self, text: str) -> PostcodePlace | None:
        """A five-digit postcode's towns, state and (where known) district."""
        code = (text or "").strip()
        return self._postcodes.get(code) if _POSTCODE.match(code) else None

    def state_of_district(self, district: District) -> State:
        return self.states_by_id[district.state_id]


def _load() -> Gazetteer:
    return Gazetteer(
        list(State.objects.all()),
        list(District.objects.all()),
        list(Mukim.objects.all()),
        list(Postcode.objects.all()),
    )


# A few thousand rows, loaded again every five minutes: a place added or respelled in the admin
# reaches every process within that time (a version query would miss a respelling).
_GAZETTEER: Reloading[Gazetteer] = Reloading(_load, seconds=300)


def gazetteer(*, check_now: bool = False) -> Gazetteer:
    """The process's gazetteer; `check_now` loads it again at once (an import, say, right
    after an admin added a district)."""
    return _GAZETTEER.get(check_now=check_now)
