"""The evaluation's pages: staff under /verwaltung/evaluation/, participants under
/befragung/. Each area keeps its own patterns."""

from . import urls_report, urls_surveys

app_name = "evaluation"
urlpatterns = [*urls_surveys.urlpatterns, *urls_report.urlpatterns]
