"""Forms of the organization and unit edit pages. They only parse input; every rule is in ``orgs.services``
/ ``orgs.unit_services`` / ``orgs.validators`` (the same checks the API and the importer use). The
create/edit forms are ``core.tree_views.TreeRecordForm``s (``code`` on create, ``version`` on edit)."""

from __future__ import annotations

from django import forms

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.tree_views import TreeRecordForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationForm(TreeRecordForm):
    """新增下级组织 / 编辑组织. ``code`` only on create (the 组织代码 is the stable external key)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label="组织代码", max_length=50)
    name = forms.CharField(label="组织名称", max_length=200)
    org_type = forms.ChoiceField(label="组织类别", choices=ORG_TYPE.choices)
    unit_category = forms.ChoiceField(label="单位属性", choices=[("", "—"), *UNIT_CATEGORY.choices], required=False)
    founded_date = forms.DateField(label="成立日期", required=False, widget=_DATE)

    FIELDS = ("name", "org_type", "unit_category", "founded_date")


class MoveForm(forms.Form):
    """调整隶属关系: the new parent by 组织代码 (typed, or chosen in the picker, whose radios are named ``new_parent_pick``)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    new_parent = forms.CharField(label="新的上级组织代码", max_length=50, required=False,
                                 help_text="可在下方按名称、代码或上级组织名称搜索后选择。")

    def parent_ref(self, picked: str = "") -> str:
        """The chosen parent: the picker's radio (``picked``) wins over the typed code."""
        return (picked or self.cleaned_data.get("new_parent") or "").strip()


class DissolveForm(forms.Form):
    """撤销组织: date and reason."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    date = forms.DateField(label="撤销日期", widget=_DATE)
    reason = forms.CharField(label="撤销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class VersionForm(forms.Form):
    """A confirmation carrying only the loaded ``version`` (恢复组织)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class UnitForm(TreeRecordForm):
    """新增下级单位 / 编辑单位. ``code`` only on create (the 单位代码 is the stable external key). Only parses;
    the rules (credit code check character, enterprise-only fields …) are in ``orgs.validators``."""

    from zugong.orgs.choices import ECONOMIC_CONTROL as _EC
    from zugong.orgs.choices import ENTERPRISE_SIZE as _SIZE
    from zugong.orgs.choices import ORGAN_LEVEL as _LEVEL

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label="单位代码", max_length=50)
    name = forms.CharField(label="单位名称", max_length=200)
    unit_category = forms.ChoiceField(label="单位属性", choices=UNIT_CATEGORY.choices)
    legal_entity = forms.BooleanField(label="法人单位", required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30, required=False,
                                  help_text="18 位，按 GB 32100-2015 核对校验位。")
    economic_control = forms.ChoiceField(label="经济控制类型（企业）", choices=[("", "—"), *_EC.choices], required=False)
    enterprise_size = forms.ChoiceField(label="企业规模（企业）", choices=[("", "—"), *_SIZE.choices], required=False,
                                        help_text="按《统计上大中小微型企业划分办法（2017）》。")
    organ_level = forms.ChoiceField(label="机关层级（机关）", choices=[("", "—"), *_LEVEL.choices], required=False)
    founded_date = forms.DateField(label="成立日期", required=False, widget=_DATE)

    FIELDS = ("name", "unit_category", "legal_entity", "credit_code", "economic_control", "enterprise_size",
              "organ_level", "founded_date")


class UnitMoveForm(forms.Form):
    """调整单位隶属关系: the new parent's 单位代码."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    new_parent = forms.CharField(label="新的上级单位代码", max_length=50)


class OrganizationUnitForm(forms.Form):
    """党组织所在单位情况: the relation, the legal-entity unit's code, or the joint units' codes."""

    from zugong.orgs.choices import UNIT_RELATION as _REL

    version = forms.IntegerField(widget=forms.HiddenInput)
    unit_relation = forms.ChoiceField(label="党组织所在单位情况", choices=[("", "未登记"), *_REL.choices], required=False)
    unit_code = forms.CharField(label="所在单位代码（法人单位）", max_length=50, required=False)
    joint_codes = forms.CharField(label="覆盖的单位代码（联合党支部）", max_length=2000, required=False,
                                  help_text="多个单位代码用「、」或逗号分隔。")
