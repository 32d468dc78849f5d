"""A lead reads the dashboard in a real browser: the figures render, a filter change swaps the results
in place and keeps the URL shareable, and the confusion matrix is there."""

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.workspace.dashboard_data import worked_history
from tickets import roles
from tickets.services import source_create


def test_a_lead_filters_the_dashboard_and_finds_the_confusion_matrix(browser_page, django_user_model):
    page, base_url = browser_page
    lead = django_user_model.objects.create_user("lead", password="pw")
    lead.groups.set(Group.objects.filter(name__in=[roles.AGENTS, roles.LEADS]))
    worked_history(source_create(name="Tallyhive Helpdesk", slug="tallyhive").source, lead)

    log_in(page, base_url, "lead")
    page.click("nav >> text=Dashboard")
    page.wait_for_url(f"{base_url}/dashboard/")
    matrix = page.locator("#confusion-matrix")
    assert "billing" in matrix.inner_text()
    assert "2 of 3" in page.locator(".tiles").inner_text()
    screenshot(page, "dashboard")

    page.select_option("select[name=prompt_version]", "enrich-v1")
    page.wait_for_url("**/dashboard/?*prompt_version=enrich-v1*")
    expect(page.locator(".tiles")).to_contain_text("0 of 1")
    assert page.locator("#confusion-matrix").inner_text().split("\n")[1].startswith("technical")
    screenshot(page, "dashboard-filtered")

    # The URL is shareable: opening it fresh shows the same filtered figures.
    page.goto(page.url)
    assert page.locator("select[name=prompt_version]").input_value() == "enrich-v1"
    assert "0 of 1" in page.locator(".tiles").inner_text()

    # Dates appear only for "Dates…", and a period without a first day is a form error, not a 500.
    assert not page.locator("input[name=start]").is_visible()
    page.select_option("select[name=period]", "custom")
    assert page.locator("input[name=start]").is_visible()
    page.wait_for_selector("#dashboard-results .errors")
    assert "Pick the first day of the period." in page.locator("#dashboard-results").inner_text()
    page.fill("input[name=start]", "2020-01-01")
    page.dispatch_event("input[name=start]", "change")
    page.wait_for_selector("#confusion-matrix")
    assert "0 of 1" in page.locator(".tiles").inner_text()
    assert page.dialogs == []
