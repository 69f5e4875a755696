"""A throw-away PostgreSQL/PostGIS cluster in a temporary folder, for the tests and the demo.

``initdb`` in a fresh folder, a free loopback port, ``pg_ctl start``, ``CREATE EXTENSION postgis``;
:meth:`LocalCluster.stop` removes it all. It never touches a system cluster (no ``pg_ctlcluster``,
no ``/var/lib/postgresql``). initdb refuses to run as root: as root the cluster belongs to the
``postgres`` system user (``runuser``). Local connections over the cluster's own socket are
trusted; TCP on 127.0.0.1 asks for the password (scram-sha-256), as a bureau's server would.
See docs/postgis.md.
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "postgres"


class ClusterError(RuntimeError):
    """The PostgreSQL binaries are missing or the cluster did not start."""


def pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/N/bin`` that has initdb and the PostGIS extension, or None."""
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        version = bindir.split("/")[-2]
        if Path(bindir, "initdb").exists() and glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
            return Path(bindir)
    return None


def missing_reason() -> str | None:
    """Why no local cluster can be started here (None when it can)."""
    if pg_bindir() is None:
        return ("PostgreSQL with PostGIS is not installed (Debian: postgresql-15-postgis-3; "
                "scripts/setup.sh installs it)")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "the PostgreSQL driver psycopg2 is not installed (Debian: python3-psycopg2)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalCluster:
    """One temporary cluster: ``with LocalCluster() as c: c.dsn(...)``."""

    def __init__(self, database: str = "planning"):
        self.bindir = pg_bindir()
        if self.bindir is None:
            raise ClusterError(missing_reason() or "PostgreSQL is not installed")
        self.database = database
        self.password = secrets.token_urlsafe(18)
        self.port = 0
        self.root = Path(tempfile.mkdtemp(prefix="lc-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "run"
        self.as_root = os.geteuid() == 0

    # ------------------------------------------------------------------ processes
    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if self.as_root:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise ClusterError(f"{' '.join(cmd)} failed: {proc.stderr.strip() or proc.stdout.strip()}")

    def start(self) -> LocalCluster:
        self.socket_dir.mkdir()
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self.as_root:
            uid = pwd.getpwnam(SUPERUSER).pw_uid
            for path in (self.root, self.socket_dir, pwfile):
                os.chown(path, uid, -1)
        self._run(self.bindir / "initdb", "-D", self.data, "-U", SUPERUSER, "--pwfile", pwfile,
                  "-E", "UTF8", "--locale", "C.UTF-8", "--auth-local", "trust", "--auth-host", "scram-sha-256")
        pwfile.unlink()
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# lc: throw-away cluster\nlisten_addresses = '127.0.0.1'\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\nshared_buffers = 128MB\n"
                       f"unix_socket_directories = '{self.socket_dir}'\n")
        for attempt in range(5):  # another process may take the free port between asking and starting
            self.port = free_port()
            try:
                self._run(self.bindir / "pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-w",
                          "-o", f"-p {self.port}", "start")
                break
            except ClusterError:
                if attempt == 4:
                    raise
        self._run(self.bindir / "createdb", "-h", self.socket_dir, "-p", self.port, "-U", SUPERUSER, self.database)
        self.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self

    @classmethod
    def of_folder(cls, root: str) -> LocalCluster:
        """The cluster living in ``root`` (started by another process), to stop it."""
        path = Path(root)
        if not (path / "data" / "PG_VERSION").exists():
            raise ClusterError(f"{root} is not a cluster folder of this tool")
        cluster = cls.__new__(cls)
        cluster.bindir = pg_bindir()
        cluster.root, cluster.data, cluster.socket_dir = path, path / "data", path / "run"
        cluster.as_root = os.geteuid() == 0
        return cluster

    def stop(self) -> None:
        if self.data.exists() and (self.data / "postmaster.pid").exists():
            try:
                self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            except ClusterError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ connecting
    def dsn(self, database: str | None = None, user: str = SUPERUSER, with_password: bool = False) -> str:
        """libpq connection string over TCP (the password only when asked: prefer :meth:`service_file`)."""
        parts = [f"host=127.0.0.1 port={self.port} dbname={database or self.database} user={user}"]
        if with_password:
            parts.append(f"password={self.password}")
        return " ".join(parts)

    def socket_dsn(self, database: str | None = None, user: str = SUPERUSER) -> str:
        """Over the cluster's own socket (trusted: no password)."""
        return f"host={self.socket_dir} port={self.port} dbname={database or self.database} user={user}"

    def connect(self, database: str | None = None, user: str = SUPERUSER):
        import psycopg2

        conn = psycopg2.connect(self.socket_dsn(database, user))
        conn.autocommit = True
        return conn

    def execute(self, statement: str, database: str | None = None) -> None:
        """Run one statement as the superuser, outside a transaction (CREATE DATABASE …)."""
        conn = self.connect(database)
        try:
            with conn.cursor() as cur:
                cur.execute(statement)
        finally:
            conn.close()

    def write_service_file(self, path: Path, service: str = "lc_test", user: str = SUPERUSER,
                           password: str | None = None) -> Path:
        """A pg_service.conf naming this cluster (how a bureau names its server: docs/postgis.md)."""
        path.write_text(f"[{service}]\nhost=127.0.0.1\nport={self.port}\ndbname={self.database}\n"
                        f"user={user}\npassword={password or self.password}\n", encoding="utf-8")
        path.chmod(0o600)
        return path


def stop_folder(root: str) -> None:
    """Stop and remove a cluster started by ``start`` (the folder it printed)."""
    LocalCluster.of_folder(root).stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m plugin.adapters.postgis.local_cluster start|stop FOLDER`` (scripts/run-postgis-demo.sh).

    ``start`` prints the cluster's folder; its ``pg_service.conf`` names the database as service
    ``lc_demo`` (the password is only in that file, readable by its owner).
    """
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["start"]:
        reason = missing_reason()
        if reason:
            print(reason, file=sys.stderr)
            return 2
        cluster = LocalCluster().start()
        cluster.write_service_file(cluster.root / "pg_service.conf", service="lc_demo")
        print(cluster.root)
        return 0
    if args[:1] == ["stop"] and len(args) == 2:
        stop_folder(args[1])
        return 0
    print("usage: python -m plugin.adapters.postgis.local_cluster start | stop FOLDER", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
