"""The printed booklet's pages (placeholder until the booklet lands)."""

from django.http import Http404


def booklet_request(request):
    raise Http404


def booklet_status(request, booklet_id):
    raise Http404


def booklet_file(request, booklet_id):
    raise Http404
