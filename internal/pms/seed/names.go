package seed

import "strings"

// The names a QuickBooks sync must survive. QBO forbids ':' , tab and newline in
// DisplayName, limits CompanyName to 100 characters and DisplayName to 500, wants
// DisplayName unique across customers, vendors and employees, and rejects malformed
// e-mail addresses. Every one of these records is in every seeded firm, whatever its size.

// longCompanyName is over 100 characters (QBO's CompanyName limit).
const longCompanyName = "The Consolidated International Brotherhood of Maritime Shipping, Freight Forwarding " +
	"& Logistics Enterprises of the Pacific Northwest, Incorporated"

// longMatterName is over 500 characters even before its matter number is prefixed to
// make the sub-customer's DisplayName (QBO's limit is 500).
const longMatterName = "Consolidated Arbitration and Related Proceedings Concerning the Charter Party " +
	"Disputes, Demurrage Claims, Cargo Damage Allegations, Marine Insurance Subrogation Actions, " +
	"Indemnification Cross-Claims and Ancillary Injunctive Relief Arising from the Grounding of the " +
	"Motor Vessel Pacific Endeavour near the Port of Tacoma, Including All Claims by and against " +
	"Charterers, Sub-Charterers, Cargo Owners, Hull and Machinery Underwriters, Protection and " +
	"Indemnity Clubs, Port Authorities, Salvors and Stevedoring Contractors, Together with Any " +
	"Appeals, Enforcement Proceedings and Settlement Negotiations Related Thereto"

// trustUse says which trust account, if any, an edge-case matter keeps client money in.
type trustUse int

const (
	trustMaybe  trustUse = iota // decided at random like any other matter
	trustIOLTA                  // the pooled client trust account
	trustEscrow                 // the real-estate escrow trust account
)

type edgeMatter struct {
	name    string
	trust   trustUse
	flatFee bool
}

type edgeClient struct {
	client  client
	matters []edgeMatter
}

func person(given, family, email, city string) client {
	return client{kind: "person", name: given + " " + family, given: given, family: family, email: email, city: city}
}

func company(name, email, city string) client {
	return client{kind: "company", name: name, company: name, email: email, city: city}
}

// edgeClients are the fixed clients every demo firm has, with their matters.
func edgeClients() []edgeClient {
	muller := company("Müller GmbH", "", "")
	muller.address, muller.city, muller.postal, muller.country = "Friedrichstraße 123", "Berlin", "10117", "DE"
	soren := company("Søren Kierkegaard Ltd.", "kontor@kierkegaard.example", "")
	soren.address, soren.city, soren.postal, soren.country = "Nytorv 2", "København", "1450", "DK"
	spaced := company("  Harborview Dental Group ", "office@harborviewdental.example", "Seattle")
	bakery := company("Riverside Bakery Co.", "", "Portland")
	bakery.archived = true
	return []edgeClient{
		{person("Patrick", "O'Brien", "patrick.obrien@example.com", "Boston"),
			[]edgeMatter{{name: "O'Brien v. O'Brien – Dissolution of Marriage", trust: trustIOLTA}}},
		{person("Maria", "D'Angelo", "maria.dangelo@example.net", "Chicago"),
			[]edgeMatter{{name: "D'Angelo Family Trust & Estate Plan", flatFee: true}}},
		{company("Acme: West Division", "ap@acme-west.example", "Phoenix"),
			[]edgeMatter{{name: "Warehouse Lease\tUnit 4B\nHarbor Plaza"}}},
		{person("José", "Núñez", "jose.nunez@example.com", "Austin"),
			[]edgeMatter{{name: "Núñez v. Gómez Construcción S.A.", trust: trustIOLTA}}},
		{person("Zoë", "Brontë", "", "Denver"),
			[]edgeMatter{{name: "Brontë – Publishing Contract Review"}}},
		{soren, []edgeMatter{{name: "Danish Subsidiary Formation (ApS)"}}},
		{muller, []edgeMatter{{name: "US Distribution Agreement – Müller GmbH"}}},
		{company(longCompanyName, "legal@maritime-brotherhood.example", "Seattle"),
			[]edgeMatter{{name: longMatterName, trust: trustIOLTA}}},
		{company("Smith, Jones & Partners LLP", "accounts@smithjones.example", "Atlanta"),
			[]edgeMatter{{name: "Partnership Agreement, Buy-Sell & Succession"}}},
		{spaced, []edgeMatter{{name: "Practice Acquisition"}}},
		// Two different people with exactly the same name: never merged into one customer.
		{person("John", "Smith", "john.smith@example.com", "Portland"),
			[]edgeMatter{{name: "Re: Estate of Smith", trust: trustIOLTA}}},
		{person("John", "Smith", "jsmith@smithfamily.example", "Denver"),
			[]edgeMatter{{name: "Traffic Citation – Case No. 26-TR-0412"}}},
		// The QBO sandbox's sample company has a vendor of this name.
		{company("Hall Properties", "ap@hallproperties.example", "Minneapolis"),
			[]edgeMatter{{name: "14 Harbor Plaza Acquisition", trust: trustEscrow}, {name: "Tenant Eviction – 22 Mill St."}}},
		{person("Jessie", "Smithson", "jsmith at example", "Raleigh"),
			[]edgeMatter{{name: "Last Will & Testament"}}},
		{bakery, []edgeMatter{{name: "Commercial Lease Review"}}},
	}
}

