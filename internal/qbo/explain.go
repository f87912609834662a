package qbo

import "strings"

// Explanation returns a sentence or two a bookkeeper can act on: what
// QuickBooks objected to and what to do about it, in plain language. It is
// meant for the failed-items list; Error() is for logs and operators.
func (e *Error) Explanation() string {
	switch e.Code {
	case "6240":
		s := "QuickBooks already has a customer, vendor or employee with this name (names must be unique across all three, inactive ones included). Rename one of them, in QuickBooks or in the practice system, or link this record to the existing one, then retry."
		if id, ok := e.DuplicateNameID(); ok {
			s += " The existing QuickBooks record has Id " + id + "."
		}
		return s
	case "6140":
		return "QuickBooks already has a transaction with this document number. Give one of them a different number, in QuickBooks or in the practice system, then retry."
	case "5010":
		return "Someone changed this record in QuickBooks while qbosync was updating it. qbosync re-reads the record and tries again by itself; nothing to do unless this keeps happening."
	case "6540":
		return "This transaction is part of a bank deposit in QuickBooks and can no longer be changed. Remove it from the deposit in QuickBooks first, then retry."
	case "2500":
		return "This refers to an account, customer, item, vendor or class that is inactive or deleted in QuickBooks. Make it active again in QuickBooks, or map this to another one in qbosync, then retry."
	case "610":
		return "The QuickBooks record this refers to was deleted or made inactive in QuickBooks. Restore or reactivate it in QuickBooks, then retry."
	case "6000":
		return "QuickBooks rejected this under one of its business rules: " + e.reason() + " Correct it in the practice system or in QuickBooks, then retry."
	case "2020":
		return "QuickBooks needs a value for " + e.field() + " and none was given. Fill it in in the practice system, then retry."
	case "2050":
		return "The value for " + e.field() + " is longer than QuickBooks allows" + e.parenDetail() + ". Shorten it in the practice system, then retry."
	case "3200", "100", "invalid_grant":
		return reconnect
	case "120", "3100":
		return "QuickBooks refused access to this company: the user who connected it, or the company's subscription, does not allow it. Check the QuickBooks subscription and reconnect QuickBooks with an administrator account."
	case "3001":
		return slowDown
	case "6190":
		return "QuickBooks says this company's subscription is not active (it ended or was suspended). Renew or reactivate the QuickBooks subscription, then retry."
	case "6210":
		return "The transaction's date is in a closed accounting period in QuickBooks. Ask your accountant to change the closing date in QuickBooks, or correct the date in the practice system, then retry."
	case "600":
		return "QuickBooks says it already received this exact request. qbosync checks whether the record exists in QuickBooks before trying again; if this stays, contact support."
	case "620":
		return "QuickBooks could not link this to the transaction it applies to (for example a payment to an invoice): that transaction may have been deleted or voided, be fully paid already, or belong to another customer. Check it in QuickBooks, correct it there or in the practice system, then retry."
	case "6070":
		return "The line's amount is not its quantity times its rate, as QuickBooks requires. Correct the quantity, rate or amount in the practice system, then retry."
	case "6090":
		return "The discount has neither an amount nor a percentage. Give the discount a value in the practice system, then retry."
	case "10000":
		return "QuickBooks had an internal error while processing this. qbosync tries again by itself; nothing to do unless this persists, then contact support" + e.reference() + "."
	case "10100":
		return "The QuickBooks report asked for is too large to produce in one go. qbosync asks for a shorter period; if this persists, contact support."
	case "1040", "4000", "4001":
		return "qbosync sent QuickBooks a request it could not process (" + strings.TrimSuffix(e.Message, ".") + "). This is a fault in qbosync, not in your data; please contact support" + e.reference() + "."
	}
	switch e.Class {
	case Transient:
		if e.HTTPStatus == 429 {
			return slowDown
		}
		return "QuickBooks was unavailable or did not answer in time. qbosync tries again by itself; nothing to do unless this persists."
	case Auth:
		return reconnect
	case NotFound:
		return "The QuickBooks record this refers to no longer exists or is inactive. Restore or reactivate it in QuickBooks, then retry."
	case Stale:
		return "The record changed in QuickBooks while qbosync was updating it. qbosync re-reads it and tries again by itself."
	case Validation:
		s := "QuickBooks rejected this record"
		if e.Element != "" {
			s += " (field " + e.Element + ")"
		}
		return s + ": " + e.reason() + " Correct it in the practice system or in QuickBooks, then retry."
	}
	return "qbosync sent QuickBooks a request it could not process. This is a fault in qbosync, not in your data; please contact support" + e.reference() + "."
}

// reference asks to quote the intuit_tid, when there is one.
func (e *Error) reference() string {
	if e.IntuitTID == "" {
		return ""
	}
	return " and quote reference " + e.IntuitTID
}

const (
	reconnect = "qbosync's connection to QuickBooks has expired or was disconnected. An administrator needs to reconnect QuickBooks in qbosync; syncing resumes after that."
	slowDown  = "QuickBooks asked qbosync to slow down (too many requests in a short time). qbosync waits and resumes by itself; nothing to do."
)

// reason returns QBO's own words for a rejection, as a sentence, without
// the "Business Validation Error:" style prefix.
func (e *Error) reason() string {
	r := e.Detail
	if r == "" {
		r = e.Message
	}
	if _, after, ok := strings.Cut(r, "Error: "); ok {
		r = after
	}
	r = strings.TrimSpace(r)
	if r == "" {
		return "no reason given."
	}
	if !strings.HasSuffix(r, ".") {
		r += "."
	}
	return r
}

// field names the field QBO objected to, from the fault's element.
func (e *Error) field() string {
	if e.Element == "" {
		return "a field"
	}
	return "the field " + e.Element
}

// parenDetail returns QBO's detail in parentheses, e.g. " (Length of the
// field exceeds 21 chars)", when there is one.
func (e *Error) parenDetail() string {
	if e.Detail == "" {
		return ""
	}
	return " (" + strings.TrimSuffix(e.Detail, ".") + ")"
}
