"""Scope matrix: the URLs that are not registered business views, and the actor-specific extras of some
that are — each row is one URL × method × every actor, with the exact HTTP status expected.

Registered business views (``core.registry.register_view``: pages and API routes of organizations,
units, people, members, statistics) are covered by the generated scope tests (``test_scope_generated.py``):
list contents, foreign record → 404 with nothing changed, imports, exports, anonymous, administrators,
undeclared methods. This matrix keeps
  - the **non-business** URLs: the home page, login and the own account, the administrators' consoles
    (三权分立), the audit log, the import templates and jobs (owner-scoped), the export options page and
    the API schema;
  - **actor-specific rows** of registered views (``KEPT_BUSINESS_ROWS``) the generator does not
    express: a permission only some actors hold (unmask, dissolve, import, plaintext export), an
    ancestor outside a branch secretary's scope, a move target outside a township's scope, the county
    actors, and actors holding organization grants but no unit grant on the unit pages (the generator
    gives its actors grants on both trees).

Actors (``ACTORS``, in this order in every row):
  ``anon`` not logged in · ``branch_a`` 支部书记 at branch A1 · ``branch_b`` 支部书记 at branch B1 ·
  ``town`` 党务工作者 at town A · ``county`` 组织部门管理员 at the county · ``county_nd`` the county with
  every label except ``discipline`` · ``sysadm`` / ``secadm`` / ``audadm`` the three separated
  administrators.
Every actor runs in production mode (``ZUGONG_REQUIRE_OTP`` on) with a TOTP-verified, freshly
re-authenticated session, so the matrix tests *scope*; the authentication steps have their own tests.

Expected tokens: an HTTP status (``200``, ``302``, ``400``, ``403``, ``404``, ``405``, ``409``) or ``L`` = a
redirect to the login page.

**Adding a row is one line**::

    R("accounts:profile", "L 200 200 200 200 200 200 200 200"),

``args`` items are fixture attribute names (their ``pk`` is used), literals, or ``callable(t)``;
``data`` is a dict or ``callable(t) -> dict`` evaluated per actor (so it can read the current
``version``); ``query`` is appended after ``?``; ``json=True`` sends ``data`` as JSON;
``pending="why"`` marks a row whose view is still a placeholder (reported as xfail; once the view
matches, the test fails until the mark is removed).

``test_scope_generated.test_every_url_is_registered_or_in_the_matrix`` walks the URL resolver and fails,
naming them, on URL names neither registered nor in this matrix — a new view cannot ship uncovered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.helpers import login
from zugong.accounts.models import Role

ACTORS = ("anon", "branch_a", "branch_b", "town", "county", "county_nd", "sysadm", "secadm", "audadm")
_FIXTURE_USER = {"branch_a": "branch_user", "branch_b": "branch_b_user", "town": "town_user", "county": "county_user",
                 "county_nd": "county_nd", "sysadm": "sysadm", "secadm": "secadm", "audadm": "audadm"}


@dataclass(frozen=True)
class Row:
    name: str
    expect: tuple[str, ...]
    method: str = "GET"
    args: tuple = ()
    data: dict | Callable | None = None
    query: str = ""
    json: bool = False
    note: str = field(default="", compare=False)
    pending: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}"


def R(name: str, expect: str, method: str = "GET", *, args=(), data=None, query: str = "", json: bool = False,
      note: str = "", pending: str = "") -> Row:
    tokens = tuple(expect.split())
    if len(tokens) != len(ACTORS):
        raise ValueError(f"{name}: {len(tokens)} expectations for {len(ACTORS)} actors")
    return Row(name, tokens, method.upper(), tuple(args), data, query, json, note, pending)


def _org_version(**extra):
    def make(t):
        return {"version": type(t.branch_a1).objects.get(pk=t.branch_a1.pk).version, **extra}
    return make


def _party_group(t):
    from zugong.orgs.services import organization_create

    org = type(t.branch_a1).objects.filter(code="C-A-1-G").first()
    return (org or organization_create(parent=t.branch_a1, code="C-A-1-G", name="党小组", org_type="party_group")).pk


def _town_grant(t):
    return t.town_user.grants.first().pk


def _job(kind):
    """An import job of ``kind`` owned by the township user (with an error report to download)."""
    def make(t):
        from zugong.core import crypto
        from zugong.core.models import ImportJob

        job = ImportJob.objects.create(user=t.town_user, kind=kind, filename="花名册.xlsx", status="failed",
                                       error_count=1, errors=[{"row": 2, "column": "姓名", "reason": "必填"}])
        job.error_report_encrypted = crypto.cipher().encrypt("UEsDBA==")
        job.save(update_fields=["error_report_encrypted"])
        return job.pk
    return make


def _mapping_job(kind, headers_rows=None):
    """An import job of ``kind`` owned by the township user, waiting for its column mapping (its upload kept
    encrypted)."""
    def make(t):
        from tests.imports.helpers import ORG_HEADERS, ROSTER_HEADERS, member_row, xlsx
        from zugong.core.import_jobs import encrypt_report
        from zugong.core.models import ImportJob

        rows = {"roster": [ROSTER_HEADERS, member_row()],
                "changes": [["公民身份号码", "姓名", "变动类型", "变动日期"], [t.member_a1_1.id_number, "张伟", "死亡", "2025-01-02"]],
                }.get(kind, [ORG_HEADERS, ["C-A-9", "新支部", "C-A", "党支部", "", ""]])
        job = ImportJob.objects.create(user=t.town_user, kind=kind, filename="上传.xlsx", status="mapping",
                                       upload_encrypted=encrypt_report(xlsx(rows)))
        return job.pk
    return make


def _u(code):
    """The pk of unit ``code`` of ``factories.build_units`` (built on first use: the unit tree, unit grants
    for ``county`` on U and ``town`` on U-A; no other actor holds a unit grant)."""
    def make(t):
        from tests.factories import build_units

        build_units(t)
        return type(t.unit_county).objects.get(code=code).pk
    return make


def _org_unit(t):
    from tests.factories import build_units

    build_units(t)
    return {"version": type(t.branch_a1).objects.get(pk=t.branch_a1.pk).version, "unit_relation": "legal_entity_unit",
            "unit_code": "U-A-E"}


def _viewer_role(t):
    return Role.objects.get(code="viewer").pk


def _suspended_user(t):
    """A viewer whose second factor the system administrator reset (grants suspended), first login done."""
    from django.contrib.auth import get_user_model

    from tests.factories import make_user
    from zugong.accounts.services import user_otp_reset

    user = get_user_model().objects.filter(username="reset_viewer").first()
    if user is None:
        user = make_user("reset_viewer", "viewer", t.county)
    if user.grants_suspended_at is None:
        user_otp_reset(actor=t.sysadm, user=user)
    get_user_model().objects.filter(pk=user.pk).update(must_enrol_otp=False)
    return user.pk


def _reset_request(t):
    """A pending request (by the system administrator) to reset a second system administrator's TOTP."""
    from django.contrib.auth import get_user_model

    from tests.factories import make_user
    from zugong.accounts.models import AdminResetRequest
    from zugong.accounts.services import user_otp_reset

    target = get_user_model().objects.filter(username="sysadm_b").first() or make_user("sysadm_b", "system_admin")
    pending = AdminResetRequest.objects.filter(target=target, status="pending").first()
    return (pending or user_otp_reset(actor=t.sysadm, user=target)).pk


