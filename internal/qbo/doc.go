// Package qbo is a client for the QuickBooks Online (QBO) Accounting API,
// made for a one-way sync that must write every record exactly once.
//
// # Requests
//
// A [Client] serves one QBO company (realm). [Client.Create],
// [Client.Update], [Client.Read], [Client.Delete], [Client.Query],
// [Client.QueryAll] and [Client.Count] take QBO entity names such as
// "Customer" and marshal the caller's values as JSON; [Get] and [QueryAll]
// do the same for the typed entities of this package. Queries are best
// built with [Select], which escapes values. Every request carries
// minorversion; every write carries a requestid.
//
// All requests pass through one internal path, which is where a rate
// [Limiter] plugs in and where batch requests will go.
//
// Money is an [Amount], whole cents, read from and written to QBO's JSON
// numbers without passing through float64.
//
// # Errors
//
// Every failure is an [*Error] with the HTTP status, QBO's code, message,
// detail and element, the intuit_tid for Intuit support, and a [Class]
// that says what to do:
//
//   - [Transient]: QBO was unavailable, slow or throttling (5xx, 429,
//     code 3001, 10000), or the connection broke. Retry with backoff and
//     the same request ID.
//   - [Auth]: the connection to QBO is gone (401, 3200, invalid_grant
//     from the token endpoint). Pause the company's sync until an
//     administrator reconnects QuickBooks.
//   - [Validation]: QBO rejected this record (duplicate name, closed
//     period, missing field...). Record it as failed with
//     [Error.Explanation] and go on with the rest; retry when the data
//     changes or on request.
//   - [NotFound]: the referenced QBO object was deleted or made inactive
//     (610).
//   - [Stale]: the object changed in QBO since it was read (5010). Re-read
//     it and apply the change again.
//   - [Bug]: qbosync sent something malformed (invalid query, unsupported
//     operation, a response our types cannot hold). Fail loudly.
//
// [ClassOf] reads the class of any error. QBO's errors come in several
// shapes: a JSON Fault with one or more Errors, the same with lower-case
// keys on some 401s, XML on some auth and throttle errors even when JSON
// was asked for, a Fault inside an HTTP 200 answer, and HTML or empty
// bodies from proxies. The HTTP status is trusted first, then QBO's code.
//
// # Exactly once
//
// A write may reach QBO and take effect while its answer is lost.
// Callers make every write exactly-once like this:
//
//  1. Consult the id map first: if the source record is already mapped to
//     a QBO Id, update that object instead of creating one.
//  2. Send a deterministic request ID, [RequestID] of the source record's
//     identity and version, so that a retry (even from another process
//     after a crash) is recognised by QBO and answered with the original
//     response instead of being performed again.
//  3. After an ambiguous outcome ([IsAmbiguous]: timeout, reset, 5xx; never
//     a 4xx), do not simply create again: how long QBO remembers request
//     IDs is undocumented, and integrators report replays that did not
//     work. Look the object up in QBO by its natural key (DisplayName,
//     Name, DocNumber, or a qbosync marker in PrivateNote) and create it
//     only if it is not there.
//  4. Record the mapping together with the outcome.
//
// A 6240 duplicate-name error names the existing record's Id
// ([Error.DuplicateNameID]), which lets step 3 link instead of fail.
//
// # Authorisation
//
// [OAuthConfig] describes a QBO app. [PersistingTokenSource] refreshes
// access tokens and saves every rotated token before using it, because
// Intuit invalidates a superseded refresh token 24 hours after issuing the
// new one. [NewHTTPClient] builds the *http.Client for [Options], whose
// [Transport] retries a request once with a fresh token when QBO answers
// 401 to a token that looked valid. Tokens never appear in logs or errors.
package qbo
