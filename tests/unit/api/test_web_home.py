"""The shell of the pages through FastAPI's TestClient (issue 13 items 6 and 11): ``/`` is an
HTML landing page linking the three roles; the page language comes from ``?lang=`` and else
from the ``zz_lang`` cookie the toggle sets (the link wins); the header names the office; each
page's footer is its role's (an applicant's uploads are stored, a verifier's are not)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("home-office"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)" class="lang-(\w+)"', page)
    assert match, page[:200]
    return match.group(2)


def footer_of(page: str) -> str:
    match = re.search(r'<footer id="footer">.*?data-footer="(\w+)"', page, re.S)
    assert match, page[-800:]
    return match.group(1)


def test_the_landing_page_links_applicants_verifiers_and_clerks(client: TestClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    for path, word in (("/apply", "办事"), ("/verify", "核验"), ("/clerk/queue", "审核")):
        assert re.search(rf'<a href="{path}" data-role="\w+">\s*<strong><span class="zh">'
                         rf'{word}</span>', answer.text), path
    assert "示例市行政审批局（演示）" in answer.text  # the office's name, not a product slogan
    assert "电子证照核验" not in answer.text
    assert footer_of(answer.text) == "office"


@pytest.mark.parametrize(("query", "cookie", "lang"), [
    ("", None, "zh"),
    ("", "en", "en"),
    ("", "zh", "zh"),
    ("", "klingon", "zh"),
    ("?lang=en", None, "en"),
    ("?lang=zh", "en", "zh"),  # the link wins over the cookie
    ("?lang=en", "zh", "en"),
])
@pytest.mark.parametrize("path", ["/", "/login", "/verify", "/v"])
def test_the_page_language_follows_the_link_then_the_cookie(
        client: TestClient, path: str, query: str, cookie: str | None, lang: str) -> None:
    client.cookies.clear()
    if cookie is not None:
        client.cookies.set("zz_lang", cookie)
    answer = client.get(path + query)
    client.cookies.clear()
    assert answer.status_code == 200
    assert html_lang(answer.text) == lang


def test_each_role_s_pages_have_its_footer(client: TestClient) -> None:
    assert footer_of(client.get("/verify").text) == "verifier"
    assert footer_of(client.get("/v").text) == "verifier"
    assert footer_of(client.get("/login").text) == "office"
    verifier = client.get("/verify").text
    assert "不会保存" in verifier and "not kept" in verifier
    assert "保存您上传的文件" not in client.get("/").text
