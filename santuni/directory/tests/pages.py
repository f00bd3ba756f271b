"""Reading pages in tests as a person would."""

import re


def html_of(response) -> str:
    """The page's HTML as a reader sees its words: search highlights (<mark>) removed."""
    return re.sub(r"</?mark>", "", response.content.decode())
