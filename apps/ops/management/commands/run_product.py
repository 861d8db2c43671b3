"""Run the whole product for a demo: migrate, load demo data once, web server + Celery worker.

`make run` calls this. The web server and the worker write to logs under var/log/, and the
banner (URL, logins, till command) comes last, once both are ready, so that start-up noise
never hides it. Ctrl-C (or SIGTERM) stops the worker and the web server, then the embedded
PostgreSQL (if that is what we use).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.services import demo_users_ensure
from apps.core.commands import TranslatedCommand
from apps.demo.program import demo_program_makers, demo_program_seed
from apps.demo.simulate import demo_till_try
from apps.members.models import Member
from crm_site.embedded_pg import embedded_stop

STOP_TIMEOUT_SECONDS = 20
START_TIMEOUT_SECONDS = 120
# Celery prints this line once the worker takes tasks.
WORKER_READY = " ready."


class Command(TranslatedCommand):
    help = _("Run the product with demo data: web server and a Celery worker.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--demo-members", type=int, default=int(os.environ.get("DEMO_MEMBERS", "3000"))
        )
        parser.add_argument(
            "--demo-weeks", type=int, default=int(os.environ.get("DEMO_WEEKS", "52"))
        )
        parser.add_argument("--demo-seed", type=int, default=42)

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(gettext("run_product is for demos and development: set DEBUG=1."))
        self.stdout.write(gettext("Migrating the database …"))
        call_command("migrate", interactive=False, verbosity=0)
        if not Member.objects.exists():
            self.stdout.write(
                gettext(
                    "Empty database: generating demo data (%(members)s members × %(weeks)s weeks) …"
                )
                % {"members": options["demo_members"], "weeks": options["demo_weeks"]}
            )
            call_command(
                "generate_demo",
                members=options["demo_members"],
                weeks=options["demo_weeks"],
                seed=options["demo_seed"],
            )
            self.stdout.write(
                gettext(
                    "Seeding the demo programme: agreements, campaigns, lists, till checkouts …"
                )
            )
            program = demo_program_seed(seed=options["demo_seed"])
            self.stdout.write(
                "  "
                + gettext(
                    "%(campaigns)s campaigns, %(lists)s lists, %(checkouts)s checkouts with "
                    "%(redemptions)s redemptions (%(seconds)s s)"
                )
                % {
                    "campaigns": len(program.campaigns),
                    "lists": f"{sum(program.lists.values()):,}",
                    "checkouts": f"{program.checkouts:,}",
                    "redemptions": f"{program.redemptions:,}",
                    "seconds": f"{sum(program.seconds.values()):.0f}",
                }
            )
            logins = program.logins
        else:
            # The same makers as the seeded agreements, so maker1/maker2 keep their data.
            logins = demo_users_ensure(manufacturer_codes=demo_program_makers())
        try_till = demo_till_try()

        address = f"{options['host']}:{options['port']}"
        log_dir = settings.VAR_DIR / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.logs = {"worker": log_dir / "worker.log", "web": log_dir / "web.log"}
        children = {
            "worker": self._spawn(
                "worker",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "crm_site",
                    "worker",
                    "--beat",
                    "--loglevel",
                    "info",
                    "--concurrency",
                    "2",
                ],  # fmt: skip
            ),
            "web": self._spawn(
                "web", [sys.executable, "manage.py", "runserver", address, "--noreload"]
            ),
        }
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        url = f"http://{address}/"
        self.stdout.write(
            gettext("Starting the web server and the worker (logs in %(dir)s) …") % {"dir": log_dir}
        )
        self.stdout.flush()
        if self._wait_until_ready(url + "accounts/login/", children, lambda: stopping):
            self._print_banner(url, logins, try_till)
        exit_code = 0
        while not stopping:
            for name, process in children.items():
                if process.poll() is not None:
                    self.stderr.write(
                        gettext("The %(name)s process exited (%(code)s). The end of %(log)s:")
                        % {"name": name, "code": process.returncode, "log": self.logs[name]}
                        + f"\n{self._log_tail(name)}"
                    )
                    exit_code = 1
                    stopping = True
            time.sleep(0.3)
        self._stop(children)
        if not os.environ.get("DATABASE_URL"):
            connections.close_all()
            embedded_stop(settings.VAR_DIR)
        self.stdout.write(gettext("Stopped."))
        if exit_code:
            raise CommandError(gettext("A process of the product stopped unexpectedly."))

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        # Own process group: the terminal's Ctrl-C reaches us alone, and we stop children
        # in order (worker first, so it can finish or requeue its task).
        with self.logs[name].open("w") as log:  # the child keeps its own descriptor
            return subprocess.Popen(
                argv,
                cwd=settings.BASE_DIR,
                start_new_session=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _wait_until_ready(self, login_url, children, should_stop) -> bool:
        """Wait until the web server answers and the worker takes tasks (bounded)."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        serving = False
        while time.monotonic() < deadline and not should_stop():
            if any(process.poll() is not None for process in children.values()):
                return False
            if not serving:
                try:
                    with urllib.request.urlopen(login_url, timeout=2) as response:
                        serving = response.status == 200
                except (urllib.error.URLError, OSError):
                    pass
            if serving and WORKER_READY in self._log_tail("worker", 20_000):
                return True
            time.sleep(0.5)
        self.stderr.write(
            gettext(
                "The product did not get ready within %(seconds)s s; see %(web)s and %(worker)s."
            )
            % {
                "seconds": START_TIMEOUT_SECONDS,
                "web": self.logs["web"],
                "worker": self.logs["worker"],
            }
        )
        return False

    def _log_tail(self, name: str, size: int = 3000) -> str:
        path: Path = self.logs[name]
        try:
            with path.open("rb") as log:
                log.seek(max(0, path.stat().st_size - size))
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def _print_banner(self, url, logins, try_till) -> None:
        running = gettext("Loyalty CRM is running at %(url)s") % {"url": url}
        lines = ["", "=" * 64, running, "", gettext("Demo logins:")]
        for login in logins:
            extra = f" ({login.manufacturer})" if login.manufacturer else ""
            lines.append(f"  {login.role:<13} {login.username:<10} {login.password}{extra}")
        if try_till is not None:
            # The till's secret is kept under var/, so this curl works across restarts; the
            # basket redeems an offer of a current list when there is one. Send it twice:
            # same answer.
            try_it = gettext("Try the till API (a till of store %(store)s):")
            lines += ["", try_it % {"store": try_till.store}]
            lines.append(f"  {try_till.curl(url)}")
        lines += [
            "",
            gettext("The Celery worker is ready. Logs: %(web)s, %(worker)s")
            % {"web": self.logs["web"], "worker": self.logs["worker"]},
            gettext("Press Ctrl-C to stop."),
            "=" * 64,
            "",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _stop(self, children) -> None:
        # SIGTERM to each main process only: Celery then shuts its pool down warmly.
        for process in children.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
