"""The course's schedule pages (included by kohorte/courses/urls.py)."""

urlpatterns = []
