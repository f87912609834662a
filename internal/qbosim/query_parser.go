package qbosim

import (
	"strconv"
	"strings"
)

type litKind int

const (
	litString litKind = iota
	litNumber
	litBool
)

type literal struct {
	kind litKind
	text string // the string value, the number as written, or "true"/"false"
}

// condition is one "attr op value" term of the WHERE clause.
type condition struct {
	path   []string // attribute path: ["MetaData", "LastUpdatedTime"]
	op     string   // "=", "<", ">", "<=", ">=", "IN", "LIKE"
	values []literal
	col    int
}

type orderTerm struct {
	path []string
	desc bool
}

// query is a parsed SELECT statement.
type query struct {
	count      bool
	entity     string
	where      []condition
	orderBy    []orderTerm
	start      int // STARTPOSITION, 1-based; 0 when absent
	maxResults int // MAXRESULTS; 0 when absent
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// isKeyword reports whether t is the (case-insensitive) keyword kw.
func isKeyword(t token, kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

func (p *parser) acceptKeyword(kw string) bool {
	if isKeyword(p.peek(), kw) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expectKeyword(kw string) *queryError {
	if !p.acceptKeyword(kw) {
		return parseErrorAt(p.peek(), "Was expecting: %s", kw)
	}
	return nil
}

func (p *parser) expect(kind tokenKind, what string) (token, *queryError) {
	t := p.next()
	if t.kind != kind {
		return t, parseErrorAt(t, "Was expecting: %s", what)
	}
	return t, nil
}

// parseQuery parses a complete statement.
func parseQuery(src string) (*query, *queryError) {
	toks, err := lexQuery(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q := &query{}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	if err := p.parseSelectList(q); err != nil {
		return nil, err
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	ent, err := p.expect(tokIdent, "an entity name")
	if err != nil {
		return nil, err
	}
	q.entity = ent.text
	if p.acceptKeyword("WHERE") {
		if err := p.parseWhere(q); err != nil {
			return nil, err
		}
	}
	orderBy := p.acceptKeyword("ORDERBY")
	if !orderBy && p.acceptKeyword("ORDER") { // "ORDER BY" is accepted too
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		orderBy = true
	}
	if orderBy {
		if err := p.parseOrderBy(q); err != nil {
			return nil, err
		}
	}
	if err := p.parsePaging(q); err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, parseErrorAt(t, "Was expecting one of: WHERE, AND, ORDERBY, STARTPOSITION, MAXRESULTS or the end of the query")
	}
	return q, nil
}

// parseSelectList accepts "*", "COUNT(*)" or an attribute list. QBO
// returns whole entities whatever the projection, so a list is accepted
// and ignored.
func (p *parser) parseSelectList(q *query) *queryError {
	if isKeyword(p.peek(), "COUNT") {
		p.next()
		for _, want := range []struct {
			kind tokenKind
			what string
		}{{tokLParen, "("}, {tokStar, "*"}, {tokRParen, ")"}} {
			if _, err := p.expect(want.kind, want.what); err != nil {
				return err
			}
		}
		q.count = true
		return nil
	}
	for {
		t := p.next()
		if t.kind != tokStar && (t.kind != tokIdent || isKeyword(t, "FROM")) {
			return parseErrorAt(t, "Was expecting: * or COUNT(*)")
		}
		if p.peek().kind != tokComma {
			return nil
		}
		p.next()
	}
}

func (p *parser) parseWhere(q *query) *queryError {
	for {
		c, err := p.parseCondition()
		if err != nil {
			return err
		}
		q.where = append(q.where, c)
		if isKeyword(p.peek(), "OR") {
			return parseErrorAt(p.peek(), "The OR operator is not supported; only AND can combine conditions.")
		}
		if !p.acceptKeyword("AND") {
			return nil
		}
	}
}

func (p *parser) parseCondition() (condition, *queryError) {
	attr := p.next()
	if attr.kind != tokIdent {
		hint := "Was expecting: an attribute name"
		if attr.kind == tokLParen {
			hint = "Parentheses are not supported in the WHERE clause."
		}
		return condition{}, parseErrorAt(attr, "%s", hint)
	}
	if isKeyword(attr, "NOT") {
		return condition{}, parseErrorAt(attr, "The NOT operator is not supported.")
	}
	c := condition{path: strings.Split(attr.text, "."), col: attr.col}
	opTok := p.next()
	switch {
	case opTok.kind == tokOp && (opTok.text == "=" || opTok.text == "<" || opTok.text == ">" || opTok.text == "<=" || opTok.text == ">="):
		c.op = opTok.text
		v, err := p.parseValue()
		if err != nil {
			return c, err
		}
		c.values = []literal{v}
	case opTok.kind == tokOp:
		return c, parseErrorAt(opTok, "Operator %s is not supported; use =, <, >, <=, >=, IN or LIKE.", opTok.text)
	case isKeyword(opTok, "IN"):
		c.op = "IN"
		if _, err := p.expect(tokLParen, "("); err != nil {
			return c, err
		}
		for {
			v, err := p.parseValue()
			if err != nil {
				return c, err
			}
			c.values = append(c.values, v)
			if t := p.next(); t.kind == tokRParen {
				break
			} else if t.kind != tokComma {
				return c, parseErrorAt(t, "Was expecting: , or )")
			}
		}
	case isKeyword(opTok, "LIKE"):
		c.op = "LIKE"
		t, err := p.expect(tokString, "a quoted pattern")
		if err != nil {
			return c, err
		}
		c.values = []literal{{litString, t.text}}
	default:
		return c, parseErrorAt(opTok, "Was expecting one of: =, <, >, <=, >=, IN, LIKE")
	}
	return c, nil
}

func (p *parser) parseValue() (literal, *queryError) {
	t := p.next()
	switch {
	case t.kind == tokString:
		return literal{litString, t.text}, nil
	case t.kind == tokNumber && isDecimal(t.text):
		return literal{litNumber, t.text}, nil
	case isKeyword(t, "true"), isKeyword(t, "false"):
		return literal{litBool, strings.ToLower(t.text)}, nil
	}
	return literal{}, parseErrorAt(t, "Was expecting a value: a quoted string, a number, true or false")
}

func (p *parser) parseOrderBy(q *query) *queryError {
	for {
		attr, err := p.expect(tokIdent, "an attribute name")
		if err != nil {
			return err
		}
		term := orderTerm{path: strings.Split(attr.text, ".")}
		if p.acceptKeyword("DESC") {
			term.desc = true
		} else {
			p.acceptKeyword("ASC")
		}
		q.orderBy = append(q.orderBy, term)
		if p.peek().kind != tokComma {
			return nil
		}
		p.next()
	}
}

// parsePaging reads STARTPOSITION and MAXRESULTS, in either order.
func (p *parser) parsePaging(q *query) *queryError {
	for range 2 {
		var dst *int
		var name string
		switch {
		case q.start == 0 && p.acceptKeyword("STARTPOSITION"):
			dst, name = &q.start, "STARTPOSITION"
		case q.maxResults == 0 && p.acceptKeyword("MAXRESULTS"):
			dst, name = &q.maxResults, "MAXRESULTS"
		default:
			return nil
		}
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != tokNumber || err != nil {
			return parseErrorAt(t, "Was expecting: an integer after %s", name)
		}
		if n < 1 {
			return validationError("value %d is too small. Min allowed value is 1", n)
		}
		*dst = n
	}
	return nil
}
