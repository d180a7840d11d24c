"""The text layer: words and numbers in Dutch and English."""
