package qbosim

import "fmt"

// JournalEntry: debits and credits posted as given. Lines are
// JournalEntryLineDetail (PostingType Debit|Credit, AccountRef, an optional
// Entity {"Type", "EntityRef"}) or DescriptionOnly. Debits must equal
// credits; A/R lines need a customer and A/P lines a vendor. TotalAmt is
// the sum of the debits.
var journalEntryKind = txnKind(&kind{
	name:      "JournalEntry",
	derived:   []string{"TotalAmt", "HomeTotalAmt"},
	queryable: set("DocNumber", "TxnDate"),
	txn:       &txnSpec{lineIDs: true},
}, fields{"Adjustment": tBool, "JournalEntryEx": tAny})

func prepareJournalEntry(w *writeCtx) *fault {
	if f := w.prepareTxn(); f != nil {
		return f
	}
	w.setDefault("Adjustment", false)
	lines, f := w.lines()
	if f != nil {
		return f
	}
	var debits, credits int64
	var ps []posting
	for _, line := range lines {
		if n := len([]rune(stringField(line, "Description"))); n > 4000 {
			return errLength("Line.Description", 4000, n)
		}
		switch dt := stringField(line, "DetailType"); dt {
		case "JournalEntryLineDetail":
			p, f := w.journalLine(line)
			if f != nil {
				return f
			}
			if p.Amount >= 0 {
				debits += p.Amount
			} else {
				credits -= p.Amount
			}
			ps = append(ps, p)
		case "DescriptionOnly":
			delete(line, "Amount")
		case "":
			return errRequired("Line.DetailType")
		default:
			return errInvalidEnum("Line.DetailType", dt)
		}
	}
	if len(ps) == 0 {
		return validationFault("2020", "Required Param Missing",
			"Required parameter Line is missing in the request: a JournalEntry needs JournalEntryLineDetail lines.", "Line")
	}
	if debits != credits {
		// QBO's wording is undocumented [U]; the rule and the code are its.
		return errBusiness(fmt.Sprintf("Journal entry is out of balance: debits %s, credits %s. Debits and credits must be equal.",
			reportMoney(debits), reportMoney(credits)))
	}
	w.setLines(lines)
	w.body["TotalAmt"] = formatCents(debits)
	w.setPostings(ps)
	return nil
}

// journalLine validates a JournalEntryLineDetail line and returns its posting.
func (w *writeCtx) journalLine(line map[string]any) (posting, *fault) {
	const el = "Line.JournalEntryLineDetail"
	d, f := detail(line, "JournalEntryLineDetail", true)
	if f != nil {
		return posting{}, f
	}
	sign := int64(1)
	switch pt := stringField(d, "PostingType"); pt {
	case "Debit":
	case "Credit":
		sign = -1
	case "":
		return posting{}, errRequired(el + ".PostingType")
	default:
		return posting{}, errInvalidEnum(el+".PostingType", pt)
	}
	acct, f := w.accountRef(d, "AccountRef", el+".AccountRef", true)
	if f != nil {
		return posting{}, f
	}
	var entity *record
	var ek *kind
	if e, ok := d["Entity"].(map[string]any); ok {
		e = cloneMap(e)
		typ := stringField(e, "Type")
		if entity, ek, f = w.entityRef(e, "EntityRef", el+".Entity.EntityRef", typ); f != nil {
			return posting{}, f
		}
		if entity != nil {
			d["Entity"] = map[string]any{"Type": ek.name, "EntityRef": map[string]any{"value": entity.id}}
		} else {
			delete(d, "Entity")
		}
	}
	if f := receivableRule(acct, ek); f != nil {
		return posting{}, f
	}
	if _, f := w.lineRef(d, "ClassRef", el+".ClassRef", classKind, false); f != nil {
		return posting{}, f
	}
	amt, _, f := amount(line, "Amount", "Line.Amount", true)
	if f != nil {
		return posting{}, f
	}
	if amt < 0 {
		return posting{}, errBusiness("A journal entry line amount must not be negative: use the other PostingType.")
	}
	line["Amount"] = formatCents(amt)
	return w.post(acct.id, sign*amt, entity, ek), nil
}
