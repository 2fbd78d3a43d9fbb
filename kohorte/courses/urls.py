"""The course's pages: staff under /verwaltung/kurse/, participants under /kurs/, the
public certificate check under /zertifikate/. Each area keeps its own patterns."""

from . import urls_attendance, urls_certificates, urls_projects, urls_schedule

app_name = "courses"
urlpatterns = [
    *urls_schedule.urlpatterns,
    *urls_attendance.urlpatterns,
    *urls_projects.urlpatterns,
    *urls_certificates.urlpatterns,
]
