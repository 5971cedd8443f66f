package household

import "encoding/json"

// Input is a household as the client sends it to POST /households and PUT /households/:id:
// the household, its members, income items and assets together. Amounts are integer fen.
type Input struct {
	DivisionCode string `json:"division_code"` // the village (12 digits) of the registered address
	Category     string `json:"category"`      // urban / rural
	Address      string `json:"address"`
	HukouPlace   string `json:"hukou_place"`
	// Phone and BankAccount: omitted (null) on an update leaves them as they are; "" clears.
	Phone       *string       `json:"phone"`
	BankName    string        `json:"bank_name"`
	BankHolder  string        `json:"bank_holder"`
	BankAccount *string       `json:"bank_account"`
	Members     []MemberInput `json:"members"`
	Incomes     []IncomeInput `json:"incomes"`
	Assets      []AssetInput  `json:"assets"`
}

// UpdateRequest is PUT /households/:id: the whole household again, with the version it was
// read at (409 when someone changed it since).
type UpdateRequest struct {
	Input
	Version int `json:"version"`
}

// MemberInput is one member. The head of household is the member whose relation is self.
type MemberInput struct {
	ID *int64 `json:"id,omitempty"` // an existing member, on an update
	// IDNumber: 18 characters; on an update an existing member may leave it empty (unchanged).
	IDNumber         string `json:"id_number"`
	Name             string `json:"name"`
	Sex              string `json:"sex"`        // male / female; empty: from the ID number
	BirthDate        string `json:"birth_date"` // 2006-01-02; empty: from the ID number
	Relation         string `json:"relation"`
	IdentityCategory string `json:"identity_category"`
	DisabilityGrade  int    `json:"disability_grade"`
	DisabilityType   string `json:"disability_type"`
	ChronicIllness   bool   `json:"chronic_illness"`
	SeriousIllness   bool   `json:"serious_illness"`
	LabourCapacity   string `json:"labour_capacity"` // full (default) / partial / none
	Employment       string `json:"employment"`
	School           string `json:"school"`
	Covered          *bool  `json:"covered"` // default true
}

// IncomeInput is one monthly income item.
type IncomeInput struct {
	ID *int64 `json:"id,omitempty"`
	// Member is the position (0-based) in members of the person whose income it is; null for
	// the household's as a whole.
	Member     *int        `json:"member"`
	Kind       string      `json:"kind"`
	Source     string      `json:"source"`
	MonthlyFen json.Number `json:"monthly_fen"` // a whole number of fen, 0 or more
	Counted    *bool       `json:"counted"`     // default true
}

// AssetInput is one asset.
type AssetInput struct {
	ID          *int64      `json:"id,omitempty"`
	Kind        string      `json:"kind"`
	Description string      `json:"description"`
	ValueFen    json.Number `json:"value_fen"` // a whole number of fen, 0 or more
}

// Enumerations of the registry.
var (
	categories       = []string{"urban", "rural"}
	relations        = []string{"self", "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "child_in_law", "other"}
	labourCapacities = []string{"full", "partial", "none"}
	incomeKinds      = []string{"wages", "farming", "business", "property", "transfer", "other"}
	assetKinds       = []string{"house", "vehicle", "deposit", "business", "machinery", "livestock", "other"}
	attachmentKinds  = []string{"id_copy", "authorisation", "photo", "other"}
	statuses         = []string{StatusRegistered, StatusApplying, StatusEnrolled, StatusExited}
)

// Limits of one household.
const (
	maxMembers = 30
	maxIncomes = 100
	maxAssets  = 100
)
