"""The input layer: a submission's text or workbook read with positions (``load``), checked against the
schema (the one-pass ``fast_facts``, else pydantic's ``validate``/``model``), the registry merged in
(``registry``) and turned into facts (``facts``, typed by ``factschema``); the xlsx workbook (template and
reader) and the YAML starting template.  Nothing is imported here, so a command loads only what it reads."""
