"""The evaluation's pages: staff under /verwaltung/evaluation/, participants under
/befragung/. Each area keeps its own patterns."""

from django.urls import path

from . import urls_report, urls_surveys
from .views import index

app_name = "evaluation"
urlpatterns = [
    path("verwaltung/evaluation/", index.evaluation_index, name="index"),
    *urls_surveys.urlpatterns,
    *urls_report.urlpatterns,
]
