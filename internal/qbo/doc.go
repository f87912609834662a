// Package qbo is a client for the QuickBooks Online (QBO) Accounting API,
// made for a one-way sync that must write every record exactly once.
//
// # Requests
//
// A [Client] serves one QBO company (realm). [Client.Create],
// [Client.Update], [Client.Read], [Client.Delete], [Client.Void],
// [Client.Query], [Client.QueryAll], [Client.Count] and [Client.Report]
// take QBO entity (or report) names such as "Customer" and marshal the
// caller's values as JSON; [Get] and [QueryAll] do the same for the typed
// entities of this package. Queries are best built with [Select], which
// escapes values. Every request carries minorversion; every write carries
// a requestid.
//
// [Client.Batch] sends up to 30 operations in one request, the only way to
// write more than 500 objects a minute. Its operations are independent and
// cannot see each other's results; each has its own result and error.
//
// # Entities and money
//
// Names: [Customer], [Vendor], [Account], [Item], [TrackingClass] (QBO's
// Class). Transactions: [Invoice], [CreditMemo], [Payment], [Deposit],
// [Purchase], [JournalEntry], whose lines are [Line]s with one detail each.
// Money is an [Amount], whole cents, read from and written to QBO's JSON
// numbers without passing through float64. Quantities and rates, which
// QBO allows more decimals in, are [Decimal]s, exact text; [MulAmount]
// turns Qty × UnitPrice into a line amount. Reports decode into [Report],
// a tree of rows that [Report.Walk] visits.
//
// # Limits
//
// QBO allows each company (per app) 500 requests a minute, batches
// included, 10 a second, 10 at once and 40 batch requests a minute, and
// answers 429 beyond. A worker process keeps one [Limiters] and gives
// each Client its company's [Limiters.For]: every request then waits
// until it fits under all four limits, with a safety margin
// ([DefaultLimits]), singles and batches taking turns so neither starves
// the other. After a 429 anyway the company's traffic pauses (60 seconds,
// or Retry-After) and the refused request is sent again by the Client
// itself: QBO did not perform it, so nothing is lost or repeated. Waiting
// honours the context, so a caller's deadline still applies.
//
// QBO counts a company's requests over every process that sends them.
// [NewSharedLimiters] returns Limiters that, in addition, draw each
// company's requests from a budget shared by every process (a
// [BudgetStore]; PostgreSQL's in internal/store/budget.go): runs of
// reserved send times and concurrent slots, one round trip per run.
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
//     work. Look the object up with [Client.FindByMarker], by its natural
//     key (DocNumber for a transaction, DisplayName or Name for a name)
//     and qbosync's marker, qbosync:<kind>:<id>, in its PrivateNote or
//     Notes. Adopt it if it is there; create it (same request ID) only if
//     it is not. The same holds for a batch operation whose result is
//     ambiguous, and for a whole batch that is.
//  4. Record the mapping together with the outcome.
//
// Never put a create and an operation that refers to the created object
// in the same batch: batch operations cannot see each other's results.
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
