"""What the demo's simulated people say: texts and fragments written for the demo.

Members' messages are composed from a core sentence that carries the intent, filled
slots (`{item}`, `{city}`, `{order}` …), an optional opener and closer, and sometimes
an emoji; spam is written with invite links and, often, Latin/Cyrillic look-alike
letters, as spammers do. `compose(rng, category, lang)` is the one entry point; it
draws only from the `random.Random` it is given, so a seed replays the same stream.

These texts are not the training corpus and are never used for training.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping, Sequence

LANGS: tuple[str, ...] = ("ru", "en")
# What a member's message is about; "spam" is written only by spam accounts.
MEMBER_CATEGORIES: tuple[str, ...] = ("purchase", "support", "complaint", "praise", "other")
CATEGORIES: tuple[str, ...] = (*MEMBER_CATEGORIES, "spam")

# ---------------------------------------------------------------------------- slot values

# Russian items come as (nominative, accusative): "есть ли {item}" / "хочу {item_acc}".
ITEMS_RU: tuple[tuple[str, str], ...] = (
    ("кроссовки Trail 2", "кроссовки Trail 2"),
    ("рюкзак City 24", "рюкзак City 24"),
    ("куртка Storm", "куртку Storm"),
    ("термокружка Loop", "термокружку Loop"),
    ("худи Basic", "худи Basic"),
    ("кеды Street", "кеды Street"),
    ("шапка Merino", "шапку Merino"),
    ("сумка Weekender", "сумку Weekender"),
    ("ветровка Light", "ветровку Light"),
    ("набор носков Run", "набор носков Run"),
    ("подарочный сертификат", "подарочный сертификат"),
    ("парка Polar", "парку Polar"),
)
ITEMS_EN: tuple[str, ...] = (
    "Trail 2 sneakers",
    "City 24 backpack",
    "Storm jacket",
    "Loop travel mug",
    "Basic hoodie",
    "Street canvas shoes",
    "merino beanie",
    "Weekender bag",
    "Light windbreaker",
    "Run socks 3-pack",
    "gift card",
    "Polar parka",
)
# Cities whose accusative is the nominative, so "доставка в {city}" reads right.
CITIES_RU: tuple[str, ...] = (
    "Казань",
    "Новосибирск",
    "Екатеринбург",
    "Омск",
    "Владивосток",
    "Калининград",
    "Пермь",
    "Тверь",
    "Сочи",
    "Минск",
    "Томск",
    "Иркутск",
)
CITIES_EN: tuple[str, ...] = (
    "Berlin",
    "Riga",
    "London",
    "Tbilisi",
    "Almaty",
    "Warsaw",
    "Prague",
    "Belgrade",
    "Yerevan",
    "Vilnius",
    "Lisbon",
    "Helsinki",
)
SIZES: tuple[str, ...] = ("38", "39", "40", "41", "42", "43", "44", "45", "S", "M", "L", "XL")
COLOURS_RU: tuple[str, ...] = ("чёрном", "синем", "оливковом", "бежевом", "красном", "сером")
COLOURS_EN: tuple[str, ...] = ("black", "navy", "olive", "beige", "red", "grey")

# ---------------------------------------------------------------------------- members' texts

# Greetings go before anything but small talk; question openers only before questions.
GREETINGS: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "Здравствуйте!",
        "Добрый день.",
        "Привет!",
        "Добрый вечер,",
        "Ребята,",
        "Доброе утро!",
        "Слушайте,",
    ),
    "en": (
        "Hi!",
        "Hello,",
        "Hey team,",
        "Good morning!",
        "Hi there,",
        "Hey,",
        "Good evening.",
    ),
}
QUESTION_OPENERS: Mapping[str, tuple[str, ...]] = {
    "ru": ("Подскажите, пожалуйста:", "Вопрос:", "Извините за беспокойство,", "Уточните,"),
    "en": ("Quick question:", "Excuse me,", "Sorry to bother you,", "Can you tell me:"),
}
OPENER_CATEGORIES: Mapping[str, tuple[str, ...]] = {
    "purchase": ("greeting", "question"),
    "support": ("greeting", "question"),
    "complaint": ("greeting",),
    "praise": ("greeting",),
    "other": (),  # small talk often is a greeting already
}
CLOSERS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "ru": {
        "purchase": ("Спасибо!", "Заранее спасибо.", "Жду ответа.", "Хочу успеть до пятницы."),
        "support": ("Спасибо заранее.", "Помогите, пожалуйста.", "Очень жду ответа.", "Жду."),
        "complaint": ("Жду ответа сегодня.", "Это не нормально.", "Разберитесь, пожалуйста."),
        "praise": ("Так держать!", "Спасибо вам!", "Рекомендую всем.", "Вы лучшие."),
        "other": ("Всем хорошего дня!", "Как у вас?", "Ну вот.", "Кто что думает?"),
    },
    "en": {
        "purchase": ("Thanks!", "Thanks in advance.", "Would love to order today.", "Cheers."),
        "support": ("Thanks in advance.", "Please help.", "Any ideas?", "Appreciate it."),
        "complaint": ("I expect an answer today.", "Not acceptable.", "Please sort this out."),
        "praise": ("Keep it up!", "Thank you!", "Recommending you to friends.", "Love it."),
        "other": ("Have a nice day all!", "What do you think?", "Anyway.", "Just saying."),
    },
}
EMOJI: Mapping[str, tuple[str, ...]] = {
    "purchase": ("🛒", "🙂", "🙏", "👀"),
    "support": ("🙏", "🤔", "😕"),
    "complaint": ("😡", "🤬", "😤", "👎"),
    "praise": ("❤️", "🔥", "👍", "😍", "💯"),
    "other": ("😂", "☕", "🙂", "🤷", "🌧"),
}

CORES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "purchase": {
        "ru": (
            "Подскажите цену на {item_acc}.",
            "Сколько стоит доставка в {city}?",
            "{item} есть в наличии в размере {size}?",
            "Хочу заказать {item_acc}, как оформить?",
            "Можно оплатить {item_acc} картой при получении?",
            "Есть ли {item} в {colour} цвете?",
            "Сколько дней идёт доставка в {city}?",
            "Делаете ли вы скидку при покупке двух вещей?",
            "Когда ждать поставку: {item}, размер {size}?",
            "Есть ли самовывоз в {city}?",
            "Хочу взять {item_acc} в подарок, есть подарочная упаковка?",
            "Какая цена на {item_acc} по промокоду?",
            "Можно ли заказать {item_acc} с примеркой?",
            "Есть рассрочка на {item_acc}?",
            "Отправляете ли вы в {city} курьером?",
            "Помогите с размером: беру {item_acc}, обычно ношу {size}.",
            "Какая итоговая цена за {item_acc} с доставкой в {city}?",
            "Можно забронировать {item_acc}? Заберу в субботу.",
            "А оптом продаёте? Нужно 20 штук для команды.",
            "Где купить {item_acc} дешевле — на сайте или в магазине?",
            "Будет ли распродажа в этом месяце? Хочу {item_acc}, но жду скидку.",
            "Хочу оформить заказ на {item_acc} размер {size}, куда писать?",
        ),
        "en": (
            "What is the price of the {item}?",
            "How much is shipping to {city}?",
            "Do you have the {item} in size {size}?",
            "I want to order the {item}, how do I do that?",
            "Can I pay for the {item} on delivery?",
            "Is the {item} available in {colour}?",
            "How long does delivery to {city} take?",
            "Any discount if I buy two items?",
            "When will the {item} be back in size {size}?",
            "Is there a pickup point in {city}?",
            "Buying the {item} as a gift, do you offer gift wrapping?",
            "How much is the {item} with a promo code?",
            "Can I order the {item} and try it on before paying?",
            "Do you offer instalments for the {item}?",
            "Do you ship to {city} by courier?",
            "Help me with the size: taking the {item}, I usually wear {size}.",
            "What is the total for the {item} with delivery to {city}?",
            "Can you hold the {item} for me until Saturday?",
            "Do you sell wholesale? We need 20 for our team.",
            "Is it cheaper to buy the {item} online or in store?",
            "Any sale coming this month? I want the {item} but I'm waiting for a discount.",
            "Where do I place an order for the {item} in size {size}?",
        ),
    },
    "support": {
        "ru": (
            "Не могу отследить заказ {order}, трек-номер не работает.",
            "Как вернуть {item_acc}? Не подошёл размер.",
            "Не приходит код подтверждения на сайте.",
            "Как поменять адрес доставки в заказе {order}?",
            "Промокод не применяется в корзине, что делать?",
            "Можно обменять {item_acc} на размер {size}?",
            "Не могу войти в личный кабинет, пишет «неверный пароль».",
            "Как правильно стирать {item_acc}? Можно в машинке?",
            "Заказ {order} оплачен, а статус «ожидает оплаты».",
            "Где посмотреть гарантию на {item_acc}?",
            "Приложение вылетает при оформлении заказа.",
            "Как отменить заказ {order}? Он оформлен по ошибке.",
            "Курьер не позвонил, заказ {order} где сейчас?",
            "Бонусы за покупку не начислились, куда смотреть?",
            "Как изменить номер телефона в профиле?",
            "Заказ {order} пришёл без чека, а мне нужен чек для работы.",
            "В пункте выдачи в {city} говорят, что заказа {order} нет.",
            "Можно продлить хранение заказа {order} в пункте выдачи?",
            "Как оформить возврат, если оплачивал частями?",
            "Подскажите, как работает гарантия на {item_acc}?",
        ),
        "en": (
            "I can't track order {order}, the tracking number doesn't work.",
            "How do I return the {item}? The size is wrong.",
            "The confirmation code never arrives on the website.",
            "How do I change the delivery address for order {order}?",
            "The promo code doesn't apply in the cart, what should I do?",
            "Can I exchange the {item} for size {size}?",
            "I can't log into my account, it says wrong password.",
            "How do I wash the {item}? Is it machine washable?",
            "Order {order} is paid but still says awaiting payment.",
            "Where can I see the warranty for the {item}?",
            "The app crashes at checkout.",
            "How do I cancel order {order}? I placed it by mistake.",
            "The courier never called, where is order {order} now?",
            "My loyalty points didn't show up after the purchase.",
            "How do I change the phone number on my profile?",
            "Order {order} came without a receipt, I need one for work.",
            "The pickup point in {city} says they don't have order {order}.",
            "Can you extend the pickup period for order {order}?",
            "How do returns work if I paid in instalments?",
            "How does the warranty on the {item} work?",
        ),
    },
    "complaint": {
        "ru": (
            "Заказ {order} не пришёл уже {days} дней, верните деньги!",
            "Прислали {item_acc} не того размера, второй раз уже!",
            "Через неделю после покупки разошёлся шов ({item}). Ужасное качество.",
            "Третий день не могу дозвониться в поддержку, вы издеваетесь?",
            "Курьер нахамил и уехал, заказ {order} так и не отдал.",
            "Деньги списали дважды за заказ {order}, верните немедленно!",
            "Пришла мятая коробка, а внутри грязная вещь. Позор.",
            "Обещали доставку за 2 дня, прошло {days}. Больше не закажу.",
            "Возврат оформлен {days} дней назад, денег до сих пор нет!",
            "Вы продаёте брак: {item} — и после первого дождя всё расклеилось.",
            "Худший сервис в моей жизни. Заказ {order} потерян.",
            "Почему мне никто не отвечает уже неделю?!",
            "Заказ через сайт https://brand.example/order/{order_digits} так и не пришёл, "
            "только отписки. Буду писать в Роспотребнадзор.",
            "В магазине в {city} продавец отказался менять {item_acc} по гарантии.",
            "Промокод сгорел, пока ваш сайт лежал, верните скидку!",
            "Отзыв: {item} — деньги на ветер, через месяц как тряпка.",
            "Сколько можно ждать ответа? Заказ {order}, {days} дней тишины.",
            "Оператор бросил трубку. Очень злюсь.",
        ),
        "en": (
            "Order {order} hasn't arrived in {days} days, I want a refund!",
            "You sent the {item} in the wrong size, second time now!",
            "Bought the {item}, a seam split after a week. Terrible quality.",
            "Three days trying to reach support, are you kidding me?",
            "The courier was rude and left without handing over order {order}.",
            "I was charged twice for order {order}, refund it now!",
            "The box arrived crushed and the item inside was dirty. Shameful.",
            "Promised 2-day delivery, it's been {days} days. Never again.",
            "I filed a return {days} days ago and still no money!",
            "You sell junk: bought the {item} and it came apart after the first rain.",
            "Worst service I've ever had. Order {order} is lost.",
            "Why has nobody answered me for a week?!",
            "Ordered on https://brand.example/order/{order_digits} and nothing came, only "
            "excuses. Reporting this to consumer protection.",
            "The store in {city} refused a warranty exchange for the {item}.",
            "My promo code expired while your site was down, give me the discount!",
            "Review: the {item} is a waste of money, worn out in a month.",
            "How long do I have to wait? Order {order}, {days} days of silence.",
            "The operator hung up on me. Furious.",
        ),
    },
    "praise": {
        "ru": (
            "Заказ пришёл: {item} — всё идеально, спасибо!",
            "Доставили в {city} за два дня, очень быстро.",
            "Пользуюсь уже год: {item} выглядит как в первый день. Качество супер.",
            "Спасибо поддержке, помогли с обменом за пять минут!",
            "Лучший магазин, всегда беру у вас.",
            "Упаковка огонь, приятно открывать.",
            "{item} — просто любовь с первой примерки.",
            "Заказ {order} пришёл раньше срока, вы молодцы.",
            "Курьер очень вежливый, спасибо ему.",
            "{item} в подарок мужу — он в восторге.",
            "Классная новая коллекция, всё хочется!",
            "Спасибо, что так быстро вернули деньги.",
            "Брали {item_acc} в поход на три дня — ни разу не пожалели. Рекомендую!",
            "Обожаю ваш канал, каждое утро читаю.",
        ),
        "en": (
            "Got the {item}, it's perfect, thank you!",
            "Delivered to {city} in two days, super fast.",
            "Been wearing the {item} for a year, still like new. Great quality.",
            "Thanks to support, they sorted my exchange in five minutes!",
            "Best shop around, I always buy from you.",
            "The packaging is lovely, such a joy to open.",
            "The {item} was love at first try.",
            "Order {order} arrived early, well done.",
            "The courier was so polite, thanks to him.",
            "Gave my husband the {item}, he loves it.",
            "The new collection is amazing, I want everything!",
            "Thanks for refunding so quickly.",
            "Took the {item} on a three-day hike, no regrets. Recommended!",
            "Love this channel, I read it every morning.",
        ),
    },
    "other": {
        "ru": (
            "Кто-нибудь был на концерте в субботу?",
            "Какая погода в {city}? Собираюсь на выходные.",
            "Всем привет, я в чате недавно.",
            "Ха-ха, пост огонь 😂",
            "А кто победил в конкурсе на прошлой неделе?",
            "Смотрели вчерашний матч?",
            "Доброе утро, чат!",
            "Посоветуйте сериал на вечер.",
            "У кого-нибудь есть кот? Покажите котов.",
            "Опять дождь. Осень.",
            "Интересно, кто ведёт этот канал?",
            "Ставлю лайк, не читая.",
            "Где лучше отдыхать в октябре?",
            "Мой пёс сгрыз кроссовки, теперь только смеяться.",
            "Кто тоже сегодня не выспался?",
            "А фото на обложке где сделано?",
        ),
        "en": (
            "Anyone at the concert on Saturday?",
            "What's the weather like in {city}? Heading there for the weekend.",
            "Hi all, new here.",
            "Haha, great post 😂",
            "Who won the contest last week?",
            "Did you watch the game last night?",
            "Good morning, chat!",
            "Recommend a series for tonight?",
            "Anyone here have a cat? Show us your cats.",
            "Raining again. Autumn.",
            "I wonder who runs this channel.",
            "Liking before reading.",
            "Where is nice for a holiday in October?",
            "My dog chewed my sneakers, all I can do is laugh.",
            "Who else didn't sleep enough today?",
            "Where was the cover photo taken?",
        ),
    },
}

# A member who has waited writes again: these carry no new intent, only impatience.
NUDGES: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "Ау, есть кто живой?",
        "Повторю вопрос, ответьте, пожалуйста.",
        "Ну что там?",
        "Мне кто-нибудь ответит?",
        "Жду ответа уже долго.",
        "Актуально, ответьте.",
        "Есть новости по моему вопросу?",
        "Напомню о себе 🙂",
    ),
    "en": (
        "Hello? Anyone there?",
        "Asking again, please reply.",
        "Any update?",
        "Is anyone going to answer me?",
        "Still waiting for an answer.",
        "Still relevant, please answer.",
        "Any news on my question?",
        "Just a gentle reminder 🙂",
    ),
}

# ---------------------------------------------------------------------------- spam

SPAM_CORES: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "Заработок от 5000 в день без вложений! Пиши в лс {link}",
        "Ищу людей на удалёнку, 2 часа в день, оплата каждый день {link}",
        "Крипта растёт 🚀 вступай в закрытый канал {link}",
        "Бесплатные подписчики и лайки, первые 1000 в подарок {link}",
        "Раздаю iPhone 15 за репост! Подробности {link}",
        "Инвестиции с доходом 30% в месяц, гарантия {link}",
        "Продам аккаунты и базы клиентов, недорого {link}",
        "Сливы курсов по трейдингу бесплатно {link}",
        "Кто хочет подработку? Пишите + в лс, всё расскажу {link}",
        "Выиграй 100 000 ₽ прямо сейчас, жми {link}",
        "Ставки на спорт с гарантией выигрыша {link}",
        "Купон на 90% скидку у вашего бренда тут {link}",
        "Срочно нужны 5 человек, доход 3000 за вечер {link}",
        "Твой аккаунт будет заблокирован, подтверди данные {link}",
        "Бонус 500% на первый депозит, только сегодня {link}",
        "Мой бот делает x3 на бирже, проверь сам {link}",
    ),
    "en": (
        "Earn $500 a day from home, no experience! DM me {link}",
        "Free crypto airdrop, claim before it ends {link}",
        "I made $3,000 this week with this trading bot {link}",
        "Get 10k followers free, first 1000 on us {link}",
        "Giving away iPhone 15 for a repost! Details {link}",
        "Guaranteed 30% monthly return on investment {link}",
        "Selling verified accounts and customer databases cheap {link}",
        "Leaked premium trading courses for free {link}",
        "Need 5 people for easy online work, paid daily {link}",
        "Win $1,000 right now, click {link}",
        "Sure-win betting tips, join {link}",
        "90% off coupon for this brand here {link}",
        "Your account will be suspended, verify now {link}",
        "500% bonus on your first deposit, today only {link}",
        "Hot singles in your area {link}",
        "Work from your phone, $200 per hour {link}",
    ),
}
SPAM_NAMES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "ru": (
        ("Анжела", "Профит"),
        ("Марина", "Удалёнка"),
        ("Денис", "Трейдинг"),
        ("Кристина", "Инвест"),
        ("Олег", "Заработок"),
        ("Вика", "Бизнес"),
    ),
    "en": (
        ("Crypto", "Lena"),
        ("Investor", "Max"),
        ("Alina", "Bonus"),
        ("Free", "Gifts"),
        ("Lucky", "Drop"),
        ("Mark", "Signals"),
    ),
}
# Letters that look the same in both scripts: what spammers swap to dodge word filters.
LOOKALIKE_CYR_TO_LAT: Mapping[str, str] = {
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
}
LOOKALIKE_LAT_TO_CYR: Mapping[str, str] = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "y": "у",
    "x": "х",
    "A": "А",
    "B": "В",
    "E": "Е",
    "K": "К",
    "M": "М",
    "H": "Н",
    "O": "О",
    "P": "Р",
    "C": "С",
    "T": "Т",
    "X": "Х",
}

# ---------------------------------------------------------------------------- the brand's posts

CHANNEL_POSTS: Mapping[str, tuple[str, ...]] = {
    "ru": (
        "Новая коллекция уже на сайте: куртки Storm и парки Polar 🧥",
        "Конкурс! Расскажите в комментариях, куда вы ходили в наших кроссовках, — "
        "три лучшие истории получат сертификаты.",
        "Открыли магазин в Казани. Ждём в гости!",
        "Как выбрать размер обуви: короткая инструкция в карточках.",
        "Скидка 20% на рюкзаки City 24 до воскресенья.",
        "Опрос: какой цвет худи Basic выпустить следующим?",
        "Закулисье: так шьют наши ветровки Light.",
        "Бесплатная доставка от 5000 ₽ по всей России.",
    ),
    "en": (
        "The new collection is online: Storm jackets and Polar parkas 🧥",
        "Contest! Tell us in the comments where you went in our sneakers — the three best "
        "stories win gift cards.",
        "Our new store in Riga is open. Come say hi!",
        "How to pick your shoe size: a short guide.",
        "20% off City 24 backpacks until Sunday.",
        "Poll: which Basic hoodie colour should we make next?",
        "Behind the scenes: how our Light windbreakers are made.",
        "Free shipping on orders over €50.",
    ),
}

# ---------------------------------------------------------------------------- moderators

MODERATOR_HELLOS: tuple[str, ...] = (
    "Всем привет, начинаем смену.",
    "На связи, беру карточки.",
    "Hi all, on shift now.",
)
MODERATOR_REPLIES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "purchase": {
        "ru": (
            "Здравствуйте! Да, есть в наличии, оформить можно на сайте или здесь — пришлём ссылку.",
            "Доставка 2–4 дня, от 5000 ₽ бесплатно. Подсказать по размеру?",
            "Добрый день! Цена на сайте актуальна, по промокоду WELCOME ещё −10%.",
            "Отправляем по всей России курьером и в пункты выдачи. Оформить за вас?",
        ),
        "en": (
            "Hi! Yes, it's in stock — you can order on the site or we'll send you a link.",
            "Delivery takes 2–4 days, free over €50. Need help with the size?",
            "Hello! The price on the site is current, and WELCOME gives another 10% off.",
            "We ship by courier and to pickup points. Shall I place the order for you?",
        ),
    },
    "support": {
        "ru": (
            "Здравствуйте! Напишите, пожалуйста, номер заказа в личные сообщения — проверим.",
            "Проверили: заказ в пути, трек обновится сегодня вечером.",
            "Обмен оформим без проблем, пришлём инструкцию в личку.",
            "Сбросили пароль, попробуйте войти по ссылке из письма.",
        ),
        "en": (
            "Hi! Please DM us your order number and we'll look into it.",
            "Checked: the order is on its way, tracking updates tonight.",
            "We'll arrange the exchange, instructions coming in a DM.",
            "We've reset your password, please use the link in the email.",
        ),
    },
    "complaint": {
        "ru": (
            "Очень жаль, что так вышло. Уже разбираемся, вернём деньги сегодня.",
            "Приносим извинения! Отправили замену экспресс-доставкой за наш счёт.",
            "Понимаем ваше недовольство. Старший менеджер свяжется с вами в течение часа.",
            "Извините за ожидание. Заказ нашли, курьер привезёт завтра до 12:00.",
        ),
        "en": (
            "So sorry about this. We're on it and will refund you today.",
            "Our apologies! A replacement is on its way by express, on us.",
            "We understand, and a senior manager will contact you within the hour.",
            "Sorry for the wait. We found the order, the courier brings it by noon tomorrow.",
        ),
    },
    "other": {
        "ru": ("Спасибо, что вы с нами! 🙂", "Отличный вопрос, подумаем над постом об этом."),
        "en": ("Thanks for being with us! 🙂", "Good question, we might do a post about it."),
    },
    "praise": {
        "ru": ("Спасибо за тёплые слова! ❤️", "Очень приятно, передадим команде!"),
        "en": ("Thank you for the kind words! ❤️", "So glad to hear it, we'll tell the team!"),
    },
}

# ---------------------------------------------------------------------------- composing


def _fill(template: str, rng: random.Random, lang: str) -> str:
    """Fill whichever slots the template names, each drawn once."""
    values: dict[str, str] = {}
    if "{item" in template:
        if lang == "ru":
            values["item"], values["item_acc"] = rng.choice(ITEMS_RU)
        else:
            values["item"] = values["item_acc"] = rng.choice(ITEMS_EN)
    if "{city}" in template:
        values["city"] = rng.choice(CITIES_RU if lang == "ru" else CITIES_EN)
    if "{size}" in template:
        values["size"] = rng.choice(SIZES)
    if "{colour}" in template:
        values["colour"] = rng.choice(COLOURS_RU if lang == "ru" else COLOURS_EN)
    if "{days}" in template:
        values["days"] = str(rng.randint(5, 30))
    if "{order" in template:
        digits = str(rng.randint(10000, 99999))
        values["order_digits"] = digits
        values["order"] = ("№" if lang == "ru" else "#") + digits
    return template.format(**values)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def compose(rng: random.Random, category: str, lang: str) -> str:
    """One member's message of `category` ("spam" included) in `lang`."""
    if category == "spam":
        return spam_text(rng, lang, invite_link(rng))
    core = _fill(rng.choice(CORES[category][lang]), rng, lang)
    parts = []
    kinds = OPENER_CATEGORIES[category]
    if kinds and rng.random() < 0.45:
        kind = rng.choice(kinds)
        opener = rng.choice((GREETINGS if kind == "greeting" else QUESTION_OPENERS)[lang])
        parts.append(opener)
        if opener.endswith((",", ":")):
            # "Hello, how much…" but never "Hello, i …" or a lowered brand name.
            core = core[:1].lower() + core[1:] if core[1:2].islower() else core
    parts.append(core)
    if rng.random() < 0.35:
        parts.append(rng.choice(CLOSERS[lang][category]))
    text = " ".join(parts)
    if rng.random() < 0.25:
        text += " " + rng.choice(EMOJI[category])
    return _capitalise(text)


