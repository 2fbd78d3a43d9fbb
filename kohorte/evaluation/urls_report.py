"""The evaluation's report pages (included by kohorte/evaluation/urls.py)."""

urlpatterns = []
