"""The bar charts with withheld counts: nothing drawn that would give one away."""

from django.utils import translation

from .. import charts


def test_withheld_counts_share_one_grey_segment_and_a_withheld_total_draws_no_bar():
    with translation.override("en"):
        chart = charts.stacked_bars(chart_id="c", series=["Tier 1", "Tier 2", "Ineligible"], rows=[
            ("Kassel", [None, None, 7], 10), ("Gießen", [4, 5, 6], None)])
        kreise = charts.stacked_bars(chart_id="k", series=["Applications"], rows=[
            ("Fulda (Landkreis)", [None], None), ("Gießen (Landkreis)", [6], None)])
    kassel, giessen = chart["bars"]
    assert [(s["series"], s["value"], s["pattern"]) for s in kassel["segments"]] == [
        ("Ineligible", 7, "c-dots"), (None, 3, "c-withheld")]
    assert kassel["total"] == 10 and giessen["total"] == 15
    assert chart["desc"].startswith(
        "Kassel: 10 (Tier 1: withheld, Tier 2: withheld, Ineligible: 7). Gießen: 15")
    assert [item["series"] for item in chart["legend"]][-1] == "withheld"
    assert all(item["x"] + 22 + 150 <= charts.WIDTH for item in chart["legend"])
    fulda = kreise["bars"][0]
    assert fulda["total"] is None and fulda["segments"] == []
    assert kreise["desc"] == "Fulda (Landkreis): withheld. Gießen (Landkreis): 6."
