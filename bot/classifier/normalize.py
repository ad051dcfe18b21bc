"""Text normalisation: one canonical form of a message for the model and the checks.

Spammers and ordinary people write the same words in many spellings: full-width or
bold letters, Latin look-alikes inside Russian words (`зaрaботок` with a Latin `a`),
spaced-out letters, invisible characters, `!!!!!`. The model learns from the
canonical form, and the facts found on the way (links, mentions, phones, disguised
words…) are kept for the non-text spam checks, so a message is normalised once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Placeholders are plain words so both the word and the character n-grams see them.
URL_TOKEN = "_url_"
INVITE_TOKEN = "_invite_"
TELEGRAM_LINK_TOKEN = "_tglink_"
MENTION_TOKEN = "_mention_"
PHONE_TOKEN = "_phone_"
EMAIL_TOKEN = "_email_"
NUMBER_TOKEN = "_num_"

# Past Telegram's 4096-character limit nothing new is learned, only time is spent.
MAX_FEATURE_CHARS = 5000

# Characters that render as nothing; spammers put them inside words to dodge filters.
# Lone surrogates (invalid text that only broken clients send) go too.
_INVISIBLE = re.compile(
    "[\ud800-\udfff"
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufe0e\ufe0f\ufeff\uffa0"
    "]"
)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")
# Group invites: whoever follows one joins a chat the spammer controls.
_INVITE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:"
    r"t(?:elegram)?\.me/(?:\+|joinchat/)[\w-]+"
    r"|chat\.whatsapp\.com/[\w-]+"
    r"|discord(?:\.gg|app\.com/invite|\.com/invite)/[\w-]+"
    r"|vk\.me/join/[\w/=-]+"
    r")",
    re.IGNORECASE,
)
# A link to a Telegram channel, user or bot: the classic channel promotion.
_TELEGRAM_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t|telegram)\.(?:me|dog)/[\w]+(?:/\d+)?(?:\?[\w=&-]*)?",
    re.IGNORECASE,
)
_TLD = (
    "com|ru|net|org|io|me|info|biz|su|рф|ly|gl|cc|co|uk|de|ua|by|kz|shop|site|online|top|"
    "app|link|club|pro|store|xyz|live|fun|click|space|website|vip|ai|tv|gg|to|us|eu|in"
)
_URL_HINT = re.compile(rf"https?:|www\.|\.(?:{_TLD})(?![\w-])", re.IGNORECASE)
# A link ends before trailing punctuation: "see example.com/a, then…" keeps the comma.
_URL_TAIL = r"[^\s<>\"']*[^\s<>\"'.,;:!?)\]}»]"
_URL = re.compile(
    rf"(?:https?://|www\.){_URL_TAIL}"
    rf"|(?<![\w@.-])(?:[a-zа-я0-9-]+\.)+(?:{_TLD})(?![\w-])(?:/(?:{_URL_TAIL})?)?",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{2,31}(?![\w@])")
# 10-15 digits with the usual separators: +7 (912) 345-67-89, 8 800 555 35 35, +44 7700 900123.
_PHONE = re.compile(
    r"(?<![\w+:/.])(?<!\d[\s().-])(?<!\d[\s().-]{2})\+?\d(?:[\s().-]{0,2}\d){9,14}(?!\w|[\s().:/-]?\d)"
)
_NUMBER = re.compile(r"(?<![^\W\d_])\d+(?:[.,:]\d+)*(?![^\W\d_])")
# Four or more single letters in a row, split by spaces, dots or dashes: `з а р а б о т о к`.
_SPACED = re.compile(r"(?<!\w)[^\W\d_](?:(?:[.\-_*·•] ?| )[^\W\d_]){3,}(?!\w)")
_SPACED_GAP = re.compile(r"[ .\-_*·•]")
# Words where Cyrillic touches Latin letters or the digits 0, 3, 6: the only ones to fold.
_MIXED_PAIR = re.compile(r"[а-яё][a-z036]|[a-z036][а-яё]")
# Anchored at a word start so a very long word is scanned once, not from every letter.
_MIXED_WORD = re.compile(r"(?<!\w)\w*(?:[а-яё][a-z036]|[a-z036][а-яё])\w*")
_DIGIT = re.compile(r"\d")
# Letters are counted by runs: a match per word instead of per letter is about twice
# as fast, and the run lengths add up to the same count.
_CYRILLIC_RUN = re.compile(r"[\u0400-\u04ff]+")
_LATIN_RUN = re.compile(r"[a-zà-ɏ]+")
_REPEAT = re.compile(r"(.)\1{2,}", re.DOTALL)
_PLACEHOLDER = re.compile(r"_[a-z]+_")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_INNER_DIGIT = re.compile(r"(?<=[а-яё])[036](?=[а-яё])")

# Latin letters that look like Cyrillic ones (after lower-casing) and the reverse.
_LATIN_TO_CYRILLIC = str.maketrans(
    {
        "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к", "m": "м", "n": "п",
        "o": "о", "p": "р", "r": "г", "t": "т", "u": "и", "x": "х", "y": "у",
        "0": "о", "3": "з", "6": "б",
    }
)  # fmt: skip
_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a", "в": "b", "с": "c", "е": "e", "н": "h", "к": "k", "м": "m", "п": "n",
        "о": "o", "р": "p", "г": "r", "т": "t", "и": "u", "х": "x", "у": "y", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ё": "e",
    }
)  # fmt: skip


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


# Pictographs, symbols, arrows and flags that people use as emoji.
_EMOJI_RANGES = (
    "\U0001f000-\U0001f3fa\U0001f400-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
    "\u2190-\u21ff\u2300-\u23ff\u00a9\u00ae\u203c\u2049\u2122\u2139\u3030\u303d"
)
_EMOJI = re.compile(f"[{_EMOJI_RANGES}]")
_SKIN_TONE = re.compile("[\U0001f3fb-\U0001f3ff]")


def is_emoji(char: str) -> bool:
    """True for pictographs, symbols and flags that people use as emoji."""
    return _EMOJI.fullmatch(char) is not None


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A message in canonical form plus the facts the spam checks need."""

    text: str  # canonical form: the only input of the text model
    urls: tuple[str, ...] = ()  # ordinary links, as written
    invite_links: tuple[str, ...] = ()  # t.me/+…, joinchat, WhatsApp, Discord, vk.me/join
    telegram_links: tuple[str, ...] = ()  # t.me/<channel or user>
    mentions: tuple[str, ...] = ()  # @usernames, as written
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    emoji_count: int = 0  # before repeated emoji are squashed
    lookalike_words: tuple[str, ...] = ()  # words disguised with letters of the other script
    spaced_words: int = 0  # words written as spaced-out letters
    cyrillic_letters: int = 0
    latin_letters: int = 0
    words: int = 0  # words of two or more letters, placeholders not counted

    @property
    def link_count(self) -> int:
        return len(self.urls) + len(self.invite_links) + len(self.telegram_links)


