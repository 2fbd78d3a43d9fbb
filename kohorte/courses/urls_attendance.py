"""The course's attendance pages (included by kohorte/courses/urls.py)."""

urlpatterns = []
