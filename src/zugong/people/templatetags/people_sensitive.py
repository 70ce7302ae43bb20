"""``{% person_actions person as acts %}``: what the current user may do with a person on the detail
page — ``acts.unmask`` (``basic.unmask``) and ``acts.change`` (``basic.change``) on its organization."""

from django import template

from zugong.core.scoping import can

register = template.Library()


@register.simple_tag(takes_context=True)
def person_actions(context, person) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    org = getattr(person, "organization", None)
    if user is None or org is None:
        return {"unmask": False, "change": False}
    return {"unmask": can(user, "basic", "unmask", org), "change": can(user, "basic", "change", org)}
