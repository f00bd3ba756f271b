"""Fixtures of the reports tests."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    """Booklet files written to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
