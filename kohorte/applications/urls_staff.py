from django.urls import path

app_name = "staff_applications"
urlpatterns: list = []
