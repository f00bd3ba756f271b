"""Response headers that tell the browser what a Santuni page may load and which answers other
sites may read, and the client address."""

from django.conf import settings
from django.http import HttpResponse

# Scripts, styles and images come only from Santuni itself: no inline script or style, so
# injected markup cannot run. QR codes are inline SVG (markup, not script).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# "Near me" asks for the position; nothing else of the device is needed.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# The open data: any web site's pages may read the HSDS API in the browser, as Open Referral
# UK asks of an open directory. Such reads carry no cookies (no Allow-Credentials), and no other
# path of the site is opened to other sites.
PUBLIC_API = "/api/hsds/"
CORS_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type",
    "Access-Control-Max-Age": "86400",
}


class PublicApiCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PUBLIC_API):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            # The browser's question before a read; the API itself answers GET only.
            response = HttpResponse(status=204, headers=CORS_PREFLIGHT)
        else:
            response = self.get_response(request)
            # So that an app can wait as long as a 429 asks.
            response["Access-Control-Expose-Headers"] = "Retry-After"
        response["Access-Control-Allow-Origin"] = "*"
        return response


def client_ip(request) -> str:
    """The client's address: behind NUM_PROXIES load balancers, the entry they added."""
    proxies = settings.NINJA_NUM_PROXIES
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
