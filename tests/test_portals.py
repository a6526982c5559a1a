"""Per-portal rules files and their fixture pages.

Every rules file in `cleaners/portals/` has a hand-written fixture page in `tests/fixtures/portals/`
(`<name>.html` plus `<name>.json` with the URL, the expected clean record and the teaser strings
that must not survive). The fixtures are invented articles laid out in the portal's documented
markup, with that portal's inline teasers and boilerplate inside the body.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cleaners.portals import RulesError, all_portals, parse_rules, portal_for_url

FIXTURES = Path(__file__).parent / "fixtures" / "portals"
EXPECTED_KEYS = ("portal", "title", "authors", "published_at", "section", "text")


def rules_names() -> list[str]:
    folder = resources.files("cleaners") / "portals"
    return sorted(e.name.removesuffix(".toml") for e in folder.iterdir() if e.name.endswith(".toml"))


def fixture_names() -> set[str]:
    return {p.stem for p in FIXTURES.glob("*.json")} | {p.stem for p in FIXTURES.glob("*.html")}


@cache
def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


PORTALS = rules_names()


# (a) completeness: every rules file has a fixture, every fixture has a rules file


def test_there_are_rules_files() -> None:
    assert "viva" in PORTALS
    assert len(PORTALS) >= 12


@pytest.mark.parametrize("name", PORTALS)
def test_rules_file_has_fixture(name: str) -> None:
    assert (FIXTURES / f"{name}.html").is_file(), f"no fixture page tests/fixtures/portals/{name}.html"
    assert (FIXTURES / f"{name}.json").is_file(), f"no fixture record tests/fixtures/portals/{name}.json"


def test_every_fixture_has_rules_file() -> None:
    orphans = sorted(fixture_names() - set(PORTALS))
    assert not orphans, f"fixtures without a rules file in cleaners/portals/: {orphans}"


@pytest.mark.parametrize("name", PORTALS)
def test_fixture_record_shape(name: str) -> None:
    fixture = load_fixture(name)
    assert set(fixture) == {"url", "expected", "teasers"}
    assert set(fixture["expected"]) == set(EXPECTED_KEYS)
    assert fixture["expected"]["portal"] == name
    assert fixture["teasers"], "a fixture must carry teasers/boilerplate to check"
    for teaser in fixture["teasers"]:
        assert teaser not in fixture["expected"]["text"], f"teaser {teaser!r} is in the expected text"


# (b) every rules file loads, and its hosts and article pattern accept its fixture URL


@pytest.mark.parametrize("name", PORTALS)
def test_rules_file_parses(name: str) -> None:
    text = (resources.files("cleaners") / "portals" / f"{name}.toml").read_text(encoding="utf-8")
    rules = parse_rules(text, origin=f"{name}.toml")
    assert rules.name == name, "a rules file's `name` must equal its file name"
    assert rules.hosts, "a rules file must name its hosts"
    assert rules.body, "a rules file must give body container selectors"


def test_all_rules_files_load() -> None:
    loaded = sorted(p.name for p in all_portals())
    assert loaded == PORTALS, "a rules file's `name` must equal its file name"


@pytest.mark.parametrize("name", PORTALS)
def test_fixture_url_routes_to_portal(name: str) -> None:
    url = load_fixture(name)["url"]
    rules = portal_for_url(url)
    assert rules.name == name, f"{url} is routed to {rules.name!r}"
    assert rules.timezone == "+07:00"
    assert rules.is_article_url(url) is not False, f"{url} does not match article_url of {name}"


# (c) the fixture cleaned through the one cleaning path gives the expected record, no teasers


@pytest.mark.parametrize("name", PORTALS)
def test_clean_fixture(name: str) -> None:
    from cleaners.pipeline import clean_page
    from cleaners.types import Article, Page

    fixture = load_fixture(name)
    html = (FIXTURES / f"{name}.html").read_bytes()
    result = clean_page(
        Page(url=fixture["url"], body=html, headers={"content-type": "text/html; charset=utf-8"})
    )
    assert isinstance(result, Article), f"{name}: rejected: {result}"
    record = result.to_dict()
    for key, expected in fixture["expected"].items():
        assert record[key] == expected, f"{name}: field {key!r}"
    leaked = [t for t in fixture["teasers"] if t in result.text]
    assert not leaked, f"{name}: teaser/boilerplate leaked into the text: {leaked}"


# (d) parse_rules rejects malformed rules files


GOOD = 'name = "x"\nhosts = ["x.example"]\nbody = ["div.content"]\n'


def test_parse_rules_accepts_minimal_file() -> None:
    rules = parse_rules(GOOD)
    assert rules.name == "x"
    assert rules.body == ("div.content",)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(GOOD + 'bodyy = ["div.article"]\n', id="unknown-key"),
        pytest.param(GOOD + 'drop = ["div.ad >"]\n', id="bad-drop-selector"),
        pytest.param(GOOD + 'title = ["h1..title"]\n', id="bad-title-selector"),
        pytest.param(GOOD + "drop_lines = ['^(Sumber']\n", id="bad-drop-lines-regex"),
        pytest.param(GOOD + "article_url = '/read/[0-9'\n", id="bad-article-url-regex"),
        pytest.param('hosts = ["x.example"]\n', id="no-name"),
        pytest.param('name = "x"\nhosts = [1]\n', id="non-string-list"),
        pytest.param('name = "x"\nhosts = ["x.example"\n', id="not-toml"),
    ],
)
def test_parse_rules_rejects(text: str) -> None:
    with pytest.raises(RulesError):
        parse_rules(text, origin="test.toml")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('name = "x"\nhosts = "x.example"\n', id="hosts-string"),
        pytest.param('name = "x"\nhosts = ["x.example"]\nbody = "div"\n', id="body-string"),
    ],
)
def test_parse_rules_rejects_string_for_list(text: str) -> None:
    with pytest.raises(RulesError):
        parse_rules(text, origin="test.toml")
