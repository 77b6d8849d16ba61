"""Odd values in every path, query and form parameter of every route (issue 31, item 7). The
routes come from the app's URL map, so a new route is fuzzed without being named here; the
parameter names are those the code reads (`args.get("…")`, `args["…"]`, `request.form.get("…")`)
and those of the GET forms on the pages; the API is called with a bearer token and JSON. Each
route is called by a user whose role may use it, with a sample of odd values (not the whole
cross product): never a server error, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from app.config import PROJECT_ROOT
from app.platform.auth import create_token
from tests.conftest import login
from tests.figures import count

RAW = "%FF%FE"  # sent as it is: bytes that are not UTF-8
NUL = "\x00"  # refused for the whole request (400): sent in one parameter at a time
ODD = [
    "²",
    "1" * 25,
    "9" * 5000,
    "-1",
    "",
    "x" * 20_000,
    "2026-02-30",
    "０１",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    RAW,
    "1e309",
    "NaN",
    "9999-12-31",
    "\u202e反转",
]
# The first role that may use a route is the one it is called as (demo accounts).
ACCOUNTS = {
    "officer": "officer",
    "supervisor": "supervisor",
    "admin": "admin",
    "designer": "designer",
    "credit_officer": "credit",
    "agency_head": "agency_head",
    "unit_head": "unit_head",
    "legal_reviewer": "reviewer",
    "hearing_officer": "hearing",
}
READ = re.compile(r'\b(?:args|request\.form)(?:\.get\(|\.getlist\(|\[)\s*"(\w+)"')
GET_FORM = re.compile(r'<form[^>]*method="get"[^>]*>(.*?)</form>', re.DOTALL | re.IGNORECASE)
LINK = re.compile(r'(?:href|action|hx-post|hx-get)="(/[^"#]*)')
HARVEST = {
    "officer": ["/", "/tasks/", "/cases/", "/cases/1", "/library", "/enterprises/1"],
    "designer": ["/designer/", "/designer/processes/enforcement_case/model"],
    "supervisor": [
        "/supervision/dashboard",
        "/supervision/incidents",
        "/review/",
        "/prevention/warnings",
        "/prevention/draws",
        "/public/cases",
    ],
    "admin": ["/supervision/tokens"],
    "credit": ["/prevention/complaints", "/prevention/guidance"],
}
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*name="([\w-]+)"')
SKIPPED = {"static", "auth.logout", "home.set_language"}  # files; ends the session; a cookie
TRACEBACK = (b"Traceback (most recent call last)", b'File "/')


def names_read_by_the_code() -> set[str]:
    return {
        name
        for path in (PROJECT_ROOT / "app").rglob("*.py")
        for name in READ.findall(path.read_text(encoding="utf-8"))
    }


def encoded(value: str) -> str:
    return value if value == RAW else quote(value, safe="")


def path_of(rule: Rule, values: Mapping[str, str] | str) -> str:
    """The rule's path with each <converter:name> replaced by its value (or by one value)."""

    def value(match: re.Match[str]) -> str:
        text = values if isinstance(values, str) else values.get(match.group(1), "1")
        return encoded(text) or "0"

    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", value, rule.rule)


Attempt = tuple[str, list[tuple[str, str]], dict[str, str | list[str]]]


def attempts(
    rule: Rule, number: int, names: list[str], real: Mapping[str, str]
) -> Iterator[Attempt]:
    """(path, query, form) of each call to the rule. The odd values rotate over the parameters
    from one call to the next and from one rule to the next. Every other call has real values
    in the path (or 1), so that the query reaches the view; the first half of the calls send
    every name at once, the second half a few at a time, so that one refused name does not
    hide the others; a last call carries the NUL."""
    half = len(ODD) // 2
    for attempt in range(len(ODD)):
        shift = number + attempt
        chosen = [
            (k, name)
            for k, name in enumerate(names)
            if attempt < half or k % half == attempt % half
        ]
        query = [(name, ODD[(shift + 5 * k) % len(ODD)]) for k, name in chosen]
        form: dict[str, str | list[str]] = {
            name: ODD[(shift + 3 * k + 1) % len(ODD)] for k, name in chosen
        }
        for k, name in chosen[::3]:  # lists too, as a bulk action's ticked boxes send them
            form[name] = [ODD[(shift + k) % len(ODD)], ODD[(shift + k + 7) % len(ODD)]]
        yield path_of(rule, real if attempt % 2 else ODD[shift % len(ODD)]), query, form
    if rule.arguments:
        yield path_of(rule, NUL), [], {}
    else:
        yield rule.rule, [(names[number % len(names)], NUL)], {}


