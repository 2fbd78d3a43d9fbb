"""Moving through a page the way a keyboard user does: Tab, Shift+Tab, arrows, Enter, Space.

Every helper is bounded: an element that cannot be reached within a number of key
presses is a failure that names where the focus was instead.
"""

MAX_PRESSES = 80

_DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return "<body> (nothing focused)"; }
  const name = el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].innerText)
    || el.innerText || el.value || "";
  return `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}> ${name.trim().slice(0, 60)}`;
}"""


def focused_description(page) -> str:
    return page.evaluate(_DESCRIBE_FOCUS)


def is_focused(page, handle) -> bool:
    return page.evaluate("(el) => el === document.activeElement", handle)


def tab_to(page, locator, *, backwards: bool = False, max_presses: int = MAX_PRESSES):
    """Press Tab (or Shift+Tab) until ``locator`` has the focus; returns its element handle."""
    handle = locator.element_handle(timeout=5_000)
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(max_presses):
        if is_focused(page, handle):
            return handle
        page.keyboard.press(key)
    if is_focused(page, handle):
        return handle
    raise AssertionError(
        f"{locator} was not reached with {max_presses} × {key}; "
        f"the focus is on {focused_description(page)}"
    )


def activate(page, locator, *, key: str = "Enter"):
    """Tab to a link or button and press Enter (or Space)."""
    tab_to(page, locator)
    page.keyboard.press(key)


def follow(page, locator):
    """Tab to a link or button, press Enter and wait for the page it leads to."""
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, locator, text: str):
    """Tab to a field and type, as a person does (the field is empty beforehand)."""
    tab_to(page, locator)
    page.keyboard.type(text)


def type_date(page, locator, day, *, order: str):
    """Type a date into a date field digit by digit, in the field's own order (``DMY``)."""
    parts = {"D": f"{day.day:02d}", "M": f"{day.month:02d}", "Y": f"{day.year:04d}"}
    type_into(page, locator, "".join(parts[letter] for letter in order))


def choose_radio(page, group_name: str, target, *, max_presses: int = 20):
    """Tab into a radio group, move with the arrow keys to ``target``, select it with Space."""
    for _ in range(MAX_PRESSES):
        if page.evaluate(
            "(name) => document.activeElement && document.activeElement.type === 'radio'"
            " && document.activeElement.name === name", group_name):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"radio group {group_name!r} not reached; focus on {focused_description(page)}")
    handle = target.element_handle(timeout=5_000)
    for _ in range(max_presses):
        if is_focused(page, handle):
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"{target} not reached with the arrow keys in {group_name!r}")
    page.keyboard.press("Space")
    assert target.is_checked(), f"{target} is not selected after Space"


def focus_is_visible(page) -> bool:
    """The focused element shows a focus indicator: an outline or a box shadow."""
    return page.evaluate("""() => {
      const el = document.activeElement;
      if (!el || el === document.body) { return false; }
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      const shadow = style.boxShadow && style.boxShadow !== "none";
      return Boolean(outline || shadow);
    }""")
