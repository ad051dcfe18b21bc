"""Settings from the environment and an optional `.env` file.

Every variable is listed in `SETTINGS_DOC` (shown by `--help` and the README);
a wrong value raises `ConfigError` naming the variable and what is expected, and
the CLI turns it into one line and exit status 2. Secrets are kept in `Secret`
so that a `repr`, a log line or a traceback never shows them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and what is expected."""


class Secret:
    """A token that prints as `***` everywhere except through `.value`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @property
    def value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///steward.db"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_VK_API_URL = "https://api.vk.ru"

# Name, meaning: the single list that documents every setting.
SETTINGS_DOC: list[tuple[str, str]] = [
    ("TELEGRAM_BOT_TOKEN", "bot token from @BotFather, <digits>:<secret>; unset = no Telegram"),
    ("TELEGRAM_API_URL", f"Bot API base URL (default {DEFAULT_TELEGRAM_API_URL})"),
    ("STEWARD_MODERATORS_CHAT", "Telegram chat id where ticket cards go; its members moderate"),
    ("STEWARD_ADMINS", "comma-separated Telegram user ids with the admin role"),
    ("VK_GROUP_ID", "VK community id (positive number); unset = no VK"),
    ("VK_GROUP_TOKEN", "VK community token (long poll, messages, comment replies)"),
    ("VK_USER_TOKEN", "token of a VK community admin (posting, deleting comments, bans)"),
    ("VK_API_URL", f"VK API base URL (default {DEFAULT_VK_API_URL})"),
    ("VK_COMMUNITIES", "path to a file listing more VK communities (see README)"),
    ("STEWARD_DATABASE_URL", f"SQLAlchemy URL (default {DEFAULT_DATABASE_URL})"),
    ("STEWARD_MODEL_PATH", "classifier model file (default steward-model.pkl)"),
    ("STEWARD_DRY_RUN", "1 = decide and log platform actions but perform none (default 0)"),
    ("STEWARD_POLL_TIMEOUT", "long-poll wait in seconds, 1..50 (default 25)"),
    ("STEWARD_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR (default INFO)"),
]

SETTINGS_HELP = "settings (environment or .env):\n" + "\n".join(
    f"  {name:<24} {meaning}" for name, meaning in SETTINGS_DOC
)

_TELEGRAM_TOKEN = re.compile(r"^[1-9][0-9]{0,19}:[A-Za-z0-9_-]{10,}$")
_URL = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")


@dataclass(frozen=True)
class VkCommunity:
    """One VK community Steward serves."""

    group_id: int
    group_token: Secret
    user_token: Secret | None = None


@dataclass(frozen=True)
class Settings:
    """Everything Steward reads from its environment, validated."""

    database_url: str = DEFAULT_DATABASE_URL
    telegram_token: Secret | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    moderators_chat_id: int | None = None
    admin_ids: tuple[int, ...] = ()
    vk_api_url: str = DEFAULT_VK_API_URL
    vk_communities: tuple[VkCommunity, ...] = ()
    model_path: Path = Path("steward-model.pkl")
    dry_run: bool = False
    poll_timeout: int = 25
    log_level: str = "INFO"
    extra: dict[str, str] = field(default_factory=dict)

    def require_platform(self) -> None:
        """`steward run` needs at least one platform to serve."""
        if self.telegram_token is None and not self.vk_communities:
            raise ConfigError(
                "no platform is configured: set TELEGRAM_BOT_TOKEN and/or VK_GROUP_ID with "
                "VK_GROUP_TOKEN (see .env.example)"
            )

    @property
    def telegram_bot_id(self) -> int | None:
        """The bot's own user id: the digits before the colon of its token."""
        if self.telegram_token is None:
            return None
        return int(self.telegram_token.value.split(":", 1)[0])


