"""Sensitive person pages: 查看明文 (unmask) and 编辑 (edit with optimistic locking).

- ``unmask`` (POST, HTMX fragment ``people/_unmask.html``): reason required; ``basic.unmask`` on the
  person's organization; password re-entered within 5 minutes; TOTP-verified session when
  ``ZUGONG_REQUIRE_OTP``. GET returns the request form fragment.
- ``person_edit``: the edit form; a stale ``version`` is refused with HTTP 409 and a clear message; a new
  ID number without ``basic.unmask`` with HTTP 403 and the reason on the field.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zugong.accounts.decorators import require_otp_verified, require_recent_reauth
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.people.editing import PersonEditForm, last_change, person_update
from zugong.people.models import Person
from zugong.people.sensitive import person_unmask


def _render_unmask(request, context, status=200):
    template = "people/_unmask.html" if request.headers.get("HX-Request") else "people/unmask_page.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def unmask(request, pk):
    """GET: the reason form (fragment). POST: audited plaintext of the ID number and phone."""
    person = Person.objects.restrict(request.user, "unmask").filter(pk=pk).first()
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


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    """Edit a person (``basic.change``). Stale version → 409 with「该记录已被他人修改」."""
    person = Person.objects.restrict(request.user, "change").select_related("organization").filter(pk=pk).first()
    if person is None:
        raise Http404("人员不存在或不在您的数据范围内")
    may_change_id_number = Person.objects.restrict(request.user, "unmask").filter(pk=pk).exists()
    form = PersonEditForm.for_person(person, request.POST if request.method == "POST" else None,
                                     may_change_id_number=may_change_id_number)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                person_update(user=request.user, person_id=pk, expected_version=form.cleaned_data["version"],
                              changes=form.changes())
            except ConcurrentEdit as exc:
                detail = last_change(Person, pk)  # who changed what since this editor loaded it
                errors, status = [exc.message, *([detail] if detail else [])], 409
            except ValidationFailed as exc:
                errors, status = [f"「{e.column}」：{e.reason}" for e in exc.errors] or [exc.message], 400
            except PermissionDeniedError as exc:  # an ID number change without basic.unmask
                form.add_error("id_number", exc.message)
                status = 403
            except OutOfScope:
                raise Http404("人员不存在或不在您的数据范围内")
            else:
                messages.success(request, f"已保存「{person.name}」的信息。")
                return redirect("people:detail", pk=pk)
        else:
            status = 400
    return render(request, "people/edit.html", {"person": person, "form": form, "errors": errors}, status=status)
