"""Every endpoint x every role: 401 without a valid token, 403 for each role it does not
name, and neither for the roles it does. Walks ``app.routes``, so endpoints other areas
add later are covered without touching this file."""
from __future__ import annotations

from hall_server.domain.roles import ALL_ROLES


def _send(client, ep, headers):  # type: ignore[no-untyped-def]
    kw = {"json": {}} if ep.has_body else {}
    return client.request(ep.method, ep.url(), headers=headers, **kw)


def test_every_endpoint_names_its_roles_or_is_deliberately_public(api_endpoints):
    unnamed = [(e.method, e.path) for e in api_endpoints if e.roles is None and not e.public]
    assert not unnamed, f"endpoints without require(...): {unnamed}"
    assert len(api_endpoints) >= 20


def test_every_endpoint_refuses_missing_or_bad_tokens(client, api_endpoints):
    for ep in api_endpoints:
        if ep.roles is None:
            continue
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
            r = _send(client, ep, headers)
            assert r.status_code == 401, (ep.method, ep.path, headers, r.status_code, r.text)
            assert r.json()["error"]["code"] in ("missing_token", "invalid_token")


def test_every_endpoint_x_every_role(client, login, api_endpoints, all_role_tokens):
    login("1001", window_no=1)  # the clerk is on duty at window 1, the path every {param} gets
    failures = []
    for ep in sorted(api_endpoints, key=lambda e: "logout" in e.path):
        if ep.roles is None:
            continue
        tokens = all_role_tokens()  # fresh each time: an endpoint may revoke or sign out
        for role in ALL_ROLES:
            r = _send(client, ep, tokens[role])
            code = r.json().get("error", {}).get("code") if r.headers.get("content-type", "").startswith(
                "application/json") and isinstance(r.json(), dict) else None
            if role in ep.roles:
                if r.status_code == 401 or (r.status_code == 403 and code == "forbidden_role"):
                    failures.append(f"{ep.method} {ep.path}: allowed {role} got {r.status_code} {code}")
            elif not (r.status_code == 403 and code == "forbidden_role"):
                failures.append(f"{ep.method} {ep.path}: {role} not allowed but got {r.status_code} {code}")
    assert not failures, "\n".join(failures)


def test_devices_never_work_windows_administer_or_audit(api_endpoints):
    from hall_server.domain.roles import DEVICE_ROLES
    leaks = sorted(f"{e.method} {e.path}" for e in api_endpoints
                   if e.roles and e.roles & DEVICE_ROLES
                   and e.path.startswith(("/api/v1/windows", "/api/v1/admin", "/api/v1/audit")))
    assert not leaks, leaks


def test_the_manager_retires_devices_and_grants_priority_numbers(api_endpoints):
    """Issue 12: retire is manager/admin only; a 绿色通道 number may come from the manager's
    咨询台 screen (the service then refuses the kiosk and demands a reason)."""
    from hall_server.domain.roles import Role
    roles = {(e.method, e.path): e.roles for e in api_endpoints}
    assert roles[("POST", "/api/v1/devices/retire")] == {Role.MANAGER, Role.ADMIN}
    assert Role.MANAGER in roles[("POST", "/api/v1/tickets")]
    assert roles[("POST", "/api/v1/complaints/{complaint_no}/rectify")] == roles[
        ("POST", "/api/v1/complaints/{complaint_no}/call-back")]
