package qbosim

import (
	"fmt"
	"strings"
)

// The query language (developer.intuit.com "Query operations and syntax"):
//
//	SELECT * | COUNT(*) FROM Entity
//	  [WHERE attr op value [AND attr op value]...]
//	  [ORDERBY attr [ASC|DESC][, ...]]
//	  [STARTPOSITION n] [MAXRESULTS n]
//
// with op one of = < > <= >= IN LIKE, values '...' (backslash escapes),
// numbers, true or false. Keywords, entity and attribute names are
// case-insensitive. This file turns the text into tokens; query_parser.go
// builds the query; query_eval.go runs it.

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokStar
	tokLParen
	tokRParen
	tokComma
	tokOp
)

type token struct {
	kind tokenKind
	text string // identifier, operator or number as written; a string's unescaped value
	col  int    // 1-based column of the token's first character
}

// describe renders a token the way QBO's parser errors quote them.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "<EOF>"
	case tokString:
		return "'" + t.text + "'"
	default:
		return t.text
	}
}

// queryError is a query failure; parse errors map to 4000, validation
// errors to 4001.
type queryError struct {
	validation bool
	detail     string
}

func parseErrorAt(t token, format string, args ...any) *queryError {
	return &queryError{detail: fmt.Sprintf("Encountered \"%s\" at line 1, column %d. ", t.describe(), t.col) + fmt.Sprintf(format, args...)}
}

func validationError(format string, args ...any) *queryError {
	return &queryError{validation: true, detail: fmt.Sprintf(format, args...)}
}

func (e *queryError) fault() *fault {
	if e.validation {
		return errQueryValidation(e.detail)
	}
	return errQueryParse(e.detail)
}

// punctuation maps single-character tokens to their kind.
var punctuation = map[byte]tokenKind{'*': tokStar, '(': tokLParen, ')': tokRParen, ',': tokComma}

func isLetter(c byte) bool { return c == '_' || (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// lexQuery splits a query into tokens.
func lexQuery(src string) ([]token, *queryError) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		col := i + 1
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isLetter(c):
			for i < len(src) && (isLetter(src[i]) || isDigit(src[i]) || src[i] == '.') {
				i++
			}
			toks = append(toks, token{tokIdent, src[start:i], col})
		case isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])):
			i++
			for i < len(src) && (isDigit(src[i]) || src[i] == '.') {
				i++
			}
			toks = append(toks, token{tokNumber, src[start:i], col})
		case c == '\'':
			value, end, ok := scanString(src, i)
			if !ok {
				return nil, &queryError{detail: fmt.Sprintf("Lexical error at line 1, column %d. Unterminated string literal.", col)}
			}
			toks = append(toks, token{tokString, value, col})
			i = end
		case punctuation[c] != tokEOF:
			toks = append(toks, token{punctuation[c], string(c), col})
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			i++
			if i < len(src) && (src[i] == '=' || (c == '<' && src[i] == '>')) {
				i++
			}
			toks = append(toks, token{tokOp, src[start:i], col})
		default:
			return nil, &queryError{detail: fmt.Sprintf("Lexical error at line 1, column %d. Encountered: %q", col, string(c))}
		}
	}
	return append(toks, token{tokEOF, "", len(src) + 1}), nil
}

// scanString reads a '...' literal starting at src[i]. A backslash escapes
// the next character, so \' is a quote and \\ a backslash.
func scanString(src string, i int) (value string, end int, ok bool) {
	var b strings.Builder
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if i+1 < len(src) {
				i++
				b.WriteByte(src[i])
			}
		case '\'':
			return b.String(), i + 1, true
		default:
			b.WriteByte(src[i])
		}
	}
	return "", 0, false
}