def _int(env: Mapping[str, str], name: str, expected: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {expected}, got {raw!r}") from None


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    if not _URL.match(raw):
        raise ConfigError(f"{name} must be an http(s) URL such as {default}, got {raw!r}")
    return raw.rstrip("/")


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def _database_url(env: Mapping[str, str]) -> str:
    raw = env.get("STEWARD_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if raw.startswith("sqlite+aiosqlite://") or raw.startswith("postgresql+asyncpg://"):
        return raw
    if raw.startswith(("postgresql://", "postgres://")):
        # Accept the ordinary libpq spelling and pick the async driver ourselves.
        return "postgresql+asyncpg://" + raw.split("://", 1)[1]
    raise ConfigError(
        "STEWARD_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://, "
        f"got {raw.split('://', 1)[0]!r}://…"
    )


def _vk_communities(env: Mapping[str, str]) -> tuple[VkCommunity, ...]:
    communities: list[VkCommunity] = []
    group_id = _int(env, "VK_GROUP_ID", "a positive VK community id")
    group_token = env.get("VK_GROUP_TOKEN", "").strip()
    user_token = env.get("VK_USER_TOKEN", "").strip()
    if group_id is not None or group_token:
        if group_id is None or group_id <= 0:
            raise ConfigError("VK_GROUP_ID must be a positive VK community id when VK is set up")
        if not group_token:
            raise ConfigError("VK_GROUP_TOKEN must be the community token of VK_GROUP_ID")
        communities.append(
            VkCommunity(group_id, Secret(group_token), Secret(user_token) if user_token else None)
        )
    path = env.get("VK_COMMUNITIES", "").strip()
    if path:
        communities.extend(_read_vk_communities_file(Path(path)))
    seen: set[int] = set()
    for community in communities:
        if community.group_id in seen:
            raise ConfigError(f"VK community {community.group_id} is configured twice")
        seen.add(community.group_id)
    return tuple(communities)


def _read_vk_communities_file(path: Path) -> list[VkCommunity]:
    """Lines `group_id group_token [user_token]`; `#` starts a comment."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"VK_COMMUNITIES must name a readable file: {error.strerror}") from None
    result = []
    for number, line in enumerate(lines, 1):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if len(parts) not in (2, 3) or not parts[0].isdigit():
            raise ConfigError(
                f"VK_COMMUNITIES line {number} must be 'group_id group_token [user_token]'"
            )
        user = Secret(parts[2]) if len(parts) == 3 else None
        result.append(VkCommunity(int(parts[0]), Secret(parts[1]), user))
    return result


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | os.PathLike[str] | None = ".env"
) -> Settings:
    """Read and validate settings: the process environment wins over `.env`."""
    merged: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ if environ is None else environ)

    token = merged.get("TELEGRAM_BOT_TOKEN", "").strip()
    if token and not _TELEGRAM_TOKEN.match(token):
        # Never echo the value: it is a secret even when malformed.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN must look like 123456789:AAE… (digits, a colon, 10+ letters)"
        )
    admins_raw = merged.get("STEWARD_ADMINS", "").strip()
    admin_ids: list[int] = []
    for part in filter(None, (p.strip() for p in admins_raw.split(","))):
        if not part.lstrip("-").isdigit():
            raise ConfigError(
                f"STEWARD_ADMINS must be comma-separated Telegram user ids, got {part!r}"
            )
        admin_ids.append(int(part))
    poll_timeout = _int(merged, "STEWARD_POLL_TIMEOUT", "a number of seconds from 1 to 50")
    if poll_timeout is not None and not 1 <= poll_timeout <= 50:
        raise ConfigError(f"STEWARD_POLL_TIMEOUT must be from 1 to 50 seconds, got {poll_timeout}")
    log_level = merged.get("STEWARD_LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(
            f"STEWARD_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}"
        )
    moderators_chat = _int(merged, "STEWARD_MODERATORS_CHAT", "a Telegram chat id such as -100123")

    return Settings(
        database_url=_database_url(merged),
        telegram_token=Secret(token) if token else None,
        telegram_api_url=_url(merged, "TELEGRAM_API_URL", DEFAULT_TELEGRAM_API_URL),
        moderators_chat_id=moderators_chat,
        admin_ids=tuple(admin_ids),
        vk_api_url=_url(merged, "VK_API_URL", DEFAULT_VK_API_URL),
        vk_communities=_vk_communities(merged),
        model_path=Path(merged.get("STEWARD_MODEL_PATH", "").strip() or "steward-model.pkl"),
        dry_run=_bool(merged, "STEWARD_DRY_RUN"),
        poll_timeout=poll_timeout or 25,
        log_level=log_level,
    )
