from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("cari", views.search, name="search"),
    path("perkhidmatan/<uuid:service_id>", views.service_detail, name="service"),
]
