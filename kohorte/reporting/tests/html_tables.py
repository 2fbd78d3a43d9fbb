"""The tables of a page as text, to check what a reader sees in each cell."""

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self._table, self._part, self._row, self._text = [], None, None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = {"caption": "", "head": [], "body": [], "foot": []}
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td", "caption"):
            self._text = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._row is not None:
            self._row.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "caption" and self._table is not None:
            self._table["caption"] = " ".join("".join(self._text).split())
            self._text = None
        elif tag == "tr" and self._table is not None and self._part:
            self._table[self._part].append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = self._part = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def tables(html: str) -> list[dict]:
    """Every table: {"caption": text, "head"/"body"/"foot": rows of cell texts}."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def small_counts(html: str, *, below: int, captions: tuple[str, ...]) -> list[tuple[str, str]]:
    """(caption, cell) for every count from 1 to ``below`` - 1 in the bodies of the tables
    whose caption starts with one of ``captions``, the last column (a row's total) left
    out where the header calls it a total."""
    found = []
    for table in tables(html):
        if not table["caption"].startswith(captions):
            continue
        head = table["head"][0] if table["head"] else []
        has_total = bool(head) and head[-1] in ("Total", "Summe", "Gesamt")
        for row in table["body"]:
            cells = row[1:-1] if has_total else row[1:]
            found += [(table["caption"], cell) for cell in cells
                      if cell.isdigit() and 0 < int(cell) < below]
    return found
