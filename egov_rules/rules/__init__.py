"""The rules layer: rule files parsed and type-checked (``rulebook_parse``, ``rule_model``, ``conditions``)
into the cached ``rulebook`` of plain records (``rule_data``); ``lint``, ``examples`` and the article
catalogue (``articles``).  The rule files themselves are data: the checkout's ``rules/``, in the wheel
``egov_rules/data/rules``.  Nothing is imported here, so a check from the cache never loads the parser."""
