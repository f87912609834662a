package posting_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
)

func TestCleanName(t *testing.T) {
	cases := map[string]string{
		"  Jane O'Neil ":            "Jane O'Neil",
		"Acme: West Division":       "Acme - West Division",
		"Re: Estate of\tSmith\nJr.": "Re - Estate of Smith Jr.",
		"José Núñez":                "José Núñez",
		"Smith, Jones & Partners":   "Smith, Jones & Partners",
		"a::b":                      "a - -b",
	}
	for in, want := range cases {
		if got := names.Clean(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(names.Clean(in), ":\t\n") {
			t.Errorf("CleanName(%q) still has a character QBO forbids", in)
		}
	}
}

func TestTruncateCountsCharactersNotBytes(t *testing.T) {
	long := strings.Repeat("é", 600)
	got := names.Truncate(long, 500)
	if n := utf8.RuneCountInString(got); n != 500 {
		t.Fatalf("length %d, want 500", n)
	}
	if !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Fatalf("cut badly: %q", got[len(got)-10:])
	}
	if names.Truncate("short", 500) != "short" {
		t.Fatal("a short name was changed")
	}
}

func TestClientDisplayNameDisambiguatesLaterNamesakes(t *testing.T) {
	first := pms.Client{ID: 3, Number: "C-0003", Name: "John Smith"}
	later := pms.Client{ID: 9, Number: "C-0009", Name: "John Smith", EarlierNamesakes: []string{"John  SMITH"}}
	if got := posting.ClientDisplayName(first); got != "John Smith" {
		t.Errorf("first namesake = %q", got)
	}
	if got := posting.ClientDisplayName(later); got != "John Smith (C-0009)" {
		t.Errorf("later namesake = %q", got)
	}
	// The practice system's filter is generous: "John-Smith" has the same letters, but
	// QuickBooks tells it apart, so it is no namesake.
	notOne := pms.Client{ID: 11, Number: "C-0011", Name: "John Smith", EarlierNamesakes: []string{"John-Smith", "JohnSmith"}}
	if got := posting.ClientDisplayName(notOne); got != "John Smith" {
		t.Errorf("a look-alike counted as a namesake: %q", got)
	}
	veryLong := pms.Client{Number: "C-0010", Name: strings.Repeat("x", 700), EarlierNamesakes: []string{strings.Repeat("x", 700)}}
	got := posting.ClientDisplayName(veryLong)
	if utf8.RuneCountInString(got) > posting.MaxDisplayName || !strings.HasSuffix(got, "(C-0010)") {
		t.Errorf("long namesake not cut to fit with its number: %d chars, ends %q", utf8.RuneCountInString(got), got[len(got)-12:])
	}
}

func TestClientCustomer(t *testing.T) {
	c := pms.Client{ID: 12, Number: "C-0012", Kind: "person", Name: "Zoë Brontë", GivenName: "Zoë", FamilyName: "Brontë",
		Email: "zoe@example.com", Phone: "+1 555 0100"}
	cust, err := posting.ClientCustomer(c)
	if err != nil {
		t.Fatal(err)
	}
	if cust.DisplayName != "Zoë Brontë" || cust.GivenName != "Zoë" || cust.FamilyName != "Brontë" {
		t.Errorf("names: %+v", cust)
	}
	if cust.PrimaryEmailAddr == nil || cust.PrimaryEmailAddr.Address != "zoe@example.com" {
		t.Errorf("email: %+v", cust.PrimaryEmailAddr)
	}
	if !posting.HasMarker(cust.Notes, "qbosync:client:12") || posting.HasMarker(cust.Notes, "qbosync:client:1") {
		t.Errorf("marker in notes wrong: %q", cust.Notes)
	}
	if cust.Job != nil || cust.ParentRef != nil {
		t.Error("a client must be a top-level customer")
	}

	company := pms.Client{ID: 13, Number: "C-0013", Kind: "company", Name: strings.Repeat("Long Company Name ", 8)}
	cust, err = posting.ClientCustomer(company)
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(cust.CompanyName); n > posting.MaxCompanyName {
		t.Errorf("CompanyName has %d characters, QBO allows %d", n, posting.MaxCompanyName)
	}
	if cust.GivenName != "" {
		t.Error("a company got a given name")
	}
}

func TestClientCustomerRefusesInvalidEmailNamingTheField(t *testing.T) {
	for _, email := range []string{"jsmith at example", "a@b", "@example.com", "x@example.com."} {
		_, err := posting.ClientCustomer(pms.Client{ID: 1, Number: "C-0001", Name: "J Smith", Email: email})
		var ie *posting.ItemError
		if !errors.As(err, &ie) {
			t.Fatalf("%q accepted", email)
		}
		if ie.Field != "email" || !strings.Contains(ie.Explanation, email) || !strings.Contains(ie.Explanation, "practice system") {
			t.Errorf("%q: unhelpful error %+v", email, ie)
		}
	}
}

func TestMatterJob(t *testing.T) {
	m := pms.Matter{ID: 40, Number: "2026-0040", Name: "Re: Estate of Smith"}
	job := posting.MatterJob(m, "58")
	if job.DisplayName != "2026-0040 Re - Estate of Smith" {
		t.Errorf("DisplayName = %q", job.DisplayName)
	}
	if job.Job == nil || !*job.Job || job.ParentRef == nil || job.ParentRef.Value != "58" {
		t.Errorf("not a job under 58: %+v", job)
	}
	if job.BillWithParent == nil || *job.BillWithParent {
		t.Error("BillWithParent should be explicitly false: invoices go to the matter")
	}
	long := pms.Matter{ID: 41, Number: "2026-0041", Name: strings.Repeat("very long matter name ", 40)}
	if n := utf8.RuneCountInString(posting.MatterJob(long, "1").DisplayName); n > posting.MaxDisplayName {
		t.Errorf("matter DisplayName has %d characters", n)
	}
}
