"""One writer per edition format; each reads the document model and knows nothing of the others.

``text`` (plain text), ``pdf`` (tagged PDF/UA-1 through WeasyPrint, with its
structure-tree repair passes), ``epub`` (EPUB 3) and ``docx`` (Word). The PDF
and the EPUB share ``html`` (the jinja2 templates in ``layouts/``).
"""
