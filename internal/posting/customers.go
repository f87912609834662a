package posting

import (
	"fmt"
	"slices"
	"strings"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
)

// Kinds of practice record in the id map and in item outcomes.
const (
	KindClient = "client"
	KindMatter = "matter"
)

// ClientLabel is how a client is named in summaries and error lists.
func ClientLabel(c pms.Client) string {
	return fmt.Sprintf("%s (%s)", names.Clean(c.Name), c.Number)
}

// MatterLabel is how a matter is named in summaries and error lists.
func MatterLabel(m pms.Matter) string {
	return names.Truncate(names.Clean(m.Number+" "+m.Name), 120)
}

// ClientDisplayName is the QBO DisplayName of a client's customer. Two clients of the
// firm with the same name are different parties, and QBO needs different names: the
// one created first keeps the plain name, later namesakes get their client number
// appended, so adding a namesake never renames an existing customer.
func ClientDisplayName(c pms.Client) string {
	name := names.Clean(c.Name)
	if HasEarlierNamesake(c) {
		suffix := " (" + names.Clean(c.Number) + ")"
		return names.Truncate(name, MaxDisplayName-len([]rune(suffix))) + suffix
	}
	return names.Truncate(name, MaxDisplayName)
}

// HasEarlierNamesake reports whether a client of the firm with a lower id has a name
// QuickBooks would take for this client's (SameName): two different parties that
// QuickBooks would otherwise see as one name.
func HasEarlierNamesake(c pms.Client) bool {
	return slices.ContainsFunc(c.EarlierNamesakes, func(n string) bool { return names.Same(n, c.Name) })
}

// MatterDisplayName is "<matter number> <matter name>": the number keeps it unique.
func MatterDisplayName(m pms.Matter) string {
	return names.Truncate(names.Clean(m.Number+" "+m.Name), MaxDisplayName)
}

// ClientCustomer is the QBO customer for a client.
func ClientCustomer(c pms.Client) (qbo.Customer, error) {
	cust := qbo.Customer{
		DisplayName: ClientDisplayName(c),
		Notes:       notes("Client "+c.Number+" in the practice system", names.Marker(c.FirmID, KindClient, c.ID)),
	}
	if cust.DisplayName == "" {
		return qbo.Customer{}, &ItemError{
			Code: "qbosync:empty-name", Field: "name",
			Message:     fmt.Sprintf("client %s has no name", c.Number),
			Explanation: fmt.Sprintf("Client %s has an empty name. Give the client a name in the practice system; qbosync syncs it as soon as it changes.", c.Number),
		}
	}
	if c.Kind == "company" {
		cust.CompanyName = names.Truncate(names.Clean(firstNonEmpty(c.CompanyName, c.Name)), MaxCompanyName)
	} else {
		cust.GivenName = names.Truncate(names.Clean(c.GivenName), MaxPersonName)
		cust.FamilyName = names.Truncate(names.Clean(c.FamilyName), MaxPersonName)
	}
	if email := strings.TrimSpace(c.Email); email != "" {
		if !validEmail(email) {
			return qbo.Customer{}, &ItemError{
				Code: "qbosync:invalid-email", Field: "email",
				Message: fmt.Sprintf("client %s: e-mail address %q is not valid", c.Number, email),
				Explanation: fmt.Sprintf("The e-mail address of client %s, %q, is not a valid address, and QuickBooks refuses it. "+
					"Correct it (or clear it) in the practice system; qbosync syncs the client as soon as it changes.", ClientLabel(c), email),
			}
		}
		cust.PrimaryEmailAddr = &qbo.EmailAddress{Address: email}
	}
	if phone := names.Clean(c.Phone); phone != "" {
		cust.PrimaryPhone = &qbo.TelephoneNumber{FreeFormNumber: names.Truncate(phone, MaxPhone)}
	}
	if c.AddressLine1 != "" || c.City != "" || c.PostalCode != "" {
		cust.BillAddr = &qbo.PhysicalAddress{
			Line1: names.Clean(c.AddressLine1), City: names.Clean(c.City),
			CountrySubDivisionCode: names.Clean(c.Region), PostalCode: names.Clean(c.PostalCode),
			Country: names.Clean(c.Country),
		}
	}
	return cust, nil
}

// MatterJob is the QBO sub-customer (job) for a matter, filed under the customer with
// id parentID (the matter's client).
func MatterJob(m pms.Matter, parentID string) qbo.Customer {
	job, parent := true, false
	return qbo.Customer{
		DisplayName:    MatterDisplayName(m),
		Job:            &job,
		ParentRef:      &qbo.Ref{Value: parentID},
		BillWithParent: &parent,
		Notes:          notes("Matter "+m.Number+" in the practice system", names.Marker(m.FirmID, KindMatter, m.ID)),
	}
}

// notes is the text of an internal-notes field (a transaction's PrivateNote, a
// customer's or vendor's Notes): what the object is, in plain words for the bookkeeper,
// then qbosync's marker, short and last, after a middle dot. The marker stays because it
// is how a create whose answer was lost is found again (docs/design.md, "Exactly once,
// in practice"); it goes nowhere else, never into a description or memo a client or
// bookkeeper reads as the object's text. The plain part is cut so that the whole fits
// the smaller of the two fields' limits (Notes, 2,000 characters).
func notes(what, marker string) string {
	what = names.Truncate(names.CleanText(what), MaxNotes-len(marker)-len(noteSeparator))
	if what == "" {
		return marker
	}
	return what + noteSeparator + marker
}

// noteSeparator sets the marker apart from the words before it.
const noteSeparator = " · "

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
