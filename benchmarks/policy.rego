# The 2-rule policy of benchmarks/fastpath.py in Rego (for regorus): Art 17(1) "data centre built without
# approval" and Art 19(1) "item collected outside the catalogue", as the rulebook states them.
# Each rule gives the bindings that do not pass (fail or unknown), as JSON pointers.
package policy

import rego.v1

own := {"build_own", "expand_own", "rebuild_own"}

scope := {"build_own": "new", "expand_own": "expand", "rebuild_own": "rebuild"}

platforms[p.id] := p if some p in input.platforms

authorities[a.id] := a if some a in input.authorities

relevant(c) if own[c.mode]

relevant(c) if {
	c.mode == "purchase_service"
	platforms[c.platform].unified == false
}

scope_ok(c, a) if c.mode == "purchase_service"

scope_ok(c, a) if a.scope == scope[c.mode]

in_time(p, a) if p.implementation_start == null

in_time(p, a) if a.date <= p.implementation_start

approved(p, c) if {
	some a in input.approvals
	a.subject == c.platform
	a.kind == "data_centre"
	a.decision == "approved"
	issuer := authorities[a.issuer]
	issuer.kind == "egov_dept"
	issuer.level in {"provincial", "municipal"}
	scope_ok(c, a)
	in_time(p, a)
}

data_centre contains sprintf("/projects/%d/components/%d", [i, j]) if {
	some i, p in input.projects
	some j, c in p.components
	c.kind == "data_centre"
	relevant(c)
	not approved(p, c)
}

catalogue_elements[cat.unit] contains e.element if {
	some cat in input.collection_catalogues
	some e in cat.entries
}

has_catalogue[cat.unit] if some cat in input.collection_catalogues

outside_catalogue contains sprintf("/collection_items/%d", [i]) if {
	some i, item in input.collection_items
	item.source in {"from_subject", "lookup_key"}
	has_catalogue[item.unit]
	not catalogue_elements[item.unit][item.element]
}

result := {"data_centre": data_centre, "outside_catalogue": outside_catalogue}
