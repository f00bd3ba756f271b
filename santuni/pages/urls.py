from django.urls import path

from . import views

app_name = "pages"
urlpatterns = [
    path("akaun/", views.home, name="home"),
    path("organisasi/<uuid:organization_id>", views.organization_detail, name="organization"),
]
