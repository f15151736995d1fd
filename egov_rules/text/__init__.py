"""The words: citations and counts (``i18n``), the label table (``labels``), Chinese typesetting (``zh``),
input errors in Chinese (``errors_zh``) and rule and article texts (``rule_text``).  Nothing is imported
here."""
