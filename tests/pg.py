"""A throwaway PostgreSQL server for the test session.

Started on a private port with its data under a temporary folder, as the
`postgres` user when we run as root (PostgreSQL refuses to run as root), and
stopped at the end. Set TEST_POSTGRES_URL to use a server you already have.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


class PostgresUnavailable(Exception):
    pass


def _bindir() -> str:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    raise PostgresUnavailable("no PostgreSQL server binaries (initdb) on this machine")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bindir = _bindir()
        self.root = tempfile.mkdtemp(prefix="trustfund-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            try:
                import pwd

                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root and there is no 'postgres' user") from None
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            os.chmod(self.root, 0o700)

    def _run(self, *args: str, **kwargs):
        cmd = list(args)
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> str:
        try:
            self._run(os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", "postgres",
                      "-A", "trust", "-E", "UTF8", "--no-sync")
            self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-w", "-t", "60",
                      "-l", os.path.join(self.root, "server.log"), "-o",
                      f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                      "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                      "-c max_connections=200", "start")
        except subprocess.CalledProcessError as error:
            raise PostgresUnavailable(f"could not start PostgreSQL: {error.stderr or error.stdout}") from None
        for _ in range(50):
            try:
                self._run(os.path.join(self.bindir, "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "postgres", "trustfund_test")
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        return self.url("trustfund_test")

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def createdb(self, name: str) -> str:
        self._run(os.path.join(self.bindir, "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", name)
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
