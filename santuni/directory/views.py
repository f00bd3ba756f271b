"""Public pages of the directory: home, results, service and organization."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from santuni.geo.home import home_place

from . import selectors
from .forms import SearchForm
from .models import Service
from .opening import opening_summary


@require_safe
def home(request):
    return render(
        request,
        "directory/home.html",
        {
            "form": SearchForm(home=home_place(request)),
            "target_groups": selectors.target_group_terms(),
        },
    )


@require_safe
def search(request):
    form = SearchForm(request.GET, home=home_place(request))
    page = None
    query = None
    results = None
    if form.is_valid():
        query = form.to_query()
        results = selectors.services_search(query)
        paginator = Paginator(results, settings.SANTUNI["PAGE_SIZE"])
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = selectors.attach_listing_details(list(page.object_list), query.position)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "params": params.urlencode(),
        "marks": results.matched if results is not None else set(),
        "suggestion": results.suggestion if results is not None else "",
        # When filters narrowed the search, a link to the same words without them.
        "broader": urlencode({"q": query.text}) if query and form.filters_used else None,
        "capped": results is not None and results.capped,
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
