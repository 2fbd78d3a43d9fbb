"""Plain function hooks by which later stages add links to earlier stages' pages.

An earlier stage (applications) must not import a later one (selection, courses). Its
page asks the functions named in a setting for links instead; each returns a list of
``Link``s the user may follow (it checks the permission itself).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    primary: bool = False


def links(setting: str, **kwargs) -> list[Link]:
    found = []
    for path in getattr(settings, setting, []):
        found.extend(import_string(path)(**kwargs))
    return found
