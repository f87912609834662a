package activities

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
	"go.temporal.io/sdk/temporal"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/syncer"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// What Temporal does with each kind of failure: retry, or stop for a person.
func TestClassifyRetriesWhatCanClearAndStopsOnWhatCannot(t *testing.T) {
	a := &Activities{}
	cases := []struct {
		name    string
		err     error
		stop    bool
		errType string
	}{
		{"database hiccup", fmt.Errorf("load clients: %w", &pq.Error{Code: "53300", Message: "too many connections"}), false, ""},
		{"another writer", syncer.ErrCompanyBusy, false, ""},
		{"QBO unavailable", &qbo.Error{Class: qbo.Transient, HTTPStatus: 503}, false, ""},
		{"malformed request", &qbo.Error{Class: qbo.Bug, Code: "4000"}, true, syncapi.ErrTypeBug},
		{"not connected", store.ErrNotConnected, true, syncapi.ErrTypeNeedsReconnect},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(context.Background(), a.Store, store.Scope{}, tc.err)
			var appErr *temporal.ApplicationError
			stopped := errors.As(got, &appErr) && appErr.NonRetryable()
			if stopped != tc.stop {
				t.Fatalf("classify(%v) stops = %v, want %v", tc.err, stopped, tc.stop)
			}
			if tc.stop && appErr.Type() != tc.errType {
				t.Errorf("type = %q, want %q", appErr.Type(), tc.errType)
			}
		})
	}
}
