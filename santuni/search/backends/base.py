"""What a search backend does: everything about search that differs between databases.

The rest of search (the plan of a query, the levels, pools and scores of the ranking) is
the same on every database, so both give the same results in the same order.
"""

from collections.abc import Sequence

# An alternative: one stem, or a phrase of stems that must stand together. A group: the
# alternatives any one of which finds it. A combination: groups all of which are needed.
Alternative = tuple[str, ...]
Group = Sequence[Alternative]
Combination = Sequence[Group]
# Filters: each a set of facet tokens, one of which a document must hold.
Facets = tuple[tuple[str, ...], ...]


class Backend:
    def expression(
        self,
        combinations: Sequence[Combination],
        *,
        gaps: dict[Alternative, tuple[int, ...]],
        fields: tuple[str, ...] = (),
        facets: Facets = (),
    ) -> str:
        """The index query finding documents with any of the `combinations` (in `fields`
        only: () for every field, ("name",) for the names), holding the `facets`. No
        combinations: the facets alone. `gaps`: how far apart a phrase's stems stand."""
        raise NotImplementedError

    def matches(self, expression: str, filter_sql: str = "", *, ordered: bool = True):
        """SQL selecting the ids (`id`) of the documents matching `expression`, and its
        parameters; `filter_sql` a subquery of the document ids allowed; `ordered`: in
        id order (for LIMIT to take the same rows every time)."""
        raise NotImplementedError

    def similar_words(self, word: str, distance: int, *, limit: int) -> list[str]:
        """Up to `limit` of the index's words within `distance` edits of a misspelt word,
        nearest first."""
        raise NotImplementedError

    def indexed_stems(self, wanted: set[str]) -> set[str]:
        """Those of the `wanted` stems that some document holds."""
        raise NotImplementedError

    def optimize(self) -> None:
        """After many writes at once: the index made quick to search again."""
