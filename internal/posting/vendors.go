package posting

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/qbo"
)

// KindVendor names payees' vendors in the id map and item outcomes; their key is
// PayeeKey(payee).
const KindVendor = "vendor"

// MaxPayeeKey is the longest PayeeKey written out in full; a longer one is shortened
// with a hash (see PayeeKey).
const MaxPayeeKey = 200

// PayeeKey is the stable key of a payee, for the id map and the vendor's marker
// (names.MarkerFor(firm, KindVendor, PayeeKey(payee))). A payee has no id in the practice system:
// the same party is typed on many checks, so the key is its name as QBO would show it
// (CleanName: trimmed, inner white space folded to one space, ':' made " -"),
// lower-cased. Two spellings that differ only in case or spacing are one vendor, and
// two payees with different keys never get the same DisplayName (short of truncation).
//
// The key goes into a marker, which must stand as one word and never be found inside
// another marker: HasMarker splits notes at white space, and qbo.FindByMarker accepts a
// marker only when the next character cannot continue it (only letters, digits, ':', '-'
// and '_' can). So the key is spelled with exactly those characters, one-to-one, and
// without ':' (so that no key can hold the start of another marker):
//   - ASCII letters (lower case by now) and digits stay as they are;
//   - a space becomes '-' ("acme co" is "acme-co");
//   - every other byte, '-' and '_' included, becomes '_' and two hex digits:
//     "o'malley" is "o_27malley", "tri-county" is "tri_2dcounty", "é" is "_c3_a9".
//
// A '.' or a space in the key would be wrong: the marker of payee "acme" would then be
// found in the notes of vendor "acme.co". A key longer than MaxPayeeKey keeps its
// first characters and ends in '_' and 32 hex digits of the SHA-256 of the whole name:
// MaxPayeeKey+1 characters, longer than any key written out, so the two forms never
// meet. An empty payee has the empty key.
func PayeeKey(payee string) string {
	name := strings.ToLower(names.Clean(payee))
	const hexDigits = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('-')
		default:
			b.WriteByte('_')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	key := b.String()
	if len(key) <= MaxPayeeKey {
		return key
	}
	const hashLen = 32
	sum := sha256.Sum256([]byte(name))
	return key[:MaxPayeeKey-hashLen] + "_" + hex.EncodeToString(sum[:])[:hashLen]
}

// PayeeDisplayName is the QBO DisplayName of a payee's vendor: its name cleaned of what
// QBO forbids in names and cut to QBO's limit.
func PayeeDisplayName(payee string) string {
	return names.Truncate(names.Clean(payee), MaxDisplayName)
}

// PayeeVendor is the QBO vendor for a payee of hard costs or trust checks, so that
// Purchases name who was paid. Its Notes carry the marker
// names.MarkerFor(firm, KindVendor, PayeeKey(payee)), by which a vendor created before a lost
// answer is found again.
//
// DisplayName is shared with customers: a payee with a client's name (a refund of
// unused trust money to the client) clashes with the client's customer, which QBO
// refuses; the caller decides how to name the vendor then, never by merging the two.
func PayeeVendor(firm int64, payee string) (qbo.Vendor, error) {
	name := PayeeDisplayName(payee)
	if name == "" {
		return qbo.Vendor{}, &ItemError{
			Code: "qbosync:empty-payee", Field: "payee",
			Message: "the payee is empty",
			Explanation: "A payment to a third party has no payee, and QuickBooks needs a vendor to record who was paid. " +
				"Enter the payee in the practice system; qbosync syncs the payment as soon as it changes.",
		}
	}
	return qbo.Vendor{
		DisplayName: name,
		Notes:       notes(fmt.Sprintf("Payee %s in the practice system", name), names.MarkerFor(firm, KindVendor, PayeeKey(payee))),
	}, nil
}
