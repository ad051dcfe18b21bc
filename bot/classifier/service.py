"""The classifier as the rest of Steward sees it: text (and context) in, `Verdict` out."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.classifier.checks import is_too_short, run_checks
from bot.classifier.corpus import DEFAULT_CORPUS_DIR, Example, LoadReport, load_corpus, merge
from bot.classifier.model import (
    ArtifactError,
    ArtifactVersionError,
    CrossValidation,
    TextModel,
    TrainingConfig,
    load_artifact,
    save_artifact,
    train,
)
from bot.classifier.normalize import NormalizedText, feature_text, normalize, without_contacts
from bot.classifier.policy import SpamPolicy, choose_intent, decide_spam, text_model_check
from bot.classifier.progress import ProgressBar
from bot.classifier.repeats import RepeatTracker
from bot.classifier.verdict import INTENTS, SENTIMENTS, MessageContext, Verdict

# Messages scored together; bounds the memory of one sparse product on huge inputs.
# A batch's temporary arrays grow with it: at an average of 100 characters, batches of
# 2,048 peaked 28 MB higher than batches of 512 (198 MB against 170 MB in
# `bench/classifier.py`) for about 10% more throughput (7,800 against 7,000 messages/s).
BATCH_SIZE = 512


def train_and_save(
    path: Path,
    examples: Sequence[Example],
    *,
    config: TrainingConfig | None = None,
    progress: bool = True,
) -> tuple[TextModel, CrossValidation | None]:
    """Train on `examples`, write the artifact to `path`, and return both results."""
    model, cv = train(examples, config or TrainingConfig(), ProgressBar(enabled=progress))
    save_artifact(model, path)
    return model, cv


_NO_SENTIMENT = {"negative": 0.0, "neutral": 1.0, "positive": 0.0}


def _intent_and_sentiment(
    probabilities: dict[str, list[float]],
) -> tuple[dict[str, float], dict[str, float]]:
    intent_scores = dict(zip(INTENTS, probabilities["intent"], strict=True))
    if "sentiment" not in probabilities:
        return intent_scores, dict(_NO_SENTIMENT)  # a corpus without sentiment labels
    return intent_scores, dict(zip(SENTIMENTS, probabilities["sentiment"], strict=True))


class Classifier:
    """Intent, sentiment and spam for one message or many, with the reasons why.

    Holds the text model, the spam policy and the repetition memory; `classify` with a
    `MessageContext` updates that memory, so one Classifier should serve one process.
    """

    def __init__(
        self,
        model: TextModel,
        *,
        policy: SpamPolicy | None = None,
        repeats: RepeatTracker | None = None,
    ) -> None:
        self.model = model
        self.policy = policy or SpamPolicy()
        self.repeats = repeats if repeats is not None else RepeatTracker()
        # Heads that judge the words alone read the contact-free variant when there is one.
        self._word_heads = [h.name for h in model.heads.values() if h.reads == "words"]

    @property
    def metadata(self) -> dict[str, Any]:
        """How the model was trained: date, corpus hash, versions, cross-validated metrics."""
        return self.model.metadata

    @classmethod
    def load(cls, path: Path, **options: Any) -> Classifier:
        """Load a trained model; raises `ArtifactError` if it is missing or unusable."""
        return cls(load_artifact(Path(path)), **options)

    @classmethod
    def load_or_train(
        cls,
        path: Path,
        *,
        progress: bool = True,
        examples: Sequence[Example] | None = None,
        config: TrainingConfig | None = None,
        **options: Any,
    ) -> Classifier:
        """Load the model at `path`; if it is missing or from other library versions, train
        it (from `examples`, by default the corpus in `data/corpus`) and cache it there."""
        path = Path(path)
        try:
            return cls.load(path, **options)
        except ArtifactVersionError as error:
            print(f"steward: {error}. Retraining now.", file=sys.stderr)
        except ArtifactError as error:
            if path.exists():
                print(f"steward: {error}. Retraining now.", file=sys.stderr)
            elif progress:
                print(f"steward: no model at {path} yet; training it once.", file=sys.stderr)
        if examples is None:
            report = LoadReport()
            examples = merge([load_corpus(DEFAULT_CORPUS_DIR, report)], report)
        model, _ = train_and_save(path, examples, config=config, progress=progress)
        return cls(model, **options)

    def classify(self, text: str, context: MessageContext | None = None) -> Verdict:
        """The verdict on one message."""
        return self.classify_many([text], [context])[0]

    def classify_many(
        self,
        texts: Sequence[str],
        contexts: Sequence[MessageContext | None] | None = None,
    ) -> list[Verdict]:
        """Verdicts in the order of `texts`; the text model scores them in batches."""
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError("contexts must be None or have one entry per text")
        verdicts: list[Verdict] = []
        for start in range(0, len(texts), BATCH_SIZE):
            chunk = texts[start : start + BATCH_SIZE]
            normalized = [normalize(text or "") for text in chunk]
            model_texts = [feature_text(n) for n in normalized]
            # Texts with links or contacts are scored a second time without them, in the
            # same batch, for the hard rule (see `policy.decide_spam`).
            variant_row: dict[int, int] = {}
            for offset, canonical in enumerate(model_texts[: len(chunk)]):
                variant = without_contacts(canonical)
                if variant is not None:
                    variant_row[offset] = len(model_texts)
                    model_texts.append(variant)
            probabilities = self.model.probability_lists(model_texts)
            for offset, text in enumerate(chunk):
                context = contexts[start + offset] if contexts is not None else None
                row = {name: values[offset] for name, values in probabilities.items()}
                variant = None
                if offset in variant_row:
                    variant = {name: v[variant_row[offset]] for name, v in probabilities.items()}
                    for name in self._word_heads:
                        row[name] = variant[name]
                verdicts.append(
                    self._verdict(text or "", normalized[offset], row, variant, context)
                )
        return verdicts

    def _language(self, normalized: NormalizedText, lang_probabilities: list[float] | None) -> str:
        if not normalized.cyrillic_letters and not normalized.latin_letters:
            return "unknown"
        if normalized.cyrillic_letters >= normalized.latin_letters:
            return "ru"
        # Latin letters: English, or Russian in transliteration (`privet, skolko stoit`).
        if lang_probabilities is not None and lang_probabilities[1] > lang_probabilities[0]:
            return "ru"
        return "en"

    def _verdict(
        self,
        text: str,
        normalized: NormalizedText,
        probabilities: dict[str, list[float]],
        variant: dict[str, list[float]] | None,
        context: MessageContext | None,
    ) -> Verdict:
        policy = self.policy
        intent_scores, sentiment_scores = _intent_and_sentiment(probabilities)
        text_spam = probabilities["spam"][1] if "spam" in probabilities else intent_scores["spam"]
        intent = choose_intent(intent_scores, policy)
        top_probability = max(intent_scores.values())
        sentiment = max(sentiment_scores, key=sentiment_scores.__getitem__)

        repeat = None
        if context is not None:
            repeat = self.repeats.observe(
                normalized.text, author=context.author_id, chat=context.chat_id, now=context.now
            )
        checks = run_checks(normalized, context, repeat, policy)
        decision = decide_spam(
            text_spam,
            checks,
            intent_scores,
            sentiment_scores,
            policy,
            context,
            _intent_and_sentiment(variant) if variant is not None else None,
            is_too_short(normalized, context, policy),
        )

        reasons = list(decision.reasons)
        uncertain = decision.borderline
        if not normalized.text:
            uncertain = True
            reasons.append("empty message: nothing to classify")
        elif top_probability < policy.uncertain_threshold:
            uncertain = True
            reasons.append(
                f"uncertain: the likeliest intent has probability {top_probability:.2f}, "
                f"under {policy.uncertain_threshold:.2f}"
            )
        reasons.append(
            f"intent {intent} ({intent_scores[intent]:.2f}), sentiment {sentiment} "
            f"({sentiment_scores[sentiment]:.2f}), spam score {decision.score:.2f}"
        )
        return Verdict(
            text=text,
            lang=self._language(normalized, probabilities.get("lang")),
            intent=intent,
            intent_scores=intent_scores,
            sentiment=sentiment,
            sentiment_scores=sentiment_scores,
            spam_score=decision.score,
            is_spam=decision.is_spam,
            uncertain=uncertain,
            reasons=reasons,
            checks=[text_model_check(text_spam, policy), *checks],
        )
