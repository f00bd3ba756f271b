from django.urls import path

from . import views

app_name = "listings"
urlpatterns = [
    # The CBO head's own listing (no id to guess), the district officer's checks.
    path("cbo", views.my_cbo, name="my_cbo"),
    path("cbo/profil", views.listing_edit, name="profile_edit"),
    path("cbo/perkhidmatan/<uuid:service_id>", views.listing_edit, name="service_edit"),
    path("semakan", views.review_queue, name="review_queue"),
    path("semakan/<uuid:change_id>", views.review, name="review"),
    path("belum-disahkan", views.unverified, name="unverified"),
    path("sahkan/<str:kind>/<uuid:listing_id>", views.verify_listing, name="verify_listing"),
]
