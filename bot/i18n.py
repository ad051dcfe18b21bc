"""What Steward says to moderators and admins, in English and Russian.

`say(key, lang, **values)` picks the user's language (Telegram's language_code),
falling back to English.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "not_staff": {
        "en": "Sorry, only Steward's moderators can do this.",
        "ru": "Извините, это могут делать только модераторы Steward.",
    },
    "not_allowed": {
        "en": "Sorry, this needs the {role} role.",
        "ru": "Извините, для этого нужна роль {role}.",
    },
    "unknown_ticket": {
        "en": "Ticket #{id} does not exist.",
        "ru": "Тикета #{id} нет.",
    },
    "taken": {"en": "You took ticket #{id}.", "ru": "Вы взяли тикет #{id}."},
    "resolved": {"en": "Ticket #{id} resolved.", "ru": "Тикет #{id} решён."},
    "relabelled": {
        "en": "Ticket #{id} is now {category}.",
        "ru": "Тикет #{id} теперь в категории {category}.",
    },
    "reply_queued": {
        "en": "Reply to #{id} queued for delivery.",
        "ru": "Ответ на #{id} отправляется.",
    },
    "retry_queued": {"en": "Sending again.", "ru": "Отправляем ещё раз."},
    "nothing_to_retry": {"en": "Nothing to retry.", "ru": "Повторять нечего."},
    "pick_category": {"en": "Choose the category:", "ru": "Выберите категорию:"},
    "no_templates": {
        "en": "No templates for {category}. Add one: /template add {category} <name> <text>",
        "ru": "Шаблонов для {category} нет. Добавьте: /template add {category} <имя> <текст>",
    },
    "confirm_template": {
        "en": "Send this to the member?\n\n{text}",
        "ru": "Отправить участнику?\n\n{text}",
    },
    "labelled_spam": {
        "en": "Marked as spam; stored for training.",
        "ru": "Отмечено как спам; сохранено для обучения.",
    },
    "labelled_ham": {
        "en": "Marked as not spam; stored for training.",
        "ru": "Отмечено как не спам; сохранено для обучения.",
    },
    "shift_on": {"en": "You are on shift.", "ru": "Вы на смене."},
    "shift_off": {"en": "You are off shift.", "ru": "Вы не на смене."},
    "usage": {"en": "Usage: {usage}", "ru": "Использование: {usage}"},
    "done": {"en": "Done.", "ru": "Готово."},
    "queue_empty": {"en": "No open tickets.", "ru": "Открытых тикетов нет."},
    "nobody_available": {
        "en": "⚠️ Nobody can take ticket #{id} ({detail}). Leads: {leads}",
        "ru": "⚠️ Тикет #{id} некому взять ({detail}). Лиды: {leads}",
    },
    "reminder": {
        "en": "⏰ #{id}: {percent}% of the {target} target used, due {due}. {who}",
        "ru": "⏰ #{id}: прошло {percent}% времени на {target}, срок {due}. {who}",
    },
    "breach": {
        "en": "🔥 #{id} breached its {target} target (due {due}). {who}",
        "ru": "🔥 #{id}: нарушен срок на {target} (был {due}). {who}",
    },
    "reassigned": {
        "en": "#{id} reassigned to {who}: {why}.",
        "ru": "#{id} передан {who}: {why}.",
    },
}


def say(key: str, lang: str | None = None, **values: object) -> str:
    variants = TEXTS[key]
    text = variants.get((lang or "en")[:2], variants["en"])
    return text.format(**values)


def language_of(code: str | None) -> str:
    """Telegram's language_code → the language we answer in."""
    return "ru" if (code or "").lower().startswith(("ru", "uk", "be", "kk")) else "en"
