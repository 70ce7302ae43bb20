"""Placeholder: replaced by the person pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def person_detail(request, pk):
    return HttpResponse("人员")
