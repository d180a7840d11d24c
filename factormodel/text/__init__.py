"""The text layer: numbers, words and messages in Dutch or English (gettext catalogues)."""
