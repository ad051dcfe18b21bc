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
    "unknown_removal": {
        "en": "That spam entry does not exist.",
        "ru": "Такой записи о спаме нет.",
    },
    "restored": {
        "en": "Restored #{id}; the penalty is withdrawn and the label stored.",
        "ru": "#{id} восстановлено; наказание снято, метка сохранена.",
    },
    "already_restored": {"en": "#{id} was already restored.", "ru": "#{id} уже восстановлено."},
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
    # ---- commands (handlers/commands.py)
    "bad_input": {"en": "That did not work: {error}", "ru": "Не получилось: {error}"},
    "help_title": {
        "en": "Steward — commands for your role ({role})",
        "ru": "Steward — команды для вашей роли ({role})",
    },
    "help_reply": {
        "en": "Reply to a ticket card to answer the member where they wrote.",
        "ru": "Ответьте на карточку тикета, чтобы ответить участнику там, где он написал.",
    },
    "help_help": {"en": "this list", "ru": "этот список"},
    "help_queue": {
        "en": "open tickets, most urgent first",
        "ru": "открытые тикеты, самые срочные сверху",
    },
    "help_ticket": {
        "en": "a ticket's details and history",
        "ru": "подробности и история тикета",
    },
    "help_stats": {
        "en": "tickets, response times and SLA hits (default 7d)",
        "ru": "тикеты, время ответа и соблюдение SLA (по умолчанию 7d)",
    },
    "help_shift": {"en": "go on or off shift", "ru": "начать или закончить смену"},
    "help_sla": {"en": "SLA targets per category", "ru": "цели SLA по категориям"},
    "help_hours": {"en": "business hours and holidays", "ru": "рабочие часы и праздники"},
    "help_template_list": {"en": "canned responses", "ru": "шаблоны ответов"},
    "help_sla_set": {"en": "change a category's SLA", "ru": "изменить SLA категории"},
    "help_hours_set": {
        "en": "set open hours, time zone, holidays, or 24/7",
        "ru": "задать рабочие часы, часовой пояс, праздники или 24/7",
    },
    "help_template_edit": {
        "en": "add or delete a canned response ({{name}}, {{community}} are filled in)",
        "ru": "добавить или удалить шаблон ({{name}}, {{community}} подставляются)",
    },
    "help_mods": {
        "en": "staff: roles, shifts, load, languages",
        "ru": "команда: роли, смены, нагрузка, языки",
    },
    "help_mods_edit": {"en": "manage staff", "ru": "управлять командой"},
    "queue_title": {
        "en": "Open tickets: {count} (most urgent first)",
        "ru": "Открытые тикеты: {count} (самые срочные сверху)",
    },
    "queue_line": {
        "en": "#{id} {mark} {category} · {priority} · {platform} · {member} · {due} · {assignee}",
        "ru": "#{id} {mark} {category} · {priority} · {platform} · {member} · {due} · {assignee}",
    },
    "queue_more": {"en": "…and {count} more", "ru": "…и ещё {count}"},
    "due_in": {"en": "due in {time}", "ru": "срок через {time}"},
    "overdue_by": {"en": "🔥 overdue by {time}", "ru": "🔥 просрочен на {time}"},
    "waiting_member": {"en": "waiting on the member", "ru": "ждём ответа участника"},
    "unassigned": {"en": "unassigned", "ru": "не назначен"},
    "ticket_head": {
        "en": "Ticket #{id} · {category} · {priority} · {state}",
        "ru": "Тикет #{id} · {category} · {priority} · {state}",
    },
    "ticket_where": {"en": "Where: {where}", "ru": "Где: {where}"},
    "ticket_member": {"en": "Member: {name}", "ru": "Участник: {name}"},
    "ticket_assignee": {"en": "Assignee: {who}", "ru": "Ответственный: {who}"},
    "ticket_opened": {
        "en": "Opened {at} UTC · messages: {count} · language: {language}",
        "ru": "Открыт {at} UTC · сообщений: {count} · язык: {language}",
    },
    "ticket_text": {"en": "Last message: «{text}»", "ru": "Последнее сообщение: «{text}»"},
    "ticket_first_response": {
        "en": "First response in {time}",
        "ru": "Первый ответ через {time}",
    },
    "ticket_clock": {"en": "⏱ {target}: {status}", "ru": "⏱ {target}: {status}"},
    "clock_paused": {"en": "paused (waiting on the member)", "ru": "на паузе (ждём участника)"},
    "clock_met": {"en": "met", "ru": "выполнено"},
    "clock_missed": {"en": "missed", "ru": "нарушено"},
    "target_first_response": {"en": "first response", "ru": "первый ответ"},
    "target_next_response": {"en": "next response", "ru": "следующий ответ"},
    "target_resolution": {"en": "resolution", "ru": "решение"},
    "ticket_breaches": {"en": "🔥 SLA breaches: {count}", "ru": "🔥 Нарушений SLA: {count}"},
    "ticket_history": {
        "en": "History (last {shown} of {total}, UTC):",
        "ru": "История (последние {shown} из {total}, UTC):",
    },
    "actor_system": {"en": "Steward", "ru": "Steward"},
    "ev_created": {"en": "opened", "ru": "открыт"},
    "ev_assigned": {"en": "assigned", "ru": "назначен"},
    "ev_unassigned": {"en": "nobody to assign", "ru": "некому назначить"},
    "ev_taken": {"en": "taken", "ru": "взят"},
    "ev_member_message": {"en": "member wrote", "ru": "участник написал"},
    "ev_reopened": {"en": "reopened", "ru": "переоткрыт"},
    "ev_replied": {"en": "replied", "ru": "ответ"},
    "ev_resolved": {"en": "resolved", "ru": "решён"},
    "ev_relabelled": {"en": "relabelled", "ru": "категория изменена"},
    "ev_sla_reminder": {"en": "SLA reminder", "ru": "напоминание SLA"},
    "ev_sla_breach": {"en": "SLA breached", "ru": "нарушение SLA"},
    "unknown_category": {
        "en": "Unknown category {category!r}; use one of: {categories}.",
        "ru": "Неизвестная категория {category!r}; используйте одну из: {categories}.",
    },
    "sla_title": {
        "en": "SLA targets (first response · next response · resolution):",
        "ru": "Цели SLA (первый ответ · следующий ответ · решение):",
    },
    "sla_line": {
        "en": "{category}: first {first} · next {next} · resolve {resolve} · {hours}",
        "ru": "{category}: первый {first} · следующий {next} · решение {resolve} · {hours}",
    },
    "sla_hours_business": {"en": "business hours", "ru": "рабочие часы"},
    "sla_hours_calendar": {"en": "calendar hours (24/7)", "ru": "календарные часы (24/7)"},
    "sla_always_open": {
        "en": "Business hours are 24/7 at the moment (see /hours).",
        "ru": "Сейчас рабочие часы — 24/7 (см. /hours).",
    },
    "sla_saved": {
        "en": "Saved. New tickets use it; running clocks keep their due times.",
        "ru": "Сохранено. Новые тикеты получат эти сроки; идущие часы не меняются.",
    },
    "hours_title": {
        "en": "Business hours (time zone {tz}):",
        "ru": "Рабочие часы (часовой пояс {tz}):",
    },
    "hours_always": {
        "en": "Open 24/7 (time zone {tz}): SLA clocks count every hour.",
        "ru": "Круглосуточно, 24/7 (часовой пояс {tz}): SLA считается по всем часам.",
    },
    "hours_closed": {"en": "closed", "ru": "выходной"},
    "weekdays": {
        "en": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
        "ru": "Пн,Вт,Ср,Чт,Пт,Сб,Вс",
    },
    "hours_holidays": {"en": "Holidays: {dates}", "ru": "Праздники: {dates}"},
    "none": {"en": "none", "ru": "нет"},
    "hours_saved": {
        "en": "Saved. New SLA clocks use these hours; running ones keep their due times.",
        "ru": "Сохранено. Новые SLA-часы считаются по этим часам; идущие не меняются.",
    },
    "bad_date": {
        "en": "Cannot read {text!r} as a date: write it like 2026-12-31.",
        "ru": "Не понимаю дату {text!r}: пишите так: 2026-12-31.",
    },
    "mods_title": {"en": "Staff ({count}):", "ru": "Команда ({count}):"},
    "mods_line": {
        "en": "{who} · id {user_id} · {role} · {shift} · {open}/{capacity} open · {languages}",
        "ru": "{who} · id {user_id} · {role} · {shift} · открыто {open}/{capacity} · {languages}",
    },
    "on_shift": {"en": "on shift", "ru": "на смене"},
    "off_shift": {"en": "off shift", "ru": "не на смене"},
    "removed": {"en": "removed", "ru": "удалён"},
    "any_language": {"en": "any language", "ru": "любой язык"},
    "mods_added": {"en": "{who} is now staff: {role}.", "ru": "{who} теперь в команде: {role}."},
    "mods_removed": {
        "en": "{who} is removed from staff (open tickets move on at their next breach).",
        "ru": "{who} удалён из команды (открытые тикеты передадутся при нарушении SLA).",
    },
    "mods_role_set": {"en": "{who} is now {role}.", "ru": "{who} теперь {role}."},
    "mods_lang_set": {
        "en": "{who} answers in: {languages}.",
        "ru": "{who} отвечает на: {languages}.",
    },
    "mods_capacity_set": {
        "en": "{who} can hold {capacity} open tickets.",
        "ru": "{who} может вести {capacity} открытых тикетов.",
    },
    "unknown_staff": {
        "en": "There is no staff member {who}; see /mods.",
        "ru": "В команде нет {who}; см. /mods.",
    },
    "bad_user_id": {
        "en": "{text!r} is not a Telegram user id: give the number, like 123456789.",
        "ru": "{text!r} — не id пользователя Telegram: укажите число, например 123456789.",
    },
    "bad_role": {
        "en": "Unknown role {text!r}; use admin, lead or moderator.",
        "ru": "Неизвестная роль {text!r}; используйте admin, lead или moderator.",
    },
    "bad_languages": {
        "en": "Cannot read {text!r} as languages: write codes like ru,en (or any).",
        "ru": "Не понимаю языки {text!r}: пишите коды, например ru,en (или any).",
    },
    "bad_capacity": {
        "en": "Capacity is a whole number from 0 to {max}, not {text!r}.",
        "ru": "Нагрузка — целое число от 0 до {max}, а не {text!r}.",
    },
    "last_admin": {
        "en": "Steward must keep at least one active admin: make someone else admin first.",
        "ru": "В Steward должен остаться хотя бы один админ: сначала назначьте другого.",
    },
    "period_today": {"en": "today", "ru": "сегодня"},
    "period_7d": {"en": "in the last 7 days", "ru": "за 7 дней"},
    "period_30d": {"en": "in the last 30 days", "ru": "за 30 дней"},
    "bad_period": {
        "en": "Unknown period {text!r}; use today, 7d or 30d.",
        "ru": "Неизвестный период {text!r}; используйте today, 7d или 30d.",
    },
    "stats_title": {
        "en": "Tickets opened {period}: {total}",
        "ru": "Тикетов открыто {period}: {total}",
    },
    "stats_categories": {"en": "By category: {items}", "ru": "По категориям: {items}"},
    "stats_platforms": {"en": "By platform: {items}", "ru": "По платформам: {items}"},
    "stats_states": {"en": "By state: {items}", "ru": "По состоянию: {items}"},
    "stats_first_response": {
        "en": "First response: median {median}, p90 {p90}",
        "ru": "Первый ответ: медиана {median}, p90 {p90}",
    },
    "stats_sla": {
        "en": "First-response SLA hit: {rate} ({met} met, {missed} missed) · breaches: {breaches}",
        "ru": "SLA первого ответа: {rate} ({met} в срок, {missed} с нарушением) · "
        "нарушений: {breaches}",
    },
    "stats_response_rate": {
        "en": "Response rate: {rate} ({answered} of {total} answered)",
        "ru": "Доля отвеченных: {rate} ({answered} из {total})",
    },
    "no_data": {"en": "no data", "ru": "нет данных"},
    "templates_title": {"en": "Templates:", "ru": "Шаблоны:"},
    "templates_empty": {
        "en": "No templates yet. Add one: /template add <category> <name> <text>",
        "ru": "Шаблонов пока нет. Добавьте: /template add <категория> <имя> <текст>",
    },
    "template_saved": {
        "en": "Template {category}/{name} saved.",
        "ru": "Шаблон {category}/{name} сохранён.",
    },
    "template_replaced": {
        "en": "Template {category}/{name} replaced.",
        "ru": "Шаблон {category}/{name} заменён.",
    },
    "template_deleted": {
        "en": "Template {category}/{name} deleted.",
        "ru": "Шаблон {category}/{name} удалён.",
    },
    "template_missing": {
        "en": "There is no template {category}/{name}; see /template list.",
        "ru": "Шаблона {category}/{name} нет; см. /template list.",
    },
    "template_too_long": {
        "en": "A template is at most {max} characters; this one has {length}.",
        "ru": "Шаблон — не длиннее {max} символов; в этом {length}.",
    },
    "bad_template_name": {
        "en": "A template name is one word of at most {max} characters, not {text!r}.",
        "ru": "Имя шаблона — одно слово не длиннее {max} символов, а не {text!r}.",
    },
}


def say(key: str, lang: str | None = None, **values: object) -> str:
    variants = TEXTS[key]
    text = variants.get((lang or "en")[:2], variants["en"])
    return text.format(**values)


def language_of(code: str | None) -> str:
    """Telegram's language_code → the language we answer in."""
    return "ru" if (code or "").lower().startswith(("ru", "uk", "be", "kk")) else "en"
