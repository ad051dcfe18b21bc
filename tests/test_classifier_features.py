"""Features: our fast TF-IDF equals scikit-learn's, and one message scores like a batch."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.classifier.features import FeatureConfig, TextFeatures, word_ngrams
from bot.classifier.lexicon import TOKENS
from bot.classifier.model import TextModel
from bot.classifier.normalize import feature_text, normalize
from tests.classifier_fixtures import corpus_examples

TEXTS = [
    "сколько стоит доставка до москвы?",
    "where is my order _num_ ?? 😡 😡",
    "a",
    "",
    "я",
    "скидка скидка скидка _url_",
    "privet, skolko stoit?",
    "  много   пробелов  ",
]


def _sorted_rows(matrix: np.ndarray) -> np.ndarray:
    return np.sort(matrix, axis=1)


@pytest.mark.parametrize("char_ngrams", [(1, 5), (2, 5), (3, 4)])
def test_features_match_scikit_learn_tfidf(char_ngrams: tuple[int, int]) -> None:
    texts = [feature_text(normalize(e.text)) for e in corpus_examples()[:800]] + TEXTS
    ours = TextFeatures(
        FeatureConfig(
            char_ngrams=char_ngrams,
            char_min_df=2,
            word_min_df=1,
            max_char_features=None,
            max_word_features=None,
        )
    ).fit(texts)
    matrix = ours.transform(texts).toarray()
    char = TfidfVectorizer(
        analyzer="char_wb", ngram_range=char_ngrams, min_df=2, sublinear_tf=True, lowercase=False
    ).fit(texts)
    word = TfidfVectorizer(
        analyzer=lambda text: word_ngrams(text, 1, 2), min_df=1, sublinear_tf=True
    ).fit(texts)
    assert ours.char.size == len(char.vocabulary_)
    assert ours.word.size == len(word.vocabulary_)
    # Same values per row; columns are numbered differently (hashes vs. sorted strings).
    np.testing.assert_allclose(
        _sorted_rows(matrix[:, : ours.char.size]),
        _sorted_rows(char.transform(texts).toarray()),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        _sorted_rows(matrix[:, ours.char.size : ours.char.size + ours.word.size]),
        _sorted_rows(word.transform(texts).toarray()),
        atol=1e-5,
    )


def test_opinion_block_counts_lexicon_tokens() -> None:
    features = TextFeatures().fit([*TEXTS, "not bad at all", "ужасно", "всё работает"])
    start = features.char.size + features.word.size
    block = features.transform(["terrible, not worth it", "обычный текст"]).toarray()[:, start:]
    assert block.shape[1] == len(TOKENS)
    assert block[0, TOKENS.index("lex_neg")] > 0
    assert block[0, TOKENS.index("lex_not_pos")] > 0
    assert not block[1].any()
    off = TextFeatures(FeatureConfig(opinion_weight=0)).fit(TEXTS)
    assert off.opinion.size == 0 and off.size == off.char.size + off.word.size


def test_empty_text_has_no_features() -> None:
    features = TextFeatures().fit(TEXTS)
    assert features.transform([""]).nnz == 0
    assert features.transform([]).shape == (0, features.size)


def test_single_message_scores_equal_batch_scores(trained_model: TextModel) -> None:
    batch = trained_model.scores(TEXTS * 2)  # large enough for the sparse-product path
    for index, text in enumerate(TEXTS):
        np.testing.assert_allclose(trained_model.scores([text])[0], batch[index], atol=1e-4)
    few = trained_model.scores(TEXTS[:3])  # the gathered path for a few texts
    np.testing.assert_allclose(few, batch[:3], atol=1e-4)
    lists = trained_model.probability_lists(TEXTS[:2])
    arrays = trained_model.probabilities(TEXTS * 2)
    for name, rows in lists.items():
        np.testing.assert_allclose(rows, arrays[name][:2], atol=1e-6)


def test_features_survive_a_pickle_round_trip() -> None:
    import pickle

    features = TextFeatures().fit(TEXTS)
    before = features.transform(TEXTS).toarray()
    restored = pickle.loads(pickle.dumps(features))
    np.testing.assert_array_equal(restored.transform(TEXTS).toarray(), before)
