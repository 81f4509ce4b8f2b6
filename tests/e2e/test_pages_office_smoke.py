"""The shared page-test office serves pages and makes accounts that can sign in."""

from __future__ import annotations

import pytest
from pages_office import Office, browser, sign_in

from api.db import Role

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_new_applicant_signs_in_and_sees_the_services(pages_office: Office) -> None:
    name = pages_office.new_user(Role.APPLICANT)
    with browser() as chromium:
        page = chromium.new_page()
        sign_in(page, pages_office.base, name)
        assert page.url == f"{pages_office.base}/apply"
        assert page.locator("a[data-service=id-card-renewal]").count() == 1
