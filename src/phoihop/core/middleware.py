"""HTTP hardening that Django does not ship, and the request context for the audit trail."""

from django.conf import settings

from phoihop.core import context

_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """No inline script or style, nothing loaded from outside the site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = getattr(settings, "PHOIHOP_CSP", _POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class RequestContextMiddleware:
    """Give each request an id (echoed as X-Request-ID) and bind it with the client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = context.request_id_for(request)
        with context.bound(request_id=request.id, ip=context.client_ip(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response
