"""Opinion words: a small hand-written lexicon that lets the model generalise sentiment.

The n-gram features only know words the corpus contains; a review that says
"dissatisfied" or "бесподобно" where the corpus said "unhappy" or "шикарно" is read by
its other words alone. The lexicon folds hundreds of opinion words into a few shared
tokens — `lex_pos`, `lex_neg` and `lex_ok` (things working, arriving, being fixed) —
so what the model learns from one word carries over to the rest of its kind.

A negator (`not`, `never`, `не`, `нет`, `без` …) turns the next few words of its clause
into their negated tokens (`lex_not_pos` for "not worth it", `lex_not_ok` for "не
работает"), since negation flips an opinion but not always into its opposite.

Entries are stems matched as word prefixes, which suits Russian endings and English
suffixes alike (`disappoint` → disappointed, disappointing); an entry ending in `=`
must match the whole word (`bad=` does not match "badge").
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _words(block: str) -> list[str]:
    """The entries of a whitespace-separated block (easier to read than a list literal)."""
    return block.split()


POSITIVE = _words(
    """
good great excellent amazing awesome fantastic wonderful love loving lovely perfect best
nice= nicely happy glad pleased pleasant pleasure delight impress recommend enjoy
beautiful brilliant superb outstanding helpful friendly polite quick smooth easy
comfortable comfy reliable worth favorite favourite thank thx ty= appreciat satisf
fresh tasty delicious yummy cozy cosy gorgeous stunning incredible exceptional
flawless solid sturdy fine= cool= cute sweet= kind= kudos bravo wow fun= funny
exciting excited thrill terrific super= masterpiece gem= bargain affordable generous
professional attentive courteous prompt efficient fabulous marvel charming elegant
stylish accurate convenient intuitive lifesaver legend= goat= slaps respect
grateful blessed recommended top= topnotch underrated adorable spotless impeccable
seamless effortless painless speedy swift caring welcoming magnificent phenomenal
wholesome heavenly superior favour loyal trust dope= lit= rocks= nailed champion
хорош отличн прекрасн замечательн великолеп супер класс= классн крут обожа нрав понрав
люблю= любим спасиб спс= благодар рекоменд довол вкусн быстр удобн приятн вежлив
внимательн профессионал аккуратн качествен свеж красив шикарн восторг восхит идеальн
лучш бомба= огонь= огонёк кайф зачёт зачет радует радуют порадова рад= рада= счастлив
умнич молодц советую достойн надёжн надежн уютн чудесн потрясающ бесподоб выручил
оперативн щедр душевн милый милая мило= чётко четко годн топ= топов красот вау= ура=
доброжелат заботлив шедевр сочн ароматн нежн комфортн стильн изумит безупреч неплох недорог
"""
)

NEGATIVE = _words(
    """
bad= badly worst worse terrible terribly awful horrible horrid poor= poorly disappoint
dissatisf unhappy angry annoy frustrat upset hate hated hating disgust gross= rude
slow= slowly delay broke damag defect faulty useless waste scam fraud ripoff rip-off overpriced
dirty stale bland tasteless inedible soggy burnt fail crash buggy glitch complain
unacceptable ridiculous pathetic incompetent unprofessional careless lied liar cheat
misleading mislead stolen nightmare joke= trash garbage crap sucks suck= sucked lousy
mediocre meh= boring bored mess= messy unreliable uncomfortable unfortunately sadly
sad= regret avoid beware shame disaster dreadful appalling atrocious abysmal subpar
inferior flimsy cheaply noisy stink worthless hassle headache ignored ignoring
unresolved furious outrag wtf= ugh= smh= awkward sloppy clueless disrespect hostile
arrogant greedy nasty yuck= horrendous unusable unbearable infuriat mid= trash= cringe
ruined ruin= spoil leak rotten moldy mouldy filthy lame= laggy lag= freez
wrong unanswered nobody= unhelpful overcharg
плох ужас отврат кошмар безобраз хамск хам= хамств нахам груб медлен опозд задерж
сломал слома брак= бракован дефект некачеств разочар недовол возмут бесит бесят раздраж
обман мошенн лохотрон позор отстой фигн херн дерьм говн треш трэш кринж жесть хуже худш
невкусн испорч протух тухл несвеж грязн вонь воня глюч глюк виснет завис тормоз вылета
жалоб претенз игнор издеват беспредел бардак халтур наплеват мерзк гадост жалк убог
провал стыд печаль грустн обидн жаль= увы= сожален зря= пожалел переплат обдира нагл
безответствен некомпетент непрофессионал бестолков бесполез лажа облом
задолбал надоел верните кидал ужасн отвратит кривой криво косяк испортил потерял
потеряли разбит разбил помят вздут скисл пересолен подгорел сырой
"""
)

# Things working, arriving, being fixed: neutral words in a positive report, and the
# core of a complaint when negated ("doesn't work", "не пришло", "так и не решили").
WORKING = _words(
    """
