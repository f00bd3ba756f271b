"""The CBO head's own listing and its edits; the district officer's review and verification."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from santuni.accounts.access import active_membership, role_required
from santuni.accounts.models import Role
from santuni.directory.models import Service
from santuni.lib.domain import Refusal
from santuni.lib.forms import posted
from santuni.lib.phones import phone_display

from . import editable, selectors, services
from .models import ListingChange


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
        "listings/my_cbo.html",
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
    initial = {**editable.current_values(listing), **(pending.proposed if pending else {})}
    form = editable.ListingForm(posted(request), listing=listing, initial=initial)
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
        return redirect("listings:my_cbo")
    return render(
        request,
        "listings/listing_edit.html",
        {"form": form, "listing": listing, "service": service, "pending": pending},
    )


@never_cache
@role_required(Role.DISTRICT_OFFICER)
def review_queue(request):
    page = Paginator(selectors.changes_waiting(active_membership(request)), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "listings/review_queue.html", {"page": page})


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
                return redirect("listings:review_queue")
            if form.is_valid():
                services.listing_change_return(
                    actor=membership, change=change, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Returned to the CBO with your note."))
                return redirect("listings:review_queue")
        except Refusal as error:
            messages.info(request, error.message)
            return redirect("listings:review_queue")
    listing = change.service or change.organization
    current = editable.current_values(listing)
    rows = [
        {
            "label": field.label,
            "before": _shown(field, change.previous.get(field.name)),
            "now": _shown(field, current.get(field.name)),
            "after": _shown(field, change.proposed[field.name]),
            "moved": current.get(field.name) != change.previous.get(field.name),
        }
        for field in editable.fields_for(listing)
        if field.name in change.proposed
    ]
    return render(
        request,
        "listings/review.html",
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
        "listings/unverified.html",
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
    return redirect("listings:unverified")
