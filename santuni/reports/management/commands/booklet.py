"""`manage.py booklet --district Seremban --lang ms OUT.pdf`: a district's printed directory."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from santuni.geo.models import District
from santuni.reports.booklet import builds, layout


class StderrProgress(builds.Throttled):
    """Progress lines on stderr: each new stage, then at most one a second."""

    def __init__(self, stream, every: float = 1.0):
        super().__init__(every)
        self.stream = stream

    def report(self, stage: str, done: int, total: int) -> None:
        line = str(layout.STAGES.get(stage, stage))
        if total:
            line += f": {done}/{total}"
        elif done:
            line += ": " + _("page %(page)s") % {"page": done}
        self.stream.write(line)


def find_district(name: str) -> District:
    matches = list(
        District.objects.filter(
            Q(name__iexact=name) | Q(name_en__iexact=name) | Q(slug__iexact=name)
        ).select_related("state")
    )
    if not matches:
        known = ", ".join(District.objects.order_by("name").values_list("name", flat=True))
        raise CommandError(
            _("Unknown district %(name)r. Known districts: %(known)s.")
            % {"name": name, "known": known}
        )
    if len(matches) > 1:
        slugs = ", ".join(f"{d.slug} ({d.state.name})" for d in matches)
        raise CommandError(
            _("Several districts are called %(name)r; give one of: %(slugs)s.")
            % {"name": name, "slugs": slugs}
        )
    return matches[0]


class Command(BaseCommand):
    # Plain text: argparse formats the help before any language is chosen.
    help = (
        "Write a district's printed directory (an A5 PDF). A booklet built before from the "
        "same data is reused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", required=True, help=_("District name or slug."))
        parser.add_argument(
            "--lang", default="ms", help=_("Language: ms (Bahasa Melayu) or en (English).")
        )
        parser.add_argument("out", help=_("Where to write the PDF."))

    def handle(self, *args, district, lang, out, **options):
        if lang not in layout.LANGUAGES:
            raise CommandError(
                _("Unknown language %(lang)r: use %(known)s.")
                % {"lang": lang, "known": " or ".join(layout.LANGUAGES)}
            )
        found = find_district(district)
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(_("No such folder: %(folder)s") % {"folder": target.parent})
        try:
            built = builds.build(
                district=found, language=lang, progress=StderrProgress(self.stderr)
            )
        except builds.BuildUnderWay as busy:
            raise CommandError(
                _(
                    "A booklet of the same data is being built now (%(id)s); try again when it "
                    "is done."
                )
                % {"id": busy.booklet.pk}
            ) from None
        with built.file.open("rb") as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink)
        self.stderr.write(_("%(out)s: %(pages)s pages.") % {"out": target, "pages": built.pages})
