"""Interaction analytics benchmark: sentiment messages per second and topic extraction over 100,000 messages.

Messages are synthesised from fixed phrase lists in the five languages (en, pl, ru, zh, fa; equal shares,
seeded), so every run scores the same text. Sentiment: each message detected and scored by the production
scorer, one core. Topics: the 100,000 messages as one contact each, per-language terms (stop words from
the package) and the TF-IDF tagging, end to end.

Transcription: telephone audio (8 kHz) synthesised by espeak-ng from fixed sentences, transcribed by the
production engine (PocketSphinx, offline) on one core: audio seconds per CPU second, and the word error rate
against the text spoken.

Historical report (``bench/report_month.py``): a month of a generated centre with ``--report-size`` interactions
(default 1,000,000) seeded into a fresh SQLite file and a throwaway PostgreSQL schema, then the product's 30-day
report by queue and by agent at day grain, end to end (run and JSON-encoded), on each database; seeding time is
printed apart. ``report_1m_s_*`` is the slower of the two reports at the issue's 1,000,000 interactions (null for
another size: ``report_s_*`` then holds it). ``--report-size 0`` skips it.

    python bench/analytics.py [--messages 100000] [--sentiment 20000] [--seed 7] [--report-size 1000000]
                              [--no-postgres]

The last line is one JSON object with keys sentiment_msgs_per_s, topics_100k_s, asr_realtime_factor, asr_wer,
report_1m_s_sqlite, report_1m_s_postgres (and report_size, report_s_sqlite, report_s_postgres).
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


SPOKEN = ("I would like to check the balance of my savings account please",
          "my credit card was stolen yesterday and I need a new one",
          "can you tell me when the bank opens on monday",
          "thank you for calling how can I help you today",
          "I want to transfer money to my daughter in london",
          "please send me a new statement by email")


def transcription() -> tuple[float | None, float | None]:
    """(audio seconds per CPU second, word error rate) of PocketSphinx on espeak-ng telephone speech."""
    import shutil
    import subprocess

    from blendcc.adapters.speech.pocketsphinx_stt import PocketSphinxStt
    from blendcc.domain.transcript import word_error_rate

    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        print("asr_realtime_factor: not measured (espeak-ng and sox are needed: make system-deps)")
        return None, None
    stt = PocketSphinxStt()
    audio_s = cpu = 0.0
    errors = []
    for text in SPOKEN:
        wav = subprocess.run(["espeak-ng", "-v", "en-us", "-s", "120", "--stdout", text], capture_output=True,
                             check=True).stdout
        pcm = subprocess.run(["sox", "-t", "wav", "-", "-t", "raw", "-r", "8000", "-c", "1", "-b", "16", "-e",
                              "signed-integer", "-"], input=wav, capture_output=True, check=True).stdout
        t0 = time.process_time()
        heard = stt.transcribe(pcm, 8000)
        cpu += time.process_time() - t0
        audio_s += len(pcm) / 2 / 8000
        errors.append(word_error_rate(text, " ".join(u.text for u in heard)))
    factor, wer = audio_s / cpu, sum(errors) / len(errors)
    print(f"transcription: {audio_s:.1f} s of telephone speech in {cpu:.2f} CPU s = {factor:.2f}x real time "
          f"(one core; target >= 1); word error rate {wer:.3f} over {len(SPOKEN)} sentences")
    return round(factor, 2), round(wer, 3)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=100_000, help="messages for topic extraction")
    ap.add_argument("--sentiment", type=int, default=20_000, help="messages scored for the sentiment rate")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--report-size", type=int, default=1_000_000,
                    help="interactions in the 30-day report's month (0: skip the report)")
    ap.add_argument("--no-postgres", action="store_true", help="the report on SQLite only")
    ap.add_argument("--report-scale", type=int, default=1,
                    help="copy the report's projections this many times after seeding (report_month.py --scale)")
    args = ap.parse_args()
    if args.messages < 1 or args.sentiment < 1:
        print("error: --messages and --sentiment must be positive")
        return 2
    if args.report_size != 0 and args.report_size < 100:
        print("error: --report-size must be 0 (skip) or at least 100")
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
    factor, wer = transcription()
    report: dict[str, float | None] = {"sqlite": None, "postgresql": None}
    month: dict[str, object] = {}
    if args.report_size:
        from report_month import exit_on_term, figure, measure, summary

        exit_on_term()
        r = measure(args.report_size, args.seed, None, postgres=not args.no_postgres, scale=args.report_scale)
        report = {kind: figure(r.get(kind)) for kind in report}
        month = summary(r, args.report_size, args.report_scale)
    print(json.dumps({"sentiment_msgs_per_s": round(rate), "topics_100k_s": round(topics_s, 2)
                      if args.messages == 100_000 else None, "topic_messages": len(corpus),
                      "asr_realtime_factor": factor, "asr_wer": wer,
                      "report_1m_s_sqlite": month.get("report_1m_s_sqlite"),
                      "report_1m_s_postgres": month.get("report_1m_s_postgres"),
                      "report_1m_basis": month.get("report_1m_basis"),
                      "report_full_s_sqlite": month.get("report_full_s_sqlite"),
                      "report_full_s_postgres": month.get("report_full_s_postgres"),
                      "report_size": args.report_size, "report_s_sqlite": report["sqlite"],
                      "report_s_postgres": report["postgresql"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
