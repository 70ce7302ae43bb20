"""Placeholder: replaced by the member pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def member_list(request):
    return HttpResponse("党员名册")


@login_required
def import_roster(request):
    return HttpResponse("导入")
