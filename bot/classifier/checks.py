"""Named spam checks over what the text model does not see well: links, context, repetition.

Each check is a small pure function returning a `Check`; it fires with a weight in
log-odds that `policy.decide_spam` adds to the text model's spam logit. Weights and
thresholds live in `policy.SpamPolicy`, so they are configuration, not numbers here.
"""

from __future__ import annotations

from bot.classifier.normalize import NormalizedText
from bot.classifier.policy import CheckWeights, SpamPolicy
from bot.classifier.repeats import RepeatInfo
from bot.classifier.verdict import Check, MessageContext


def _shorten(items: tuple[str, ...] | list[str], limit: int = 3) -> str:
    shown = ", ".join(item[:60] for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _fired(name: str, weight: float, details: str) -> Check:
    return Check(name=name, spam=True, weight=weight, details=details)


# A check that did not fire is the same object every time: most messages fire none,
# and building eleven objects per message would be a tenth of the classifier's time.
_QUIET: dict[str, Check] = {}


def _quiet(name: str, details: str = "") -> Check:
    if details:
        return Check(name=name, spam=False, weight=0.0, details=details)
    check = _QUIET.get(name)
    if check is None:
        check = _QUIET[name] = Check(name=name, spam=False, weight=0.0)
    return check


_ALL_QUIET: tuple[Check, ...] = tuple(
    _quiet(name)
    for name in (
        "links",
        "invite_link",
        "telegram_link",
        "channel_mention",
        "forwarded_from_channel",
        "new_member_phone",
        "repeated_text",
        "many_emoji",
        "mixed_script",
        "spaced_letters",
        "new_member",
    )
)  # what `run_checks` returns when nothing fires, in its order


def is_new_member(context: MessageContext | None, policy: SpamPolicy) -> bool:
    """The author joined recently and has not yet written a few legitimate messages."""
    if context is None:
        return False
    recent = bool(context.is_new_member) or (
        context.seconds_since_join is not None
        and context.seconds_since_join <= policy.new_member_seconds
    )
    return recent and (context.prior_legit_messages or 0) < policy.first_messages


def check_links(
    normalized: NormalizedText, context: MessageContext | None, w: CheckWeights
) -> Check:
    links = list(normalized.urls)
    if context is not None:
        # Hidden links (text_link entities) are invisible in the text itself.
        links += [link for link in context.entity_links if link not in normalized.urls]
    if not links:
        return _quiet("links")
    return _fired("links", w.links, f"{len(links)} link(s): {_shorten(links)}")


def check_invite_link(normalized: NormalizedText, w: CheckWeights) -> Check:
    if not normalized.invite_links:
        return _quiet("invite_link")
    return _fired(
        "invite_link",
        w.invite_link,
        f"invitation to another chat: {_shorten(normalized.invite_links)}",
    )


def check_telegram_link(normalized: NormalizedText, w: CheckWeights) -> Check:
    if not normalized.telegram_links:
        return _quiet("telegram_link")
    return _fired(
        "telegram_link",
        w.telegram_link,
        f"link to a Telegram channel or account: {_shorten(normalized.telegram_links)}",
    )


def check_channel_mention(
    normalized: NormalizedText, context: MessageContext | None, w: CheckWeights
) -> Check:
    mentions = list(normalized.mentions)
    if context is not None:
        mentions += [m for m in context.entity_mentions if m not in normalized.mentions]
    if not mentions:
        return _quiet("channel_mention")
    return _fired("channel_mention", w.channel_mention, f"mentions {_shorten(mentions)}")


def check_forwarded(context: MessageContext | None, w: CheckWeights) -> Check:
    if context is None or not context.forwarded_from_channel:
        return _quiet("forwarded_from_channel")
    return _fired("forwarded_from_channel", w.forwarded_from_channel, "forwarded from a channel")


def check_new_member_phone(
    normalized: NormalizedText, context: MessageContext | None, policy: SpamPolicy
) -> Check:
    first = is_new_member(context, policy) or bool(context and context.is_first_message)
    if not normalized.phones or not first:
        return _quiet("new_member_phone")
    return _fired(
        "new_member_phone",
        policy.weights.new_member_phone,
        f"phone number in a new member's first messages: {_shorten(normalized.phones)}",
    )


def check_repeated(repeat: RepeatInfo | None, policy: SpamPolicy) -> Check:
    if repeat is None:
        return _quiet("repeated_text")
    if repeat.authors >= policy.repeated_authors or repeat.chats >= policy.repeated_chats:
        return _fired(
            "repeated_text",
            policy.weights.repeated_text,
            f"the same text {repeat.sightings} times recently, from {repeat.authors} author(s) "
            f"in {repeat.chats} chat(s)",
        )
    return _quiet("repeated_text", f"seen {repeat.sightings} time(s) from one author in one chat")


def check_many_emoji(normalized: NormalizedText, policy: SpamPolicy) -> Check:
    if normalized.emoji_count < policy.many_emoji:
        return _quiet("many_emoji")
    return _fired("many_emoji", policy.weights.many_emoji, f"{normalized.emoji_count} emoji")


def check_mixed_script(normalized: NormalizedText, w: CheckWeights) -> Check:
    if not normalized.lookalike_words:
        return _quiet("mixed_script")
    return _fired(
        "mixed_script",
        w.mixed_script,
        f"words disguised with look-alike letters: {_shorten(normalized.lookalike_words)}",
    )


def check_spaced_letters(normalized: NormalizedText, w: CheckWeights) -> Check:
    if not normalized.spaced_words:
        return _quiet("spaced_letters")
    return _fired(
        "spaced_letters",
        w.spaced_letters,
        f"{normalized.spaced_words} word(s) spelled out letter by letter",
    )


def check_new_member(context: MessageContext | None, policy: SpamPolicy) -> Check:
    if not is_new_member(context, policy):
        return _quiet("new_member")
    assert context is not None  # is_new_member is False without a context
    joined = (
        f"{context.seconds_since_join / 60:.0f} min after joining"
        if context.seconds_since_join is not None
        else "just joined"
    )
    return _fired("new_member", policy.weights.new_member, f"one of the first messages, {joined}")


def is_too_short(
    normalized: NormalizedText, context: MessageContext | None, policy: SpamPolicy
) -> bool:
    """Few words and no link, mention, phone, e-mail or disguise: too short to call spam."""
    has_contact = bool(
        normalized.link_count
        or normalized.mentions
        or normalized.phones
        or normalized.emails
        or normalized.lookalike_words
        or normalized.spaced_words
        or (context is not None and (context.entity_links or context.entity_mentions))
    )
    return normalized.words < policy.short_text_words and not has_contact


def run_checks(
    normalized: NormalizedText,
    context: MessageContext | None,
    repeat: RepeatInfo | None,
    policy: SpamPolicy,
) -> list[Check]:
    """Every non-text check, in a fixed order (the order moderators see them in)."""
    if (
        context is None
        and repeat is None
        and not (normalized.urls or normalized.invite_links or normalized.telegram_links)
        and not (normalized.mentions or normalized.lookalike_words or normalized.spaced_words)
        and normalized.emoji_count < policy.many_emoji
    ):
        # The common case, a plain text with no context: nothing can fire, so skip the
        # eleven calls (the context checks and the phone check need a context).
        return list(_ALL_QUIET)
    w = policy.weights
    return [
        check_links(normalized, context, w),
        check_invite_link(normalized, w),
        check_telegram_link(normalized, w),
        check_channel_mention(normalized, context, w),
        check_forwarded(context, w),
        check_new_member_phone(normalized, context, policy),
        check_repeated(repeat, policy),
        check_many_emoji(normalized, policy),
        check_mixed_script(normalized, w),
        check_spaced_letters(normalized, w),
        check_new_member(context, policy),
    ]
