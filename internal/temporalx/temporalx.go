// Package temporalx holds what the worker, the starter and the workflows agree on about
// Temporal: how to dial it, workflow ids, and the search attributes operators filter by
// in Temporal Web.
package temporalx

import (
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
)

// Search attributes set on qbosync's workflows. They are not encrypted: they carry ids
// and states, never names or amounts. scripts/temporal.sh registers them on the dev
// server; docs/operations.md ("Search attributes") says how to register them elsewhere.
var (
	FirmAttr      = temporal.NewSearchAttributeKeyKeyword("QbosyncFirm")
	RealmAttr     = temporal.NewSearchAttributeKeyKeyword("QbosyncRealm")
	StatusAttr    = temporal.NewSearchAttributeKeyKeyword("QbosyncStatus")
	SetupStepAttr = temporal.NewSearchAttributeKeyKeyword("QbosyncSetupStep")
)

// SearchAttributes lists every attribute, for registering them on a server.
func SearchAttributes() temporal.SearchAttributes {
	return temporal.NewSearchAttributes(FirmAttr.ValueSet(""), RealmAttr.ValueSet(""),
		StatusAttr.ValueSet(""), SetupStepAttr.ValueSet(""))
}

// SyncWorkflowID is the id of a firm's sync with one QuickBooks company: one at a time.
func SyncWorkflowID(firmID int64, realmID string) string {
	return fmt.Sprintf("qbosync-sync-%d-%s", firmID, realmID)
}

// SetupWorkflowID is the id of a firm's setup wizard: one per firm at a time.
func SetupWorkflowID(firmID int64) string { return fmt.Sprintf("qbosync-setup-%d", firmID) }

// Dial connects to the Temporal frontend.
func Dial(address, namespace string, log *slog.Logger) (client.Client, error) {
	c, err := client.Dial(client.Options{
		HostPort:  address,
		Namespace: namespace,
		Logger:    tlog.NewStructuredLogger(log),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal: cannot connect to %s (temporal.address / QBOSYNC_TEMPORAL_ADDRESS; start the dev server with `make up`): %w", address, err)
	}
	return c, nil
}

// BackfillWorkflowID is the id of the backfill a firm's sync runs as its child: one at
// a time per company.
func BackfillWorkflowID(firmID int64, realmID string) string {
	return fmt.Sprintf("qbosync-backfill-%d-%s", firmID, realmID)
}
