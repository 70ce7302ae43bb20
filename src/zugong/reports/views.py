"""Placeholder: replaced by the statistics pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def party_stats(request):
    return HttpResponse("统计")
