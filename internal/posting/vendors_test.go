package posting_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
)

func TestPayeeKeyIsStableAcrossCaseAndSpacing(t *testing.T) {
	same := []string{"O'Malley Courier Service", "  o'malley   courier\tSERVICE ", "O'MALLEY COURIER\nSERVICE"}
	want := posting.PayeeKey(same[0])
	if want != "o_27malley-courier-service" {
		t.Errorf("PayeeKey(%q) = %q", same[0], want)
	}
	for _, p := range same[1:] {
		if got := posting.PayeeKey(p); got != want {
			t.Errorf("PayeeKey(%q) = %q, want %q", p, got, want)
		}
	}
	// The key follows the name QBO shows: a colon is cleaned the same way there.
	if posting.PayeeKey("Process Servers: Tri-County") != posting.PayeeKey("Process Servers - Tri-County") {
		t.Error("two payees with one QBO DisplayName have different keys")
	}
	if posting.PayeeKey("   ") != "" {
		t.Error("a blank payee has a key")
	}
}

func TestPayeeMarkersNeverMatchAnotherPayee(t *testing.T) {
	payees := []string{
		"Acme", "Acme Co", "Acme.Co", "Acme-Co", "Acme_Co", "Acme Co.", "Acme, Co", "Acme  Co", "AcmeCo",
		"José Núñez", "Jose Nunez", "José", "Smith & Sons", "Smith", "1", "12", "qbosync:vendor:acme",
		"Dr. Amélie Fontaine, Forensic Accounting", "Northwind Insurance – Claims Dept.",
		strings.Repeat("Long Payee Name ", 30) + "A", strings.Repeat("Long Payee Name ", 30) + "B",
	}
	keys := map[string]string{}
	for _, p := range payees {
		key := posting.PayeeKey(p)
		if prev, dup := keys[key]; dup && !strings.EqualFold(strings.Join(strings.Fields(prev), " "), strings.Join(strings.Fields(p), " ")) {
			t.Errorf("payees %q and %q share key %q", prev, p, key)
		}
		keys[key] = p
		if strings.Trim(key, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Errorf("key %q of %q has a character that ends a marker", key, p)
		}
		if len(key) > posting.MaxPayeeKey+1 {
			t.Errorf("key of %q is %d characters", p, len(key))
		}
	}
	for _, p := range payees {
		v, err := posting.PayeeVendor(7, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range payees {
			marker := names.MarkerFor(7, posting.KindVendor, posting.PayeeKey(q))
			sameKey := posting.PayeeKey(p) == posting.PayeeKey(q)
			if got := posting.HasMarker(v.Notes, marker); got != sameKey {
				t.Errorf("HasMarker(notes of %q, marker of %q) = %v", p, q, got)
			}
			if got := qbo.HasMarker(v.Notes, marker); got != sameKey {
				t.Errorf("qbo finds the marker of %q in the notes of %q: %v", q, p, got)
			}
		}
	}
}

func TestPayeeVendor(t *testing.T) {
	v, err := posting.PayeeVendor(7, "  Process Servers:\tTri-County ")
	if err != nil {
		t.Fatal(err)
	}
	if v.DisplayName != "Process Servers - Tri-County" {
		t.Errorf("DisplayName = %q", v.DisplayName)
	}
	if !posting.HasMarker(v.Notes, "qbosync:vendor:process-servers-_2d-tri_2dcounty/f7") || posting.HasMarker(v.Notes, "qbosync:vendor:process-servers-_2d-tri_2dcounty/f71") {
		t.Errorf("marker missing from notes %q", v.Notes)
	}
	if utf8.RuneCountInString(v.Notes) > posting.MaxNotes {
		t.Errorf("notes are %d characters", utf8.RuneCountInString(v.Notes))
	}

	long, err := posting.PayeeVendor(7, strings.Repeat("é", 700))
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(long.DisplayName); n != posting.MaxDisplayName {
		t.Errorf("long payee's DisplayName is %d characters, want %d", n, posting.MaxDisplayName)
	}
	if utf8.RuneCountInString(long.Notes) > posting.MaxNotes || !posting.HasMarker(long.Notes, names.MarkerFor(7, posting.KindVendor, posting.PayeeKey(strings.Repeat("é", 700)))) {
		t.Errorf("long payee's notes: %d characters, %q", utf8.RuneCountInString(long.Notes), long.Notes)
	}

	_, err = posting.PayeeVendor(7, " \t ")
	var ie *posting.ItemError
	if !errors.As(err, &ie) || ie.Code != "qbosync:empty-payee" || ie.Field != "payee" || !strings.Contains(ie.Explanation, "practice system") {
		t.Errorf("empty payee: %v", err)
	}
}
