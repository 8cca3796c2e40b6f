package enkash

import (
	"regexp"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/shopspring/decimal"
)

// Facts are EnKash's facts (PG "Olympus" orders API, docs.enkash.com): JSON
// with amount.value in rupees, INR only, at most two decimal places. Every
// answer is the envelope {response_code, response_message, payload}; a
// non-zero code is an error whatever the HTTP status, and 117 means the
// bearer token is invalid or expired.
var Facts = transform.Facts{
	Name:       "enkash",
	Docs:       "https://docs.enkash.com/",
	Currencies: []string{rupees},
	Amounts:    transform.MajorUnits,
	MaxPlaces:  2,
	MinAmount:  decimal.New(1, -2), // 0.01
	Statuses: transform.StatusMap{
		"CREATED":                      transform.StatusCreated,
		"CHECKOUT_RENDERED":            transform.StatusCreated,
		"ATTEMPTED":                    transform.StatusPending,
		"PAYMENT_CONFIRMATION_PENDING": transform.StatusPending,
		"PAID":                         transform.StatusPaid,
		"EXPIRED":                      transform.StatusExpired,
		"CANCELLED":                    transform.StatusCancelled,
	},
	// EnKash documents only CREATED (the schema of the refund answer); the
	// other words are EnKash's transaction vocabulary (docs.enkash.com,
	// "Payment status").
	RefundStatuses: map[string]transform.RefundStatus{
		"CREATED":           transform.RefundPending,
		"PENDING":           transform.RefundPending,
		"PENDING_WITH_BANK": transform.RefundPending,
		"INITIATED":         transform.RefundPending,
		"SUCCESS":           transform.RefundSucceeded,
		"REFUNDED":          transform.RefundSucceeded,
		"FAILED":            transform.RefundFailed,
		"CANCELLED":         transform.RefundFailed,
	},
}

const (
	rupees = "INR"
	// invalidToken is EnKash's response_code for an invalid or expired token.
	invalidToken = "117"
	// duplicateCode and notFoundCode are the HTTP-like codes EnKash's
	// envelopes carry elsewhere (its Payouts product documents 409).
	duplicateCode = "409"
	notFoundCode  = "404"
	// minAccountLen and maxAccountLen bound paymentDetail.accountNumber.
	minAccountLen = 9
	maxAccountLen = 36
	// maxGatewayID bounds EnKash's own order id in a status path.
	maxGatewayID = 64
	createPath   = "/api/v0/orders"
	orderPath    = "/api/v0/orders/"
)

// ifscPattern is an IFSC code: 4 capital letters, 0, then 6 capital letters
// or digits.
var ifscPattern = regexp.MustCompile(`^[A-Z]{4}0[A-Z0-9]{6}$`)

// Dialect maps canonical orders, refunds and events to EnKash's API and
// back.
type Dialect struct{}

func (Dialect) Name() string { return Facts.Name }

var (
	_ transform.Gateway  = Dialect{}
	_ transform.Refunder = Dialect{}
)
