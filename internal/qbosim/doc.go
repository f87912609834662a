// Package qbosim is an in-memory QuickBooks Online (QBO) sandbox that speaks
// the real wire protocol over HTTP, so that qbosync's client, activities
// and workflows can be tested without Intuit. It is an independent
// implementation written from Intuit's public API reference (the facts it
// relies on: docs/qbo-api.md); it deliberately does not import the
// project's QBO client types, so a conformance test against it means
// something. Its rule is to be at least as strict as QBO: where QBO's
// behaviour is unknown the sandbox picks the reading that makes a client
// cope with both.
//
// # Use
//
//	srv := qbosim.New(qbosim.Options{Now: clock.Now, Limits: qbosim.ProductionLimits()})
//	ts := httptest.NewServer(srv)
//	realm := srv.AddSampleCompany()
//	access, refresh := srv.IssueToken(realm)
//	// point the client at ts.URL for the API, token and revoke endpoints
//
// Tests inspect state with Entities, Entity and Snapshot (which includes
// transactions and their ledger postings), read the books with
// AccountBalance, OpenBalance and TrialBalance (cents) or line by line with
// Ledger (what landed in which account on which day), read traffic with
// Stats, and inject failures with SetFaults.
//
// # Routes
//
//	/v3/company/{realm}/{entity}            POST create/update, ?operation=delete|void,
//	                                         ?operation=update&include=void (Payment)
//	/v3/company/{realm}/{entity}/{id}       GET
//	/v3/company/{realm}/query               GET ?query= or POST application/text
//	/v3/company/{realm}/companyinfo/{realm} GET
//	/v3/company/{realm}/preferences         GET (the duplicate-number warnings only)
//	/v3/company/{realm}/batch               POST BatchItemRequest
//	/v3/company/{realm}/reports/{name}      GET TrialBalance, AccountList, CustomerBalance
//	/connect/oauth2, /oauth2/v1/tokens/bearer, /v2/oauth2/tokens/revoke   OAuth 2.0
//	/admin/faults?realm=R                   GET, POST (JSON Faults)   no OAuth: local use only
//	/admin/stats?realm=R                    GET (JSON Stats)          no OAuth: local use only
//
// The /admin routes control the sandbox and need no token: they exist for a
// developer's machine and test harnesses and must never be exposed beyond
// them.
//
// Every /v3 request runs one pipeline: authenticate -> read body -> limits
// (429) -> injected faults (latency, 5xx) -> Options.Intercept -> requestid
// replay -> handler (under the company's lock) -> remember the answer ->
// write it, or drop the connection (Faults.LoseResponseRate).
//
// # Emulated
//
//   - Name lists: Customer (sub-customers/jobs: ParentRef, Job, Level,
//     FullyQualifiedName, BillWithParent, Balance/BalanceWithJobs roll-up,
//     four levels under a top-level parent), Vendor, Account (the official
//     AccountType/AccountSubType table, derived Classification, sub-accounts,
//     CurrentBalance from the ledger), Item (Service, NonInventory,
//     Inventory, Category), Class (hierarchical, ids like
//     "5000000000000007280"), CompanyInfo (read-only). Customer and Vendor
//     share one id sequence; all transactions share another, as in QBO.
//     SyncToken starts at "0" and grows by one per version; responses carry
//     domain, sparse, MetaData and the envelope "time" in the company's time
//     zone. Name-list entities are never deleted (500 "Operation Delete is
//     not supported"); inactive ones remain valid in the places they were
//     already used (an unchanged reference on an update, a line of an
//     existing transaction) but not in new ones (2500).
//   - Transactions, each validated, posted to a double-entry ledger in whole
//     cents, re-posted on every update, void and delete:
//     Invoice (Dr A/R for the customer, Cr each item's income account, Dr
//     the discount account) and CreditMemo (the reverse): SalesItemLineDetail
//     (ItemRef required, Qty * UnitPrice, 6070 when a given Amount differs,
//     rounded half up), DescriptionOnly, DiscountLineDetail (fixed or
//     PercentBased; 6090 without either), the SubTotalLineDetail line the
//     server appends, TotalAmt/Balance/RemainingCredit computed (client
//     values ignored), DocNumber auto-numbered from 1001 (invoices and credit
//     memos share the sequence), DueDate TxnDate+30, LinkedTxn to the
//     payments applied. Payment (Dr DepositToAccountRef, default Undeposited
//     Funds, Bank or Other Current Asset; Cr A/R TotalAmt): lines apply to
//     invoices and credit memos of the same customer, never beyond their open
//     balance (6000 naming both amounts); UnappliedAmt computed; applying
//     makes a new version of each invoice (Balance, LinkedTxn, SyncToken+1).
//     Deposit (Dr DepositToAccountRef TotalAmt): lines gather payments out of
//     Undeposited Funds (each once; the deposited payment then refuses
//     update, void and delete with 6540) or post DepositLineDetail amounts
//     to an account with an optional Customer/Vendor entity; CashBack.
//     Purchase (Cash/Check from a Bank account, CreditCard from a Credit
//     Card account; Credit refunds): AccountBasedExpenseLineDetail lines with
//     CustomerRef and BillableStatus. JournalEntry: JournalEntryLineDetail
//     Debit/Credit lines posted as given, debits must equal credits (6000);
//     A/R lines need a customer, A/P lines a vendor (6000 with QBO's
//     wording).
//   - Updates: full (omitted writable fields are cleared; no Line means no
//     lines) and sparse (omitted fields kept); lines all or none; a line Id
//     that exists is updated, any other line gets a new Id after the highest.
//     Stale SyncToken 5010; unknown or deleted Id 610.
//   - Void: Invoice by ?operation=void, Payment by ?operation=update&
//     include=void (sparse body): amounts and quantities zeroed, "Voided"
//     prepended to PrivateNote, SyncToken+1, postings removed. Voiding an
//     invoice unapplies its payments (their money becomes the customer's
//     credit; each payment gets a new version). Delete (?operation=delete,
//     {"Id","SyncToken"}) answers {"status":"Deleted",...}; afterwards 610.
//   - Validation with QBO's Fault envelope and codes: 6240 duplicate name
//     ("... : Id=<n>"), 5010, 610, 2020 missing field, 2050 length, 2170
//     enumeration, 2500 invalid or inactive reference, 2010 unknown property
//     or malformed value, 6000 business rule, 6140 duplicate DocNumber
//     (opt-in), 6540, 1040 batch too large, 500 unsupported operation.
//   - Queries: SELECT * | COUNT(*) FROM e [WHERE a op v AND ...] [ORDERBY |
//     ORDER BY ...] [STARTPOSITION n] [MAXRESULTS n] with = < > <= >= IN
//     LIKE, case-insensitive names and values, nested attributes, references
//     compared by id, active-only name lists unless Active is constrained,
//     {} for no rows, totalCount for COUNT; 4000 parse errors, 4001 value
//     errors. On transactions only the properties QBO documents as filterable
//     may be filtered or sorted on ("property 'UnappliedAmt' is not
//     queryable").
//   - Batch: up to Options.MaxBatchItems (30) items, else 1040 for the whole
//     request; create/update/delete, update with optionsData "void", void
//     and Query items; per-item Fault inside HTTP 200; answers carry the bId;
//     items run one after the other on the live company, but records created
//     by the batch are invisible to its later items (not referable, not
//     found by queries, 610 on update); Options.ShuffleBatch runs and answers
//     them in a seeded random order.
//   - requestid: per-realm replay of the stored status and body (faults
//     included) without repeating the write; up to 50 characters, or 36 for
//     a batch whose bIds must then be at most 10 characters (2050). A batch
//     is replayed only with the same requestid and the same bIds.
//     Options.IgnoreRequestID turns replay off.
//   - Limits (Options.Limits, SetLimits; ProductionLimits() is QBO's 500 a
//     minute, 10 a second, 10 at once, 40 batches a minute per company):
//     sliding windows measured with Options.Now; over a limit the request
//     is answered 429 with QBO's ThrottleExceeded fault (3001, type SERVICE)
//     and not performed. Stats counts requests, batches, throttled requests,
//     injected server errors and lost answers.
//   - Faults (SetFaults, /admin/faults): ServerErrorRate (500/503 before
//     performing), Latency, ThrottleBurst, ExpireAccessTokens (401 3200 for
//     every current token; refresh works), LoseResponseRate and
//     LoseNextResponses (the write is committed and its requestid
//     remembered, then the connection is closed without an answer). All
//     randomness follows Options.RandSeed.
//   - Reports, as QBO's report JSON (Header, Columns.Column[] with ColType
//     and ColKey, Rows.Row[] of data rows {"ColData":[{"value","id"}]} and
//     sections {"Header","Rows","Summary"}, a final GrandTotal section; money
//     as "1234.50"): TrialBalance (a Debit or Credit per account with a
//     balance; equal totals), AccountList (every active account with type,
//     detail type, description and balance) and CustomerBalance (open
//     receivables per customer, jobs as sections with "Total <name>").
//     end_date (or report_date) takes postings up to that date.
//   - Auth: Bearer tokens per realm; 401 with the observed lower-case
//     {"fault":{"error":[...],"type":"AUTHENTICATION"}} body; intuit_tid on
//     every response. OAuth 2.0: consent page, single-use authorization
//     codes, refresh with rotation and a grace period for the previous
//     token, invalid_grant/invalid_client, x_refresh_token_hard_expires_in
//     on request, revocation of a whole grant. Tokens come from crypto/rand,
//     are stored only as SHA-256 hashes and are never logged.
//   - Persistence: Options.StateFile keeps companies (transactions and
//     their postings included; ledger totals are rebuilt on load), tokens and
//     requestids across restarts (debounced atomic rewrite, Flush, Close).
//     Authorization codes, limits windows, counters and faults are not
//     persisted.
//
// # Choices for undocumented ([U]) behaviour
//
//   - Name uniqueness is case-insensitive and ignores surrounding spaces;
//     Options.CaseSensitiveNames changes it. Inactive names stay reserved;
//     Options.ReleaseInactiveNames frees them. Account and Class names are
//     unique per FullyQualifiedName, Item names across all items; clashes
//     give 6240 with the Id detail. Forbidden characters in names and
//     malformed e-mail addresses give 2050 "Invalid String".
//   - A valid token used on another company gives 403 / 3100. MAXRESULTS
//     above 1000 is clamped (Options.RejectMaxResultsOver1000 makes it 4001).
//     Without ORDERBY rows come in Id order. A requestid replays whatever
//     endpoint and body it is reused with, forever; reads ignore it.
//   - null in a sparse update clears the property; nested objects are
//     replaced whole. A full update re-applies defaults. A full update that
//     omits DocNumber keeps it.
//   - Recomputed values (a child's FullyQualifiedName, Customer.Balance,
//     Account.CurrentBalance, roll-ups) do not make a new version. Applying
//     a payment does make one of the invoice (documented). Depositing a
//     payment does not change the payment.
//   - Amounts: transaction amounts must be exact to the cent (more decimals
//     give 6000 rather than QBO's silent rounding); Qty * UnitPrice and
//     percentage discounts are rounded half away from zero. Amounts are
//     rendered like QBO's (65.0, 8.5, 362.07). Opening balances (Customer
//     Balance, Account OpeningBalance) are posted against Opening Balance
//     Equity, rounded to the cent; the entity shows its opening balance as
//     written plus the ledger activity since. Accounts Receivable,
//     Undeposited Funds, Opening Balance Equity and "Discounts given" are
//     created on first use when a company lacks them.
//   - Duplicate DocNumbers, as Intuit's Purchase reference has them
//     (writeCtx.duplicateNumberRefused): a Cash or CreditCard purchase is
//     always refused one (6140 "Duplicate Doc Num"), even with
//     include=allowduplicatedocnum [U]; a check or a journal entry is refused
//     one while the company warns of duplicate numbers, which every sandbox
//     company does, as Intuit's sample company does (SetPreference with
//     PrefWarnDuplicateCheckNumber or PrefWarnDuplicateJournalNumber turns a
//     warning off), unless include=allowduplicatedocnum; other transactions
//     accept duplicates (integrators report that QBO does not enforce them on
//     invoices) unless Options.RejectDuplicateDocNumber. Numbers compare
//     without case, across every transaction of the entity. [U]
//   - A sales line without ItemRef is refused (2020), although QBO documents
//     it as "documentation" whose Amount is ignored: a client relying on
//     either reading would break. GroupLineDetail, ItemBasedExpenseLine-
//     Detail, payments applied to anything but invoices and credit memos,
//     deposits of anything but payments, and Invoice.Deposit are refused with
//     500 "not emulated" rather than half-emulated.
//   - Deleting an invoice or credit memo that payments are applied to gives
//     6000 naming the payments ("You must unlink any linked transactions").
//     Voiding a voided transaction changes nothing; updating one gives 6000.
//     A payment that applies a credit memo must apply at least as much to
//     invoices; invoices and payments belong to the same customer (a parent
//     cannot pay its job's invoice). A deposited payment refuses every
//     change, even of its memo (6540). An invoice's total cannot drop below
//     what is applied to it, nor its customer change while payments are
//     applied (6000). Totals of invoices, credit memos, deposits and
//     purchases cannot be negative (6000).
//   - A wrong account type in a reference (a payment into an income
//     account, a check from a credit card) is 2500 with the reason, like an
//     item's IncomeAccountRef. Journal entry imbalance is 6000 with both sums.
//   - Throttled requests do not enter the sliding windows; no Retry-After
//     header is sent (Intuit documents none). Injected 500 and 503 answers
//     carry a SystemFault 10000 body.
//   - Batch answers come in execution order; a batch with a requestid whose
//     items fail is replayed like any other answer.
//   - Reports are accrual-basis only (accounting_method=Cash gives 500);
//     start_date is echoed, balances are cumulative up to end_date (all
//     postings when absent); AccountList shows a balance for every account,
//     where QBO's chart of accounts leaves income and expenses blank.
//   - Change data capture (GET /cdc?entities=...&changedSince=..., cdc.go):
//     changedSince a date or an RFC 3339 datetime within the last 30 days;
//     up to 1000 objects per entity, with totalCount saying how many changed;
//     a deleted transaction is {"Id","status":"Deleted","domain","MetaData"}
//     from its deletion on. LastUpdatedTime has whole seconds, and an object
//     updated in the second of changedSince is included.
//   - Reads and queries never lose their answers; only writes (POST other
//     than /query) do.
//   - The sandbox always answers JSON (no XML), writes must be
//     application/json and query bodies application/text (or text/plain).
//
// # Not emulated
//
// Webhooks, Preferences other than the duplicate-number warnings (class
// tracking is always on, sales-form numbering always automatic), Employee, TaxCode/TaxRate/sales tax,
// Term (DueDate is TxnDate+30), PaymentMethod, Bill/BillPayment/Vendor
// balances, SalesReceipt, RefundReceipt, Transfer, Estimate, attachments and
// PDFs, reports other than the three above and cash-basis reporting,
// multicurrency, XML, the OpenID userinfo and discovery endpoints, and the
// monthly CorePlus metering.
package qbosim
