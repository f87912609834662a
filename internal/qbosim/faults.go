package qbosim

import (
	"fmt"
	"net/http"
	"strings"
)

// Fault.type values. The XSD enum has ValidationFault, SystemFault and
// AuthenticationFault; auth failures show upper-case AUTHENTICATION on the wire.
const (
	faultTypeValidation     = "ValidationFault"
	faultTypeAuthentication = "AUTHENTICATION"
)

// qboError is one entry of Fault.Error. "code" is a string on the wire.
type qboError struct {
	Message string `json:"Message"`
	Detail  string `json:"Detail"`
	Code    string `json:"code"`
	Element string `json:"element"`
}

// fault is a QBO error: the HTTP status plus the Fault body. It is an error
// so that store and query code can return it through ordinary error paths.
type fault struct {
	status int
	typ    string
	errors []qboError
}

func (f *fault) Error() string {
	parts := make([]string, len(f.errors))
	for i, e := range f.errors {
		parts[i] = fmt.Sprintf("%s %s: %s", e.Code, e.Message, e.Detail)
	}
	return strings.Join(parts, "; ")
}

// faultEnvelope is the standard error body {"Fault":{"Error":[...],"type":...},"time":...}.
type faultEnvelope struct {
	Fault faultBody `json:"Fault"`
	Time  string    `json:"time"`
}

type faultBody struct {
	Error []qboError `json:"Error"`
	Type  string     `json:"type"`
}

func (f *fault) envelope(time string) faultEnvelope {
	return faultEnvelope{Fault: faultBody{Error: f.errors, Type: f.typ}, Time: time}
}

func validationFault(code, message, detail, element string) *fault {
	return &fault{
		status: http.StatusBadRequest,
		typ:    faultTypeValidation,
		errors: []qboError{{Message: message, Detail: detail, Code: code, Element: element}},
	}
}

// The detail text QBO attaches to 610 and 2500 regardless of the real cause.
const inactiveHint = "Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees."

// errDuplicateName is 6240. Newer QBO appends the clashing entity's Id, which
// integrators parse to adopt the existing record.
func errDuplicateName(existingID string) *fault {
	return validationFault("6240", "Duplicate Name Exists Error",
		"The name supplied already exists. : Id="+existingID, "")
}

func errStaleObject() *fault {
	return validationFault("5010", "Stale Object Error",
		"Stale Object Error : You and root were working on this at the same time. root finished before you did, so your work was not saved.", "")
}

func errObjectNotFound(entity, id string) *fault {
	return validationFault("610", "Object Not Found",
		fmt.Sprintf("Object Not Found : %s Id=%s : %s", entity, id, inactiveHint), "")
}

func errRequired(element string) *fault {
	return validationFault("2020", "Required Param Missing",
		fmt.Sprintf("Required parameter %s is missing in the request", element), element)
}

func errLength(element string, max, got int) *fault {
	return validationFault("2050", "Length exceeds limit",
		fmt.Sprintf("String length specified does not match the supported length. Min:0 Max:%d supported. Supplied length:%d", max, got), element)
}

// errInvalidString reports forbidden content (":" in a name, a malformed
// e-mail). QBO documents no code for this; 2050 is the closest documented
// string-validation code, so the sandbox uses it with its own message.
func errInvalidString(element, why string) *fault {
	return validationFault("2050", "Invalid String", fmt.Sprintf("Invalid String : %s %s", element, why), element)
}

func errInvalidReference(element, id, why string) *fault {
	detail := fmt.Sprintf("Invalid Reference Id : %s %s: %s", element, id, why)
	if why == "" {
		detail = fmt.Sprintf("Invalid Reference Id : %s %s: %s", element, id, inactiveHint)
	}
	return validationFault("2500", "Invalid Reference Id", detail, element)
}

func errInvalidEnum(element, value string) *fault {
	return validationFault("2170", "Invalid Enumeration",
		fmt.Sprintf("Invalid Enumeration : %s (%s)", value, element), element)
}

func errBusiness(detail string) *fault {
	return validationFault("6000", "A business validation error has occurred while processing your request",
		"Business Validation Error: "+detail, "")
}

// errUnsupported is code 500 "Unsupported Operation": QBO's answer to
// deleting a name-list entity, and the sandbox's answer to resources it does
// not emulate.
func errUnsupported(detail string) *fault {
	return validationFault("500", "Unsupported Operation", detail, "")
}

// errBadProperty is 2010, QBO's answer to unparsable JSON, unknown
// properties and wrongly typed values.
func errBadProperty(what string) *fault {
	return validationFault("2010", "Request has invalid or unsupported property",
		fmt.Sprintf("Property Name:%s specified is unsupported or invalid", what), "")
}

func errQueryParse(detail string) *fault {
	return validationFault("4000", "Error parsing query", "QueryParserError: "+detail, "")
}

func errQueryValidation(detail string) *fault {
	return validationFault("4001", "Invalid query", "QueryValidationError: "+detail, "")
}

func errMethodNotAllowed(method, path string) *fault {
	f := errUnsupported(fmt.Sprintf("Operation %s %s is not supported.", method, path))
	f.status = http.StatusMethodNotAllowed
	return f
}

// authFaultBody is the 401 body as observed on the real API: lower-case keys
// and no "time" field, unlike every other fault.
func authFaultBody(detail string) any {
	type authErr struct {
		Message string `json:"message"`
		Detail  string `json:"detail"`
		Code    string `json:"code"`
	}
	return map[string]any{"fault": map[string]any{
		"error": []authErr{{
			Message: "message=AuthenticationFailed; errorCode=003200; statusCode=401",
			Detail:  "Token expired: " + detail,
			Code:    "3200",
		}},
		"type": faultTypeAuthentication,
	}}
}

// errForbiddenRealm answers a valid token used on another company. QBO's
// exact answer is undocumented [U]; the sandbox returns 403 / 3100
// ApplicationAuthorizationFailed so that clients can tell "reconnect this
// company" apart from "refresh the token".
func errForbiddenRealm(realmID string) *fault {
	return &fault{
		status: http.StatusForbidden,
		typ:    faultTypeAuthentication,
		errors: []qboError{{
			Message: "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
			Detail:  "The access token is not authorized for company " + realmID,
			Code:    "3100",
		}},
	}
}
