"""Values every page needs."""

from django.conf import settings


def site(request):
    return {"EMERGENCY": settings.SANTUNI["EMERGENCY"]}
