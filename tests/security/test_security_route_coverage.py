"""Every route is classified (public, admin, or tenant-covered); anonymous callers get 401."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from security_platform import (
    OBJECT_FACTORIES,
    OTHER_ROUTES,
    PUBLIC_ROUTES,
    World,
    all_route_paths,
    build_world,
    request_body,
)

from benchstudio.config import Settings

ADMIN_PARAM_DEFAULTS = {"user_id": "", "invite_id": "00000000000000000000000000"}


@pytest.fixture(scope="module")
def shared_world(module_settings: Settings) -> Iterator[World]:
    """One world per backend for the module: the tests only read it or are refused (401/403),
    and building it (an object of every kind) costs far more than any of them. One worker runs
    the whole module (`--dist loadfile`), so it is built once per backend."""
    yield from build_world(module_settings)


@pytest.fixture
def world(shared_world: World) -> World:
    # Each test starts without the cookies an earlier one's sign-in left, as in a fresh world.
    shared_world.client.cookies.clear()
    return shared_world


def test_every_route_is_public_admin_or_covered_by_the_tenant_matrix(world: World) -> None:
    unclassified = []
    for route in world.routes:
        if route.is_public or route.is_admin:
            continue
        missing = [p for p in route.params if p not in OBJECT_FACTORIES]
        if missing:
            unclassified.append(f"{route.method} {route.path} (no factory for {missing})")
    assert not unclassified, (
        "New routes need an object factory in tests/security/security_platform.py "
        f"(OBJECT_FACTORIES) or an entry in PUBLIC_ROUTES: {unclassified}"
    )


def test_allow_lists_name_only_existing_routes(world: World) -> None:
    served = {(r.method, r.path) for r in world.routes}
    assert set(PUBLIC_ROUTES) <= served, set(PUBLIC_ROUTES) - served
    assert set(OTHER_ROUTES) <= all_route_paths(world.app)


def test_public_routes_answer_without_credentials(world: World) -> None:
    for method, path in PUBLIC_ROUTES:
        url = path.replace("{path:path}", "some/page")
        route = next(r for r in world.routes if (r.method, r.path) == (method, path))
        response = world.client.request(method, url, json=request_body(route, world.document))
        assert response.status_code != 401 or path in (
            "/api/auth/login",
            "/api/auth/refresh",
            "/api/auth/password-reset/confirm",
        ), f"{method} {path}"
        assert response.status_code < 500, f"{method} {path}: {response.status_code}"


def _ids(world: World) -> dict[str, str]:
    return {**ADMIN_PARAM_DEFAULTS, **world.a.ids, "user_id": world.a.user_id}


def test_anonymous_calls_to_every_other_route_get_401(world: World) -> None:
    checked = 0
    for route in world.routes:
        if route.is_public:
            continue
        body = request_body(route, world.document)
        response = world.client.request(route.method, route.url(_ids(world)), json=body)
        assert response.status_code == 401, f"{route.method} {route.path}: {response.text}"
        assert response.headers.get("www-authenticate") == "Bearer"
        assert response.json()["error"]["code"] == "unauthenticated"
        checked += 1
    assert checked >= 40


def test_garbage_credentials_get_401_everywhere(world: World) -> None:
    for route in world.routes:
        if route.is_public:
            continue
        for header in ("Bearer not-a-token", "Bearer bst_forged", "Basic YTpi", "Bearer "):
            response = world.client.request(
                route.method,
                route.url(_ids(world)),
                json=request_body(route, world.document),
                headers={"Authorization": header},
            )
            assert response.status_code == 401, f"{route.method} {route.path} {header}"


def test_non_admins_get_403_on_every_admin_route(world: World) -> None:
    admin_routes = [r for r in world.routes if r.is_admin]
    assert len(admin_routes) >= 10
    for route in admin_routes:
        response = world.client.request(
            route.method,
            route.url(_ids(world)),
            json=request_body(route, world.document),
            headers=world.b.headers,
        )
        assert response.status_code == 403, f"{route.method} {route.path}: {response.text}"
