"""The budget's pages, under /verwaltung/haushalt/."""

app_name = "budget"
urlpatterns = []
