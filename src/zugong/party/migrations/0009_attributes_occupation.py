"""工作岗位 for the 党内统计年报 (issue #10, part "attributes").

1. The 年报's 其中 rows become flags: a membership or development record whose ``occupation_detail`` is
   ``migrant_worker`` (农民工) becomes 工勤技能人员 (``skilled_worker``, 公报 category ``worker``) with
   ``migrant_worker``; ``migrant_business`` (外出务工经商人员) becomes 农牧渔民 (category ``farmer``, no detail:
   the row is its category) with ``migrant_business``. The two codes leave ``OCCUPATION_DETAIL`` (choices).
2. ``ownership`` (单位所有制, blank so far) is filled where it can be derived:
   - from the row itself: 党政机关工作人员 and 事业单位 rows → 公有制 (``public``), 民办非企业单位 rows →
     非公有制 (``non_public``);
   - for the rows the unit decides (企业管理人员, 企业专业技术人员, 工勤技能人员, and the coarse 公报
     categories 工人 / 专业技术人员 / 管理人员 without a row) from the organization's unit
     (党组织所在单位情况: its legal-entity unit, the nearest ancestor's for ``same_as_parent``, the joint units
     when they agree): a 机关 or 事业单位 → 公有制; an enterprise by 经济控制类型 (国有/集体 → 公有制, 非公有 →
     非公有制); without a unit link, the organization's own 单位属性 机关/事业单位 → 公有制.
   Anything else stays blank (the quality report lists the members whose 工作岗位 cannot be placed).
   Updates are set-based (a few UPDATEs per ownership and chunk of organizations), fit for 10^6 rows.

Reverse: the flags go back to the detail codes; the ownership filled here stays (harmless).
The constants are copied here (frozen): later changes to ``core.codes`` must not change this migration.
"""

from django.db import migrations, models


PUBLIC_DETAILS = ("government_staff", "institution_manager", "institution_professional")
NON_PUBLIC_DETAILS = ("nonprofit_manager", "nonprofit_professional")
SECTOR_DETAILS = ("enterprise_manager", "enterprise_professional", "skilled_worker")
UNIT_DECIDES_OCCUPATIONS = ("worker", "professional", "manager")
CHUNK = 500
MODELS = ("Membership", "DevelopmentRecord")


def _unit_ownership(category, control):
    if category in ("government_organ", "public_institution"):
        return "public"
    if category == "enterprise":
        if control in ("state_controlled", "collective_controlled"):
            return "public"
        if control == "non_public_controlled":
            return "non_public"
    return ""


def organization_ownerships(apps):
    """``{organization id: "public" | "non_public"}`` for every organization whose unit gives a sector."""
    PartyOrganization = apps.get_model("orgs", "PartyOrganization")
    Unit = apps.get_model("orgs", "Unit")
    units = {pk: _unit_ownership(cat, ctl) for pk, cat, ctl in
             Unit.objects.values_list("pk", "unit_category", "economic_control").iterator()}
    joint = {}
    Through = PartyOrganization.joint_units.through
    for org_id, unit_id in Through.objects.values_list("partyorganization_id", "unit_id").iterator():
        joint.setdefault(org_id, set()).add(units.get(unit_id, ""))
    rows = list(PartyOrganization.objects.values_list("pk", "path", "unit_relation", "unit_id", "unit_category")
                .iterator())
    own = {}  # path -> the sector of the organization's own unit link (None: inherits / none)
    for pk, path, relation, unit_id, _category in rows:
        if relation == "joint":
            sectors = joint.get(pk, set())
            own[path] = sectors.pop() if len(sectors) == 1 else ""
        elif relation == "legal_entity_unit" or (relation == "" and unit_id):
            own[path] = units.get(unit_id, "")
        else:
            own[path] = None
    result = {}
    for pk, path, relation, _unit_id, category in rows:
        sector = own.get(path)
        if sector is None and relation == "same_as_parent":
            for end in range(len(path) - 4, 0, -4):
                ancestor = own.get(path[:end])
                if ancestor is not None:
                    sector = ancestor
                    break
        if not sector:
            sector = _unit_ownership(category, "") if category in ("government_organ", "public_institution") else ""
        if sector:
            result[pk] = sector
    return result


def forwards(apps, schema_editor):
    by_org = organization_ownerships(apps)
    for name in MODELS:
        model = apps.get_model("party", name)
        objects = model.objects
        objects.filter(occupation_detail="migrant_worker").update(
            occupation="worker", occupation_detail="skilled_worker", migrant_worker=True)
        objects.filter(occupation_detail="migrant_business").update(
            occupation="farmer", occupation_detail="", migrant_business=True)
        blank = objects.filter(ownership="")
        blank.filter(occupation_detail__in=PUBLIC_DETAILS).update(ownership="public")
        blank.filter(occupation="government", occupation_detail="").update(ownership="public")
        blank.filter(occupation_detail__in=NON_PUBLIC_DETAILS).update(ownership="non_public")
        decided = (models.Q(occupation_detail__in=SECTOR_DETAILS)
                   | models.Q(occupation__in=UNIT_DECIDES_OCCUPATIONS, occupation_detail=""))
        for sector in ("public", "non_public"):
            ids = sorted(pk for pk, value in by_org.items() if value == sector)
            for start in range(0, len(ids), CHUNK):
                (objects.filter(decided, ownership="", organization_id__in=ids[start:start + CHUNK])
                 .update(ownership=sector))


def backwards(apps, schema_editor):
    for name in MODELS:
        objects = apps.get_model("party", name).objects
        objects.filter(migrant_worker=True, occupation_detail="skilled_worker").update(
            occupation_detail="migrant_worker", migrant_worker=False)
        objects.filter(migrant_business=True, occupation="farmer").update(
            occupation_detail="migrant_business", migrant_business=False)


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0005_organizationterm'),
        ('party', '0008_events_exit_reason'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.AlterField(
            model_name='developmentrecord',
            name='occupation_detail',
            field=models.CharField(blank=True, choices=[('government_staff', '党政机关工作人员'), ('institution_manager', '事业单位管理人员'), ('institution_professional', '事业单位专业技术人员'), ('enterprise_manager', '企业管理人员'), ('enterprise_professional', '企业专业技术人员'), ('nonprofit_manager', '民办非企业单位管理人员'), ('nonprofit_professional', '民办非企业专业技术人员'), ('skilled_worker', '工勤技能人员'), ('farmer', '农牧渔民'), ('military', '军人、武警'), ('student', '学生'), ('retired', '离退休人员'), ('other', '其他')], db_default='', default='', max_length=30, verbose_name='工作岗位（年报）'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='occupation_detail',
            field=models.CharField(blank=True, choices=[('government_staff', '党政机关工作人员'), ('institution_manager', '事业单位管理人员'), ('institution_professional', '事业单位专业技术人员'), ('enterprise_manager', '企业管理人员'), ('enterprise_professional', '企业专业技术人员'), ('nonprofit_manager', '民办非企业单位管理人员'), ('nonprofit_professional', '民办非企业专业技术人员'), ('skilled_worker', '工勤技能人员'), ('farmer', '农牧渔民'), ('military', '军人、武警'), ('student', '学生'), ('retired', '离退休人员'), ('other', '其他')], db_default='', default='', max_length=30, verbose_name='工作岗位（年报）'),
        ),
    ]
