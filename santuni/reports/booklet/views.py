"""The printed booklet's pages for officers: ask for one, watch it being built, download it."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from santuni.accounts.access import active_membership, role_required
from santuni.accounts.models import Role
from santuni.geo.models import District

from ..models import Booklet
from . import builds, layout

# Officers print it; CBO heads, whom it is for, print their own district's.
PRINTERS = (Role.DISTRICT_OFFICER, Role.STATE_OFFICER, Role.MINISTRY_ADMIN, Role.CBO_HEAD)
# The status page asks again this often while the booklet is being built.
POLL_SECONDS = 3


class DistrictChoice(forms.ModelChoiceField):
    def label_from_instance(self, district):
        return f"{district.tr.name} ({district.state.tr.name})"


class BookletForm(forms.Form):
    district = DistrictChoice(
        label=_("District"),
        queryset=District.objects.select_related("state").order_by("state__name", "name"),
    )
    language = forms.ChoiceField(
        label=_("Language of the booklet"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, district: District | None = None, state=None, **kwargs):
        super().__init__(*args, **kwargs)
        if district is not None:
            # A district officer or a CBO head prints their own district's booklet only.
            del self.fields["district"]
        elif state is not None:
            # A state officer, those of the state's districts.
            field = self.fields["district"]
            field.queryset = field.queryset.filter(state=state)


def _own_district(request) -> District | None:
    """The district officer's or CBO head's district; None for a ministry admin (any) and a
    state officer (its state's: `_own_state`)."""
    membership = active_membership(request)
    if membership.role in (Role.MINISTRY_ADMIN, Role.STATE_OFFICER):
        return None
    if membership.district_id is not None:
        return membership.district  # read with the membership
    district_id = builds.own_district_id(membership)
    if district_id is None:
        # A CBO without a district in its listing has no booklet of its own.
        raise PermissionDenied
    return District.objects.select_related("state").get(pk=district_id)


def _own_state(request):
    """The state officer's state (its districts' booklets); None for others."""
    membership = active_membership(request)
    if membership.role == Role.STATE_OFFICER:
        return membership.state  # read with the membership
    return None


def _visible(request):
    district, state = _own_district(request), _own_state(request)
    found = Booklet.objects.select_related("district__state")
    if district is not None:
        found = found.filter(district=district)
    elif state is not None:
        found = found.filter(district__state=state)
    return found, district


def _language() -> str:
    return "en" if (get_language() or "ms").startswith("en") else "ms"


def _language_name(booklet: Booklet) -> str:
    return dict(settings.LANGUAGES).get(booklet.language, booklet.language)


@never_cache
@role_required(*PRINTERS)
@require_http_methods(["GET", "POST"])
def booklet_request(request):
    district, state = _own_district(request), _own_state(request)
    if request.method == "POST":
        form = BookletForm(request.POST, district=district, state=state)
        if form.is_valid():
            asked = builds.booklet_request(
                actor=active_membership(request),
                district=district or form.cleaned_data["district"],
                language=form.cleaned_data["language"],
            )
            return redirect("reports:booklet_status", booklet_id=asked.booklet.pk)
    else:
        form = BookletForm(initial={"language": _language()}, district=district, state=state)
    # The directory is not read here: whether a booklet is up to date is found out when one
    # is asked for (the same data gives the finished booklet back at once).
    visible, _district = _visible(request)
    latest = builds.latest_finished(visible)
    for built in latest:
        built.language_name = _language_name(built)
    return render(
        request,
        "reports/booklet_request.html",
        {"form": form, "district": district, "latest": latest},
    )


def _booklet_for(request, booklet_id) -> Booklet:
    """The booklet, if the officer may see it: Http404 for another district's."""
    visible, _district = _visible(request)
    try:
        return visible.get(pk=booklet_id)
    except Booklet.DoesNotExist:
        raise Http404 from None


@never_cache
@role_required(*PRINTERS)
@require_safe
def booklet_status(request, booklet_id):
    booklet = _booklet_for(request, booklet_id)
    stale = builds.is_stale(booklet, timezone.now())
    context = {
        "booklet": booklet,
        "failed": booklet.status == Booklet.Status.FAILED or stale,
        "working": booklet.status in builds.IN_PROGRESS and not stale,
        # Finished, but its file was removed since (a newer booklet replaced it).
        "gone": booklet.status == Booklet.Status.DONE and not builds.file_exists(booklet),
        "stage": layout.STAGES.get(booklet.stage, ""),
        "step": list(layout.STAGES).index(booklet.stage) + 1
        if booklet.stage in layout.STAGES
        else 0,
        "steps": len(layout.STAGES),
        "poll_seconds": POLL_SECONDS,
        "language_name": _language_name(booklet),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "reports/booklet/_progress.html", context)
    return render(request, "reports/booklet_status.html", context)


@role_required(*PRINTERS)
@require_safe
def booklet_file(request, booklet_id):
    booklet = _booklet_for(request, booklet_id)
    if booklet.status != Booklet.Status.DONE:
        raise Http404
    try:
        handle = booklet.file.open("rb") if booklet.file else None
    except FileNotFoundError:
        handle = None
    if handle is None:
        # Said on the page, not a bare "not found": the officer can make it again from there.
        context = {"booklet": booklet, "gone": True, "language_name": _language_name(booklet)}
        return render(request, "reports/booklet_status.html", context, status=404)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=builds.download_name(booklet),
        content_type="application/pdf",
    )
