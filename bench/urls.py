from django.urls import path

from bench import views
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("bench/trivial", views.trivial, name="bench_trivial"),
    path("bench/touch", views.touch, name="bench_touch"),
    *app_urlpatterns,
]
