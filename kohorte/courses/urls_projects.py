"""The course's projects pages (included by kohorte/courses/urls.py)."""

urlpatterns = []
