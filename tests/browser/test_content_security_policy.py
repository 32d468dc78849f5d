"""Under the Content-Security-Policy (no inline script, nothing from other sites), the pages that run
scripts still work in a real browser: the admin's and Swagger UI's. The agent's and the lead's pages are
driven by the other browser tests, which fail on any blocked load too (conftest's `csp_violations`)."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_the_admin_and_the_api_docs_run_their_scripts_under_the_policy(browser_page, django_user_model):
    page, base_url = browser_page
    django_user_model.objects.create_superuser("root", password="pw")

    response = page.goto(f"{base_url}/admin/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")

    # The admin's own script fills the slug in as the name is typed.
    page.goto(f"{base_url}/admin/tickets/source/add/")
    page.locator("#id_name").press_sequentially("Acme Helpdesk")
    expect(page.locator("#id_slug")).to_have_value("acme-helpdesk")

    # Swagger UI builds the operations list from the schema with its scripts.
    page.goto(f"{base_url}/api/docs/")
    page.wait_for_selector(".opblock")
    assert "/api/v1/tickets" in page.locator("#swagger-ui").inner_text()
    screenshot(page, "api-docs")
    assert page.csp_violations == []
