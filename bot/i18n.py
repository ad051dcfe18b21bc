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
    "help_moderation": {
        "en": "remove as spam, warn, mute, ban or lift, by reply to a card, a log entry "
        "or a member's message, or by user id",
        "ru": "удалить как спам, предупредить, заглушить, забанить или снять — ответом на "
        "карточку, запись журнала или сообщение участника, либо по id",
    },
    "help_post": {
        "en": "the content plan: queue, list, publish now or cancel posts",
        "ru": "контент-план: поставить в очередь, показать, опубликовать сейчас, отменить",
    },
    "help_promo": {
        "en": "the promotional share per channel and what the queue would do",
        "ru": "доля рекламы по каналам и что сделает очередь",
    },
    "help_slots": {
        "en": "posting times, suggested from members' activity",
        "ru": "время публикаций, подсказки по активности участников",
    },
    "help_events": {
        "en": "giveaways among commenters, and polls",
        "ru": "розыгрыши среди комментаторов и опросы",
    },
    "help_dry": {"en": "which communities are in dry-run", "ru": "где включён пробный режим"},
    "help_dry_set": {
        "en": "dry-run: decide and log, perform nothing on the platforms",
        "ru": "пробный режим: решать и записывать, ничего не делать на платформах",
    },
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
    "resolution_overdue": {"en": "🔥 resolution overdue", "ru": "🔥 просрочено решение"},
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
    # ---- content plan (handlers/content.py, bot/content)
    "plan_now": {"en": "{target}: goes out now", "ru": "{target}: выходит сейчас"},
    "plan_at": {"en": "{target}: {when}", "ru": "{target}: {when}"},
    "plan_filler": {
        "en": "{target}: {when} (fills an empty slot)",
        "ru": "{target}: {when} (заполняет пустой слот)",
    },
    "plan_moved": {
        "en": "{target}: moved to {when}, because at the requested time it {why}",
        "ru": "{target}: перенесён на {when}, потому что в запрошенное время: {why}",
    },
    "plan_provisional": {
        "en": "{target}: {when} (the promotion ratio is checked closer to the date)",
        "ru": "{target}: {when} (долю рекламы проверим ближе к дате)",
    },
    "plan_unplanned": {
        "en": "{target}: no place yet — {why}",
        "ru": "{target}: места пока нет — {why}",
    },
    "plan_unknown": {"en": "{target}: not in the plan", "ru": "{target}: нет в плане"},
    "state_sent": {"en": "{target}: published {when}", "ru": "{target}: опубликован {when}"},
    "state_sending": {
        "en": "{target}: publishing (since {when})",
        "ru": "{target}: публикуется (с {when})",
    },
    "state_deleted": {
        "en": "{target}: published {when}, deleted at expiry",
        "ru": "{target}: опубликован {when}, удалён по сроку",
    },
    "state_failed": {
        "en": "{target}: not published — {error}",
        "ru": "{target}: не опубликован — {error}",
    },
    "state_cancelled": {"en": "{target}: cancelled ({why})", "ru": "{target}: отменён ({why})"},
    "by_admin": {"en": "by an admin", "ru": "админом"},
    "post_queued": {
        "en": "Post #{id} ({kind}) queued:",
        "ru": "Пост #{id} ({kind}) в очереди:",
    },
    "post_use_poll": {
        "en": "Polls are made with /poll <question> | <option> | <option>.",
        "ru": "Опросы создаются командой /poll <вопрос> | <вариант> | <вариант>.",
    },
    "post_no_text": {
        "en": "The post has no text: write it after the options, or send /post add as a "
        "reply to the message to publish.",
        "ru": "В посте нет текста: напишите его после параметров или отправьте /post add "
        "ответом на сообщение, которое нужно опубликовать.",
    },
    "post_unknown": {"en": "Post #{id} does not exist.", "ru": "Поста #{id} нет."},
    "post_list_empty": {
        "en": "Nothing is queued. Add a post: /post add [kind] [now|next|at <time>] <text>",
        "ru": "Очередь пуста. Добавьте пост: /post add [вид] [now|next|at <время>] <текст>",
    },
    "post_list_title": {
        "en": "Content plan, {count} post(s) waiting:",
        "ru": "Контент-план, ждут публикации: {count}",
    },
    "post_head": {
        "en": "Post #{id} · {kind} · queued {queued} by {who}",
        "ru": "Пост #{id} · {kind} · поставлен {queued}, {who}",
    },
    "post_evergreen": {
        "en": "Evergreen: fills empty slots.",
        "ru": "Вечнозелёный: заполняет пустые слоты.",
    },
    "post_expires_at": {"en": "Deleted at {when}.", "ru": "Удаляется {when}."},
    "post_expires_after": {
        "en": "Deleted {hours} h after publication.",
        "ru": "Удаляется через {hours} ч после публикации.",
    },
    "post_link": {"en": "Link: {link}", "ru": "Ссылка: {link}"},
    "post_nothing_to_cancel": {
        "en": "Post #{id} has nothing left to cancel: it is already out (or cancelled).",
        "ru": "У поста #{id} нечего отменять: он уже вышел (или отменён).",
    },
    "post_cancelled": {
        "en": "Post #{id} cancelled on {count} target(s).",
        "ru": "Пост #{id} отменён в {count} местах.",
    },
    "post_nothing_waiting": {
        "en": "Post #{id} is not waiting anywhere.",
        "ru": "Пост #{id} нигде не ждёт публикации.",
    },
    "post_hurried": {
        "en": "Post #{id} goes out as soon as the promotion policy allows:",
        "ru": "Пост #{id} выйдет, как только позволит политика рекламы:",
    },
    "promo_title": {
        "en": "Promotion policy and current share per target:",
        "ru": "Политика рекламы и текущая доля по площадкам:",
    },
    "promo_line": {
        "en": "{target}\n  {policy}\n  Now: {share}",
        "ru": "{target}\n  {policy}\n  Сейчас: {share}",
    },
    "promo_saved": {"en": "Saved for {targets}.", "ru": "Сохранено для: {targets}."},
    "promo_check_title": {
        "en": "What the queue would do with promotions:",
        "ru": "Что очередь сделает с рекламой:",
    },
    "promo_check_none": {
        "en": "no promotional posts queued",
        "ru": "рекламных постов в очереди нет",
    },
    "slots_title": {"en": "Posting slots:", "ru": "Слоты публикаций:"},
    "slots_line": {
        "en": "{target} · {zone} · {mode}\n{slots}",
        "ru": "{target} · {zone} · {mode}\n{slots}",
    },
    "slots_mode_auto": {
        "en": "auto (best hours from activity)",
        "ru": "авто (лучшие часы по активности)",
    },
    "slots_mode_fixed": {"en": "set by hand", "ru": "заданы вручную"},
    "slots_saved": {"en": "Saved.", "ru": "Сохранено."},
    "slots_suggestion": {
        "en": "{target} · {zone}: best hours from {count} member messages and comments "
        "of the last 8 weeks:",
        "ru": "{target} · {zone}: лучшие часы по {count} сообщениям и комментариям "
        "участников за 8 недель:",
    },
    "slots_no_activity": {
        "en": "(no member activity recorded yet: these are the default hours)",
        "ru": "(активности участников пока нет: это часы по умолчанию)",
    },
    "slots_suggest_hint": {
        "en": "Use them with /slots auto on.",
        "ru": "Включить их: /slots auto on.",
    },
    "slots_auto_on": {
        "en": "Slots now follow member activity (refreshed daily).",
        "ru": "Слоты теперь следуют активности участников (обновляются ежедневно).",
    },
    "slots_auto_off": {
        "en": "Slots are back to the ones set by hand.",
        "ru": "Слоты снова заданы вручную.",
    },
    "giveaway_wrong_kind": {
        "en": "Post #{id} is a {kind} post; a giveaway needs a giveaway post "
        "(/post add giveaway …), which the promotion ratio counts.",
        "ru": "Пост #{id} — вида {kind}; для розыгрыша нужен пост вида giveaway "
        "(/post add giveaway …), он учитывается в доле рекламы.",
    },
    "giveaway_exists": {
        "en": "Post #{id} already has a giveaway, ending {when}.",
        "ru": "У поста #{id} уже есть розыгрыш, он закончится {when}.",
    },
    "giveaway_set": {
        "en": "Giveaway #{gid} for post #{id}: ends {when}; {winners} winner(s) drawn among "
        "the members who comment under the post.",
        "ru": "Розыгрыш #{gid} по посту #{id}: завершится {when}; победителей: {winners}, "
        "среди участников, прокомментировавших пост.",
    },
    "poll_queued": {
        "en": "Poll #{id} queued; it closes {closes}:",
        "ru": "Опрос #{id} в очереди; закроется {closes}:",
    },
    "poll_closes_after": {
        "en": "{hours} h after publication",
        "ru": "через {hours} ч после публикации",
    },
    "expired_unpublished": {
        "en": "its expiry {when} came before the promotion policy let it out",
        "ru": "срок {when} истёк раньше, чем политика рекламы позволила выпуск",
    },
    "notice_expired_unpublished": {
        "en": "Post #{id} was not published to {target}: it expired at {when} before the "
        "promotion policy let it out.",
        "ru": "Пост #{id} не опубликован в {target}: срок истёк {when} раньше, чем политика "
        "рекламы позволила выпуск.",
    },
    "notice_moved": {
        "en": "Post #{id} ({kind}) to {target} moves to {when}, because at its time it {why}.",
        "ru": "Пост #{id} ({kind}) в {target} переносится на {when}, потому что в его время: "
        "{why}.",
    },
    "notice_unplanned": {
        "en": "Post #{id} ({kind}) to {target} has no place in the plan yet: {why}.",
        "ru": "Для поста #{id} ({kind}) в {target} пока нет места в плане: {why}.",
    },
    "notice_publish_failed": {
        "en": "⚠️ Post #{id} was not published to {target}: {error} {who}",
        "ru": "⚠️ Пост #{id} не опубликован в {target}: {error} {who}",
    },
    "notice_delete_failed": {
        "en": "⚠️ Post #{id} could not be deleted from {target} at its expiry: {error} {who}",
        "ru": "⚠️ Пост #{id} не удалось удалить из {target} по сроку: {error} {who}",
    },
    "notice_poll_failed": {
        "en": "⚠️ The results of poll #{id} on {target} could not be read: {error}",
        "ru": "⚠️ Не удалось получить итоги опроса #{id} в {target}: {error}",
    },
    "notice_poll_results": {
        "en": "📊 Poll #{id} on {target} closed: {question}\n{lines}\nVoters: {voters}",
        "ru": "📊 Опрос #{id} в {target} закрыт: {question}\n{lines}\nПроголосовало: {voters}",
    },
    "notice_cadence": {
        "en": "📅 {target}: {warning} {who}",
        "ru": "📅 {target}: {warning} {who}",
    },
    "notice_giveaway": {
        "en": "🎁 Giveaway #{gid} (post #{id}) drawn among {count} eligible commenter(s), "
        "{excluded} left out. Winners: {winners}. Seed {seed} (recorded for audit).",
        "ru": "🎁 Розыгрыш #{gid} (пост #{id}) проведён среди {count} участников, "
        "исключено {excluded}. Победители: {winners}. Seed {seed} (сохранён для проверки).",
    },
    "notice_giveaway_empty": {
        "en": "🎁 Giveaway #{gid} (post #{id}): nobody eligible commented, so there are no "
        "winners.",
        "ru": "🎁 Розыгрыш #{gid} (пост #{id}): подходящих комментариев нет, победителей нет.",
    },
    "notice_giveaway_void": {
        "en": "🎁 Giveaway #{gid} (post #{id}) is void: the post was never published.",
        "ru": "🎁 Розыгрыш #{gid} (пост #{id}) не состоялся: пост так и не вышел.",
    },
    "notice_announce_failed": {
        "en": "⚠️ The winners of giveaway #{id} could not be announced under a post: {error}",
        "ru": "⚠️ Не удалось объявить победителей розыгрыша #{id} под постом: {error}",
    },
    "giveaway_announcement": {
        "en": "🎉 Giveaway results! Winners: {winners}. Drawn at random among {count} "
        "participant(s); seed {seed}. Congratulations!",
        "ru": "🎉 Итоги розыгрыша! Победители: {winners}. Выбраны случайно среди {count} "
        "участников; seed {seed}. Поздравляем!",
    },
    # ---- moderation commands (handlers/moderation.py)
    "mod_whom": {
        "en": "Whom? Reply to a ticket card, a spam entry or the member's message, or name the "
        "member: {usage} with 12345 first in a group, or tg:<chat id>:<user id> / "
        "vk:<group id>:<user id> in the moderators' chat.",
        "ru": "Кого? Ответьте на карточку, запись о спаме или сообщение участника либо укажите "
        "участника: {usage} с 12345 первым словом в группе или tg:<id чата>:<id пользователя> / "
        "vk:<id сообщества>:<id пользователя> в чате модераторов.",
    },
    "mod_pick_member": {
        "en": "That entry lists several removals: {members}. Put the member's id first, "
        "e.g. /ban 12345 reason.",
        "ru": "В этой записи несколько удалений: {members}. Укажите id участника первым словом, "
        "например /ban 12345 причина.",
    },
    "mod_elsewhere": {
        "en": "In a group, commands act on that group: give just the user id.",
        "ru": "В группе команды действуют в этой группе: укажите только id пользователя.",
    },
    "mod_unknown_place": {
        "en": "Steward does not watch {place} as a community. Known: {known}.",
        "ru": "Steward не следит за сообществом {place}. Известные: {known}.",
    },
    "mod_unknown_member": {
        "en": "Steward has not dealt with member {member} yet, so it does not know where. "
        "Name the place: tg:<chat id>:{member} or vk:<group id>:{member}.",
        "ru": "Steward ещё не имел дела с участником {member} и не знает, где он пишет. "
        "Укажите место: tg:<id чата>:{member} или vk:<id сообщества>:{member}.",
    },
    "mod_ambiguous": {
        "en": "Member {member} is known in several places: {places}. Say which: "
        "/{command} <one of them> …",
        "ru": "Участник {member} известен в нескольких местах: {places}. Укажите одно: "
        "/{command} <одно из них> …",
    },
    "mod_self": {
        "en": "That is me: I will not act on myself.",
        "ru": "Это я: на себя не действую.",
    },
    "mod_staff_target": {
        "en": "{who} is on Steward's staff: admins and moderators are never penalised.",
        "ru": "{who} — сотрудник Steward: админов и модераторов не наказывают.",
    },
    "mod_private_chat": {
        "en": "That conversation is a private chat with the bot: Telegram has no warning, mute "
        "or ban there.",
        "ru": "Это личный чат с ботом: в Telegram там нет предупреждений, мьюта и бана.",
    },
    "mod_unavailable": {
        "en": "Spam handling is not running, so this cannot be done now.",
        "ru": "Обработка спама не запущена, сейчас это сделать нельзя.",
    },
    "mod_bad_length": {
        "en": "The length must lie between 1 min and 366 days (Telegram reads anything else as "
        "for ever), not {text}. Leave it out for the default.",
        "ru": "Срок должен быть от 1 мин до 366 дней (иначе Telegram считает его вечным), "
        "а не {text}. Без срока — значение по умолчанию.",
    },
    "mod_spam_needs_message": {
        "en": "/spam needs the message: reply to it, to its card or to its flood notice.",
        "ru": "/spam нужно сообщение: ответьте на него, на его карточку или на запись о флуде.",
    },
    "mod_already_spam": {
        "en": "That was already handled as spam (entry #{id}).",
        "ru": "Это уже обработано как спам (запись #{id}).",
    },
    "mod_spammed": {
        "en": "🚫 Removed {count} message(s) of {who} in {place} as spam; penalty: {penalty}. "
        "Reason: {reason}",
        "ru": "🚫 Удалено как спам: {count} сообщ. от {who} в {place}; наказание: {penalty}. "
        "Причина: {reason}",
    },
    "mod_member": {"en": "Member", "ru": "Участник"},
    "mod_public_warning": {
        "en": "⚠️ {name}, this is a warning from the moderators. Please keep to the rules of the "
        "chat.",
        "ru": "⚠️ {name}, это предупреждение от модераторов. Пожалуйста, соблюдайте правила чата.",
    },
    "mod_public_reason": {"en": "Reason: {reason}", "ru": "Причина: {reason}"},
    "mod_warned": {
        "en": "⚠️ Warned {who} in {place}. Reason: {reason}",
        "ru": "⚠️ {who} предупреждён(а) в {place}. Причина: {reason}",
    },
    "mod_warned_quiet": {
        "en": "⚠️ Warning recorded for {who} in {place} (no public warning is posted there). "
        "Reason: {reason}",
        "ru": "⚠️ Предупреждение для {who} в {place} записано (публично там не пишем). "
        "Причина: {reason}",
    },
    "mod_muted": {
        "en": "🔇 Muted {who} in {place} for {length}. Reason: {reason}",
        "ru": "🔇 {who}: мьют в {place} на {length}. Причина: {reason}",
    },
    "mod_forever": {"en": "for ever", "ru": "навсегда"},
    "mod_banned": {
        "en": "⛔ Banned {who} in {place}: {length}. Reason: {reason}",
        "ru": "⛔ {who}: бан в {place} — {length}. Причина: {reason}",
    },
    "mod_unmuted": {
        "en": "🔈 Unmuted {who} in {place}. Reason: {reason}",
        "ru": "🔈 С {who} снят мьют в {place}. Причина: {reason}",
    },
    "mod_unbanned": {
        "en": "✅ Unbanned {who} in {place}. Reason: {reason}",
        "ru": "✅ С {who} снят бан в {place}. Причина: {reason}",
    },
    "mod_dry_note": {
        "en": "🧪 Dry run: logged as “would …”, nothing was done on the platform.",
        "ru": "🧪 Пробный режим: записано как «would …», на платформе ничего не сделано.",
    },
    "dry_title": {
        "en": "Dry run (Steward logs what it would do and does nothing on the platform):",
        "ru": "Пробный режим (Steward записывает, что сделал бы, и ничего не делает на платформе):",
    },
    "dry_global": {
        "en": "STEWARD_DRY_RUN=1 is set: every community is in dry run.",
        "ru": "Задано STEWARD_DRY_RUN=1: пробный режим во всех сообществах.",
    },
    "dry_line": {"en": "{title} ({ref}): {state}", "ru": "{title} ({ref}): {state}"},
    "dry_on": {"en": "on", "ru": "включён"},
    "dry_off": {"en": "off", "ru": "выключен"},
    "dry_set": {
        "en": "Dry run is now {state} for {title} ({ref}).",
        "ru": "Пробный режим для {title} ({ref}) теперь {state}.",
    },
    "dry_which": {
        "en": "Which community? {usage}. Known: {known}.",
        "ru": "Какое сообщество? {usage}. Известные: {known}.",
    },
    "dry_none": {
        "en": "Steward has not seen any community yet.",
        "ru": "Steward пока не видел ни одного сообщества.",
    },
}


def say(key: str, lang: str | None = None, **values: object) -> str:
    variants = TEXTS[key]
    text = variants.get((lang or "en")[:2], variants["en"])
    return text.format(**values)


def language_of(code: str | None) -> str:
    """Telegram's language_code → the language we answer in."""
    return "ru" if (code or "").lower().startswith(("ru", "uk", "be", "kk")) else "en"
