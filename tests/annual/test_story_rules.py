"""The story's readings at the contract's rule layer (``party.lifecycle.apply_event`` and
``periods_from_events``, the models' ``on(day)`` and ``in_year``), with no service, page or import: a few
of the story's people get their 2022–2023 events written straight as ``MembershipEvent`` rows and applied.
What the 年报 figures rely on must hold here: a decrease on D ends the count on D, a transfer moves the
member on its date and keeps their 工作岗位, a 恢复党籍 reopens with the last 工作岗位, 转正 outcomes set
the 转正日期 only when they make a full member, and the stored periods are exactly the periods the events
imply."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.annual.story import build_tree
from tests.factories import make_id
from zugong.orgs.models import PartyOrganization
from zugong.party.lifecycle import Period, apply_event, periods_from_events
from zugong.party.models import Membership, MembershipEvent, PartyMember
from zugong.party.services import member_register
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date


def org(code):
    return PartyOrganization.objects.get(code=code)


def register(code, name, birth, admission, full, occupation, sex="1"):
    return member_register(name=name, id_number=make_id(birth, sex), sex=sex, ethnicity="01", birth_date=birth,
                           education_level="21", organization=org(code), admission_date=admission,
                           full_membership_date=full, occupation=occupation)


def event(person, kind, day, *, detail="", frm=None, to=None, occupation=None, **extra):
    """Write one event as a service would (anchor: the target, else the source) and apply it."""
    frm = org(frm) if frm else None
    to = org(to) if to else None
    saved = MembershipEvent.objects.create(person=person, kind=kind, detail=detail, date=day, organization=to or frm,
                                           from_organization=frm, to_organization=to, **extra)
    apply_event(saved, occupation=occupation)
    return saved


def count(code, day):
    return Membership.objects.on(day).filter(organization__path__startswith=org(code).path).count()


@pytest.fixture
def people(db):
    build_tree()
    p = {
        "P02": register("X-A-1", "吴芳", D(1990, 8, 20), D(2015, 7, 1), D(2016, 7, 1), "government", "2"),
        "P03": register("X-A-1", "郑强", D(1968, 11, 5), D(1992, 5, 1), D(1993, 5, 1), "government"),
        "P05": register("X-A-1", "孙丽", D(2000, 4, 12), D(2022, 3, 1), None, "government", "2"),
        "P06": register("X-A-1", "钱进", D(1998, 9, 9), D(2022, 4, 10), None, "worker"),
        "P08": register("X-A-1", "陈刚", D(1955, 2, 2), D(1980, 6, 1), D(1981, 6, 1), "retired"),
        "P29": register("X-B-1", "曹复", D(1966, 6, 16), D(1991, 7, 1), D(1992, 7, 1), "government"),
        "P38": register("X-B-4", "老街一", D(1958, 8, 8), D(1983, 3, 3), D(1984, 3, 3), "farmer"),
    }
    Membership.objects.filter(person=p["P06"]).update(occupation_detail="skilled_worker", ownership="public")
    # 新发一: not yet a member (a person with a party record but no period), admitted on 2023-03-15
    birth = D(1996, 2, 2)
    p["P43"] = Person(name="新发一", sex="1", ethnicity="01", birth_date=birth, education_level="31",
                      political_status="02", organization=org("X-A-2"))
    p["P43"].set_id_number(make_id(birth, "1"))
    p["P43"].save()
    PartyMember.objects.create(person=p["P43"], admission_date=D(2023, 3, 15))

    event(p["P29"], "exit", D(2022, 8, 1), detail="expelled", frm="X-B-1", reason_category="integrity")
    event(p["P05"], "full_membership", D(2023, 3, 6), detail="on_time", to="X-A-1")
    event(p["P03"], "death", D(2023, 2, 14), frm="X-A-1")
    event(p["P08"], "suspension", D(2023, 3, 1), frm="X-A-1")
    event(p["P43"], "admission", D(2023, 3, 15), to="X-A-2",
          occupation={"occupation": "farmer", "occupation_detail": "", "ownership": ""})
    event(p["P29"], "reinstatement", D(2023, 4, 18), to="X-B-1")
    event(p["P06"], "full_membership", D(2023, 4, 20), detail="extended", to="X-A-1", extension_months=12)
    event(p["P02"], "transfer", D(2023, 5, 15), frm="X-A-1", to="X-B-1")
    event(p["P38"], "transfer", D(2023, 7, 1), detail="whole_unit", frm="X-B-4", to="X-A-2")
    event(p["P08"], "reinstatement", D(2023, 10, 9), detail="after_suspension", to="X-A-1")
    return p


def test_counts_on_the_story_days(people):
    # X-A-1 on 2022-12-31: 吴芳 郑强 孙丽 钱进 陈刚; on 2023-12-31: 孙丽 钱进 陈刚 (郑强 died, 吴芳 moved)
    assert (count("X-A-1", D(2022, 12, 31)), count("X-A-1", D(2023, 12, 31))) == (5, 3)
    # a death on 2023-02-14 ends the count that day; the day before he is counted
    assert (count("X-A-1", D(2023, 2, 13)), count("X-A-1", D(2023, 2, 14))) == (5, 4)
    # 陈刚 is out from 2023-03-01 (停止党籍) and back on 2023-10-09
    assert count("X-A-1", D(2023, 10, 8)) == 2 and count("X-A-1", D(2023, 10, 9)) == 3
    # 乙镇: 老街一 (曹复 was expelled in 2022) → 吴芳 and 曹复
    assert (count("X-B", D(2022, 12, 31)), count("X-B", D(2023, 12, 31))) == (1, 2)
    # 甲镇 at year end: 孙丽 钱进 陈刚 + 新发一 + 老街一
    assert count("X-A", D(2023, 12, 31)) == 5
    # the county: 6 on 2022-12-31 (all but 曹复 and 新发一), 7 at year end (− 郑强, + 曹复, + 新发一)
    assert (count("X", D(2022, 12, 31)), count("X", D(2023, 12, 31))) == (6, 7)
    assert MembershipEvent.objects.in_year(2023).count() == 9 and MembershipEvent.objects.in_year(2022).count() == 1


def test_periods_are_those_the_events_imply(people):
    for key, person in people.items():
        stored = [(m.organization_id, m.start_date, m.end_date, m.end_reason)
                  for m in Membership.objects.filter(person=person).order_by("start_date", "pk")]
        events = list(MembershipEvent.objects.filter(person=person))
        first = Membership.objects.filter(person=person).order_by("start_date", "pk").first()
        opening = ([Period(first.organization_id, first.start_date)]
                   if first is not None and not any(e.kind in ("admission", "transfer_in") for e in events) else [])
        derived = [(p.organization_id, p.start, p.end, p.end_reason) for p in periods_from_events(opening, events)]
        assert derived == stored, key


def test_occupation_and_category_follow_the_events(people):
    def last(key):
        return Membership.objects.filter(person=people[key]).order_by("-start_date", "-pk").first()

    assert (last("P38").organization.code, last("P38").occupation) == ("X-A-2", "farmer")  # kept by the transfer
    assert last("P08").occupation == "retired"  # a reinstatement reopens with the last 工作岗位
    assert (last("P43").organization.code, last("P43").occupation) == ("X-A-2", "farmer")
    assert Person.objects.get(pk=people["P38"].pk).organization.code == "X-A-2"  # the scope anchor moved
    assert Person.objects.get(pk=people["P02"].pk).organization.code == "X-B-1"
    assert PartyMember.objects.get(pk=people["P05"].pk).full_membership_date == D(2023, 3, 6)
    assert Person.objects.get(pk=people["P05"].pk).political_status == "01"
    assert PartyMember.objects.get(pk=people["P06"].pk).full_membership_date is None  # 延长预备期: still 预备
    assert (last("P06").occupation_detail, last("P06").ownership) == ("skilled_worker", "public")
