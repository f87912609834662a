package setupapi

import "github.com/qbosync/qbosync/internal/settings"

// The activities the SetupWorkflow runs, by name, with their inputs and results: the
// workflow calls them by these names, and package activities implements them.
const (
	LoadFirmActivity        = "LoadSetupFirm"        // firm id -> settings.Firm
	CheckConnectionActivity = "CheckSetupConnection" // Scope -> Company
	ListChoicesActivity     = "ListQBOChoices"       // Scope -> settings.Catalog
	PreviewActivity         = "PreviewFirstSync"     // PreviewInput -> settings.Preview
	SaveDraftActivity       = "SaveSetupDraft"       // settings.Record
	SubmitActivity          = "SubmitSetupSettings"  // settings.Record
	CancelActivity          = "CancelSetup"          // CancelInput
)

// Scope names a firm's QuickBooks company.
type Scope struct {
	FirmID  int64  `json:"firm_id"`
	RealmID string `json:"realm_id"`
}

// PreviewInput asks what the first sync would post with a firm's settings.
type PreviewInput struct {
	FirmID   int64             `json:"firm_id"`
	Settings settings.Settings `json:"settings"`
}

// CancelInput names a setup the firm cancelled and the company it had connected.
type CancelInput struct {
	FirmID  int64  `json:"firm_id"`
	SetupID string `json:"setup_id"`
	RealmID string `json:"realm_id,omitempty"`
}
