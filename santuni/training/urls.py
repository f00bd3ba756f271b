"""Capacity building: programmes, events and the CBO members who attended."""

from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.event_list, name="events"),
    path("<uuid:event_id>", views.event_detail, name="event"),
    path("kehadiran/<uuid:attendance_id>/buang", views.attendance_remove, name="attendance_remove"),
]
