"""What deploying needs of the checkout: a build context without a developer's files, locks that
match pyproject.toml, and one-sentence answers where a container would print a wrong help or a
traceback."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot import container
from bot.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def _locked(lock: Path) -> dict[str, str]:
    """Each pinned package of a pip-compile lock: its canonical name and version."""
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", lock.read_text(), flags=re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_build_context_leaves_out_environments_secrets_and_databases() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for pattern in (".venv", ".git", ".env", "build", "data", "*.sqlite3", "*.egg-info"):
        assert pattern in ignored, pattern


def test_every_dependency_of_pyproject_is_locked_at_a_version_it_allows() -> None:
    """`make lock` was run after the last change to pyproject.toml's dependencies."""
    pyproject = _pyproject()
    project = pyproject["project"]
    assert isinstance(project, dict)
    run = _locked(ROOT / "requirements" / "run.lock")
    test = _locked(ROOT / "requirements" / "test.lock")
    build = pyproject["build-system"]
    assert isinstance(build, dict)
    extras = project["optional-dependencies"]
    wanted = [
        (run, project["dependencies"] + build["requires"]),
        (test, extras["test"] + extras["standin"] + project["dependencies"] + build["requires"]),
    ]
    for lock, requirements in wanted:
        for text in requirements:
            requirement = Requirement(text)
            name = canonicalize_name(requirement.name)
            assert name in lock, f"{name} is not in the lock: run `make lock`"
            assert requirement.specifier.contains(lock[name], prereleases=True), (
                f"{name}=={lock[name]} is outside {requirement.specifier}: run `make lock`"
            )
    # The test tools are resolved on top of exactly the bot's own versions.
    assert {name: test[name] for name in run} == run


def test_license_and_build_backend_metadata() -> None:
    pyproject = _pyproject()
    project = pyproject["project"]
    assert isinstance(project, dict)
    assert project["license"] == "LicenseRef-Proprietary"  # an SPDX expression, not a table
    build = pyproject["build-system"]
    assert isinstance(build, dict)
    (setuptools,) = (Requirement(r) for r in build["requires"] if r.startswith("setuptools"))
    assert setuptools.specifier.contains("77.0.3")
    assert not setuptools.specifier.contains("999")  # bounded above


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No .env, no token: a bare environment in a directory of its own."""
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "WEBHOOK_URL", container.IN_CONTAINER_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "data" / "fieldreport.sqlite3"))
    (tmp_path / "data").mkdir()
    return tmp_path


def test_without_a_token_the_container_says_what_to_give_docker_run(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == 2
    assert "make run" in capsys.readouterr().err  # a checkout: the local help
    monkeypatch.setenv(container.IN_CONTAINER_VARIABLE, "1")
    assert main(["run"]) == 2
    said = capsys.readouterr().err
    assert "docker run" in said
    assert "-e BOT_TOKEN=" in said
    assert "-e ADMIN_IDS=" in said
    assert "-v fieldreport-data:/data" in said
    for local_only in ("make run", ".venv", "python -m bot", " .env"):
        assert local_only not in said


def _one_sentence(text: str) -> None:
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "Traceback" not in text
    assert text.rstrip().endswith(".")


def test_a_data_directory_the_bot_cannot_write_is_one_sentence_with_its_chown(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = checkout / "data"
    monkeypatch.setattr(container, "_may_write", lambda path: path != data)
    monkeypatch.setenv("BOT_TOKEN", "123456:AAE-not-used")
    uid = os.getuid()
    for command in (["migrate"], ["run"], ["add-admin", "42"]):
        assert main(command) == 2
        said = capsys.readouterr().err
        _one_sentence(said)
        assert f"uid {uid}" in said
        assert f"chown -R {uid} {data}" in said
    assert main(["health", "--ready"]) == 1  # a HEALTHCHECK reads 1 as unhealthy
    capsys.readouterr()
    assert not (data / "fieldreport.sqlite3").exists()

    monkeypatch.setenv(container.IN_CONTAINER_VARIABLE, "1")
    assert main(["migrate"]) == 2
    said = capsys.readouterr().err
    _one_sentence(said)
    assert f"uid {uid}" in said
    assert f"directory mounted at {data}" in said
    assert f"chown -R {uid} /path/on/the/host" in said


def test_a_database_in_a_directory_still_to_make_under_one_the_bot_cannot_write_is_said_too(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DATABASE_PATH=/data/bot/fieldreport.sqlite3 with a root-owned /data: opening the
    database would make /data/bot and fail with a traceback at every start."""
    data = checkout / "data"
    monkeypatch.setenv("DATABASE_PATH", str(data / "bot" / "fieldreport.sqlite3"))
    monkeypatch.setattr(container, "_may_write", lambda path: path != data)
    uid = os.getuid()
    assert main(["migrate"]) == 2
    said = capsys.readouterr().err
    _one_sentence(said)
    assert f"chown -R {uid} {data}" in said
    assert not (data / "bot").exists()
