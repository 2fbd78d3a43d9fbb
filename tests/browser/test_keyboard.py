"""Keyboard use beyond the journey: the skip link, and a visible focus on what one tabs to."""

import pytest

from .flows import t
from .keyboard import focus_is_visible, focused_description, tab_to

pytestmark = pytest.mark.browser


def test_the_skip_link_comes_first_and_moves_the_focus_past_the_navigation(page, base_url,
                                                                          open_call):
    page.goto(open_call.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.locator(".kohorte-skip-link")
    assert page.evaluate("(el) => el === document.activeElement", skip.element_handle())
    assert skip.inner_text().strip() == t("Skip to content")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is on screen"
    assert focus_is_visible(page)

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "inhalt"
    page.keyboard.press("Tab")
    assert page.evaluate("() => Boolean(document.activeElement.closest('main'))"), (
        f"after the skip link, Tab should stay in the content; focus on {focused_description(page)}")


def test_the_focus_is_visible_on_links_buttons_and_fields(page, base_url, open_call):
    page.goto("/konto/anmelden/")
    targets = {
        "a link in the navigation": page.get_by_role("navigation", name=t("Main navigation"))
        .get_by_role("link", name=t("Calls for applications")),
        "the language button": page.locator(".kohorte-language button"),
        "a text field": page.get_by_label(t("Your e-mail address")),
        "the main button": page.get_by_role("button", name=t("Send sign-in link")),
        "a link in the content": page.get_by_role("link", name=t("Sign-in for staff")),
        "a link in the footer": page.get_by_role("link", name=t("Accessibility statement")),
    }
    invisible = []
    for name, locator in targets.items():  # in the page's own order: Tab only goes forward
        tab_to(page, locator)
        if not focus_is_visible(page):
            invisible.append(f"{name}: {focused_description(page)}")
    assert not invisible, "no visible focus indicator on\n" + "\n".join(invisible)


def test_shift_tab_goes_back_the_same_way(page, base_url, open_call):
    page.goto("/konto/anmelden/")
    field = page.get_by_label(t("Your e-mail address"))
    button = page.get_by_role("button", name=t("Send sign-in link"))
    tab_to(page, button)
    tab_to(page, field, backwards=True, max_presses=3)
    assert page.evaluate("() => document.activeElement.type") == "email"
