package settings

import "time"

// Statuses of a setup's settings row.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusCancelled = "cancelled"
)

// Record is a setup's settings as kept in PostgreSQL (setup_settings): a draft saved
// at every change, so a paused setup can be shown and resumed whatever happens to the
// processes; then submitted (frozen) or cancelled.
type Record struct {
	FirmID      int64      `json:"firm_id" db:"firm_id"`
	SetupID     string     `json:"setup_id" db:"setup_id"`
	RealmID     string     `json:"realm_id" db:"realm_id"`
	CompanyName string     `json:"company_name" db:"company_name"`
	Status      string     `json:"status" db:"status"`
	Step        string     `json:"step" db:"step"`
	Paused      bool       `json:"paused" db:"paused"`
	Settings    Settings   `json:"settings" db:"-"`
	UpdatedAt   time.Time  `json:"updated_at" db:"updated_at"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty" db:"submitted_at"`
}