def _script(char: str) -> str:
    if _is_cyrillic(char):
        return "c"
    if "a" <= char <= "z":
        return "l"
    return "o"


def _fold_word(match: re.Match[str], disguised: list[str]) -> str:
    """Rewrite a mixed-script word into its majority script; record disguised words.

    Every minority letter must have a look-alike, or the word is left as written
    (`simка`). The word counts as disguised — spam evidence — when the odd letters are
    sprinkled in (`зaрaботок`, `cкидка`); a block of two or more at either end is how
    people write brands with Russian endings (`iphoneом`), so it is folded for the
    model but not counted. Digits 0, 3, 6 between Cyrillic letters (`м0л0ко`) are
    folded and counted; at the edges they are left (`3дня` is a typo, not a trick).
    """
    word = match.group(0)
    scripts = "".join(_script(ch) for ch in word)
    cyrillic = scripts.count("c")
    latin = scripts.count("l")
    result = word
    counted = False
    if cyrillic and latin:
        majority, minority = ("c", "l") if cyrillic >= latin else ("l", "c")
        table = _LATIN_TO_CYRILLIC if majority == "c" else _CYRILLIC_TO_LATIN
        candidate = word.translate(table)
        if all(_script(ch) != minority for ch in candidate):
            result = candidate
            runs = [m.span() for m in re.finditer(f"{minority}+", scripts)]
            edge_block = (
                len(runs) == 1
                and runs[0][1] - runs[0][0] >= 2
                and (runs[0][0] == 0 or runs[0][1] == len(word))
            )
            counted = not edge_block
    if cyrillic >= 2 and _INNER_DIGIT.search(result):
        result = _INNER_DIGIT.sub(lambda m: m.group(0).translate(_LATIN_TO_CYRILLIC), result)
        counted = True
    if counted:
        disguised.append(word)
    return result


def _join_spaced(match: re.Match[str], counter: list[int]) -> str:
    counter[0] += 1
    return _SPACED_GAP.sub("", match.group(0))


def _space_emoji(text: str) -> tuple[str, int]:
    """Put spaces around each emoji so it becomes a token of its own; count them."""
    if text.isascii():
        return text, 0
    text = _SKIN_TONE.sub("", text)  # skin tones add nothing
    return _EMOJI.subn(r" \g<0> ", text)


