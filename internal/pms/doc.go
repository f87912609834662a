// Package pms reads the practice-management system's data: the records of a firm and
// the change feed that says which of them changed.
//
// Every function takes the firm it works for; no query reads across firms.
package pms
