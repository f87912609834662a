package syncer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// What is about one record becomes its failed item, with an explanation; anything
// else stops the page.
func TestAsItemFailureTellsARecordsFailureFromThePages(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code string // "" when it is not the record's
	}{
		{"QuickBooks refused the content", &qbo.Error{Class: qbo.Validation, Code: "6000", Message: "Business Validation Error"}, "6000"},
		{"a referenced object is gone", &qbo.Error{Class: qbo.NotFound, Code: "610", Message: "Object Not Found"}, "610"},
		{"QuickBooks could not read the request", &qbo.Error{Class: qbo.Bug, Code: "2010", Message: "Request has invalid or unsupported property"}, "qbosync:bug"},
		{"the object stands for another record", &store.ObjectTakenError{
			Mapping: store.Mapping{Kind: "client", SourceKey: "2", QBOEntity: "Customer", QBOID: "58"},
			Holder:  store.Mapping{Kind: "matter", SourceKey: "9", QBOEntity: "Customer", QBOID: "58", QBOName: "M-9 General"}}, "qbosync:object-taken"},
		{"a posting refusal", &itemFailure{store.Failure{Code: "qbosync:invalid-email", Explanation: "Correct the e-mail."}}, "qbosync:invalid-email"},
		{"QuickBooks is down", &qbo.Error{Class: qbo.Transient, HTTPStatus: 503}, ""},
		{"the tokens were refused", &qbo.Error{Class: qbo.Auth, HTTPStatus: 401}, ""},
		{"the database", errors.New("pq: too many connections"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := asItemFailure(tc.err)
			switch {
			case tc.code == "" && f != nil:
				t.Errorf("a failure of the page was made the record's: %+v", f)
			case tc.code != "" && (f == nil || f.Code != tc.code || f.Explanation == ""):
				t.Errorf("failure = %+v, want code %s with an explanation", f, tc.code)
			}
			if f != nil && !strings.Contains(f.Error(), f.Code) {
				t.Errorf("Error() = %q does not name the code", f.Error())
			}
		})
	}
}

// A transient error is retried in place a few times with a growing pause; anything
// else, or a cancelled context, is not.
func TestRetryInPlaceOnlyRetriesTransientErrors(t *testing.T) {
	transient := &qbo.Error{Class: qbo.Transient, HTTPStatus: 503}
	start := time.Now()
	if !retryInPlace(context.Background(), transient, 1) || time.Since(start) < 150*time.Millisecond {
		t.Error("a first transient failure is not retried after a pause")
	}
	if retryInPlace(context.Background(), transient, inPlaceAttempts) {
		t.Error("retried beyond the attempts allowed")
	}
	if retryInPlace(context.Background(), &qbo.Error{Class: qbo.Validation}, 1) {
		t.Error("a refusal was retried")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if retryInPlace(ctx, transient, 1) {
		t.Error("retried after the context ended")
	}
	calls := 0
	err := retryingInPlace(context.Background(), func() error {
		if calls++; calls < 3 {
			return transient
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("retryingInPlace: %v after %d calls", err, calls)
	}
}

func TestCategoryNamedNamesTheKnownOnes(t *testing.T) {
	if c, err := CategoryNamed("trust"); err != nil || c.Name != "trust" {
		t.Errorf("trust: %+v, %v", c, err)
	}
	if _, err := CategoryNamed("taxes"); err == nil || !strings.Contains(err.Error(), "hard_costs") {
		t.Errorf("unknown category: %v, want the known ones listed", err)
	}
}

// The change listener names a notification's category by its entity.
func TestCategoryOfEntity(t *testing.T) {
	for entity, want := range map[string]string{
		pms.EntityClient: "contacts", pms.EntityMatter: "contacts", pms.EntityInvoice: "invoices",
		pms.EntityExpense: "hard_costs", pms.EntityTrustTransaction: "trust", "no such entity": "",
	} {
		if got := CategoryOfEntity(entity); got != want {
			t.Errorf("CategoryOfEntity(%q) = %q, want %q", entity, got, want)
		}
	}
}
