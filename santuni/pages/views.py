"""Pages that combine apps: the signed-in home, and an organisation's page with its training."""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_otp import user_has_device

from santuni.accounts.access import active_membership, request_memberships, role_required
from santuni.accounts.models import MANAGERS, Role
from santuni.directory import selectors
from santuni.directory.models import Organization
from santuni.training import access
from santuni.training.selectors import training_history


@never_cache
@role_required()
def home(request):
    membership = active_membership(request)
    return render(
        request,
        "pages/home.html",
        {
            "membership": membership,
            "roles": request_memberships(request),
            "has_device": user_has_device(request.user),
            "manages": membership.role in MANAGERS,
            "Role": Role,
        },
    )


@require_safe
def organization_detail(request, organization_id):
    try:
        organization = selectors.organization_detail(organization_id)
    except Organization.DoesNotExist:
        raise Http404 from None
    history = None
    if hasattr(organization, "cbo"):
        history = training_history(organization, viewer=access.viewer(request))
    response = render(
        request, "pages/organization.html", {"organization": organization, "history": history}
    )
    if history is not None and history.with_names:
        # Attendees' names are personal data: no shared cache may keep this copy.
        add_never_cache_headers(response)
    return response
