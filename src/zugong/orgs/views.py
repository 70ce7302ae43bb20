"""Placeholder: replaced by the organization pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def tree(request):
    return HttpResponse("组织树")


@login_required
def detail(request, pk):
    return HttpResponse("组织")


@login_required
def import_orgs(request):
    return HttpResponse("导入")
