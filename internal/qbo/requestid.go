package qbo

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Limits QBO puts on the requestid query parameter.
const (
	MaxRequestIDLen      = 50 // for single operations
	MaxBatchRequestIDLen = 36 // for POST /batch
)

// requestIDLen is the length of the IDs RequestID returns: 32 hex digits,
// 128 bits of SHA-256, short enough for batch requests too.
const requestIDLen = 32

// RequestID returns a deterministic QBO request ID for one logical write.
//
// QBO remembers request IDs per company and, when the same ID arrives
// again, answers with the original response instead of writing twice.
// That only helps if a retry sends the same ID as the first attempt, even
// from another process after a crash, so the ID must be derived from what
// the write is, never generated at random. Pass the parts that identify
// the write, e.g. RequestID("invoice", pmsInvoiceID, sourceVersion): the
// same parts always give the same ID, and a new version of the source
// record gives a new one.
//
// The ID is the first 32 hex digits of SHA-256 over the parts, each
// prefixed with its length, so ("ab", "c") and ("a", "bc") differ. Its
// 32 characters are within both MaxRequestIDLen and MaxBatchRequestIDLen.
func RequestID(parts ...string) string {
	h := sha256.New()
	var buf []byte
	for _, p := range parts {
		buf = strconv.AppendInt(buf[:0], int64(len(p)), 10)
		buf = append(buf, ':')
		h.Write(buf)
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:requestIDLen]
}
