"""Enforcement documents (交通运输行政执法文书): templates, PDF and DOCX rendering, numbering."""