// baseTimekeepers is every firm's core team; a large firm adds generated ones.
func baseTimekeepers() []timekeeper {
	return []timekeeper{
		{name: "Siobhán O'Connor", role: partner, rateCents: 62500},
		{name: "Marcus Hale", role: partner, rateCents: 52500},
		{name: "Priya Raman", role: associate, rateCents: 34500},
		// $287.50 an hour: 0.05 h or 0.15 h lands on a half cent and exercises rounding.
		{name: "Daniel Kim", role: associate, rateCents: 28750},
		// Quarter hours at $332.50: every odd number of quarters lands on a half cent.
		{name: "Ana-Lucía Ferreira", role: associate, rateCents: 33250, quarterHours: true},
		{name: "Tom Becker", role: paralegal, rateCents: 16500},
		// A former associate: inactive, with time recorded before leaving.
		{name: "Greg Whitmore", role: associate, rateCents: 27500, former: true},
	}
}

// initials are the first letters of a name's words ("Ana-Lucía Ferreira" -> "AF").
func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			b.WriteString(strings.ToUpper(string(r)))
			break
		}
	}
	return b.String()
}

var givenNames = []string{
	"James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "William", "Linda", "David",
	"Elizabeth", "Richard", "Barbara", "Joseph", "Susan", "Thomas", "Jessica", "Charles", "Sarah",
	"Christopher", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark",
	"Margaret", "Steven", "Ashley", "Paul", "Kimberly", "Andrew", "Emily", "Joshua", "Donna",
	"Kevin", "Michelle", "Brian", "Amanda", "George", "Melissa", "Wei", "Mei", "Hiroshi", "Yuki",
	"Aarav", "Priya", "Olumide", "Chiamaka", "Mateo", "Sofía", "Łukasz", "Agnieszka", "François",
	"Renée", "Björn", "Ingrid", "Seán", "Siobhán", "Chloé", "André", "Inés", "Nguyễn",
}

var familyNames = []string{
	"Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
	"Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis",
	"Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill",
	"Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
	"Carter", "Roberts", "Smith", "O'Neil", "O'Sullivan", "McDonald", "MacLeod", "D'Souza", "Chen",
	"Wang", "Kim", "Patel", "Okafor", "Kowalski", "Dubois", "Håkansson", "Schäfer", "van der Berg",
	"St. James", "García-Márquez",
}

var companyIndustries = []string{
	"Construction", "Logistics", "Dental Group", "Bakery", "Properties", "Software", "Capital Partners",
	"Manufacturing", "Realty", "Medical Associates", "Auto Body", "Landscaping", "Brewing Company",
	"Design Studio", "Consulting", "Holdings", "Engineering", "Veterinary Clinic", "Imports", "Media",
}

var companyPlaces = []string{
	"Northgate", "Cascade", "Riverbend", "Summit", "Bayside", "Pinecrest", "Harbor", "Lakeview",
	"Redwood", "Granite", "Meridian", "Prairie", "Bluewater", "Silver Creek", "Evergreen",
}

var companySuffixes = []string{", Inc.", " LLC", " Ltd.", " Co.", " Corp.", " LLP", ""}

type city struct{ name, region, area, zip string }

var cities = []city{
	{"Portland", "OR", "503", "972"}, {"Seattle", "WA", "206", "981"}, {"Boston", "MA", "617", "021"},
	{"Austin", "TX", "512", "787"}, {"Denver", "CO", "303", "802"}, {"Chicago", "IL", "312", "606"},
	{"Atlanta", "GA", "404", "303"}, {"Phoenix", "AZ", "602", "850"}, {"Minneapolis", "MN", "612", "554"},
	{"Raleigh", "NC", "919", "276"},
}

