// Package qbosim is an in-memory QuickBooks Online (QBO) sandbox that speaks
// the real wire protocol over HTTP, so that qbosync's client, activities
// and workflows can be tested without Intuit. It is an independent
// implementation written from the public API reference
// (shared/reference/qbo-api.md); it deliberately does not import the
// project's QBO client types, so a conformance test against it means
// something.
//
// # Use
//
//	srv := qbosim.New(qbosim.Options{Now: clock.Now})
//	ts := httptest.NewServer(srv)
//	realm := srv.AddSampleCompany()
//	access, refresh := srv.IssueToken(realm)
//	// point the client at ts.URL for the API, token and revoke endpoints
//
// Tests inspect state with Entities, Entity and Snapshot.
//
// # Emulated
//
//   - Accounting API under /v3/company/{realmId}/: POST /{entity} (create;
//     update when the body has Id+SyncToken; "sparse":true for a sparse
//     update, otherwise a full update that clears omitted writable fields),
//     GET /{entity}/{id}, POST /{entity}?operation=delete, GET /query?query=
//     and POST /query (application/text), GET /companyinfo/{realmId}.
//     Resource names are lower-case; minorversion is accepted and ignored
//     (everything behaves as 75).
//   - Entities: Customer (sub-customers/jobs: ParentRef, Job, Level,
//     FullyQualifiedName, BillWithParent, Balance/BalanceWithJobs roll-up,
//     four levels under a top-level parent), Vendor, Account (the official
//     AccountType/AccountSubType table, derived Classification, sub-accounts),
//     Item (Service, NonInventory, Inventory, Category; items under
//     categories), CompanyInfo (read-only). Ids are per-realm strings;
//     Customer and Vendor share one id sequence as in QBO. SyncToken starts
//     at "0" and grows by one per write; responses carry domain, sparse,
//     MetaData and the envelope "time" in the company's time zone.
//   - Validation with QBO's Fault envelope and codes: 6240 duplicate name
//     (Detail "The name supplied already exists. : Id=<n>"), 5010 stale
//     SyncToken, 610 unknown id, 2020 missing field, 2050 length, 2170 bad
//     enumeration, 2500 invalid or inactive reference, 2010 unknown property,
//     malformed JSON or wrongly typed value, 6000 business rule, 500
//     unsupported operation. Read-only fields sent by clients are ignored and
//     recomputed; renaming a parent renames its descendants'
//     FullyQualifiedName.
//   - Queries: a tokenizer and recursive-descent parser for SELECT * |
//     COUNT(*) FROM e [WHERE a op v AND ...] [ORDERBY|ORDER BY ...]
//     [STARTPOSITION n] [MAXRESULTS n] with = < > <= >= IN LIKE (%), '...'
//     literals with backslash escapes, case-insensitive keywords, names and
//     string values, nested attributes (MetaData.LastUpdatedTime), references
//     compared by id, active-only name lists unless Active is constrained,
//     {} for no rows, totalCount for COUNT. Parse errors are 4000, value
//     errors 4001.
//   - requestid: per-realm replay of the stored status and body (faults
//     included) without repeating the write; ids over 50 characters are
//     refused. Options.IgnoreRequestID turns replay off.
//   - Auth: Bearer tokens per realm; 401 with the observed lower-case
//     {"fault":{"error":[...],"type":"AUTHENTICATION"}} body; intuit_tid on
//     every response.
//   - OAuth 2.0: consent page, authorization-code exchange (single-use codes,
//     redirect_uri must match), refresh with rotation and a grace period for
//     the previous token, invalid_grant/invalid_client errors,
//     x_refresh_token_hard_expires_in on request, revocation of a whole grant.
//     Tokens come from crypto/rand, are stored only as SHA-256 hashes and are
//     never logged.
//   - Persistence: Options.StateFile keeps companies, tokens and requestids
//     across restarts (debounced atomic rewrite, Flush, Close). Pending
//     authorization codes (valid 5 minutes) are not persisted.
//
// # Choices for undocumented ([U]) behaviour
//
//   - Name uniqueness is case-insensitive and ignores surrounding spaces
//     (names are stored trimmed); Options.CaseSensitiveNames changes it.
//   - Inactive names stay reserved; Options.ReleaseInactiveNames frees them.
//     Inactivating a customer does not rename it to "... (deleted)" and
//     leaves its sub-customers as they are.
//   - Account names are unique per FullyQualifiedName (the same name may
//     recur under different parents); Item names are unique across all
//     items. Both clash with 6240 and the Id detail.
//   - Forbidden characters in names (":", tab, newline; `"` in account
//     names) and malformed e-mail addresses give 2050 with Message
//     "Invalid String": QBO documents no code for them.
//   - Deleting a Customer, Vendor, Account or Item gives 400, code 500
//     "Unsupported Operation", Detail "Operation Delete is not supported.".
//     Unknown resources (and non-lower-case ones) give the same code.
//   - A valid token used on another company gives 403, code 3100
//     ApplicationAuthorizationFailed, so clients can tell "reconnect" from
//     "refresh"; an unknown realm with a valid token gives the same.
//   - MAXRESULTS above 1000 is clamped to 1000;
//     Options.RejectMaxResultsOver1000 makes it a 4001 error. Without
//     ORDERBY rows come in Id order. A projection list is accepted and
//     ignored. SQL-style doubled quotes do not escape; a backslash does.
//   - A requestid replays whatever endpoint and body it is reused with,
//     forever (no retention window); reads ignore requestid.
//   - null in a sparse update clears the property; nested objects are
//     replaced whole, not merged. A full update re-applies defaults
//     (Active=true, PrintOnCheckName, ...).
//   - Recomputed values (a child's FullyQualifiedName, BalanceWithJobs) do
//     not bump the child's SyncToken or LastUpdatedTime.
//   - Item IncomeAccountRef must be a Revenue-classified account (Income or
//     Other Income); ExpenseAccountRef is optional for Service items.
//   - Using a superseded refresh token inside the grace period rotates again;
//     the superseded token keeps its original deadline. Revoking an unknown
//     token succeeds (RFC 7009). Any absolute http(s) redirect_uri is
//     accepted (there is no app registration).
//   - The sandbox always answers JSON (no XML), writes must be
//     application/json and query bodies application/text (or text/plain).
//
// # Not yet emulated
//
// Transaction entities (Invoice, Payment, CreditMemo, Deposit, Purchase,
// JournalEntry) and their ledger effects (balances move only through an
// opening Balance), void, the batch endpoint, CDC, webhooks, Preferences,
// Employee, Class, TaxCode, Term, attachments and reports; throttling (429)
// and fault injection beyond the Options.Intercept hook; multicurrency;
// XML; the OpenID userinfo and discovery endpoints. The write pipeline
// (kind registry with per-kind prepare hooks, one request pipeline: auth ->
// Intercept -> requestid -> handler) is where those plug in.
package qbosim
