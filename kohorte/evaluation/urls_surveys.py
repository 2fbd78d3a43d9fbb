"""The evaluation's surveys pages (included by kohorte/evaluation/urls.py)."""

urlpatterns = []
