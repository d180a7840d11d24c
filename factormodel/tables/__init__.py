"""Tables and results plumbing: cells, table checks, graph arrays, JSON, HTML, safe writes."""
