package juspay

import "github.com/paygate/caddy-paygate/transform"

// Facts are Juspay's facts (Express Checkout orders,
// juspay.io/in/docs/api-reference/docs/express-checkout): orders as
// application/x-www-form-urlencoded with Juspay's flat and dotted keys, an
// order id of "character length less than 21", the amount as text with
// "upto two decimal places", metadata in udf1…udf10.
var Facts = transform.Facts{
	Name:              "juspay",
	Docs:              "https://juspay.io/in/docs/api-reference/docs/express-checkout/create-order-api",
	MaxCurrencyPlaces: 2,
	MaxOrderID:        20,
	Amounts:           transform.MajorUnitsText,
	Options: []transform.Option{
		{Name: "gateway_id", Kind: transform.OptionDigits, Want: "a Juspay gateway id: digits, as a number or a string"},
		{Name: "get_client_auth_token", Kind: transform.OptionBool},
		{Name: "product_id", Kind: transform.OptionString},
	},
	// CREATED comes only in the short create answer. Anything else
	// (VOID_INITIATED, PARTIAL_CHARGED, …) is unknown and keeps its word in
	// gateway_status.
	Statuses: transform.StatusMap{
		"CREATED":               transform.StatusCreated,
		"NEW":                   transform.StatusCreated,
		"COD_INITIATED":         transform.StatusCreated, // cash on delivery chosen, nothing paid yet
		"STARTED":               transform.StatusPending,
		"PENDING_VBV":           transform.StatusPending,
		"VBV_SUCCESSFUL":        transform.StatusPending,
		"AUTHORIZING":           transform.StatusPending,
		"CHARGED":               transform.StatusPaid,
		"JUSPAY_DECLINED":       transform.StatusFailed,
		"AUTHENTICATION_FAILED": transform.StatusFailed,
		"AUTHORIZATION_FAILED":  transform.StatusFailed,
		"VOIDED":                transform.StatusCancelled,
	},
	// refunds[].status (developer.juspay.in/v3.2/docs/refund): PENDING
	// first, SUCCESS, FAILURE (final); MANUAL_REVIEW means the outcome is
	// not known yet, so it is pending and gateway_status keeps the word.
	RefundStatuses: map[string]transform.RefundStatus{
		"PENDING":       transform.RefundPending,
		"SUCCESS":       transform.RefundSucceeded,
		"FAILURE":       transform.RefundFailed,
		"MANUAL_REVIEW": transform.RefundPending,
	},
}

// statusIDs names the numeric status_id (the order status appendix), for
// answers that carry only the number or a word paygate does not know.
var statusIDs = map[string]string{
	"1": "CREATED", "10": "NEW", "20": "STARTED", "21": "CHARGED", "22": "JUSPAY_DECLINED",
	"23": "PENDING_VBV", "24": "VBV_SUCCESSFUL", "26": "AUTHENTICATION_FAILED",
	"27": "AUTHORIZATION_FAILED", "28": "AUTHORIZING", "29": "COD_INITIATED", "31": "VOIDED", "32": "VOID_INITIATED",
	"33": "CAPTURE_INITIATED", "34": "CAPTURE_FAILED", "35": "VOID_FAILED", "36": "AUTO_REFUNDED",
	"37": "PARTIAL_CHARGED", "40": "NOT_FOUND",
}

const (
	udfs      = 10
	plainUDFs = 5 // udf1–5: no special characters
	formType  = "application/x-www-form-urlencoded"
	// maxRequestID bounds a refund's unique_request_id: "length less than
	// 21", alphanumeric.
	maxRequestID = 20
)

// Dialect maps canonical orders, refunds and events to Juspay's API and
// back.
//
// Metadata → udf rule (Juspay keeps free-form data only in ten udf slots,
// and udf1–5 must hold no special characters):
//   - a key named udf1 … udf10 goes to that slot;
//   - the other keys, in byte order, each take the lowest free slot: a plain
//     value (only A–Z a–z 0–9, or empty) from udf1–5 and then udf6–10, any
//     other value (spaces, punctuation, non-ASCII) from udf6–10 only;
//   - a value with special characters in an explicit udf1–5 key, or more
//     values than fit, is a 400 before any call.
type Dialect struct{}

func (Dialect) Name() string { return Facts.Name }

var (
	_ transform.Gateway  = Dialect{}
	_ transform.Refunder = Dialect{}
)