def _replacer(token: str, found: list[str]) -> Callable[[re.Match[str]], str]:
    """A `re.sub` callback that records each match and puts `token` in its place."""

    def replace(match: re.Match[str]) -> str:
        found.append(match.group(0).strip())
        return f" {token} "

    return replace


def _phone_replacer(found: list[str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        if not 10 <= digits <= 15:
            return match.group(0)
        found.append(match.group(0).strip())
        return f" {PHONE_TOKEN} "

    return replace


def normalize(text: str) -> NormalizedText:
    """The canonical form of `text` and the facts found while making it.

    Steps, in order: NFKC, invisible characters removed, e-mails / invite links /
    Telegram links / URLs / @mentions / phones to placeholders, lower case,
    spaced-out letters joined, look-alike letters folded inside mixed-script words,
    numbers to a placeholder, emoji as separate tokens, runs of 3+ equal characters
    squashed to 2, whitespace collapsed.
    """
    if not text:
        return NormalizedText(text="")
    value = unicodedata.normalize("NFKC", text)
    if not value.isascii():  # every invisible character is outside ASCII
        value = _INVISIBLE.sub("", value)

    emails: list[str] = []
    invites: list[str] = []
    telegram_links: list[str] = []
    urls: list[str] = []
    mentions: list[str] = []
    phones: list[str] = []
    # Most specific first: an e-mail holds an @, an invite is also a t.me link and a URL.
    # Each step runs only when a cheap test says it can match: most messages have no
    # links, mentions or phones, and this runs for every message Steward reads.
    if "@" in value:
        value = _EMAIL.sub(_replacer(EMAIL_TOKEN, emails), value)
    if "/" in value:
        value = _INVITE.sub(_replacer(INVITE_TOKEN, invites), value)
        value = _TELEGRAM_LINK.sub(_replacer(TELEGRAM_LINK_TOKEN, telegram_links), value)
    if ("." in value or ":" in value) and _URL_HINT.search(value):  # every hint holds one
        value = _URL.sub(_replacer(URL_TOKEN, urls), value)
    if "@" in value:
        value = _MENTION.sub(_replacer(MENTION_TOKEN, mentions), value)
    digits = len(_DIGIT.findall(value))
    if digits >= 10:
        value = _PHONE.sub(_phone_replacer(phones), value)
    value = value.lower()

    spaced = [0]
    value = _SPACED.sub(lambda m: _join_spaced(m, spaced), value)
    folded: list[str] = []
    if not value.isascii() and _MIXED_PAIR.search(value):  # needs a Cyrillic letter
        value = _MIXED_WORD.sub(lambda m: _fold_word(m, folded), value)
    if digits:
        value = _NUMBER.sub(f" {NUMBER_TOKEN} ", value)
    value, emoji_count = _space_emoji(value)
    value = _REPEAT.sub(r"\1\1", value)
    # Whitespace runs to one space, ends stripped: str.split() and `\s` agree on what
    # whitespace is, and split/join is several times faster than a regex pass.
    value = " ".join(value.split())

    letters = _PLACEHOLDER.sub(" ", value) if "_" in value else value
    return NormalizedText(
        text=value,
        urls=tuple(urls),
        invite_links=tuple(invites),
        telegram_links=tuple(telegram_links),
        mentions=tuple(mentions),
        phones=tuple(phones),
        emails=tuple(emails),
        emoji_count=emoji_count,
        lookalike_words=tuple(folded),
        spaced_words=spaced[0],
        cyrillic_letters=0 if letters.isascii() else sum(map(len, _CYRILLIC_RUN.findall(letters))),
        latin_letters=sum(map(len, _LATIN_RUN.findall(letters))),
        words=len(_LETTER_WORD.findall(letters)),
    )


_CONTACTS = re.compile(rf" ?(?:{URL_TOKEN}|{MENTION_TOKEN}|{EMAIL_TOKEN}|{PHONE_TOKEN})")


def without_contacts(canonical_text: str) -> str | None:
    """The canonical text with ordinary links, @mentions, e-mails and phones taken out.

    People attach a screenshot link or tag the shop when they complain; the hard rule
    asks whether the words alone are a negative review. None when there is nothing to
    take out. Invite and Telegram links stay: they are what channel promotion is.
    """
    if "_" not in canonical_text:
        return None
    stripped = _CONTACTS.sub("", canonical_text).strip()
    return stripped if stripped != canonical_text else None


def feature_text(normalized: NormalizedText) -> str:
    """The part of the canonical text the model reads (bounded, so huge inputs stay fast)."""
    return normalized.text[:MAX_FEATURE_CHARS]
