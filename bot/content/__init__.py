"""The content plan: posts queued by admins, published at their slots on Telegram channels
and VK walls, with promotional posts kept to the ratio policy.

    handlers/content.py  → service (queue, plan, cancel) → planning (the pure planner over
    the database) → scheduler (tick: publish what is due, expire, close polls, draw
    giveaways, warn about cadence) → publisher (outbox items) → hooks (message ids,
    failures and poll results back from the senders)

The rules themselves are pure and live in `bot.policy` (`promo`, `slots`, `best_times`,
`giveaway`); this package only reads and writes the database and the outbox.
"""
