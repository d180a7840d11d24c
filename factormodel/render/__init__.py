"""Presentation: the view model of a wijk analysis, its templates, plots and reports."""
