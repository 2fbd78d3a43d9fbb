from django.urls import path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("ausschreibungen/<int:pk>/zahlen/", views.call_figures, name="call_figures"),
]
