from django.contrib import admin
from django.urls import include, path

from config import views
from quiz.dashboard import views as dashboard_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", dashboard_views.home, name="home"),
    path("", include("quiz.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
