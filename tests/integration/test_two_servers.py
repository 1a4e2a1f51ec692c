"""Two web servers, two workers (`manage.py db_worker --queue-name <server>`, as each hosting machine runs it),
two provisioning roots, one database (DESIGN 8): each account's files appear only under its own server's root,
and each job is run by its own server's worker, never by the other one."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

FTP_PASSWORD = "Ftpsecret1"


def test_each_account_lives_on_its_server_and_each_job_runs_on_its_servers_worker(stack):
    roots = {name: stack.directory / f"root-{name}" for name in ("web1", "web2")}
    for name, root in roots.items():
        stack.control.call("create_server", name=name, root=str(root))
    pack = stack.control.call("setup_reseller", slug="alpha")["servicepack_id"]
    created = {}
    for identifier in ("one.example", "two.example"):
        created[identifier] = stack.control.call(
            "create_account", slug="alpha", identifier=identifier, servicepack_id=pack, ftp_password=FTP_PASSWORD
        )
    placed = {
        identifier: stack.control.call("placement", account_id=c["account_id"])["web"]
        for identifier, c in created.items()
    }
    assert sorted(placed.values()) == ["web1", "web2"]  # least loaded: one account each

    workers = {name: stack.start_worker(queue_name=name) for name in roots}
    for made in created.values():
        stack.wait_for_job(made["job_id"], "finished")
    for identifier, server in placed.items():
        other = "web2" if server == "web1" else "web1"
        assert (roots[server] / "sites" / identifier / "www" / "index.html").is_file()
        assert (
            f"server_name {identifier} www.{identifier};"
            in (roots[server] / "vhosts" / f"{identifier}.conf").read_text()
        )
        assert not (roots[other] / "sites" / identifier).exists()
        assert not (roots[other] / "vhosts" / f"{identifier}.conf").exists()
        assert not (stack.provisioning_root / "sites" / identifier).exists()  # the worker's own default root
        ran = stack.control.call("job_workers", job_id=created[identifier]["job_id"])
        assert ran == {"server": server, "queues": [server], "workers": [workers[server].name]}

    # A later change of one hosting: its job too goes to that hosting's server only.
    identifier = "two.example"
    hosting = stack.control.call("account", account_id=created[identifier]["account_id"])["assets"][0]
    job_id = stack.control.call("change_setting", slug="alpha", asset_id=hosting["id"], enabled=False)["job_id"]
    stack.wait_for_job(job_id, "finished")
    server = placed[identifier]
    assert "gzip off;" in (roots[server] / "vhosts" / f"{identifier}.conf").read_text()
    ran = stack.control.call("job_workers", job_id=job_id)
    assert ran == {"server": server, "queues": [server], "workers": [workers[server].name]}
    for worker in workers.values():
        assert worker.is_alive(), worker.describe()
