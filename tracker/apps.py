from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Booth tracker"
    default_auto_field = "django.db.models.BigAutoField"
