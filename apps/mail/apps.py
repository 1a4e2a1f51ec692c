from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "apps.mail"
    label = "mail"
    verbose_name = "Mail"

    def ready(self) -> None:
        from apps.mail.jobs import run_mail_zone_job
        from apps.provisioning.runner import TARGET_HANDLERS

        TARGET_HANDLERS["mail_zone"] = run_mail_zone_job
