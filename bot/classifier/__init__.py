"""Steward's message classifier: intent, sentiment and spam for Russian and English.

    from bot.classifier import Classifier, MessageContext
    classifier = Classifier.load_or_train(settings.model_path)
    verdict = classifier.classify("сколько стоит доставка?")
    verdict.intent, verdict.is_spam, verdict.reasons

Modules: `normalize` (canonical text), `features` (n-gram TF-IDF), `model` (training,
calibration, artifact), `checks` and `policy` (non-text spam evidence and the removal
decision), `repeats` (same text across chats), `verdict` (the contract), `corpus`
(training data), `metrics` (precision / recall / F1), `service` (the `Classifier`).
"""

from bot.classifier.model import ArtifactError, ArtifactVersionError, TrainingConfig
from bot.classifier.policy import CheckWeights, SpamPolicy
from bot.classifier.repeats import RepeatTracker
from bot.classifier.service import Classifier
from bot.classifier.verdict import (
    INTENTS,
    OUTPUT_KEYS,
    SENTIMENTS,
    Check,
    MessageContext,
    Verdict,
)

__all__ = [
    "INTENTS",
    "OUTPUT_KEYS",
    "SENTIMENTS",
    "ArtifactError",
    "ArtifactVersionError",
    "Check",
    "CheckWeights",
    "Classifier",
    "MessageContext",
    "RepeatTracker",
    "SpamPolicy",
    "TrainingConfig",
    "Verdict",
]
