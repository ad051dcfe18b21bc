"""Configuration: clear one-line errors with exit 2, and tokens never shown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Secret, load_settings

SECRET = "1234567:SuperSecretTokenValue"


def steward(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "TELEGRAM_", "VK_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": SECRET, "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"TELEGRAM_BOT_TOKEN": SECRET, "STEWARD_ADMINS": "12,abc"}, "STEWARD_ADMINS"),
        (
            {"TELEGRAM_BOT_TOKEN": SECRET, "STEWARD_DATABASE_URL": "mysql://x"},
            "STEWARD_DATABASE_URL",
        ),
        ({"VK_GROUP_ID": "12"}, "VK_GROUP_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": SECRET, "STEWARD_POLL_TIMEOUT": "500"}, "STEWARD_POLL_TIMEOUT"),
        (
            {"TELEGRAM_BOT_TOKEN": SECRET, "STEWARD_MODERATORS_CHAT": "chat"},
            "STEWARD_MODERATORS_CHAT",
        ),
        ({}, "TELEGRAM_BOT_TOKEN"),
    ],
)
def test_bad_settings_stop_run_with_one_line_and_exit_2(
    env: dict[str, str], names: str, tmp_path: Path
) -> None:
    result = steward("run", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("steward: configuration error:")
    assert names in lines[0]
    assert "Traceback" not in result.stderr
    assert "SuperSecretTokenValue" not in result.stderr + result.stdout


def test_malformed_token_is_not_echoed(tmp_path: Path) -> None:
    result = steward("run", env={"TELEGRAM_BOT_TOKEN": "oops SuperSecret"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SuperSecret" not in result.stderr


def test_help_lists_settings_but_no_values(tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": SECRET, "VK_GROUP_ID": "1", "VK_GROUP_TOKEN": "vk-secret-xyz"}
    for command in ([], ["run"], ["stats"], ["migrate"]):
        result = steward(*command, "--help", env=env, cwd=tmp_path)
        assert result.returncode == 0
        assert "SuperSecretTokenValue" not in result.stdout
        assert "vk-secret-xyz" not in result.stdout
    run_help = steward("run", "--help", env=env, cwd=tmp_path).stdout
    assert "TELEGRAM_BOT_TOKEN" in run_help and "STEWARD_DATABASE_URL" in run_help


def test_version(tmp_path: Path) -> None:
    result = steward("--version", env={}, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("steward ")


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={SECRET}\nSTEWARD_ADMINS=1,2\nSTEWARD_DRY_RUN=1\n")
    settings = load_settings({"STEWARD_ADMINS": "7"}, env_file=env_file)
    assert settings.telegram_token == Secret(SECRET)
    assert settings.telegram_bot_id == 1234567
    assert settings.admin_ids == (7,)
    assert settings.dry_run is True


def test_secrets_never_print() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": SECRET}, env_file=None)
    assert "SuperSecret" not in repr(settings)
    assert "SuperSecret" not in str(settings.telegram_token)


def test_vk_communities_file(tmp_path: Path) -> None:
    listing = tmp_path / "vk.txt"
    listing.write_text("# extra communities\n300 tok-a admin-a\n301 tok-b\n")
    settings = load_settings(
        {"VK_GROUP_ID": "299", "VK_GROUP_TOKEN": "tok", "VK_COMMUNITIES": str(listing)},
        env_file=None,
    )
    assert [c.group_id for c in settings.vk_communities] == [299, 300, 301]
    assert settings.vk_communities[2].user_token is None
    listing.write_text("abc only\n")
    with pytest.raises(ConfigError, match="VK_COMMUNITIES line 1"):
        load_settings({"VK_COMMUNITIES": str(listing)}, env_file=None)


def test_postgres_url_spelling_is_accepted() -> None:
    settings = load_settings({"STEWARD_DATABASE_URL": "postgresql://u@h/db"}, env_file=None)
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