def real_path_values(app: Flask, callers: Callers) -> dict[str, dict[str, str]]:
    """Endpoint → path values of a link or form found on the main pages (real ids, hashes,
    decision and process names), so that odd query values reach the views behind them."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, dict[str, str]] = {}
    for username, pages in HARVEST.items():
        client, _ = callers.web(username)
        for page in pages:
            for target in LINK.findall(client.get(page).get_data(as_text=True)):
                for method in ("GET", "POST"):
                    try:
                        endpoint, values = adapter.match(target.split("?")[0], method=method)
                    except HTTPException:
                        continue
                    found.setdefault(endpoint, {k: str(v) for k, v in values.items()})
    return found


class Callers:
    """One logged-in client per account, and the API tokens, made on first use."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.clients: dict[str, tuple[FlaskClient, str]] = {}
        self.tokens: dict[str, str] = {}

    def account(self, roles: frozenset[str] | None) -> str:
        if not roles:  # public, or any logged-in user
            return "officer"
        return next(username for role, username in ACCOUNTS.items() if role in roles)

    def web(self, username: str) -> tuple[FlaskClient, str]:
        if username not in self.clients:
            client = self.app.test_client()
            self.clients[username] = (client, login(client, username))
        return self.clients[username]

    def bearer(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            with self.app.app_context():
                self.tokens[username] = create_token(username, "route-fuzz")
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def test_odd_values_in_every_route_parameter_are_never_a_server_error(gallery_app: Flask) -> None:
    app = gallery_app
    callers = Callers(app)
    for username in ACCOUNTS.values():  # before the odd logins count against the address
        callers.web(username)
    query_names = names_read_by_the_code()
    officer, _ = callers.web("officer")
    for page in ("/cases/", "/library", "/tasks/", "/public/cases", "/supervision/audit"):
        client, _ = callers.web("supervisor" if page.startswith("/supervision") else "officer")
        for form in GET_FORM.findall(client.get(page).get_data(as_text=True)):
            query_names |= set(FIELD.findall(form))
    assert {"filter", "q", "since", "until", "before", "after", "days"} <= query_names
    names = sorted(query_names)
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED]
    assert len(rules) >= 100
    harvested = real_path_values(app, callers)
    assert len(harvested) >= 30
    tried = 0
    for number, rule in enumerate(sorted(rules, key=lambda r: (r.rule, r.endpoint))):
        view = app.view_functions[rule.endpoint]
        username = callers.account(getattr(view, "access_roles", None))
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        real = harvested.get(rule.endpoint, {})
        for attempt, (path, query, form) in enumerate(attempts(rule, number, names, real)):
            method = methods[attempt % len(methods)]
            url = f"{path}?{'&'.join(f'{name}={encoded(value)}' for name, value in query)}"
            if rule.rule.startswith("/api/"):
                answer = app.test_client().open(
                    url,
                    method=method,
                    headers=callers.bearer(username),
                    json=form if method != "GET" else None,
                )
            else:
                client, token = callers.web(username)
                answer = client.open(
                    url,
                    method=method,
                    data={"csrf_token": token, **form} if method != "GET" else None,
                )
            tried += 1
            body = answer.get_data()
            assert answer.status_code < 500, (method, rule.rule, url[:300])
            assert not any(mark in body for mark in TRACEBACK), (method, rule.rule)
    count("bad_inputs_tried", tried)
    assert officer.get("/cases/").status_code == 200  # the session survived every call
