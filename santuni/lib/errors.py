"""The page for a server error, in the visitor's language, with the emergency numbers.

It is drawn without the request's context (no signed-in user, no messages): those read the
database, which may be what failed. When it is the database that cannot be reached (restarting,
or SQLite busy past its timeout) the answer is 503 with Retry-After: the visitor is told to
try again in a minute, and a program that retries waits that long.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 30


@requires_csrf_token
def server_error(request):
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    page = loader.get_template("500.html").render(
        {"EMERGENCY": settings.SANTUNI["EMERGENCY"], "unavailable": unavailable}
    )
    response = HttpResponse(page, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