def nudge(rng: random.Random, lang: str) -> str:
    """A follow-up from a member still waiting for an answer."""
    return rng.choice(NUDGES[lang])


def invite_link(rng: random.Random) -> str:
    """A spammer's link: a Telegram invite, a shortener, a chat-app link or a bot."""
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(16))
    short = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(6))
    return rng.choice(
        (
            f"https://t.me/+{token}",
            f"t.me/joinchat/{token}",
            f"https://bit.ly/{short}",
            f"vk.cc/{short[:5]}",
            f"https://wa.me/79{rng.randint(100000000, 999999999)}",
            f"@{short}_profit_bot",
        )
    )


def disguise(text: str, rng: random.Random, share: float = 0.5) -> str:
    """Swap about `share` of the swappable letters for their other-script look-alikes.

    Links and @handles are left alone: they would stop working.
    """
    words = []
    for word in text.split(" "):
        if word.startswith(("http", "t.me", "@", "vk.cc", "wa.me")):
            words.append(word)
            continue
        letters = []
        for char in word:
            swap = LOOKALIKE_CYR_TO_LAT.get(char) or LOOKALIKE_LAT_TO_CYR.get(char)
            letters.append(swap if swap and rng.random() < share else char)
        words.append("".join(letters))
    return " ".join(words)