ADMIN_ONLY = {  # administrator consoles: (expected for the administrator kind, everyone else 403, anon → login)
    "system": "L 403 403 403 403 403 {ok} 403 403",
    "security": "L 403 403 403 403 403 403 {ok} 403",
    "audit": "L 403 403 403 403 403 403 403 {ok}",
}


def A(kind: str, ok: str = "200") -> str:
    return ADMIN_ONLY[kind].format(ok=ok)


#           name                              anon bra  brb  town cty  cnd  sys  sec  aud
MATRIX: list[Row] = [
    R("home",                                 "L    200  200  200  200  200  302  302  302"),
    R("accounts:login",                       "200  200  200  200  200  200  200  200  200"),
    R("accounts:logout",                      "L    L    L    L    L    L    L    L    L", "POST"),
    R("accounts:profile",                     "L    200  200  200  200  200  200  200  200"),
    R("accounts:password_change",             "L    200  200  200  200  200  200  200  200"),
    R("accounts:otp_setup",                   "L    302  302  302  302  302  302  302  302", note="enrolled → verify"),
    R("accounts:otp_verify",                  "L    200  200  200  200  200  200  200  200"),
    R("accounts:reauth",                      "L    200  200  200  200  200  200  200  200"),
    R("accounts:user_list",                   A("system")),
    R("accounts:user_create",                 A("system")),
    R("accounts:user_deactivate",             A("system", "302"), "POST", args=["nogrant_user"]),
    R("accounts:user_activate",               A("system", "302"), "POST", args=["nogrant_user"]),
    R("accounts:user_unlock",                 A("system", "302"), "POST", args=["nogrant_user"]),
    R("accounts:user_otp_reset",              A("system", "302"), "POST", args=["nogrant_user"]),
    R("accounts:user_reset_password",         A("system"), args=["nogrant_user"]),
    R("accounts:grant_list",                  A("security")),
    R("accounts:grant_create",                A("security")),
    R("accounts:grant_picker",                A("security"), query="q=甲镇"),
    R("accounts:grant_revoke",                A("security", "302"), "POST", args=[_town_grant]),
    R("accounts:role_list",                   A("security")),
    R("accounts:role_create",                 A("security")),
    R("accounts:role_edit",                   A("security"), args=[_viewer_role]),
    R("accounts:pending_grants",              A("security")),
    R("accounts:pending_grants_confirm",      A("security", "302"), "POST", args=[_suspended_user]),
    R("accounts:reset_request_list",          "L    403  403  403  403  403  200  200  200"),
    R("accounts:reset_request_approve",       "L    403  403  403  403  403  302  302  302", "POST",
      args=[_reset_request], note="the requester is refused with a message; another kind approves"),
    R("accounts:reset_request_reject",        "L    403  403  403  403  403  302  302  302", "POST",
      args=[_reset_request]),
    R("audit:event_list",                     A("audit")),
    R("audit:event_export",                   A("audit"), query="format=csv"),
    R("api:schema",                           "403  200  200  200  200  200  403  403  403"),
    # --- actor-specific rows of registered business views (KEPT_BUSINESS_ROWS) -------------------------
    R("people:unmask",                        "L    404  404  404  200  200  403  403  403", args=["member_a1_1"]),
    R("people:unmask",                        "L    404  404  404  200  200  403  403  403", "POST",
      args=["member_a1_1"], data={"reason": "核对档案"}),
    R("orgs:children",                        "L    404  404  200  200  200  403  403  403", args=["town_a"]),
    R("orgs:create_child",                    "L    200  404  200  200  200  403  403  403", args=[_party_group],
      note="a 党小组 takes no children: the page says so up front"),
    R("orgs:move",                            "L    400  404  400  302  302  403  403  403", "POST",
      args=["branch_a1"], data=_org_version(new_parent="C-B"), note="乙镇 is outside 甲镇's scope; cnd: no-op"),
    R("orgs:dissolve",                        "L    404  404  200  200  200  403  403  403", args=["branch_a1"]),
    R("orgs:dissolve",                        "L    404  404  400  400  400  403  403  403", "POST",
      args=["branch_a1"], data=_org_version(date="2024-12-31", reason="撤并"), note="refused: it has members"),
    R("orgs:reactivate",                      "L    404  404  200  200  200  403  403  403", args=["branch_a1"]),
    R("orgs:reactivate",                      "L    404  404  400  400  400  403  403  403", "POST",
      args=["branch_a1"], data=_org_version(), note="refused: not dissolved"),
    R("orgs:import",                          "L    403  403  200  200  200  403  403  403"),
    R("party:import_roster",                  "L    403  403  200  200  200  403  403  403"),
    # --- not business views: templates, owner-scoped import jobs, the export options page -------------
    R("orgs:import_template",                 "L    403  403  200  200  200  403  403  403"),
    R("party:import_roster_template",         "L    403  403  200  200  200  403  403  403"),
    R("orgs:import_job",                      "L    403  403  200  404  404  403  403  403", args=[_job("orgs")]),
    R("orgs:import_job_status",               "L    403  403  200  404  404  403  403  403", args=[_job("orgs")]),
    R("orgs:import_job_errors",               "L    403  403  200  404  404  403  403  403", args=[_job("orgs")]),
    R("party:import_roster_job",              "L    403  403  200  404  404  403  403  403", args=[_job("roster")]),
    R("party:import_roster_job_status",       "L    403  403  200  404  404  403  403  403", args=[_job("roster")]),
    R("party:import_roster_job_errors",       "L    403  403  200  404  404  403  403  403", args=[_job("roster")]),
    # the column-mapping page of a job waiting for it: its submitter only (issue #9)
    R("orgs:import_job_mapping",              "L    403  403  200  404  404  403  403  403", args=[_mapping_job("orgs")]),
    R("party:import_roster_job_mapping",      "L    403  403  200  404  404  403  403  403",
      args=[_mapping_job("roster")]),
    R("party:import_roster_job_mapping",      "L    403  403  200  404  404  403  403  403", "POST",
      args=[_mapping_job("roster")], data={"action": "preview"}),
    R("orgs:import_job_mapping",              "L    403  403  302  404  404  403  403  403", args=[_job("orgs")],
      note="a job no longer waiting: its submitter is sent to the job page"),
    # the 党员变动台账 kind (issue #10, party.ledger): the same pages as the roster's
    R("party:import_changes_template",        "L    403  403  200  200  200  403  403  403"),
    R("party:import_changes_job",             "L    403  403  200  404  404  403  403  403", args=[_job("changes")]),
    R("party:import_changes_job_status",      "L    403  403  200  404  404  403  403  403", args=[_job("changes")]),
    R("party:import_changes_job_errors",      "L    403  403  200  404  404  403  403  403", args=[_job("changes")]),
    R("party:import_changes_job_mapping",     "L    403  403  200  404  404  403  403  403",
      args=[_mapping_job("changes")]),
    # the 三会一课台账 kind (issue #11, life.importers): the same pages as the roster's
    R("life:meeting_import_template",         "L    403  403  200  200  200  403  403  403"),
    R("life:meeting_import_job",              "L    403  403  200  404  404  403  403  403", args=[_job("meetings")]),
    R("life:meeting_import_job_status",       "L    403  403  200  404  404  403  403  403", args=[_job("meetings")]),
    R("life:meeting_import_job_errors",       "L    403  403  200  404  404  403  403  403", args=[_job("meetings")]),
    R("life:meeting_import_job_mapping",      "L    403  403  200  404  404  403  403  403",
      args=[_mapping_job("meetings")]),
    # the 干部名册 kind (issue #12, cadres.structure.importers): the same pages as the roster's, label cadre
    R("cadres:roster_import_template",        "L    403  403  403  200  200  403  403  403"),
    R("cadres:roster_import_job",             "L    403  403  403  404  404  403  403  403",
      args=[_job("cadre_roster")]),
    R("cadres:roster_import_job_status",      "L    403  403  403  404  404  403  403  403",
      args=[_job("cadre_roster")]),
    R("cadres:roster_import_job_errors",      "L    403  403  403  404  404  403  403  403",
      args=[_job("cadre_roster")]),
    R("cadres:roster_import_job_mapping",     "L    403  403  403  404  404  403  403  403",
      args=[_mapping_job("cadre_roster")]),
    # /imports/<code>/ serves only kinds registered without URLs of their own (none in production): the
    # roster and orgs kinds live under their apps' URLs, an unknown code does not exist
    R("imports:import",                       "L    404  404  404  404  404  403  403  403", args=["roster"]),
    R("imports:import",                       "L    404  404  404  404  404  403  403  403", args=["nope"]),
    R("imports:import_template",              "L    404  404  404  404  404  403  403  403", args=["orgs"]),
    R("imports:import_job",                   "L    404  404  404  404  404  403  403  403",
      args=["roster", _job("roster")]),
    R("imports:import_job_status",            "L    404  404  404  404  404  403  403  403",
      args=["roster", _job("roster")]),
    R("imports:import_job_errors",            "L    404  404  404  404  404  403  403  403",
      args=["orgs", _job("orgs")]),
    R("imports:import_job_mapping",           "L    404  404  404  404  404  403  403  403",
      args=["roster", _mapping_job("roster")]),

    R("party:export_roster_form",             "L    200  200  200  200  200  403  403  403"),
    # --- actor-specific rows of registered business views, continued ----------------------------------
    R("party:export_roster",                  "L    403  404  403  200  200  403  403  403", query="org=C-A-1&unmask=1"),
    R("api:party-stats",                      "403  404  404  200  200  200  403  403  403", query="org=C-A"),
    R("reports:party_stats_xlsx",             "L    404  404  200  200  200  403  403  403", query="org=C-A&as_of=2024-12-31"),
    R("api:party-stats",                      "403  400  400  400  400  400  403  403  403", note="org missing"),
    R("api:organization-move",                "403  400  404  400  200  200  403  403  403", "POST",
      args=["branch_a1"], data=_org_version(new_parent_code="C-B"), json=True),
    R("api:organization-dissolve",            "403  404  404  400  400  400  403  403  403", "POST",
      args=["branch_a1"], data=_org_version(date="2024-12-31", reason="撤并"), json=True),
    R("api:organization-reactivate",          "403  404  404  400  400  400  403  403  403", "POST",
      args=["branch_a1"], data=_org_version(), json=True),
    # --- units (单位): what the generated tests cannot say. There both actors hold unit grants on their own unit
    # subtree (``scope_tree``); here, with ``sec`` as is, only the county (on U) and town A (on U-A) hold unit
    # grants, so these rows check that grants on the organization tree do not reach units — branch A1 and
    # county_nd (every label on the whole county's organizations) find no unit, and cannot set up their own
    # organization in one (「单位不存在」) although they may change the organization. ------------------------
    R("orgs:unit_detail",                     "L    404  404  200  200  404  403  403  403", args=[_u("U-A-E")]),
    R("api:unit-detail",                      "403  404  404  200  200  404  403  403  403", args=[_u("U-A-E")]),
    R("orgs:unit_set",                        "L    400  404  302  302  400  403  403  403", "POST",
      args=["branch_a1"], data=_org_unit, note="branch A1 / county_nd see no unit: 「单位不存在」"),
    R("api:organization-unit",                "403  400  404  200  200  400  403  403  403", "POST",
      args=["branch_a1"], data=_org_unit, json=True),
    # --- not business views: the unit import's template and owner-scoped jobs -------------------------
    R("orgs:unit_import_template",            "L    403  403  200  200  200  403  403  403"),
    R("orgs:unit_import_job",                 "L    403  403  200  404  404  403  403  403", args=[_job("units")]),
    R("orgs:unit_import_job_status",          "L    403  403  200  404  404  403  403  403", args=[_job("units")]),
    R("orgs:unit_import_job_errors",          "L    403  403  200  404  404  403  403  403", args=[_job("units")]),
    R("orgs:unit_import_job_mapping",         "L    403  403  302  404  404  403  403  403", args=[_job("units")]),
    # --- the receiving-organization picker of 组织关系转接 (issue #10): a deliberate, limited disclosure — every
    # user who may start a transfer finds active organizations holding members outside the scope (names and
    # codes only, ≤ 20: party.transfer_selectors); administrators see no business data ---------------------
    R("party:transfer_target_picker",         "L    200  200  200  200  200  403  403  403", query="q=乙镇"),
]

