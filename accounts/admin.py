from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Exam", {"fields": ("display_name", "extra_time_accommodation")}),
    )
    list_display = ("username", "email", "display_name", "is_staff", "extra_time_accommodation")
