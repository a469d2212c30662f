from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Booth tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from tracker.analytics import freshness
        from tracker.devices import forget_devices
        from tracker.models import DeviceToken, Sponsorship, StaffMember

        # What a device may do changes with its token, its staff membership and the roster.
        for model in (DeviceToken, StaffMember, Sponsorship):
            post_save.connect(
                forget_devices, sender=model, dispatch_uid=f"forget-devices-save-{model.__name__}"
            )
            post_delete.connect(
                forget_devices, sender=model, dispatch_uid=f"forget-devices-delete-{model.__name__}"
            )
        m2m_changed.connect(
            forget_devices, sender=StaffMember.sponsorships.through, dispatch_uid="forget-devices-roster"
        )
        # The scan API keeps each sponsor's questions by a stamp that changes with any of them.
        from tracker.models import Question
        from tracker.questions.service import question_saved

        post_save.connect(question_saved, sender=Question, dispatch_uid="questions-saved")
        post_delete.connect(question_saved, sender=Question, dispatch_uid="questions-deleted")
        # The figures kept in the cache are forgotten when one of their inputs changes.
        freshness.connect()
