"""Chinese error pages in every mode.

Django answers a missing page with its English technical 404 (and an exception with its traceback page)
whenever ``DEBUG`` is on, as it is in the demo. ``ChineseErrorPagesMiddleware`` replaces those HTML
responses with the same pages production shows (``errors/404.html``, ``errors/500.html``); API responses
(JSON) and the pages Zugong renders itself pass through. The traceback is still logged by
``django.request``. In production Django uses ``handler403/404/500`` (``zugong.urls``) directly.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

OWN = "_zugong_error_page"  # set on the responses rendered here and by core.views


def page_404(request):
    """The Chinese 404 page (``errors/404.html``), marked as Zugong's own."""
    response = render(request, "errors/404.html", status=404)
    setattr(response, OWN, True)
    return response


def page_500(request=None):
    """The Chinese 500 page: a standalone template (no navigation, no database query), so it renders
    even when the database is the problem."""
    response = HttpResponseServerError(render_to_string("errors/500.html"))
    setattr(response, OWN, True)
    return response


class ChineseErrorPagesMiddleware:
    """With ``DEBUG`` on, turn Django's technical 404/500 HTML pages into Zugong's Chinese ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (settings.DEBUG and response.status_code in (404, 500) and not getattr(response, OWN, False)
                and response.get("Content-Type", "").startswith("text/html")):
            return page_404(request) if response.status_code == 404 else page_500(request)
        return response
