"""`check --deploy` asks for the public address that QR codes and the booklet's cover print."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.utils.translation import gettext as _


def _is_local(host: str) -> bool:
    """This machine (localhost, 127.0.0.1, ::1, any address): no reader's phone reaches it."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(Tags.security, deploy=True)
def base_url(app_configs, **kwargs):
    url = urlsplit(settings.SANTUNI["BASE_URL"])
    host = (url.hostname or "").lower()
    if url.scheme == "https" and host and not _is_local(host):
        return []
    return [
        Warning(
            _(
                "SANTUNI['BASE_URL'] is %(url)s: every printed booklet's QR codes and cover "
                "would send readers there."
            )
            % {"url": settings.SANTUNI["BASE_URL"]},
            hint=_("Set SANTUNI_BASE_URL to the site's public https:// address."),
            id="santuni.W002",
        )
    ]
