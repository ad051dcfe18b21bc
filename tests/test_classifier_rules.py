"""Verdict rules: the hard rule, every spam check's reason, `uncertain`, odd inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.classifier import Classifier, MessageContext, SpamPolicy, Verdict
from bot.classifier.checks import run_checks
from bot.classifier.model import TextModel
from bot.classifier.normalize import normalize
from bot.classifier.policy import decide_spam
from bot.classifier.repeats import RepeatTracker
from bot.classifier.verdict import INTENTS, OUTPUT_KEYS

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# A new member's first message: the context in which spam checks fire most.
NEW_MEMBER = MessageContext(
    author_id="tg:901",
    chat_id="tg:-100500",
    is_new_member=True,
    seconds_since_join=45,
    is_first_message=True,
    prior_legit_messages=0,
    now=NOW,
)

FORWARDED = MessageContext(forwarded_from_channel=True)

# Negative reviews with links, in many phrasings: none may ever be removed.
COMPLAINTS_WITH_LINKS = [
    "Заказ пришёл разбитый, вот фото: https://imgur.com/a/Kx81pQ — верните деньги!",
    "Ужасный сервис, третий день нет интернета, скрин ошибки https://ibb.co/7ytRb2M",
    "Вы обманщики! Списали деньги дважды, выписка тут: drive.google.com/file/d/1x2y3z/view",
    "Курьер нахамил и бросил пакет у двери, видео https://youtu.be/abc123xyz позор",
    "Отвратительно. Платье порвано по шву, фото https://disk.yandex.ru/i/q1w2e3 верните деньги",
    "Две недели жду возврат, поддержка молчит. Скрин переписки https://imgur.com/gallery/m0nEy9x",
    "это просто кошмар, торт привезли раздавленный vk.com/photo123_456 больше никогда не закажу",
    "Мастер испортила мне ногти, всё отслоилось через день, фото тут https://ibb.co/nails01 ужас",
    "Курс полная ерунда, деньги на ветер, вот отзыв подробно https://otzovik.com/review_123.html",
    "Ваше приложение опять не работает, скрин https://prnt.sc/abc123, сколько можно?!",
    "Почему списали 990 руб за подписку которую я отменял?? вот чек https://check.ru/r/55 верните",
    "@shop_support где мой заказ?! Трек https://track.ru/RA123456789RU стоит неделю, безобразие",
    "Телефон сломался через неделю, в гарантии отказали. Акт https://imgur.com/a/akt77 — позор",
    "Отель грязный, в номере тараканы, фото https://ibb.co/hotel666. Требую компенсацию!",
    "Обещали доставку за час, везли три, всё остыло. Скрин заказа: https://imgur.com/a/cold",
    "zakaz prishel slomannyj, foto: imgur.com/a/x7Kq2Lp, verni dengi",
    "uzhas a ne servis, foto tut https://ibb.co/abc, bolshe ne zakazhu",
    "The package arrived smashed, photos here: https://imgur.com/a/Qx7pLm2 I want a refund now",
    "Worst service ever. Charged twice, bank statement: https://drive.google.com/file/d/1aZ8k/view",
    "Your courier threw my parcel over the fence, video proof https://youtu.be/xyz987 disgusting",
    "Three weeks and still no refund. Screenshot of your promise: https://prnt.sc/refund1 shame",
    "The dress ripped on first wear, see https://ibb.co/dress99 — terrible quality, never again",
    "Internet down for 4 days, speedtest https://www.speedtest.net/result/158820 sort it out!!",
    "why did you charge me for a cancelled subscription?? receipt: https://imgur.com/a/rcpt0",
    "@acme_help where is my order?! tracking https://track.example.com/123 stuck 10 days, awful",
    "The hotel room was filthy and smelled of smoke, photos https://ibb.co/room13. Never again",
    "Your app crashes every time I pay, screen recording https://youtu.be/crash42 fix it already",
    "Cold food, 2 hours late, driver rude. Order screenshot https://imgur.com/a/late2 disgraceful",
    "Third time my order is wrong!!! pics https://imgur.com/a/wrong3 do you even read orders?",
]


@pytest.mark.parametrize("text", COMPLAINTS_WITH_LINKS)
def test_hard_rule_complaints_with_links_are_never_removed(
    classifier: Classifier, text: str
) -> None:
    for context in (None, NEW_MEMBER):
        verdict = classifier.classify(text, context)
        assert not verdict.is_spam, verdict.reasons
        assert verdict.spam_score < classifier.policy.removal_threshold


def _scores(top: str, value: float, names: tuple[str, ...]) -> dict[str, float]:
    rest = (1.0 - value) / (len(names) - 1)
    return {name: value if name == top else rest for name in names}


def test_hard_rule_holds_whatever_the_checks_say() -> None:
    """Policy level: strongly negative, complaint on top, every check firing, a spammy
    wording — still capped under the lowest removal threshold."""
    policy = SpamPolicy()
    normalized = normalize(
        "ужасно!!! 😡😡😡😡😡😡 t.me/+abc https://x.ru @shop +7 912 345 67 89 зaрaботок з а р а б"
    )
    repeat_info = RepeatTracker(min_chars=1).observe("x", author="a", chat="b", now=NOW)
    checks = run_checks(normalized, NEW_MEMBER, repeat_info, policy)
    for text_spam in (0.2, 0.6, 0.99):
        decision = decide_spam(
            text_spam,
            checks,
            _scores("complaint", 0.7, INTENTS),
            {"negative": 0.9, "neutral": 0.05, "positive": 0.05},
            policy,
            NEW_MEMBER,
        )
        assert decision.protected
        assert not decision.is_spam
        assert decision.score < policy.removal_threshold


def test_a_plausible_complaint_is_protected_whatever_its_tone() -> None:
    """Spam likelier, but the complaint probability over the guard: sarcasm or a flat
    tone does not make a complaint with a link removable."""
    policy = SpamPolicy()
    intents = {"purchase": 0.02, "support": 0.02, "complaint": 0.35, "praise": 0.05}
    intents |= {"spam": 0.5, "other": 0.06}
    decision = decide_spam(
        0.9, [], intents, {"negative": 0.1, "neutral": 0.1, "positive": 0.8}, policy
    )
    assert decision.protected
    assert not decision.is_spam
    below = intents | {"complaint": policy.complaint_guard - 0.01, "other": 0.12}
    decision = decide_spam(
        0.9, [], below, {"negative": 0.1, "neutral": 0.1, "positive": 0.8}, policy
    )
    assert not decision.protected
    assert decision.is_spam


def test_a_strongly_negative_text_is_protected_unless_spam_is_clear() -> None:
    policy = SpamPolicy()
    negative = {"negative": 0.75, "neutral": 0.1, "positive": 0.15}
    unsure = {"purchase": 0.0, "support": 0.0, "complaint": 0.2, "praise": 0.0}
    unsure |= {"spam": 0.6, "other": 0.2}
    assert decide_spam(0.9, [], unsure, negative, policy).protected
    clear = unsure | {"spam": policy.confident_spam, "other": 0.1}
    assert not decide_spam(0.9, [], clear, negative, policy).protected


def test_spam_with_a_negative_tone_is_still_spam() -> None:
    """The protection needs the words to read as a complaint, not merely as negative."""
    policy = SpamPolicy()
    decision = decide_spam(
        0.99,
        [],
        _scores("spam", 0.9, INTENTS),
        {"negative": 0.8, "neutral": 0.1, "positive": 0.1},
        policy,
    )
    assert not decision.protected
    assert decision.is_spam


@pytest.mark.parametrize(
    "text",
    [
        "💰 Заработок от 5000 в день без вложений! Пиши в лс, всему научу 💰",
        "🚀🚀 NEW AIRDROP LIVE 🚀🚀 Claim your free 500 $PEPE2 tokens 👉 t.me/+Pq7XkLm2aZ9hYjE5",
        "Earn $3,000 weekly from home, no experience needed! DM @RichMentor_Official now",
        "Подписывайтесь на канал с сигналами по крипте, 95% прибыльных сделок t.me/cryptosignals",
    ],
)
def test_obvious_spam_is_removed(classifier: Classifier, text: str) -> None:
    verdict = classifier.classify(text)
    assert verdict.is_spam, verdict.reasons
    assert verdict.intent == "spam"
    assert verdict.reasons[0].startswith("spam: score")


def test_ordinary_messages_are_not_removed(classifier: Classifier) -> None:
    for text in (
        "сколько стоит доставка до Казани?",
        "Спасибо большое, всё пришло вовремя, очень довольна!",
        "how much is the unlimited plan per month?",
        "thanks, the support team sorted it out in 5 minutes",
        "+1",
        "🔥🔥🔥",
    ):
        verdict = classifier.classify(text)
        assert not verdict.is_spam, (text, verdict.reasons)


def _fired(verdict: Verdict) -> dict[str, str]:
    return {check.name: check.details for check in verdict.fired_checks}


@pytest.mark.parametrize(
    ("text", "context", "check", "detail"),
    [
        ("see the photos https://example.com/pics", None, "links", "example.com/pics"),
        ("join us t.me/+AbCdEf123", None, "invite_link", "t.me/+AbCdEf123"),
        ("follow t.me/best_deals_ever", None, "telegram_link", "t.me/best_deals_ever"),
        ("ask @best_seller about it", None, "channel_mention", "@best_seller"),
        ("great news everyone", FORWARDED, "forwarded_from_channel", "forwarded from a channel"),
        ("call me +7 912 345 67 89", NEW_MEMBER, "new_member_phone", "+7 912 345 67 89"),
        ("так классно 😀😀🎉🎉🔥🔥💯", None, "many_emoji", "7 emoji"),
        ("лучший зaрaботок тут", None, "mixed_script", "зaрaботок"),
        ("з а р а б о т о к тут", None, "spaced_letters", "1 word(s)"),
        ("hello there", NEW_MEMBER, "new_member", "1 min after joining"),
        ("hidden link", MessageContext(entity_links=("https://hidden.example",)), "links",
         "hidden.example"),
    ],
)  # fmt: skip
def test_each_spam_check_gives_its_reason(
    classifier: Classifier, text: str, context: MessageContext | None, check: str, detail: str
) -> None:
    verdict = classifier.classify(text, context)
    fired = _fired(verdict)
    assert check in fired, verdict.checks
    assert detail in fired[check]
    assert any(reason.startswith(f"{check}: ") for reason in verdict.reasons)


def test_repeated_text_across_chats_fires_once_seen_twice(trained_model: TextModel) -> None:
    clock = [NOW]
    tracker = RepeatTracker(window=timedelta(minutes=10), clock=lambda: clock[0])
    classifier = Classifier(trained_model, repeats=tracker)
    text = "Лучшие скидки недели только у нас, заходите и выбирайте подарки"
    first = classifier.classify(text, MessageContext(author_id="a", chat_id="chat1"))
    assert "repeated_text" not in _fired(first)
    same_place = classifier.classify(text, MessageContext(author_id="a", chat_id="chat1"))
    assert "repeated_text" not in _fired(same_place)
    elsewhere = classifier.classify(text, MessageContext(author_id="a", chat_id="chat2"))
    assert "2 chat(s)" in _fired(elsewhere)["repeated_text"]
    # Without a context the tracker is neither read nor updated.
    assert "repeated_text" not in _fired(classifier.classify(text))
    clock[0] = NOW + timedelta(minutes=30)  # the window has passed: forgotten
    later = classifier.classify(text, MessageContext(author_id="b", chat_id="chat3"))
    assert "repeated_text" not in _fired(later)


def test_repeat_tracker_is_bounded_and_ignores_short_texts() -> None:
    tracker = RepeatTracker(max_texts=10, clock=lambda: NOW)
    assert tracker.observe("+", author="a", chat="c") is None
    for number in range(50):
        tracker.observe(f"message number {number} with enough characters", author="a", chat="c")
    assert len(tracker) == 10
    info = tracker.observe("message number 49 with enough characters", author="b", chat="c")
    assert info is not None and info.authors == 2 and info.sightings == 2


def test_members_with_history_need_a_higher_score(trained_model: TextModel) -> None:
    policy = SpamPolicy(removal_threshold=0.5, removal_threshold_with_history=0.999999)
    classifier = Classifier(trained_model, policy=policy)
    text = "Earn money from home, 500 dollars a day, write me in private messages"
    newcomer = classifier.classify(text, MessageContext(prior_legit_messages=0))
    regular = classifier.classify(text, MessageContext(prior_legit_messages=40))
    assert newcomer.is_spam
    assert not regular.is_spam
    assert regular.spam_score == pytest.approx(newcomer.spam_score)


def test_uncertain_below_the_confidence_threshold(trained_model: TextModel) -> None:
    always = Classifier(trained_model, policy=SpamPolicy(uncertain_threshold=1.01))
    verdict = always.classify("сколько стоит доставка?")
    assert verdict.uncertain
    assert any(reason.startswith("uncertain: the likeliest intent") for reason in verdict.reasons)
    never = Classifier(trained_model, policy=SpamPolicy(uncertain_threshold=0.0))
    assert not never.classify("сколько стоит доставка?").uncertain


def test_borderline_spam_goes_to_a_person(trained_model: TextModel) -> None:
    policy = SpamPolicy(review_threshold=0.0, uncertain_threshold=0.0, removal_threshold=1.0)
    verdict = Classifier(trained_model, policy=policy).classify("hello, is anyone here?")
    assert verdict.uncertain and not verdict.is_spam
    assert any(reason.startswith("possible spam") for reason in verdict.reasons)


def test_empty_input(classifier: Classifier) -> None:
    for text in ("", "   ", "\u200b"):
        verdict = classifier.classify(text)
        assert verdict.lang == "unknown"
        assert verdict.uncertain
        assert not verdict.is_spam
        assert "empty message: nothing to classify" in verdict.reasons
    assert classifier.classify_many([]) == []


def test_huge_inputs(classifier: Classifier) -> None:
    huge = [
        "a" * 100_000,
        ("Заказ не пришёл, верните деньги. " * 3_200)[:100_000],
        "😀" * 100_000,
        ("word " * 20_000),
    ]
    verdicts = classifier.classify_many(huge)
    assert [v.text for v in verdicts] == huge
    for verdict in verdicts:
        assert set(verdict.to_json()) == set(OUTPUT_KEYS)
        assert 0.0 <= verdict.spam_score <= 1.0


def test_odd_unicode(classifier: Classifier) -> None:
    odd = [
        "Z̴̢̛a̷l̶g̵o̸ text",
        "שלום עולם",
        "مرحبا كيف الحال",
        "👨‍👩‍👧‍👦🏳️‍🌈",
        "\ud800 broken surrogate",
        "\x00\x01\x02 control",
        "\u202eright-to-left override",
        "\U0010ffff private use",
        "ﾃｽﾄ half-width katakana",
    ]
    verdicts = classifier.classify_many(odd)
    assert len(verdicts) == len(odd)
    for verdict in verdicts:
        assert abs(sum(verdict.intent_scores.values()) - 1.0) < 1e-6
        assert verdict.lang in ("ru", "en", "unknown")


def test_language(classifier: Classifier) -> None:
    assert classifier.classify("Подскажите цену, пожалуйста").lang == "ru"
    assert classifier.classify("What is the price, please?").lang == "en"
    assert classifier.classify("👍👍").lang == "unknown"


def test_context_is_optional_per_message(classifier: Classifier) -> None:
    texts = ["hi", "join t.me/+abcdef now"]
    verdicts = classifier.classify_many(texts, [None, NEW_MEMBER])
    assert "new_member" in _fired(verdicts[1])
    with pytest.raises(ValueError, match="one entry per text"):
        classifier.classify_many(texts, [None])
