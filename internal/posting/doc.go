// Package posting translates practice records into the QuickBooks Online objects that
// represent them, following docs/posting.md ("Records"). It is pure: no I/O, no clock,
// so every rule is a table test and the same record always becomes the same object.
//
// A record QBO would refuse is reported as an *ItemError that names the field and the
// fix, before anything is sent.
package posting
