from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from tracker.views import leads, shell, sponsors

urlpatterns = [
    path("", shell.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("booths/", shell.my_booths, name="my-booths"),
    path("sponsors/<int:pk>/", sponsors.sponsor_overview, name="sponsor-overview"),
    path("sponsorships/<int:pk>/", sponsors.sponsorship_detail, name="sponsorship-detail"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead-detail"),
    path("admin/", admin.site.urls),
]
