from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin with the site of ``config/admin.py`` as ``admin.site``."""

    default_site = "config.admin.AdminSite"
