package razorpay

import "github.com/paygate/caddy-paygate/transform"

// Facts are Razorpay's facts (Orders API, razorpay.com/docs/api/orders):
// JSON bodies, amounts in integer minor units of the currency table paygate
// uses for every gateway (Razorpay's own, "Supported Currencies"), the
// merchant's order id as the receipt, metadata as notes.
var Facts = transform.Facts{
	Name:           "razorpay",
	Docs:           "https://razorpay.com/docs/api/orders/",
	MaxOrderID:     maxReceipt,
	Amounts:        transform.MinorUnits,
	ThirdPlaceZero: true,
	// Order statuses: created → attempted → paid.
	Statuses: transform.StatusMap{
		"created":   transform.StatusCreated,
		"attempted": transform.StatusPending,
		"paid":      transform.StatusPaid,
	},
	// Refund statuses (razorpay.com/docs/api/refunds/entity): pending →
	// processed or failed. Hyperswitch also sees created; an answer without
	// a status (an SDK test sample) is not final either.
	RefundStatuses: map[string]transform.RefundStatus{
		"created":   transform.RefundPending,
		"pending":   transform.RefundPending,
		"processed": transform.RefundSucceeded,
		"failed":    transform.RefundFailed,
	},
}

const (
	// maxReceipt bounds a receipt, the order's or the refund's id.
	maxReceipt = 40
	// maxNotes and maxNoteLen bound notes: at most 15 pairs, keys and
	// values of at most 256 characters.
	maxNotes   = 15
	maxNoteLen = 256
	// maxRefundList is the most refunds one list call returns
	// (razorpay.com/docs/api/refunds/fetch-all: count ≤ 100); paygate reads
	// the refunds of one payment, which never come near it.
	maxRefundList = "100"
	// refundNote is the note that carries a refund's reason.
	refundNote = "reason"
)

// Dialect maps canonical orders, refunds and events to Razorpay's API and
// back.
type Dialect struct {
	// CheckoutKeyID is the public key_id that Razorpay Checkout needs to
	// take a payment for an order (Razorpay orders have no hosted page).
	// The gateway module sets it from its resolved key_id, and create and
	// status results carry it as gateway_details.checkout_key_id, so the
	// application never has to be configured with it. It is the public
	// half of the key pair, never the secret.
	CheckoutKeyID string `json:"-"`
}

func (Dialect) Name() string { return Facts.Name }

var (
	_ transform.Gateway  = Dialect{}
	_ transform.Refunder = Dialect{}
)