def spam_text(rng: random.Random, lang: str, link: str, *, template: str | None = None) -> str:
    """A spam message carrying `link`; two in three are disguised with look-alike letters."""
    text = (template or rng.choice(SPAM_CORES[lang])).format(link=link)
    if rng.random() < 0.67:
        text = disguise(text, rng)
    return text


def channel_post(rng: random.Random, lang: str) -> str:
    return rng.choice(CHANNEL_POSTS[lang])


def moderator_reply(rng: random.Random, category: str, lang: str) -> str:
    """What a moderator answers to a card of `category` (unknown categories: support)."""
    replies = MODERATOR_REPLIES.get(category) or MODERATOR_REPLIES["support"]
    return rng.choice(replies[lang if lang in replies else "en"])


def fragment_count() -> int:
    """How many hand-written texts and fragments the script holds (for the tests)."""
    groups: list[Sequence[str]] = []
    for by_lang in CORES.values():
        groups.extend(by_lang.values())
    groups += list(GREETINGS.values()) + list(QUESTION_OPENERS.values())
    groups += list(NUDGES.values()) + list(SPAM_CORES.values())
    groups += list(CHANNEL_POSTS.values())
    for by_category in CLOSERS.values():
        groups.extend(by_category.values())
    for by_lang in MODERATOR_REPLIES.values():
        groups.extend(by_lang.values())
    return sum(len(group) for group in groups)
