"""Command line: `python -m app serve|migrate|worker|openapi|demo|erase-expired|credentials
create`."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

KEEP_ALIVE_SECONDS = 5
MAX_REQUEST_HEAD_BYTES = 16 * 1024


def _serve(args: argparse.Namespace) -> None:
    """Bind the port first, then migrate and issue demo credentials, then serve: a start
    that fails (a busy port) changes nothing, so a server already running keeps its demo
    credentials."""
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from app.core.config import get_settings
    from app.core.migrate import upgrade

    settings = get_settings()
    settings.refuse_public_key_on(args.host)
    sock = _bind(args.host, args.port)
    url = _url(args.host, sock.getsockname()[1])
    upgrade(settings.database_url)
    credentials = _load_start_data(settings, args)
    if credentials:
        _write_credentials(Path(args.credentials_file), url, credentials)
        sys.stderr.write(f"The same, for later: {args.credentials_file}\n")
    sys.stderr.write(f"Swagger UI: {url}/docs  (Authorize with a pair above)\n")
    sys.stderr.write(
        f"Dashboard: {url}/dashboard  (the coordinator's pair; social services: "
        f"{url}/dashboard/social)\n"
    )
    config = uvicorn.Config(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=sock.getsockname()[1],
        workers=args.workers,
        log_config=None,
        # Idle keep-alive connections close after 5 s, and a request head (line and headers)
        # may not exceed 16 KiB. uvicorn has no timeout for a head sent slowly: the reverse
        # proxy in front must have one (docs/operations.md, "Slow clients").
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
    )
    server = uvicorn.Server(config)
    if args.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        server.run(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, or exit 1 with a readable message (a busy port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        sys.stderr.write(
            f"error: cannot listen on {host}:{port} ({exc.strerror}); is another server "
            "running there? Choose another port: make run PORT=8001\n"
        )
        raise SystemExit(1) from exc
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    """The URL a browser on this machine opens: a wildcard address is reached via loopback."""
    wildcards = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104
    shown = wildcards.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def _load_start_data(settings: Any, args: argparse.Namespace) -> list[dict[str, str]]:
    """Load the scenario or the demo world; the fresh credentials they print."""
    scenario = args.scenario or os.environ.get("SCENARIO") or None
    if scenario:
        # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
        from app.scenarios.loader import ScenarioError, load_scenario

        try:
            loaded = load_scenario(settings, scenario, credentials=True, echo=True)
        except ScenarioError as exc:
            sys.stderr.write(f"error: {exc}\n")
            raise SystemExit(2) from exc
        return list(loaded.credentials)
    if args.demo:
        # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
        from app.scenarios.demo import load_demo

        return load_demo(settings, echo=True)
    return []


def _write_credentials(path: Path, url: str, credentials: list[dict[str, str]]) -> None:
    """The credentials just printed, for a user who lost the terminal: readable by the
    owner only (0600), replaced whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        document = {"url": url, "docs": f"{url}/docs", "credentials": credentials}
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _scenario(args: argparse.Namespace) -> None:
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from app.core.config import get_settings
    from app.core.errors import AppError
    from app.core.migrate import upgrade
    from app.scenarios.loader import ScenarioError, available, load_scenario, read_scenario

    if args.action == "list":
        sys.stdout.write("\n".join(available()) + "\n")
        return
    try:
        read_scenario(args.name)  # a bad file fails before any database is touched
        settings = get_settings()
        upgrade(settings.database_url)
        loaded = load_scenario(settings, args.name, scale=args.scale, year=args.year)
    except (ScenarioError, AppError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from exc
    summary = {
        "scenario": args.name,
        "municipality": loaded.municipality,
        "year": loaded.year,
        "landlords": len(loaded.landlords),
        "vacancies": loaded.vacancies,
        "households": loaded.households,
    }
    sys.stdout.write(json.dumps(summary) + "\n")


def _migrate(_: argparse.Namespace) -> None:
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from app.core.config import get_settings
    from app.core.migrate import upgrade

    upgrade(get_settings().database_url)


def _worker(args: argparse.Namespace) -> None:
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from app.core.config import get_settings
    from app.core.migrate import upgrade
    from app.jobs.worker import run_worker

    settings = get_settings()
    if args.check:
        # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
        from app.jobs.worker import worker_is_healthy

        raise SystemExit(0 if worker_is_healthy(settings) else 1)
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from app.core.logging import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)
    upgrade(settings.database_url)
    raise SystemExit(run_worker(settings, concurrency=args.concurrency))


