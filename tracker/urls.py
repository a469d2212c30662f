from django.contrib.auth import views as auth_views
from django.urls import path

from tracker.admin import site as admin_site
from tracker.views import api, booth, bulk, exports, follow_ups, icp, lead_list, leads, shell, sponsors

urlpatterns = [
    path("", shell.home, name="home"),
    path("healthz", shell.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("booths/", shell.my_booths, name="my-booths"),
    path("sponsors/<int:pk>/", sponsors.sponsor_overview, name="sponsor-overview"),
    path("sponsors/<int:pk>/icp/", icp.icp_editor, name="icp-editor"),
    path("sponsors/<int:pk>/icp/draft/", icp.icp_draft_create, name="icp-draft-create"),
    path("sponsors/<int:pk>/icp/publish/", icp.icp_draft_publish, name="icp-publish"),
    path("sponsors/<int:pk>/follow-up-rules/", follow_ups.follow_up_rules, name="follow-up-rules"),
    path("sponsors/<int:pk>/icp/progress.json", icp.icp_progress, name="icp-progress"),
    path("sponsorships/<int:pk>/", sponsors.sponsorship_detail, name="sponsorship-detail"),
    path("sponsorships/<int:pk>/scan/", booth.scan_screen, name="scan-screen"),
    path("sponsorships/<int:pk>/board/", booth.board, name="booth-board"),
    path("sponsorships/<int:pk>/board.json", booth.board_data, name="booth-board-data"),
    path("sponsorships/<int:pk>/leads/", lead_list.lead_list, name="lead-list"),
    path(
        "sponsorships/<int:pk>/follow-ups/create/",
        follow_ups.follow_ups_create_view,
        name="follow-ups-create",
    ),
    path("sponsorships/<int:pk>/unknown-badges/", booth.unknown_badges, name="unknown-badges"),
    path("sw.js", booth.service_worker, name="service-worker"),
    path("leads/", lead_list.lead_list, name="all-leads"),
    path("leads/bulk/", bulk.leads_bulk, name="leads-bulk"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead-detail"),
    path("follow-ups/", follow_ups.follow_up_list, name="follow-up-list"),
    path("follow-ups/mine/", follow_ups.my_follow_ups, name="my-follow-ups"),
    path("follow-ups/bulk/", bulk.follow_ups_bulk, name="follow-ups-bulk"),
    path("follow-ups/<int:pk>/status/", follow_ups.follow_up_status, name="follow-up-status"),
    path("exports/", exports.exports_page, name="exports"),
    path("exports/new/", exports.export_create, name="export-create"),
    path("exports/<int:pk>/progress.json", exports.export_progress, name="export-progress"),
    path("exports/<int:pk>/download/", exports.export_download, name="export-download"),
    path("api/scans/", api.scans, name="api-scans"),
    path("api/scans/lookup/", api.lookup, name="api-lookup"),
    path("api/scans/amend/", api.amend, name="api-amend"),
    path("api/session/", api.session, name="api-session"),
    path("admin/", admin_site.urls),
]