work= works= worked working arrived arrives delivered fixed solved resolved helped answered
refunded received came= responded replied
работает работают работал заработал пришло= пришла= пришёл пришел= доставил доставлен
решили решён решен помогл помог= починил исправил ответил вернули получил дошло= дошла=
дошёл дошел=
"""
)

NEGATORS = frozenset(
    _words(
        """
    not no never nothing nobody none neither nor without hardly barely cannot cant dont
    didnt doesnt isnt wasnt arent werent wouldnt couldnt shouldnt havent hasnt aint
    не нет ни никогда ничего никто ничуть нисколько без нету
    """
    )
)
# A negator reaches this many following words, and never past punctuation.
NEGATION_SCOPE = 3

TOKENS: tuple[str, ...] = (
    "lex_pos",
    "lex_neg",
    "lex_ok",
    "lex_not_pos",
    "lex_not_neg",
    "lex_not_ok",
)

_KINDS = (("pos", POSITIVE), ("neg", NEGATIVE), ("ok", WORKING))
_WORD = re.compile(r"[^\W\d_]+(?:[-/'][^\W\d_]+)*|\d+/\d+|[.,!?;:()]")
_CLAUSE_END = frozenset(".,!?;:()")


def _tables(entries: Iterable[tuple[str, list[str]]]) -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    stems: dict[str, str] = {}
    for kind, words in entries:
        for word in words:
            if word.endswith("="):
                exact[word[:-1]] = kind
            else:
                stems[word] = kind
    return exact, stems


_EXACT, _STEMS = _tables(_KINDS)
_SHORTEST = min(map(len, _STEMS))
_LONGEST = max(map(len, _STEMS))
# Per-word answers: the same words recur in every batch. Bounded, so a stream of
# unique junk cannot grow it without limit.
_CACHE: dict[str, str | None] = {}
_CACHE_LIMIT = 200_000


def kind_of(word: str) -> str | None:
    """ "pos", "neg" or "ok" for an opinion word (lower case), else None."""
    found = _CACHE.get(word, "")
    if found != "":
        return found
    kind = _EXACT.get(word)
    if kind is None:
        for length in range(min(len(word), _LONGEST), _SHORTEST - 1, -1):
            kind = _STEMS.get(word[:length])
            if kind is not None:
                break
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[word] = kind
    return kind


def opinion_tokens(text: str) -> list[str]:
    """The lexicon tokens of a canonical (lower-case) text, one per opinion word."""
    found: list[str] = []
    negated = 0  # words left in the current negator's reach
    for word in _WORD.findall(text.replace("’", "'") if "’" in text else text):
        if word in _CLAUSE_END:
            negated = 0
            continue
        if word in NEGATORS or word.endswith("n't"):
            negated = NEGATION_SCOPE
            continue
        kind = kind_of(word)
        if kind is not None:
            found.append(f"lex_not_{kind}" if negated else f"lex_{kind}")
        if negated:
            negated -= 1
    return found