var streets = []string{
	"Main St", "Oak Ave", "Elm St", "Maple Dr", "Cedar Ln", "Harbor Blvd", "Mill St", "Park Ave",
	"Washington St", "Lakeshore Dr", "Market St", "Pine St", "Broadway", "Sunset Blvd", "Bay Rd",
}

// Matter name templates; %s is the client's family name or company name.
var personMatterNames = []string{
	"Estate Planning", "Purchase of Residence", "Sale of Residence", "%s v. State Farm",
	"Personal Injury – Auto Accident", "Employment Severance Review", "Custody Modification",
	"DUI Defense", "Will & Trust Update", "Landlord-Tenant Dispute", "Probate of Estate of %s",
	"Immigration – Family Petition", "Prenuptial Agreement", "Small Business Formation",
}

// isRealEstate tells the matters whose client money may sit in the escrow trust account.
func isRealEstate(matterName string) bool {
	return strings.Contains(matterName, "Residence") || strings.Contains(matterName, "Purchase") ||
		strings.Contains(matterName, "Lease")
}

var companyMatterNames = []string{
	"General Corporate Matters", "%s v. Northwind Traders", "Commercial Lease Renewal",
	"Trademark Registration", "Employment Agreements", "Asset Purchase Agreement",
	"Collections", "Regulatory Compliance Review", "Series A Financing",
	"Contract Dispute with Supplier", "Wage & Hour Audit", "Data Privacy Policy Review",
}

var feeDescriptions = []string{
	"Review and analyze documents produced by opposing counsel",
	"Telephone conference with client re: settlement options",
	"Draft motion to compel discovery",
	"Prepare for & attend deposition",
	"Legal research: statute of limitations",
	"Revise purchase agreement; e-mail to client",
	"Attend hearing on motion for summary judgment",
	"Draft correspondence to opposing counsel",
	"Review title commitment & survey",
	"Prepare estate planning documents",
	"Client meeting re: strategy",
	"Draft discovery responses",
	"Analyze lease terms; summarize for client",
	"Negotiate terms with counterparty's counsel",
	"Finalize and file pleadings with the court",
	"Organize exhibits for trial binder",
}

type flatFee struct {
	description string
	cents       int64
}

var flatFees = []flatFee{
	{"Flat fee: Last will and testament", 150000},
	{"Flat fee: LLC formation", 95000},
	{"Flat fee: Trademark application", 125000},
	{"Flat fee: Uncontested divorce", 250000},
	{"Flat fee: Residential closing", 175000},
}

// hardCost is a catalog entry for costs the firm pays a third party for (QBO vendors).
type hardCost struct {
	description, payee string
	minCents, maxCents int64
}

var hardCosts = []hardCost{
	{"Court filing fee", "Clerk of the Superior Court", 43500, 43500},
	{"Deposition transcript", "Veritext Court Reporting", 30000, 150000},
	{"Service of process", "Process Servers: Tri-County", 7500, 15000},
	{"Expert witness retainer", "Dr. Amélie Fontaine, Forensic Accounting", 250000, 750000},
	{"Courier delivery", "O'Malley Courier Service", 2500, 6000},
	{"Title search", "First American Title Co.", 25000, 45000},
	{"Recording fee", "County Recorder's Office", 2900, 12000},
	{"Certified translation", "Café Légal Translations", 18000, 95000},
	{"Medical records", "Mercy Hospital – Records Dept.", 2500, 9800},
}

// softCost is a catalog entry for the firm's own charges: quantity × unit price.
type softCost struct {
	description          string
	unitCents            int64
	minQty, maxQty, step int64 // quantity range and step, in hundredths
}

var softCosts = []softCost{
	{"Photocopies", 15, 2000, 40000, 100},
	{"Color copies", 50, 500, 10000, 100},
	{"Mileage", 70, 1250, 18000, 50},
	{"Postage", 73, 100, 2500, 100},
	{"Conference call charges", 12, 3000, 12000, 100},
}

var trustPayees = []string{
	"Pacific Title & Escrow Co.", "County Recorder's Office", "Dr. Amélie Fontaine, Forensic Accounting",
	"Northwind Insurance – Claims Dept.", "State Department of Revenue", "Mediation Services of Oregon",
}
