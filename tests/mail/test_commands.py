"""`manage.py mail_server_config` writes the configuration the stack suite runs on, for a server's services."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from apps.servers.models import Server


@pytest.mark.django_db
def test_the_command_writes_the_servers_configuration(tmp_path):
    Server.objects.create(
        name="mx1", hostname="mx1.example.net", mail=True, provisioning_root="/srv/paneel", services={"lmtp_port": 2424}
    )
    call_command("mail_server_config", "mx1", "--output", str(tmp_path))
    main_cf = (tmp_path / "postfix" / "main.cf").read_text()
    assert "virtual_transport = lmtp:inet:127.0.0.1:2424\n" in main_cf
    assert "virtual_alias_maps = hash:/srv/paneel/mail/postfix/aliases\n" in main_cf
    dovecot = (tmp_path / "dovecot" / "dovecot.conf").read_text()
    assert "args = scheme=SHA512-CRYPT /srv/paneel/mail/passwd" in dovecot and "port = 2424" in dovecot
    assert (tmp_path / "sieve-filters" / "spamc").stat().st_mode & 0o111


@pytest.mark.django_db
def test_the_command_refuses_a_server_without_the_mail_role(tmp_path):
    Server.objects.create(name="web1", hostname="web1.example.net", web=True)
    with pytest.raises(CommandError, match="mail role"):
        call_command("mail_server_config", "web1", "--output", str(tmp_path))
