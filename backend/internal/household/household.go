// Package household is the registry (一户一档): households with their members, income items,
// assets and attachments, and the history of every change to them (DESIGN.md 3.1).
//
// ID numbers, phones and bank accounts are stored as SM4-GCM ciphertext, a keyed HMAC-SM3
// blind index (for equality search and duplicate detection) and a masked copy; lists,
// exports and history only ever carry the masked copy, and revealing one in full needs
// household:reveal and is audited.
//
// A person may be in one active case on the whole platform: the global person_index
// (migration 0007) holds the blind index of every member of a household with an open case
// or an enrolment. Casework and enrolment call ActivatePersons and DeactivatePersons; the
// registry checks it whenever members are written.
//
// Other packages load a household with Load, inside their own scoped transaction.
package household

import (
	"time"

	"dibao/backend/internal/platform/civil"
)

// Field names given to secure.Box: they bind each ciphertext to its column and key each
// blind index. Other packages that match people (the relatives register, imports) index ID
// numbers with IDNumberField so their indexes meet these.
const (
	IDNumberField    = "member.id_number"
	PhoneField       = "household.phone"
	BankAccountField = "household.bank_account"
)

// Household statuses (households.status).
const (
	StatusRegistered = "registered" // in the registry, no case
	StatusApplying   = "applying"   // a case is open
	StatusEnrolled   = "enrolled"   // a beneficiary
	StatusExited     = "exited"     // was a beneficiary
)

// Household is one registered household as every reader sees it: sensitive values masked.
type Household struct {
	ID                int64        `json:"id" db:"id"`
	CountyCode        string       `json:"county_code" db:"county_code"`
	DivisionCode      string       `json:"division_code" db:"division_code"` // the village of the registered address
	DivisionName      string       `json:"division_name" db:"division_name"`
	Category          string       `json:"category" db:"category"` // urban 城镇 / rural 农村
	HeadName          string       `json:"head_name" db:"head_name"`
	Address           string       `json:"address" db:"address"`
	HukouPlace        string       `json:"hukou_place" db:"hukou_place"` // 户口所在地
	PhoneMasked       string       `json:"phone_masked" db:"phone_masked"`
	BankName          string       `json:"bank_name" db:"bank_name"`
	BankHolder        string       `json:"bank_holder" db:"bank_holder"`
	BankAccountMasked string       `json:"bank_account_masked" db:"bank_account_masked"`
	Status            string       `json:"status" db:"status"`
	Version           int          `json:"version" db:"version"`
	CreatedAt         time.Time    `json:"created_at" db:"created_at"`
	UpdatedAt         time.Time    `json:"updated_at" db:"updated_at"`
	Members           []Member     `json:"members"`
	Incomes           []Income     `json:"incomes"`
	Assets            []Asset      `json:"assets"`
	Attachments       []Attachment `json:"attachments"`
}

// Member is one person of a household.
type Member struct {
	ID               int64      `json:"id" db:"id"`
	Name             string     `json:"name" db:"name"`
	IDNumberMasked   string     `json:"id_number_masked" db:"id_number_masked"`
	IDNumberIndex    []byte     `json:"-" db:"id_number_index"` // blind index under IDNumberField
	Sex              string     `json:"sex" db:"sex"`           // male / female
	BirthDate        civil.Date `json:"birth_date" db:"birth_date"`
	Relation         string     `json:"relation" db:"relation"` // self is the head
	IdentityCategory string     `json:"identity_category" db:"identity_category"`
	DisabilityGrade  int        `json:"disability_grade" db:"disability_grade"` // 0 none, 1 most severe … 4
	DisabilityType   string     `json:"disability_type" db:"disability_type"`
	ChronicIllness   bool       `json:"chronic_illness" db:"chronic_illness"`
	SeriousIllness   bool       `json:"serious_illness" db:"serious_illness"`
	LabourCapacity   string     `json:"labour_capacity" db:"labour_capacity"` // full / partial / none
	Employment       string     `json:"employment" db:"employment"`
	School           string     `json:"school" db:"school"`
	Covered          bool       `json:"covered" db:"covered"` // counted as a beneficiary (保障对象)
}

// Income is one monthly income item, in fen.
type Income struct {
	ID         int64  `json:"id" db:"id"`
	MemberID   *int64 `json:"member_id" db:"member_id"` // whose, when it is one person's
	Kind       string `json:"kind" db:"kind"`           // wages, farming, business, property, transfer, other
	Source     string `json:"source" db:"source"`
	MonthlyFen int64  `json:"monthly_fen" db:"monthly_fen"`
	Counted    bool   `json:"counted" db:"counted"` // counted toward household income
}

// Asset is one asset of the household, valued in fen.
type Asset struct {
	ID          int64  `json:"id" db:"id"`
	Kind        string `json:"kind" db:"kind"` // house, vehicle, deposit, business, machinery, livestock, other
	Description string `json:"description" db:"description"`
	ValueFen    int64  `json:"value_fen" db:"value_fen"`
}

// Attachment is a scan or photo kept with the household; the file lives outside the
// database, named by its SHA-256.
type Attachment struct {
	ID          int64     `json:"id" db:"id"`
	Kind        string    `json:"kind" db:"kind"` // id_copy, authorisation, photo, other
	FileName    string    `json:"file_name" db:"file_name"`
	ContentType string    `json:"content_type" db:"content_type"`
	SizeBytes   int64     `json:"size_bytes" db:"size_bytes"`
	SHA256      string    `json:"sha256" db:"sha256"`
	UploadedBy  string    `json:"uploaded_by" db:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at" db:"uploaded_at"`
}

// CountedMonthlyIncome is the household's counted income per month, in fen.
func (h Household) CountedMonthlyIncome() int64 {
	var sum int64
	for _, in := range h.Incomes {
		if in.Counted {
			sum += in.MonthlyFen
		}
	}
	return sum
}

// Head is the head of household (relation self); ok is false if there is none.
func (h Household) Head() (Member, bool) {
	for _, m := range h.Members {
		if m.Relation == "self" {
			return m, true
		}
	}
	return Member{}, false
}
