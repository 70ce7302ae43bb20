"""Sensitive person page: 查看明文 (unmask). It stays a hand-written view, not a generic one: GET is an
HTMX fragment, POST is guarded by re-authentication and OTP decorators and answers a fragment too. The
edit page (optimistic locking) is ``people.views.PersonEdit``.

- ``unmask`` (POST, HTMX fragment ``people/_unmask.html``): reason required; ``basic.unmask`` on the
  person's organization; password re-entered within 5 minutes; TOTP-verified session when
  ``ZUGONG_REQUIRE_OTP``. GET returns the request form fragment.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from zugong.accounts.decorators import require_otp_verified, require_recent_reauth
from zugong.core.errors import OutOfScope, ValidationFailed
from zugong.people.selectors import person_get
from zugong.people.sensitive import person_unmask


def _render_unmask(request, context, status=200):
    template = "people/_unmask.html" if request.headers.get("HX-Request") else "people/unmask_page.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def unmask(request, pk):
    """GET: the reason form (fragment). POST: audited plaintext of the ID number and phone."""
    person = person_get(user=request.user, pk=pk, action="unmask")
    if person is None:
        raise Http404("人员不存在或不在您的数据范围内")
    if request.method == "GET":
        return _render_unmask(request, {"person": person, "show_form": True})
    return _unmask_post(request, pk=pk, person=person)


@require_otp_verified
@require_recent_reauth
def _unmask_post(request, pk, person):
    try:
        result = person_unmask(user=request.user, person_id=pk, reason=request.POST.get("reason", ""))
    except ValidationFailed as exc:
        return _render_unmask(request, {"person": person, "show_form": True, "error": exc.message}, status=400)
    except OutOfScope:
        raise Http404("人员不存在或不在您的数据范围内")
    return _render_unmask(request, {"person": person, "unmasked": result})
