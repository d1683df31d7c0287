"""Contract checks for plugin authors: run your component through the rules its kind promises.

The zoo's own tests run these same checks over every registered component, built-in and
third-party alike, so a plugin that passes them works like a built-in::

    # tests/test_my_plugin.py
    from nlpzoo.testing import check_classifier

    def test_text_cnn_follows_the_classifier_contract():
        check_classifier("text-cnn", params={"epochs": 3, "embedding_dim": 16})

``check_regressor`` does the same for score regressors. Each ``check_*`` runs named rules and raises :class:`ContractError` naming the first one that
breaks (``text-cnn: rule 'save_load_roundtrip' broken: ...``); it returns the names of the rules
that held. ``rules=[...]`` runs a subset. ``CLASSIFIER_RULES`` etc. list the names, for
``pytest.mark.parametrize``.

Fixtures for pytest (``pytest_plugins = ["nlpzoo.testing"]`` in your conftest.py, or import them):
``tiny_classification_data`` (train/validation/test LabeledTexts from the built-in demo set),
``tiny_texts`` (a list of short Arabic reviews) and ``local_site`` (a test site on 127.0.0.1 and
its site file).
"""
from .generator import check_generator
from .preprocessor import check_preprocessor
from .rules import (CLASSIFIER_RULES, GENERATOR_RULES, PREPROCESSOR_RULES, REGRESSOR_RULES, SCRAPER_RULES,
                    ContractError)
from .scraper import check_scraper
from .site import LocalSite, start_local_site
from .supervised import check_classifier, check_regressor
from .tiny_data import TinyData, TinyScores, tiny_classification_data, tiny_regression_data, tiny_texts

# The kit's public names (part of the plugin surface, docs/plugins.md); the pytest fixtures
# tiny_classification_data, tiny_texts and local_site come with pytest_plugins = ["nlpzoo.testing"].
__all__ = ["CLASSIFIER_RULES", "GENERATOR_RULES", "PREPROCESSOR_RULES", "REGRESSOR_RULES", "SCRAPER_RULES", "ContractError",
           "LocalSite", "TinyData", "TinyScores", "check_classifier", "check_generator", "check_preprocessor",
           "check_regressor", "check_scraper", "start_local_site", "tiny_classification_data", "tiny_regression_data",
           "tiny_texts"]


# -- pytest fixtures ----------------------------------------------------------------------------------
try:
    import pytest
except ImportError:  # pragma: no cover - the checks work without pytest
    pytest = None

if pytest is not None:
    @pytest.fixture(name="tiny_classification_data", scope="session")
    def _tiny_classification_data_fixture() -> TinyData:
        """Train/validation/test LabeledTexts from the built-in demo set."""
        return tiny_classification_data()

    @pytest.fixture(name="tiny_texts", scope="session")
    def _tiny_texts_fixture() -> list[str]:
        """Short Arabic reviews."""
        return tiny_texts()

    @pytest.fixture(name="local_site")
    def _local_site_fixture(tmp_path):
        """A local test site (see :class:`LocalSite`), shut down after the test."""
        site = start_local_site(tmp_path)
        yield site
        site.close()
