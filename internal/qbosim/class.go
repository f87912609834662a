package qbosim

// classKind is the Class name list: hierarchical (ParentRef, SubClass,
// FullyQualifiedName), inactivated rather than deleted, with Intuit's large
// numeric ids ("5000000000000007280") so that a client assuming small
// integer ids fails here as it would in production.
var classKind = &kind{
	name: "Class", resource: "class", idSeq: "class", idBase: 5000000000000007279,
	nameList: true,
	fields: mergeFields(entityBaseFields, fields{
		"Name": tString, "SubClass": tBool, "ParentRef": tRef, "FullyQualifiedName": tString, "Active": tBool,
	}),
	derived:      []string{"FullyQualifiedName", "SubClass"},
	refTargets:   map[string]string{"ParentRef": "Class"},
	refNameField: "FullyQualifiedName",
	hier:         &hierarchy{nameField: "Name", flagField: "SubClass"},
}

// prepareClass: Name required (max 100, no colon), unique per
// FullyQualifiedName like accounts (the same name may recur under different
// parents). [U] QBO documents no uniqueness rule for classes.
func prepareClass(w *writeCtx) *fault {
	if _, f := w.requireName("Name"); f != nil {
		return f
	}
	if f := w.checkStrings(nameRule("Name", 100)); f != nil {
		return f
	}
	if refValue(w.body["ParentRef"]) == "" && boolField(w.input, "SubClass", false) {
		return errRequired("ParentRef")
	}
	parent, level, f := w.resolveParent()
	if f != nil {
		return f
	}
	w.setHierarchyFields(parent, level)
	w.setDefault("Active", true)
	return w.checkUnique("FullyQualifiedName", w.k)
}