# URL names that need no row (none today; say why when adding one).
NOT_SCOPED: dict[str, str] = {}

# Registered views (``core.registry``) that keep rows here besides their generated tests, for statuses
# that depend on which permission an actor holds or on a target outside the scope (see the docstring).
KEPT_BUSINESS_ROWS = {
    "people:unmask", "orgs:children", "orgs:create_child", "orgs:move", "orgs:dissolve", "orgs:reactivate",
    "orgs:import", "party:import_roster", "party:export_roster", "reports:party_stats_xlsx", "api:party-stats",
    "api:organization-move", "api:organization-dissolve", "api:organization-reactivate",
    # units (单位): actors holding organization grants but no unit grant (the generated tests give both of
    # their actors unit grants)
    "orgs:unit_detail", "api:unit-detail", "orgs:unit_set", "api:organization-unit",
}


def _url(row: Row, t) -> str:
    args = []
    for a in row.args:
        if callable(a):
            args.append(a(t))
        elif isinstance(a, str) and hasattr(t, a):
            args.append(getattr(t, a).pk)
        else:
            args.append(a)
    url = reverse(row.name, args=args)
    return f"{url}?{row.query}" if row.query else url


def _request(client: Client, row: Row, url: str, t):
    data = row.data(t) if callable(row.data) else (row.data or {})
    method = getattr(client, row.method.lower())
    if row.json or row.method in ("PATCH", "PUT"):
        return method(url, data, content_type="application/json")
    return method(url, data) if row.method != "GET" or data else method(url)


