package razorpay

import (
	"net/http"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// errorBody is Razorpay's error answer (razorpay.com/docs/errors).
type errorBody struct {
	Error *errorDetail `json:"error"`
}

type errorDetail struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Field       string `json:"field"`
	Reason      string `json:"reason"`
}

func (eb *errorBody) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("error", func(dec *jsontext.Decoder) error {
		return transform.ReadPointer(dec, &eb.Error, (*errorDetail).read)
	}))
}

func (d *errorDetail) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("code", &d.Code), transform.Into("description", &d.Description),
		transform.Into("field", &d.Field), transform.Into("reason", &d.Reason))
}

// failure reads Razorpay's error answer {"error":{code,description,field}}
// for the shared skeleton (transform.Facts.Fail).
func (Dialect) failure(op transform.Op, status int, body []byte) *transform.Error {
	x := transform.Failure{Op: op, HTTPStatus: status}
	var eb errorBody
	field := ""
	if transform.ReadAnswerWith(body, eb.read) == nil && eb.Error != nil {
		x.Readable = true
		x.Code, x.Message, field = eb.Error.Code, eb.Error.Description, eb.Error.Field
	}
	x.Credentials = badKey(x.Message) && (status == http.StatusBadRequest || op == transform.OpRefund)
	if op == transform.OpRefund {
		// The idempotency errors are matched on their text: Razorpay
		// documents them as 409 in one place and as BAD_REQUEST in another
		// (razorpay.com/docs/api/refunds/create-normal, "Errors").
		x.InProgress = transform.ContainsFold(x.Message, "idempotency key") && transform.ContainsFold(x.Message, "in progress")
		x.Duplicate = transform.ContainsFold(x.Message, "same idempotency key") || transform.ContainsFold(x.Message, "receipt should be unique")
		x.Field = refundField(field, x.Message)
	} else {
		x.Duplicate = status >= 400 && status < 500 && duplicateReceipt(x.Message, field)
		x.Field = canonicalField(field)
	}
	return Facts.Fail(&x)
}

// badKey recognises Razorpay's answer to a wrong key id or secret when it
// does not come as a 401: "The api key provided is invalid" / "The api
// secret provided is invalid", a 400 for orders (Razorpay's API reference,
// fetch-all orders, Failure), read under any status for refunds. Other
// texts with "authentication failed" (the payer's wrong OTP, Razorpay's
// "Sample Error Response") are about a payment, not paygate's credentials.
func badKey(desc string) bool {
	return transform.ContainsFold(desc, "api key provided is invalid") || transform.ContainsFold(desc, "api secret provided is invalid")
}

// duplicateReceipt recognises the refusal of a repeated receipt
// ("Order receipt should be unique.", Razorpay's S2S error index). It must
// not take "unique_receipt is/are not required and should not be sent"
// (an account without the feature) for one.
func duplicateReceipt(desc, field string) bool {
	if transform.ContainsFold(desc, "receipt should be unique") || transform.ContainsFold(desc, "receipt must be unique") {
		return true
	}
	aboutReceipt := field == "receipt" || transform.ContainsFold(desc, "receipt")
	return aboutReceipt && (transform.ContainsFold(desc, "duplicate") || transform.ContainsFold(desc, "already"))
}

// canonicalField names the canonical field behind a Razorpay field of an
// order.
func canonicalField(f string) string {
	switch {
	case f == "":
		return ""
	case f == "receipt":
		return "order_id"
	case f == "notes" || strings.HasPrefix(f, "notes."):
		return "metadata" + strings.TrimPrefix(f, "notes")
	}
	return f
}

// refundField names the canonical field behind a refund's error; a Razorpay
// field with no canonical name (speed, id…) names none.
func refundField(f, desc string) string {
	switch {
	case f == "amount" || transform.ContainsFold(desc, "refund amount") || transform.ContainsFold(desc, "fully refunded"):
		return "amount"
	case f == "receipt":
		return "refund_id"
	case f == "notes" || strings.HasPrefix(f, "notes."):
		return canonicalField(f)
	}
	return ""
}
