"""The course's certificates pages (included by kohorte/courses/urls.py)."""

urlpatterns = []
