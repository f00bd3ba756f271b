"""Public pages of the directory: home, results, service and organization."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from santuni.accounts.access import active_membership, role_required
from santuni.accounts.models import Role
from santuni.lib.forms import posted
from santuni.lib.phones import phone_display
from santuni.training import access as training_access
from santuni.training.selectors import training_history

from . import listing as listing_fields
from . import selectors, services
from .forms import SearchForm
from .models import ListingChange, Organization, Service
from .opening import opening_summary


@require_safe
def home(request):
    return render(
        request,
        "directory/home.html",
        {"form": SearchForm(), "target_groups": selectors.target_group_terms()},
    )


@require_safe
def search(request):
    form = SearchForm(request.GET)
    page = None
    query = None
    plan = None
    if form.is_valid():
        query = form.to_query()
        results = selectors.services_search(query)
        paginator = Paginator(results, settings.SANTUNI["PAGE_SIZE"])
        page = paginator.get_page(request.GET.get("page"))
        position = (query.latitude, query.longitude) if query.near else None
        page.object_list = selectors.attach_listing_details(list(page.object_list), position)
        plan = getattr(results, "plan", None)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "params": params.urlencode(),
        "marks": plan.stems if plan else set(),
        "suggestion": plan.suggestion if plan else "",
        # When filters narrowed the search, a link to the same words without them.
        "broader": urlencode({"q": query.text}) if query and form.filters_used else None,
        "capped": bool(page and getattr(page.paginator.object_list, "cap", None))
        and page.paginator.count >= page.paginator.object_list.cap,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "directory/_search_body.html", context)
    return render(request, "directory/search.html", context)


@require_safe
def service_detail(request, service_id):
    try:
        service = selectors.service_detail(service_id)
    except Service.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "directory/service.html",
        {"service": service, "opening": opening_summary(service, timezone.now())},
    )


@require_safe
def organization_detail(request, organization_id):
    try:
        organization = selectors.organization_detail(organization_id)
    except Organization.DoesNotExist:
        raise Http404 from None
    history = None
    if hasattr(organization, "cbo"):
        history = training_history(organization, viewer=training_access.viewer(request))
    response = render(
        request, "directory/organization.html", {"organization": organization, "history": history}
    )
    if history is not None and history.with_names:
        # Attendees' names are personal data: no shared cache may keep this copy.
        add_never_cache_headers(response)
    return response


# --- self-service: the CBO head's listing, the district officer's checks -------------------


def _shown(field, value) -> str:
    if field.kind == "yes":
        return _("Yes") if value else _("No")
    if field.kind == "phone" and value:
        return phone_display(value).display
    if field.kind == "status" and value:
        return str(Service.Status(value).label)
    return "" if value is None else str(value)


@never_cache
@role_required(Role.CBO_HEAD)
def my_cbo(request):
    organization = selectors.cbo_of_head(active_membership(request))
    changes = list(selectors.listing_changes_of(organization)[:20])
    waiting = {c.service_id for c in changes if c.status == ListingChange.Status.PENDING}
    return render(
        request,
        "directory/my_cbo.html",
        {
            "organization": organization,
            "services": organization.services.exclude(status=Service.Status.DEFUNCT).order_by(
                "name"
            ),
            "changes": changes,
            "waiting": waiting,
        },
    )


@never_cache
@role_required(Role.CBO_HEAD)
@require_http_methods(["GET", "POST"])
def listing_edit(request, service_id=None):
    membership = active_membership(request)
    organization = selectors.cbo_of_head(membership)
    service = selectors.service_of_head(membership, service_id) if service_id else None
    listing = service or organization
    pending = selectors.pending_change(organization, service)
    initial = {**listing_fields.current_values(listing), **(pending.proposed if pending else {})}
    form = listing_fields.ListingForm(posted(request), listing=listing, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = services.listing_change_submit(
            actor=membership, organization=organization, service=service, values=form.cleaned_data
        )
        if done.hidden:
            messages.success(
                request, _("Consent withdrawn: the head's name and phone are hidden now.")
            )
        if done.made:
            messages.success(
                request,
                _(
                    "Sent for verification. "
                    "The public sees the change once a district officer verifies it."
                ),
            )
        elif not done.hidden:
            messages.info(request, _("Nothing was changed."))
        return redirect("directory:my_cbo")
    return render(
        request,
        "directory/listing_edit.html",
        {"form": form, "listing": listing, "service": service, "pending": pending},
    )


@never_cache
@role_required(Role.DISTRICT_OFFICER)
def review_queue(request):
    page = Paginator(selectors.changes_waiting(active_membership(request)), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "directory/review_queue.html", {"page": page})


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What should the CBO correct?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


@never_cache
@role_required(Role.DISTRICT_OFFICER)
@require_http_methods(["GET", "POST"])
def review(request, change_id):
    membership = active_membership(request)
    change = selectors.change_for_review(membership, change_id)
    form = ReturnForm(posted(request))
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve":
                services.listing_change_approve(actor=membership, change=change)
                messages.success(request, _("Verified: the change is public now."))
                return redirect("directory:review_queue")
            if form.is_valid():
                services.listing_change_return(
                    actor=membership, change=change, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Returned to the CBO with your note."))
                return redirect("directory:review_queue")
        except services.ListingChangeClosed:
            messages.info(request, _("This change was already handled."))
            return redirect("directory:review_queue")
    listing = change.service or change.organization
    current = listing_fields.current_values(listing)
    rows = [
        {
            "label": field.label,
            "before": _shown(field, change.previous.get(field.name)),
            "now": _shown(field, current.get(field.name)),
            "after": _shown(field, change.proposed[field.name]),
            "moved": current.get(field.name) != change.previous.get(field.name),
        }
        for field in listing_fields.fields_for(listing)
        if field.name in change.proposed
    ]
    return render(
        request,
        "directory/review.html",
        {"change": change, "rows": rows, "form": form, "open": change.status == "pending"},
    )


@never_cache
@role_required(Role.DISTRICT_OFFICER)
def unverified(request):
    cbos, services_due = selectors.unverified_listings(
        active_membership(request), timezone.localdate()
    )
    return render(
        request,
        "directory/unverified.html",
        {
            "cbos": cbos[:100],
            "cbo_count": cbos.count(),
            "services": services_due[:100],
            "service_count": services_due.count(),
            "days": settings.SANTUNI["VERIFY_EVERY_DAYS"],
        },
    )


@require_POST
@role_required(Role.DISTRICT_OFFICER)
def verify_listing(request, kind, listing_id):
    membership = active_membership(request)
    listing = selectors.listing_for_verification(membership, kind, listing_id)
    services.listing_verify(actor=membership, listing=listing)
    messages.success(request, _("Marked as verified today: %(name)s.") % {"name": listing.tr.name})
    return redirect("directory:unverified")
