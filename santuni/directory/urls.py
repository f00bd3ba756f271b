from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("cari", views.search, name="search"),
    path("perkhidmatan/<uuid:service_id>", views.service_detail, name="service"),
    path("organisasi/<uuid:organization_id>", views.organization_detail, name="organization"),
    # Self-service: the CBO head's own listing (no id to guess), the district officer's checks.
    path("urus/cbo", views.my_cbo, name="my_cbo"),
    path("urus/cbo/profil", views.listing_edit, name="profile_edit"),
    path("urus/cbo/perkhidmatan/<uuid:service_id>", views.listing_edit, name="service_edit"),
    path("urus/semakan", views.review_queue, name="review_queue"),
    path("urus/semakan/<uuid:change_id>", views.review, name="review"),
    path("urus/belum-disahkan", views.unverified, name="unverified"),
    path("urus/sahkan/<str:kind>/<uuid:listing_id>", views.verify_listing, name="verify_listing"),
]
