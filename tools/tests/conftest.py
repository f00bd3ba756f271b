"""The package's own per-test resets apply to the tools' tests too."""

from santuni.conftest import fresh_search_caches, malay_after_each_test  # noqa: F401
