"""Officers' dashboards and their exports (placeholder until the dashboards land)."""

from django.http import Http404


def dashboard(request):
    raise Http404


def export(request, table, fmt):
    raise Http404