def _openapi(args: argparse.Namespace) -> None:

    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from app.core.config import Settings
    from app.main import create_app

    schema = create_app(Settings(database_url="sqlite://", log_level="WARNING")).openapi()
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _create_credential(args: argparse.Namespace) -> None:
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from pydantic import ValidationError

    from app.core.config import get_settings
    from app.core.errors import AppError
    from app.core.migrate import upgrade
    from app.credentials.schemas import CredentialCreate
    from app.credentials.service import create_credential
    from app.main import create_app

    settings = get_settings()
    upgrade(settings.database_url)
    app = create_app(settings)
    try:
        data = CredentialCreate(
            role=args.role,
            municipality=args.municipality,
            landlord=args.landlord,
            intermediary=args.intermediary,
        )
        with app.state.sessionmaker.begin() as session:
            credential, secret = create_credential(session, settings, data)
    except (ValidationError, AppError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from exc
    sys.stdout.write(json.dumps({"client_id": credential.id, "client_secret": secret}) + "\n")


def _erase_expired(_: argparse.Namespace) -> None:
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from app.core.config import get_settings
    from app.core.migrate import upgrade
    from app.flows.erasure import retention_days
    from app.jobs.worker import erase_expired_cases
    from app.main import create_app

    settings = get_settings()
    upgrade(settings.database_url)
    days = retention_days(settings)
    app = create_app(settings)
    erased = erase_expired_cases(app.state.sessionmaker, days)
    app.state.engine.dispose()
    sys.stdout.write(json.dumps({"retention_days": days, "erased": erased}) + "\n")


def _webhooks_new_key(_: argparse.Namespace) -> None:
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from app.core.sealing import new_key

    sys.stdout.write(new_key() + "\n")


def _webhooks_reseal(_: argparse.Namespace) -> None:
    # import-time: a command loads only its own rooms (`--help` 0.1 s, the whole app 1.5 s+)
    from app.core.config import get_settings
    from app.core.migrate import upgrade
    from app.flows.key_rotation import reseal_all
    from app.main import create_app

    settings = get_settings()
    upgrade(settings.database_url)
    app = create_app(settings)
    with app.state.sessionmaker.begin() as session:
        counts = reseal_all(session)
    app.state.engine.dispose()
    sys.stdout.write(json.dumps(counts) + "\n")
    if counts["unreadable"]:
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, optionally load demo data, serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load demo data into an empty db")
    serve.add_argument(
        "--credentials-file",
        default="var/demo-credentials.json",
        help="where the fresh demo credentials are also written (mode 0600)",
    )
    serve.add_argument(
        "--scenario", help="load a municipal model (scenarios/NAME.json; or env SCENARIO)"
    )
    serve.set_defaults(func=_serve)

    scenario = commands.add_parser("scenario", help="list or load the municipal models")
    scenario_commands = scenario.add_subparsers(dest="action", required=True)
    scenario_commands.add_parser("list", help="the scenario names")
    load = scenario_commands.add_parser("load", help="load scenarios/NAME.json into the db")
    load.add_argument("name")
    load.add_argument("--scale", type=float, default=1.0, help="multiply yearly volumes")
    load.add_argument("--year", type=int, help="agreement year (default: this year)")
    scenario.set_defaults(func=_scenario)

    commands.add_parser("migrate", help="upgrade the database schema").set_defaults(func=_migrate)
    worker = commands.add_parser(
        "worker", help="run match rounds (PostgreSQL: a procrastinate worker; several may run)"
    )
    worker.add_argument(
        "--concurrency", type=int, default=3, help="jobs at once (rounds, webhook deliveries)"
    )
    worker.add_argument(
        "--check",
        action="store_true",
        help="exit 0 if the worker on this machine is connected and working, else 1",
    )
    worker.set_defaults(func=_worker)
    openapi = commands.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("output", nargs="?", help="file to write instead of stdout")
    openapi.set_defaults(func=_openapi)

    commands.add_parser(
        "erase-expired",
        help="erase cases closed longer than ENVAGIN_RETENTION_DAYS ago (0/unset: none)",
    ).set_defaults(func=_erase_expired)

    credentials = commands.add_parser("credentials", help="manage credentials")
    credential_commands = credentials.add_subparsers(dest="action", required=True)
    create = credential_commands.add_parser("create", help="print a new credential as JSON")
    create.add_argument(
        "--role",
        required=True,
        choices=["admin", "coordinator", "social_services", "landlord", "intermediary"],
    )
    create.add_argument("--municipality")
    create.add_argument("--landlord")
    create.add_argument("--intermediary")
    create.set_defaults(func=_create_credential)

    webhooks = commands.add_parser("webhooks", help="the keys that seal webhook secrets")
    webhook_commands = webhooks.add_subparsers(dest="action", required=True)
    webhook_commands.add_parser(
        "new-key", help="print a new key for ENVAGIN_WEBHOOK_SECRET_KEYS"
    ).set_defaults(func=_webhooks_new_key)
    webhook_commands.add_parser(
        "reseal",
        help="seal every sealed value (webhook secrets, tenant identities) with the first key",
    ).set_defaults(func=_webhooks_reseal)

    args = parser.parse_args(argv)
    # import-time: as for the commands (pydantic alone, not the app's rooms)
    from pydantic import ValidationError

    from app.core.config import UnsafeSettings

    try:
        args.func(args)
    except (ValidationError, UnsafeSettings) as exc:
        # Unsafe or malformed settings end the command with the reason, not a traceback.
        # Only the messages: pydantic's own text would echo the input, a database password too.
        reasons = (
            [f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else [str(exc)]
        )
        sys.stderr.write(f"python -m app {args.command}: refused: {'; '.join(reasons)}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
