"""Interaction analytics benchmark: sentiment messages per second and topic extraction over 100,000 messages.

Messages are synthesised from fixed phrase lists in the five languages (en, pl, ru, zh, fa; equal shares,
seeded), so every run scores the same text. Sentiment: each message detected and scored by the production
scorer, one core. Topics: the 100,000 messages as one contact each, per-language terms (stop words from
the package) and the TF-IDF tagging, end to end.

    python bench/analytics.py [--messages 100000] [--sentiment 20000] [--seed 7]

Transcription, the 30-day historical report and the quality parts are not built yet: their keys are
printed as null ("not measured"). The last line is one JSON object with keys sentiment_msgs_per_s,
topics_100k_s, asr_realtime_factor, report_1m_s_sqlite, report_1m_s_postgres.
"""

# multilingual samples: Cyrillic letters and full-width punctuation are meant
# ruff: noqa: RUF001
from __future__ import annotations

import argparse
import json
import random
import time

from blendcc.adapters.sentiment.loaders import build_scorer, stop_words
from blendcc.analytics.sentiment.language import detect
from blendcc.analytics.topics import contact_topics, terms

PHRASES = {
    "en": (["Hello, my", "Hi team, the", "Good morning, our", "Please help, the"],
           ["invoice", "password reset", "parcel delivery", "mobile app", "refund request", "router"],
           ["is wrong again.", "works great now, thank you!", "has not arrived and I am angry.",
            "needs to be changed before Friday.", "is terrible, worst service ever.", "was fixed quickly, thanks."]),
    "pl": (["Dzień dobry, moja", "Witam, nasza", "Proszę o pomoc, moja"],
           ["faktura", "przesyłka", "aplikacja", "reklamacja", "zmiana hasła"],
           ["jest błędna.", "działa świetnie, dziękuję!", "nie dotarła, jestem zdenerwowany.",
            "wymaga poprawy.", "to skandal, fatalna obsługa."]),
    "ru": (["Здравствуйте, мой", "Добрый день, наш", "Помогите, мой"],
           ["счёт", "заказ", "пароль", "тариф", "возврат"],
           ["неправильный.", "работает отлично, спасибо!", "не пришёл, это ужасно.",
            "нужно изменить.", "плохой сервис, я возмущён."]),
    "zh": (["你好，我的", "请帮忙，我的", "您好，我们的"],
           ["账单", "快递", "密码", "订单", "退款"],
           ["有问题。", "很好，谢谢！", "还没到，太差了。", "需要修改。", "服务很满意。"]),
    "fa": (["سلام، سفارش", "لطفا کمک کنید، بسته", "با سلام، حساب"],
           ["من", "ما", "شرکت"],
           ["خراب رسید.", "عالی بود، ممنون!", "هنوز نرسیده، خیلی بد است.", "نیاز به تغییر دارد.",
            "کیفیت افتضاح بود."]),
}


def synthesise(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    langs = sorted(PHRASES)
    out = []
    for i in range(n):
        heads, subjects, tails = PHRASES[langs[i % len(langs)]]
        out.append(f"{rng.choice(heads)} {rng.choice(subjects)} {rng.choice(tails)} #{rng.randrange(10**6)}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=100_000, help="messages for topic extraction")
    ap.add_argument("--sentiment", type=int, default=20_000, help="messages scored for the sentiment rate")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.messages < 1 or args.sentiment < 1:
        print("error: --messages and --sentiment must be positive")
        return 2
    scorer = build_scorer()
    stops = stop_words()
    texts = synthesise(max(args.messages, args.sentiment), args.seed)

    sample = texts[:args.sentiment]
    t0 = time.process_time()
    labels = [scorer.score(t).label for t in sample]
    cpu = time.process_time() - t0
    rate = len(sample) / cpu
    print(f"sentiment: {len(sample):,} messages in {cpu:.2f} CPU s = {rate:,.0f} msgs/s (one core); labels "
          f"neg/neu/pos {labels.count('negative')}/{labels.count('neutral')}/{labels.count('positive')}")

    corpus = texts[:args.messages]
    t0 = time.perf_counter()
    docs = {}
    for i, text in enumerate(corpus):
        lang = detect(text)
        docs[f"c{i}"] = terms(text, lang, stops.get(lang, frozenset()))
    tags = contact_topics(docs)
    topics_s = time.perf_counter() - t0
    tagged = sum(1 for v in tags.values() if v)
    print(f"topics: {len(corpus):,} messages tagged in {topics_s:.2f} s ({tagged:,} with a topic)")
    for key in ("asr_realtime_factor", "report_1m_s_sqlite", "report_1m_s_postgres"):
        print(f"{key}: not measured (not built yet)")
    print(json.dumps({"sentiment_msgs_per_s": round(rate), "topics_100k_s": round(topics_s, 2)
                      if args.messages == 100_000 else None, "topic_messages": len(corpus),
                      "asr_realtime_factor": None, "report_1m_s_sqlite": None, "report_1m_s_postgres": None}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
