from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "apps.mail"
    label = "mail"
    verbose_name = "Mail"

    def ready(self) -> None:
        from apps.mail.jobs import ZONE_REMOVAL, run_mail_zone_job
        from apps.provisioning.runner import register_account_hook, register_handler

        register_handler("mail_zone.update", run_mail_zone_job)
        register_account_hook(ZONE_REMOVAL)
