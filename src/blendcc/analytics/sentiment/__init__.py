"""Offline message sentiment: labels and contact figures, language detection, lexicon and Bayes scorers."""

from blendcc.analytics.sentiment.model import (
    NEGATIVE_BELOW,
    POSITIVE_ABOVE,
    ContactSentiment,
    Scored,
    contact_sentiment,
    label_of,
)
from blendcc.analytics.sentiment.scorer import SentimentScorer

__all__ = ["NEGATIVE_BELOW", "POSITIVE_ABOVE", "ContactSentiment", "Scored", "SentimentScorer",
           "contact_sentiment", "label_of"]
