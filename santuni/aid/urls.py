from django.urls import path

from . import views

app_name = "aid"
urlpatterns = [path("", views.screener, name="screener")]
