"""Forms of the organization edit pages. They only parse input; every rule is in ``orgs.services`` /
``orgs.validators`` (the same checks the API and the importer use)."""

from __future__ import annotations

from django import forms

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationForm(forms.Form):
    """新增下级组织 / 编辑组织. ``code`` only on create (the 组织代码 is the stable external key)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label="组织代码", max_length=50)
    name = forms.CharField(label="组织名称", max_length=200)
    org_type = forms.ChoiceField(label="组织类别", choices=ORG_TYPE.choices)
    unit_category = forms.ChoiceField(label="单位属性", choices=[("", "—"), *UNIT_CATEGORY.choices], required=False)
    founded_date = forms.DateField(label="成立日期", required=False, widget=_DATE)

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]

    def changes(self) -> dict:
        data = self.cleaned_data
        return {k: data.get(k) for k in ("name", "org_type", "unit_category", "founded_date")}


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
