"""The gettext catalogues: English source strings, Dutch from ``locale/nl``.

Code marks a text for translation with :func:`N_` (a plain string, the English source)
or :func:`NC_` (with a context, when one English word has two Dutch ones) and renders it
with :func:`tr`. English needs no catalogue: the source string is the English text.

Examples
--------
>>> tr("yes", "nl"), tr("yes", "en"), tr(NC_("headers:label_en", "label"), "nl")
('ja', 'yes', 'omschrijving (Engels)')
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

__all__ = ["DOMAIN", "LANGUAGES", "LOCALE", "NC_", "N_", "Context", "tr", "translation"]

#: The gettext domain of the library's texts.
DOMAIN = "factormodel"
#: Where the compiled catalogues live (``LOCALE/<lang>/LC_MESSAGES/factormodel.mo``).
LOCALE = Path(__file__).parent / "locale"
#: The languages of people-facing texts (English is the source).
LANGUAGES = ("nl", "en")


class Context(str):
    """An English source string with a gettext context (``msgctxt``)."""

    context: str

    def __new__(cls, context: str, text: str) -> Context:
        self = super().__new__(cls, text)
        self.context = context
        return self


def N_(text: str) -> str:
    """Mark ``text`` (English) for translation; it is rendered later by :func:`tr`.

    Examples
    --------
    >>> N_("yes")
    'yes'
    """
    return text


def NC_(context: str, text: str) -> Context:
    """Mark ``text`` for translation within ``context``.

    Examples
    --------
    >>> label = NC_("header", "label")
    >>> label, label.context
    ('label', 'header')
    """
    return Context(context, text)


@cache
def translation(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (English: the source strings themselves).

    Raises
    ------
    FileNotFoundError
        The compiled catalogue of a language other than English is missing from the
        installation (a packaging error, never silently English).
    """
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE), languages=[lang])


def tr(text: str, lang: str) -> str:
    """``text`` (English source, maybe with a :class:`Context`) in ``lang``.

    Examples
    --------
    >>> tr("recommended", "nl"), tr("something not in the catalogue", "nl")
    ('aanbevolen', 'something not in the catalogue')
    """
    if lang == "en":
        return str(text)
    t = translation(lang)
    if isinstance(text, Context):
        return t.pgettext(text.context, str(text))
    return t.gettext(text)
