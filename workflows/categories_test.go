package workflows

import (
	"slices"
	"testing"

	"github.com/qbosync/qbosync/internal/syncer"
)

// The newest category list is exactly the engine's categories, in its order: a
// category added to one and not the other would never run, or run out of order.
func TestNewestCategoryListIsTheEngines(t *testing.T) {
	var names []string
	for _, c := range syncer.Categories {
		names = append(names, c.Name)
	}
	newest := categoryVersions[len(categoryVersions)-1].categories
	if !slices.Equal(newest, names) {
		t.Fatalf("newest list %v, engine %v", newest, names)
	}
	for i := 1; i < len(categoryVersions); i++ {
		if categoryVersions[i].version <= categoryVersions[i-1].version {
			t.Fatalf("versions must increase: %v", categoryVersions)
		}
	}
}
