"""Reports: pure scoring and gap rules, report data built once, and its renderers
(HTML pages, CSV, JSON, SVG charts, PDF), with caching of data and PDFs."""
