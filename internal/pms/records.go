package pms

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Client is a client contact: a person or a company the firm works for.
type Client struct {
	FirmID       int64  `db:"firm_id"`
	ID           int64  `db:"id"`
	Number       string `db:"client_number"`
	Kind         string `db:"kind"` // person or company
	Name         string `db:"name"`
	GivenName    string `db:"given_name"`
	FamilyName   string `db:"family_name"`
	CompanyName  string `db:"company_name"`
	Email        string `db:"email"`
	Phone        string `db:"phone"`
	AddressLine1 string `db:"address_line1"`
	City         string `db:"city"`
	Region       string `db:"region"`
	PostalCode   string `db:"postal_code"`
	Country      string `db:"country"`
	Archived     bool   `db:"archived"`
	// EarlierNamesakes are the names of the firm's clients with a lower id whose names
	// may be the same as this one's to QuickBooks: the same letters and digits, whatever
	// the spacing, punctuation or case. It is a coarse, generous filter; posting decides
	// with the one name rule (names.Same) which of them really are namesakes.
	EarlierNamesakes pq.StringArray `db:"earlier_namesakes"`
}

// Matter is a legal matter (a case) of a client.
type Matter struct {
	FirmID   int64      `db:"firm_id"`
	ID       int64      `db:"id"`
	ClientID int64      `db:"client_id"`
	Number   string     `db:"matter_number"`
	Name     string     `db:"name"`
	Status   string     `db:"status"`
	OpenedOn time.Time  `db:"opened_on"`
	ClosedOn *time.Time `db:"closed_on"`
}

// Clients loads the firm's clients with the given ids; ids that do not exist (deleted
// records) are simply absent from the result.
func Clients(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) ([]Client, error) {
	var out []Client
	err := sqlx.SelectContext(ctx, db, &out, `
		SELECT c.firm_id, c.id, c.client_number, c.kind, c.name, c.given_name, c.family_name,
		       c.company_name, c.email, c.phone, c.address_line1, c.city, c.region,
		       c.postal_code, c.country, c.archived,
		       ARRAY(SELECT o.name FROM clients o
		             WHERE o.firm_id = c.firm_id AND o.id < c.id
		               AND lower(regexp_replace(o.name, '[^[:alnum:]]+', '', 'g'))
		                 = lower(regexp_replace(c.name, '[^[:alnum:]]+', '', 'g'))) AS earlier_namesakes
		FROM clients c
		WHERE c.firm_id = $1 AND c.id = ANY($2)
		ORDER BY c.id`, firmID, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("load clients: %w", err)
	}
	return out, nil
}

// Matters loads the firm's matters with the given ids.
func Matters(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) ([]Matter, error) {
	var out []Matter
	err := sqlx.SelectContext(ctx, db, &out, `
		SELECT firm_id, id, client_id, matter_number, name, status, opened_on, closed_on
		FROM matters
		WHERE firm_id = $1 AND id = ANY($2)
		ORDER BY id`, firmID, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("load matters: %w", err)
	}
	return out, nil
}

// MatterIDsOfClients returns the ids of the matters of the given clients.
func MatterIDsOfClients(ctx context.Context, db sqlx.QueryerContext, firmID int64, clientIDs []int64) ([]int64, error) {
	var out []int64
	err := sqlx.SelectContext(ctx, db, &out, `
		SELECT id FROM matters WHERE firm_id = $1 AND client_id = ANY($2) ORDER BY id`,
		firmID, pq.Array(clientIDs))
	if err != nil {
		return nil, fmt.Errorf("load matters of clients: %w", err)
	}
	return out, nil
}
