"""The data migration ``party 0009_attributes_occupation`` (issue #10): 农民工 / 外出务工经商人员 stored as
年报 detail codes become flags, and ``ownership`` is filled from the row or the organization's unit.

Run through Django's migration executor: the database is taken back to ``party 0008_events_exit_reason``, rows
are written with the historical models in the shapes issue #9's importer stored, then migrated forward.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("party", "0008_events_exit_reason")]
AFTER = [("party", "0009_attributes_occupation")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    _migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _build(apps):
    """Organizations and units in every shape the migration reads; one member per organization and
    工作岗位 shape. Returns ``{label: membership id}``."""
    Org = apps.get_model("orgs", "PartyOrganization")
    Unit = apps.get_model("orgs", "Unit")
    Person = apps.get_model("people", "Person")
    Membership = apps.get_model("party", "Membership")
    Development = apps.get_model("party", "DevelopmentRecord")
    seq = iter(range(1, 1000))

    def unit(code, category, control="", path=None):
        return Unit.objects.create(code=code, name=code, unit_category=category, economic_control=control,
                                   path=path or f"{next(seq):04d}", depth=1, numchild=0)

    def org(code, path, *, relation="", unit_obj=None, category="", depth=None):
        return Org.objects.create(code=code, name=code, org_type="branch", path=path, depth=depth or len(path) // 4,
                                  numchild=0, unit_relation=relation, unit=unit_obj, unit_category=category)

    state = unit("U-STATE", "enterprise", "state_controlled")
    private = unit("U-PRIV", "enterprise", "non_public_controlled")
    bare_firm = unit("U-FIRM", "enterprise")
    school = unit("U-SCH", "public_institution")
    village = unit("U-VIL", "village")
    root = org("R", "0001", relation="legal_entity_unit", unit_obj=state, depth=1)
    child = org("R-1", "00010001", relation="same_as_parent")  # inherits the state enterprise
    grandchild = org("R-1-1", "000100010001", relation="same_as_parent")
    priv = org("P", "0002", relation="legal_entity_unit", unit_obj=private, depth=1)
    firm = org("F", "0003", relation="legal_entity_unit", unit_obj=bare_firm, depth=1)  # no control type
    sch = org("S", "0004", relation="legal_entity_unit", unit_obj=school, depth=1)
    vil = org("V", "0005", relation="legal_entity_unit", unit_obj=village, depth=1)
    organ = org("G", "0006", category="government_organ", depth=1)  # no unit link: its own 单位属性
    joint_same = org("J1", "0007", relation="joint", depth=1)
    joint_same.joint_units.set([state, school])  # both 公有制
    joint_mixed = org("J2", "0008", relation="joint", depth=1)
    joint_mixed.joint_units.set([state, private])  # disagree: unknown

    ids = {}

    def member(label, organization, occupation, detail="", **extra):
        person = Person.objects.create(name=label, sex="1", birth_date=dt.date(1980, 1, 1), organization=organization,
                                       id_number_encrypted="x", id_number_hash=f"h{next(seq)}", id_number_masked="*")
        ids[label] = Membership.objects.create(person=person, organization=organization, start_date=dt.date(2010, 1, 1),
                                               occupation=occupation, occupation_detail=detail, **extra).pk
        return person

    member("农民工@国企", root, "worker", "migrant_worker")
    member("农民工@村", vil, "worker", "migrant_worker")
    member("外出务工@村", vil, "farmer", "migrant_business")
    member("企业管理@继承国企", grandchild, "manager", "enterprise_manager")
    member("企业专技@私企", priv, "professional", "enterprise_professional")
    member("工勤@企业无控制类型", firm, "worker", "skilled_worker")
    member("工人粗类@事业单位", sch, "worker")
    member("管理粗类@机关属性", organ, "manager")
    member("企业管理@村", vil, "manager", "enterprise_manager")
    member("事业专技@私企", priv, "professional", "institution_professional")
    member("民非管理@国企", root, "manager", "nonprofit_manager")
    member("党政机关@村", vil, "government")
    member("农牧渔民@国企", root, "farmer")
    member("学生@国企", child, "student")
    member("工勤@联合同为公有", joint_same, "worker", "skilled_worker")
    member("工勤@联合不一致", joint_mixed, "worker", "skilled_worker")
    member("已填所有制", priv, "manager", "enterprise_manager", ownership="public")
    # a closed period migrates too (the history of a 农民工)
    member("结束的组织关系", root, "worker", "migrant_worker", end_date=dt.date(2015, 1, 1), end_reason="transfer")
    keeper = member("发展对象", root, "student")
    dev = Development.objects.create(person=keeper, organization=root, application_date=dt.date(2020, 1, 1),
                                     occupation="worker", occupation_detail="migrant_worker").pk
    return ids, dev


def _fields(apps, pk, model="Membership"):
    return apps.get_model("party", model).objects.filter(pk=pk).values(
        "occupation", "occupation_detail", "ownership", "migrant_worker", "migrant_business").get()


def test_migration_turns_detail_codes_into_flags_and_fills_ownership(old_apps):
    ids, dev = _build(old_apps)
    new = _migrate(AFTER)

    def f(label):
        return _fields(new, ids[label])

    def row(occupation, detail, ownership, mw=False, mb=False):
        return {"occupation": occupation, "occupation_detail": detail, "ownership": ownership, "migrant_worker": mw,
                "migrant_business": mb}

    # 1. the 其中 rows become flags on their parent row
    assert f("农民工@国企") == row("worker", "skilled_worker", "public", mw=True)
    assert f("农民工@村") == row("worker", "skilled_worker", "", mw=True)  # a village gives no sector
    assert f("外出务工@村") == row("farmer", "", "", mb=True)
    assert f("结束的组织关系") == row("worker", "skilled_worker", "public", mw=True)
    assert _fields(new, dev, "DevelopmentRecord") == row("worker", "skilled_worker", "public", mw=True)
    # 2. ownership from the organization's unit, inherited through same_as_parent
    assert f("企业管理@继承国企") == row("manager", "enterprise_manager", "public")
    assert f("企业专技@私企") == row("professional", "enterprise_professional", "non_public")
    assert f("工勤@企业无控制类型") == row("worker", "skilled_worker", "")  # enterprise without 经济控制类型
    assert f("工人粗类@事业单位") == row("worker", "", "public")
    assert f("管理粗类@机关属性") == row("manager", "", "public")  # the organization's own 单位属性 机关
    assert f("企业管理@村") == row("manager", "enterprise_manager", "")
    assert f("工勤@联合同为公有") == row("worker", "skilled_worker", "public")
    assert f("工勤@联合不一致") == row("worker", "skilled_worker", "")
    # ... the row's own sector wins over the unit's, and a value already there stays
    assert f("事业专技@私企") == row("professional", "institution_professional", "public")
    assert f("民非管理@国企") == row("manager", "nonprofit_manager", "non_public")
    assert f("党政机关@村") == row("government", "", "public")
    assert f("已填所有制") == row("manager", "enterprise_manager", "public")
    # rows that are not 在岗职工 get no sector, whatever the unit
    assert f("农牧渔民@国企") == row("farmer", "", "")
    assert f("学生@国企") == row("student", "", "")

    Membership = new.get_model("party", "Membership")
    assert not Membership.objects.filter(occupation_detail__in=("migrant_worker", "migrant_business")).exists()

    # reversible: the flags go back to the detail codes
    back = _migrate(BEFORE)
    assert _fields(back, ids["农民工@村"])["occupation_detail"] == "migrant_worker"
    assert _fields(back, ids["外出务工@村"])["occupation_detail"] == "migrant_business"
