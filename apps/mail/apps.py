from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "apps.mail"
    label = "mail"
    verbose_name = "Mail"

    def ready(self) -> None:
        from apps.mail.jobs import remove_zone_with_account, run_mail_zone_job
        from apps.provisioning.runner import ACCOUNT_HOOKS, register_handler

        register_handler("mail_zone.update", run_mail_zone_job)
        if remove_zone_with_account not in ACCOUNT_HOOKS:
            ACCOUNT_HOOKS.append(remove_zone_with_account)
