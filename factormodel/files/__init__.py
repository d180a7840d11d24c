"""Files: model folders, exchange formats, area tables, bundled data sets, CBS."""