def _token(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return "L"
    return str(response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("row", MATRIX, ids=[r.id for r in MATRIX])
def test_scope_matrix(row, sec, otp_on):
    failures = []
    for actor, expected in zip(ACTORS, row.expect, strict=True):
        client = Client()
        if actor != "anon":
            login(client, getattr(sec, _FIXTURE_USER[actor]))
        url = _url(row, sec)
        got = _token(_request(client, row, url, sec))
        if got != expected:
            failures.append(f"{actor}: expected {expected}, got {got}")
    message = f"{row.id} ({_url(row, sec)}):\n  " + "\n  ".join(failures)
    if row.pending:
        # strict: once the real view behaves, the row must lose its ``pending`` mark
        assert failures, f"{row.id} now matches the matrix: remove pending={row.pending!r}"
        pytest.xfail(f"{row.pending}: {message}")
    assert not failures, message


def named_urls(patterns=None, namespace: str | None = None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace and (f"{namespace}:{p.namespace}" if namespace else p.namespace) or namespace
            yield from named_urls(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            if not p.name:
                yield f"<unnamed {p.pattern} → {p.lookup_str}>"
            else:
                yield f"{namespace}:{p.name}" if namespace else p.name


def test_matrix_rows_name_existing_urls():
    existing = set(named_urls())
    stale = sorted({row.name for row in MATRIX} - existing)
    assert not stale, f"Matrix rows for URL names that no longer exist: {', '.join(stale)}"
