"""Pages where district and state officers and ministry admins record who attended an event.
Thin: each parses a form, calls one domain function and renders. They show volunteers' names,
so they are never cached."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from santuni.accounts.access import active_membership, role_required
from santuni.accounts.models import Role
from santuni.lib.domain import Refusal
from santuni.lib.forms import posted

from . import access, selectors, services
from .forms import AttendanceForm


@never_cache
@role_required(*access.RECORDERS)
def event_list(request):
    page = Paginator(
        selectors.event_list(active_membership(request)), settings.SANTUNI["PAGE_SIZE"]
    ).get_page(request.GET.get("page"))
    return render(request, "training/event_list.html", {"page": page, "params": ""})


@never_cache
@role_required(*access.RECORDERS)
@require_http_methods(["GET", "POST"])
def event_detail(request, event_id):
    membership = active_membership(request)
    event = selectors.event_for(membership, event_id)
    form = AttendanceForm(
        # Bound on every POST, an empty one too, so that it says what is missing.
        posted(request),
        organizations=access.cbos_to_pick(membership, event),
        with_district=membership.role in (Role.MINISTRY_ADMIN, Role.STATE_OFFICER),
        # After an addition the same CBO stays picked: people of one CBO come in a row.
        initial={"organization": request.GET.get("cbo")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.attendance_add(
                actor=membership,
                event=event,
                organization=data["organization"],
                name=data["name"],
                role=data["role"],
            )
        except Refusal as error:
            form.add_error("name", error.message)
        else:
            # Messages travel in a cookie: they name the CBO, never the person.
            messages.success(
                request,
                _("Added to the list for %(cbo)s.") % {"cbo": data["organization"].tr.name},
            )
            return redirect(
                f"{reverse('training:event', args=[event.pk])}?cbo={data['organization'].pk}"
            )
    return render(
        request,
        "training/event.html",
        {
            "event": event,
            "attendance": selectors.event_attendance(membership, event),
            "form": form,
            "is_officer": membership.role == Role.DISTRICT_OFFICER,
            "is_state_officer": membership.role == Role.STATE_OFFICER,
        },
    )


@role_required(*access.RECORDERS)
@require_POST
def attendance_remove(request, attendance_id):
    membership = active_membership(request)
    attendance = selectors.attendance_for(membership, attendance_id)
    services.attendance_remove(actor=membership, attendance=attendance)
    messages.success(
        request,
        _("Removed one person from the list for %(cbo)s.")
        % {"cbo": attendance.organization.tr.name},
    )
    return redirect("training:event", attendance.event_id)
