"""The demo's simulated people: regular members on both platforms and throwaway spam accounts.

Regulars are a fixed cast (the same on every run); spam accounts are made up per burst
with fresh ids, as real spam comes from accounts that have just appeared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.demo.script import SPAM_NAMES

TELEGRAM = "telegram"
VK = "vk"
# Id ranges that cannot collide with the sample moderators (500…) or with each other.
TELEGRAM_REGULAR_BASE = 10_000
VK_REGULAR_BASE = 300_000
TELEGRAM_SPAM_BASE = 7_000_000
VK_SPAM_BASE = 9_000_000

# (first name, last name, language): who writes in the community, Russian- and English-speaking.
CAST: tuple[tuple[str, str, str], ...] = (
    ("Анна", "Смирнова", "ru"),
    ("Дмитрий", "Козлов", "ru"),
    ("Елена", "Морозова", "ru"),
    ("Игорь", "Волков", "ru"),
    ("Ольга", "Новикова", "ru"),
    ("Сергей", "Павлов", "ru"),
    ("Татьяна", "Фёдорова", "ru"),
    ("Алексей", "Соколов", "ru"),
    ("Мария", "Лебедева", "ru"),
    ("Никита", "Орлов", "ru"),
    ("Юлия", "Егорова", "ru"),
    ("Павел", "Зайцев", "ru"),
    ("Ксения", "Белова", "ru"),
    ("Артём", "Григорьев", "ru"),
    ("Светлана", "Кузнецова", "ru"),
    ("Роман", "Медведев", "ru"),
    ("Emma", "Walker", "en"),
    ("Liam", "Brown", "en"),
    ("Sofia", "Rossi", "en"),
    ("Noah", "Fischer", "en"),
    ("Mia", "Novak", "en"),
    ("Lucas", "Martin", "en"),
    ("Aylin", "Demir", "en"),
    ("Jonas", "Berg", "en"),
    ("Zoe", "Clarke", "en"),
    ("Mateo", "Garcia", "en"),
)


@dataclass(frozen=True)
class Persona:
    """One simulated account on one platform."""

    platform: str  # TELEGRAM or VK
    user_id: int  # the platform's user id
    first_name: str
    last_name: str
    lang: str  # "ru" or "en": what they write in
    username: str | None = None  # Telegram @username, if any
    spammer: bool = False  # a throwaway spam account

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def telegram_user(self) -> dict[str, Any]:
        """The user object the Telegram sandbox's control API takes."""
        user: dict[str, Any] = {
            "id": self.user_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "language_code": self.lang,
        }
        if self.username:
            user["username"] = self.username
        return user

    def vk_user(self) -> dict[str, Any]:
        """The body of the VK sandbox's `POST /sandbox/users`."""
        return {"id": self.user_id, "first_name": self.first_name, "last_name": self.last_name}


def _username(first: str, index: int) -> str | None:
    """Latin names get an @username, as many Telegram users have; others none."""
    return f"{first.lower()}_{index}" if first.isascii() and index % 3 else None


def regulars(platform: str) -> tuple[Persona, ...]:
    """The fixed cast of members on `platform`."""
    base = TELEGRAM_REGULAR_BASE if platform == TELEGRAM else VK_REGULAR_BASE
    return tuple(
        Persona(
            platform=platform,
            user_id=base + index,
            first_name=first,
            last_name=last,
            lang=lang,
            username=_username(first, index) if platform == TELEGRAM else None,
        )
        for index, (first, last, lang) in enumerate(CAST, 1)
    )


def spam_account(platform: str, number: int, lang: str) -> Persona:
    """The `number`-th spam account of the run: a new id and a salesy name."""
    names = SPAM_NAMES[lang]
    first, last = names[number % len(names)]
    base = TELEGRAM_SPAM_BASE if platform == TELEGRAM else VK_SPAM_BASE
    return Persona(
        platform=platform,
        user_id=base + number,
        first_name=first,
        last_name=last,
        lang=lang,
        username=f"{first.lower()}{number}" if platform == TELEGRAM and first.isascii() else None,
        spammer=True,
    )
