"""Data scope: a grant at a node covers its subtree; no grant sees nothing."""

from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership
from zugong.people.models import Person


def test_subtree_grants_restrict_people_and_orgs(tree):
    county = set(Person.objects.restrict(tree.county_user).values_list("name", flat=True))
    assert county == {"张伟", "李娜", "王强", "阿依古丽"}
    town = set(Person.objects.restrict(tree.town_user).values_list("name", flat=True))
    assert town == {"张伟", "李娜", "王强"}
    branch = set(Person.objects.restrict(tree.branch_user).values_list("name", flat=True))
    assert branch == {"张伟", "李娜"}
    assert not Person.objects.restrict(tree.nogrant_user).exists()
    assert set(PartyOrganization.objects.restrict(tree.town_user).values_list("code", flat=True)) == {
        "C-A", "C-A-1", "C-A-2"}
    assert Membership.objects.restrict(tree.branch_b_user).count() == 1


def test_action_without_permission_sees_nothing(tree):
    # 支部书记 has no import permission
    assert not Person.objects.restrict(tree.branch_user, "import").exists()
    assert Person.objects.restrict(tree.town_user, "import").count() == 3


def test_id_number_encrypted_and_masked(tree):
    p = Person.objects.get(name="张伟")
    assert p.id_number_encrypted.startswith("v1:")
    assert p.id_number not in p.id_number_encrypted
    assert p.id_number_masked == "*" * 17 + p.id_number[-1]  # only the check character (docs/security.md §4)
    assert Person.objects.filter(id_number_hash=Person.hash_id_number(p.id_number.lower())).get() == p
