"""The search index: one document per listed service, and what the queries need beside it.

Documents hold stemmed text (see `santuni.search.text`); the full-text index over them is
database-specific and kept in step by triggers created in the migrations: an FTS5 table on
SQLite, a weighted tsvector column with a GIN index on PostgreSQL.

Careful: a migration that makes SQLite rebuild search_searchdocument (most field changes)
drops those triggers; recreate them after it, as 0006 does.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    # The id of what the document stands for (for the directory: a service's).
    key = models.UUIDField(unique=True)
    name = models.TextField(help_text="Stems of the service's names (weighted highest).")
    terms = models.TextField(help_text="Stems of its target groups, needs, organization, places.")
    body = models.TextField(help_text="Stems of its descriptions.")
    names_folded = models.TextField(help_text="'| name | english name |', for name boosts.")
    status_rank = models.PositiveSmallIntegerField(default=0)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    assured_date = models.DateField(null=True)
    facets = models.TextField(default="", help_text="Filter tokens: districts, mukims, terms.")

    class Meta:
        verbose_name = _("search document")
        indexes = [models.Index(fields=["latitude", "longitude"], name="search_doc_position")]

    def __str__(self) -> str:
        return f"{self.key}: {self.names_folded}"


class SearchWord(models.Model):
    """Every word the index has seen, for typo correction ("did you mean")."""

    word = models.CharField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("search word")

    def __str__(self) -> str:
        return self.word


class IndexedFamily(models.Model):
    """A synonym family whose token the index holds, in every document with one of its
    members: a search for the family then looks for that one token. `rebuild_search_index`
    records today's families; a family not recorded here (new, or edited since) is
    searched member by member, which finds the same, more slowly."""

    token = models.CharField(max_length=20, unique=True)
    members = models.TextField(help_text="Its members' stems, for reference.")

    class Meta:
        verbose_name = _("indexed synonym family")

    def __str__(self) -> str:
        return self.members[:80]


class SynonymFamily(models.Model):
    """Words and phrases that mean the same to a person looking for help."""

    members = models.TextField(
        _("words and phrases"),
        help_text=_(
            "Separated by commas, Malay and English, e.g.: warga emas, orang tua, elderly, "
            "senior citizen. Searching for any one also finds the others."
        ),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("synonym family")
        verbose_name_plural = _("synonym families")
        ordering = ["members"]

    def __str__(self) -> str:
        return self.members[:80]
