package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// categoryVersions lists the categories a sync runs, by version of the list. Adding a
// category changes the activities a running workflow schedules, which its recorded
// history would not match; so a run keeps the list it started with (the version is
// recorded in its history the first time it is asked for), and a new run, or the next
// continue-as-new, takes the newest. To add a category: append a new version with the
// whole new list, in dependency order.
var categoryVersions = []struct {
	version    workflow.Version
	categories []string
}{
	{workflow.DefaultVersion, []string{"contacts"}},
	// 1: the accounts and items the settings name, before everything that posts to them.
	{1, []string{"ledger", "contacts"}},
	// 2: invoices (with their write-offs and credits), then the payments applied to them.
	{2, []string{"ledger", "contacts", "invoices", "payments"}},
	// 3: trust money (deposits, transfers to operating, disbursements) and hard costs.
	{3, []string{"ledger", "contacts", "invoices", "payments", "trust", "hard_costs"}},
}

// categoriesFor returns the categories this run syncs, in dependency order.
func categoriesFor(ctx workflow.Context) []string {
	latest := categoryVersions[len(categoryVersions)-1].version
	v := workflow.GetVersion(ctx, "categories", workflow.DefaultVersion, latest)
	for _, cv := range categoryVersions {
		if cv.version == v {
			return cv.categories
		}
	}
	panic(fmt.Sprintf("no category list for version %d", v)) // replayed a future history
}
