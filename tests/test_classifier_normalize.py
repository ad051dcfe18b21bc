"""Text normalisation: the canonical form the model reads and the facts the checks use."""

from __future__ import annotations

import pytest

from bot.classifier.normalize import (
    EMAIL_TOKEN,
    INVITE_TOKEN,
    MAX_FEATURE_CHARS,
    MENTION_TOKEN,
    NUMBER_TOKEN,
    PHONE_TOKEN,
    TELEGRAM_LINK_TOKEN,
    URL_TOKEN,
    feature_text,
    normalize,
    without_contacts,
)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("зaрaботок", "заработок"),  # Latin a inside a Russian word
        ("ЗAРАБОТOК", "заработок"),  # capital Latin A and O
        ("cкидка", "скидка"),  # one Latin c at the start
        ("бесплaтнo", "бесплатно"),
        ("м0л0ко", "молоко"),  # digit zero between Cyrillic letters
        ("bitcоin", "bitcoin"),  # Cyrillic о inside an English word
        ("Frееdom", "freedom"),  # two Cyrillic е in the middle
    ],
)
def test_lookalike_letters_fold_into_the_majority_script(written: str, canonical: str) -> None:
    result = normalize(written)
    assert result.text == canonical
    assert result.lookalike_words == (written.lower(),)


@pytest.mark.parametrize("word", ["iphoneом", "simкарта", "wifiшник", "3дня", "2024г"])
def test_ordinary_mixed_writing_is_not_counted_as_disguise(word: str) -> None:
    assert normalize(word).lookalike_words == ()


def test_placeholders_replace_links_contacts_and_numbers() -> None:
    result = normalize(
        "Пишите @shop_help или на mail@example.com, звоните +7 (912) 345-67-89, "
        "сайт https://example.com/catalog?id=5 и www.shop.ru, чат t.me/+AbCdEf123, "
        "канал t.me/best_deals, цена 1 500 руб"
    )
    text = result.text
    for token in (MENTION_TOKEN, EMAIL_TOKEN, PHONE_TOKEN, URL_TOKEN, INVITE_TOKEN):
        assert token in text
    assert TELEGRAM_LINK_TOKEN in text
    assert NUMBER_TOKEN in text
    assert result.mentions == ("@shop_help",)
    assert result.emails == ("mail@example.com",)
    assert result.phones == ("+7 (912) 345-67-89",)
    assert result.urls == ("https://example.com/catalog?id=5", "www.shop.ru")
    assert result.invite_links == ("t.me/+AbCdEf123",)
    assert result.telegram_links == ("t.me/best_deals",)
    assert "example" not in text and "912" not in text


@pytest.mark.parametrize(
    "invite",
    [
        "https://t.me/joinchat/AAAAAFq9Xz2",
        "t.me/+kLp0qWz",
        "https://chat.whatsapp.com/Hx7Qm2",
        "discord.gg/abcde",
        "https://vk.me/join/AJQ1d9x",
    ],
)
def test_invite_links_are_recognised(invite: str) -> None:
    result = normalize(f"join us {invite} now")
    assert result.invite_links == (invite,)
    assert result.text == f"join us {INVITE_TOKEN} now"


@pytest.mark.parametrize(
    "not_a_phone",
    ["карта 4276 1234 5678 9012", "12.05.2024 15:30", "заказ 30882", "1 000 000 руб"],
)
def test_card_numbers_dates_and_prices_are_not_phones(not_a_phone: str) -> None:
    assert normalize(not_a_phone).phones == ()


def test_emoji_become_tokens_and_are_counted() -> None:
    result = normalize("супер😍😍👍🏽✅")
    assert result.emoji_count == 4
    # Skin tone dropped, each emoji its own token, the run of three equal ones squashed.
    assert result.text == "супер 😍 😍 👍 ✅"


def test_nfkc_folds_fullwidth_and_styled_letters() -> None:
    assert normalize("ＣＲＹＰＴＯ ＳＩＧＮＡＬＳ").text == "crypto signals"
    assert normalize("𝐟𝐫𝐞𝐞 𝐦𝐨𝐧𝐞𝐲").text == "free money"
    assert normalize("ﬁle").text == "file"


def test_repeated_characters_are_squashed_to_two() -> None:
    assert normalize("Sooooo goooood!!!!!").text == "soo good!!"
    assert normalize("ура!!!!!!!! ))))))").text == "ура!! ))"


def test_invisible_characters_and_spaced_letters_are_undone() -> None:
    hidden = "з\u200bа\u200bр\u200bа\u200bб\u200bо\u200bт\u200bо\u200bк"
    assert normalize(hidden).text == "заработок"
    spaced = normalize("З а р а б о т о к  б е з  в л о ж е н и й")
    assert spaced.text.startswith("заработок")
    assert spaced.spaced_words >= 1
    assert normalize("f.r.e.e money").text == "free money"


def test_ordinary_short_words_are_not_joined() -> None:
    assert normalize("я и ты").text == "я и ты"
    assert normalize("a b c").spaced_words == 0


def test_letters_are_counted_without_placeholders() -> None:
    result = normalize("привет https://example.com")
    assert result.cyrillic_letters == 6
    assert result.latin_letters == 0


def test_empty_and_whitespace() -> None:
    assert normalize("").text == ""
    assert normalize("   \n\t ").text == ""
    assert normalize("\u200b\u200b").text == ""


def test_huge_input_is_normalised_and_the_model_text_bounded() -> None:
    for huge in ("a" * 100_000, "аб" * 50_000, "слово " * 20_000, "1" * 100_000, "😀" * 100_000):
        result = normalize(huge)
        assert len(feature_text(result)) <= MAX_FEATURE_CHARS


def test_odd_unicode_does_not_break_normalisation() -> None:
    odd = "Z̴̢̛a̷l̶g̵o̸ שלום مرحبا 👨‍👩‍👧 \ud800 \U0010ffff \x00 \u202eevil"
    result = normalize(odd)
    assert isinstance(result.text, str)
    assert "\u202e" not in result.text


def test_without_contacts_removes_links_mentions_emails_phones_only() -> None:
    canonical = normalize("вот фото https://imgur.com/a/x @shop t.me/+abc ужас").text
    assert without_contacts(canonical) == f"вот фото {INVITE_TOKEN} ужас"
    assert without_contacts("просто текст") is None
