"""Inputs other than YAML/JSON text: the xlsx workbook (template and reader) and the YAML starting template."""
