"""A real OpenID Connect provider on loopback for the tests: panva's certified
`oidc-provider` (pinned in tests/oidc/package-lock.json) run with Debian's `nodejs`. Its
packages are installed once with `npm ci` into a cache directory outside the repository,
keyed by the lock file; a test then starts the provider with its own keys, clients and
accounts, and restarts it with a new key to rotate (docs/identity.md)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.live import free_port

SOURCE = Path(__file__).resolve().parent / "oidc"
AUDIENCE = "api://en-vag-in-provider-test"


def _cache_root() -> Path:
    configured = os.environ.get("ENVAGIN_NODE_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "envagin"


def installed() -> Path:
    """The provider's directory with its packages, installed by `npm ci` the first time
    (or after the lock changed); skipped where no node and npm are (CI installs them)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            raise AssertionError(".ci/run installs Debian's nodejs and npm")
        pytest.skip("node and npm are not installed (apt-get install nodejs npm)")
    lock = (SOURCE / "package-lock.json").read_bytes()
    target = _cache_root() / f"oidc-provider-{hashlib.sha256(lock).hexdigest()[:16]}"
    target.mkdir(parents=True, exist_ok=True)
    # Test workers of both databases' passes run at once (`make test`): one installs, the
    # others wait for it instead of running `npm ci` into the same directory.
    with open(target.parent / f"{target.name}.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        if not (target / "node_modules" / "oidc-provider" / "package.json").exists():
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(SOURCE / name, target / name)
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=target,
                check=True,
                capture_output=True,
                timeout=600,
            )
        provider = (SOURCE / "provider.mjs").read_bytes()
        if not (target / "provider.mjs").exists() or (
            (target / "provider.mjs").read_bytes() != provider
        ):
            (target / "provider.mjs").write_bytes(provider)
    return target


def signing_key(kid: str) -> dict[str, Any]:
    """A new RSA signing key as a private JWK (the provider publishes its public half)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class IdentityProvider:
    """The running provider: its issuer URL, and the means to rotate its key."""

    directory: Path
    workdir: Path
    port: int
    config: dict[str, Any]
    process: subprocess.Popen[bytes] | None = None
    log: list[Path] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return str(self.config["issuer"])

    @property
    def kid(self) -> str:
        return str(self.config["keys"][0]["kid"])

    def start(self) -> None:
        config_file = self.workdir / "provider.json"
        config_file.write_text(json.dumps(self.config), encoding="utf-8")
        output = self.workdir / f"provider-{len(self.log)}.log"
        self.log.append(output)
        with output.open("wb") as sink:
            self.process = subprocess.Popen(
                ["node", "provider.mjs", str(config_file)],
                cwd=self.directory,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        discovery = f"{self.issuer}/.well-known/openid-configuration"
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the provider stopped: {output.read_text()}")
            try:
                if httpx.get(discovery, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the provider did not answer: {output.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None

    def rotate(self, kid: str) -> None:
        """The provider signs with a new key from now on (the old one is no longer
        published), as after an emergency rotation: restarted, same issuer and port."""
        self.stop()
        self.config["keys"] = [signing_key(kid)]
        self.start()

    def client_credentials_token(self, client_id: str, secret: str) -> str:
        """An access token for the service's audience, from the provider's token endpoint."""
        response = httpx.post(
            f"{self.issuer}/token",
            data={"grant_type": "client_credentials", "scope": "api", "resource": AUDIENCE},
            auth=(client_id, secret),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


@contextmanager
def identity_provider(
    workdir: Path,
    *,
    clients: list[dict[str, Any]],
    accounts: dict[str, dict[str, Any]],
) -> Iterator[IdentityProvider]:
    """The provider on a free loopback port, stopped afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    provider = IdentityProvider(
        directory=installed(),
        workdir=workdir,
        port=port,
        config={
            "issuer": f"http://127.0.0.1:{port}",
            "port": port,
            "audience": AUDIENCE,
            "keys": [signing_key("provider-key-1")],
            "clients": clients,
            "accounts": accounts,
        },
    )
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()
