package razorpay

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/shopspring/decimal"
)

// Razorpay Orders API (gateways.md §3): JSON, integer minor units from
// Razorpay's exponent table, receipt = our order id, notes = metadata.
type Dialect struct {
	// CheckoutKeyID is the public key_id that Razorpay Checkout needs to
	// take a payment for an order (Razorpay orders have no hosted page).
	// The gateway module sets it from its resolved key_id, and create and
	// status results carry it as gateway_details.checkout_key_id, so the
	// application never has to be configured with it. It is the public
	// half of the key pair, never the secret.
	CheckoutKeyID string `json:"-"`
}

const (
	maxNotes   = 15
	maxNoteLen = 256
	maxReceipt = 40
)

// statuses maps Razorpay order statuses (created → attempted → paid).
var statuses = transform.StatusMap{
	"created":   transform.StatusCreated,
	"attempted": transform.StatusPending,
	"paid":      transform.StatusPaid,
}

// orderEntity is the part of Razorpay's order entity paygate reads;
// fields it does not read (entity, notes, which Razorpay sends as [] when
// empty) are not decoded, which saves their allocations.
type orderEntity struct {
	ID        string      `json:"id"`
	Amount    json.Number `json:"amount"`
	Currency  string      `json:"currency"`
	Receipt   string      `json:"receipt"` // "" when null
	Status    string      `json:"status"`
	CreatedAt int64       `json:"created_at"`
}

type collection struct {
	Entity string        `json:"entity"`
	Count  int           `json:"count"`
	Items  []orderEntity `json:"items"`
}

type errorBody struct {
	Error *struct {
		Code        string `json:"code"`
		Description string `json:"description"`
		Field       string `json:"field"`
		Reason      string `json:"reason"`
	} `json:"error"`
}

func (Dialect) Name() string { return "razorpay" }

// minorUnits converts an amount to Razorpay's integer subunits. Three-decimal
// currencies must end in 0 (Razorpay: "KWD 99.991 → send 99990" is refused).
func minorUnits(a transform.Amount, currency string) (decimal.Decimal, *transform.Error) {
	exp, ok := transform.CurrencyExponent(currency)
	if !ok {
		return decimal.Decimal{}, transform.Invalid("currency", "%q is not supported by razorpay", transform.Clip(currency, transform.EchoRunes))
	}
	minor, ok := a.Minor(exp)
	if !ok {
		return decimal.Decimal{}, transform.Invalid("amount", "%s allows at most %d decimal places", currency, exp)
	}
	if exp == 3 && !minor.Mod(decimal.NewFromInt(10)).IsZero() {
		return decimal.Decimal{}, transform.Invalid("amount", "razorpay needs the last (third) decimal of %s amounts to be 0", currency)
	}
	return minor, nil
}

func (g Dialect) BuildCreate(o *transform.Order) (transform.Request, *transform.Error) {
	if e := o.GatewayOptions.Check(); e != nil {
		return transform.Request{}, e
	}
	if len(o.OrderID) > maxReceipt {
		return transform.Request{}, transform.Invalid("order_id", "razorpay allows at most %d characters", maxReceipt)
	}
	minor, e := minorUnits(o.Amount, o.Currency)
	if e != nil {
		return transform.Request{}, e
	}
	if e := transform.CheckJSONNumberAmount(g.Name(), minor, minor); e != nil {
		return transform.Request{}, e
	}
	if len(o.Metadata) > maxNotes {
		return transform.Request{}, transform.Invalid("metadata", "razorpay allows at most %d pairs, got %d", maxNotes, len(o.Metadata))
	}
	keys := slices.Sorted(maps.Keys(o.Metadata))
	for _, k := range keys {
		if utf8.RuneCountInString(k) > maxNoteLen {
			return transform.Request{}, transform.Invalid("metadata", "razorpay allows keys of at most %d characters", maxNoteLen)
		}
		if utf8.RuneCountInString(o.Metadata[k]) > maxNoteLen {
			return transform.Request{}, transform.Invalid("metadata."+k, "razorpay allows at most %d characters", maxNoteLen)
		}
	}
	// The body of POST /v1/orders, in Razorpay's field order, written
	// field by field: one allocation instead of an Encoder, its buffer and
	// a sorted map walk.
	//
	// unique_receipt makes Razorpay enforce the receipt's uniqueness: a
	// repeated receipt gets the order it already holds (or a 400 "receipt
	// should be unique") instead of a second order (Razorpay's "Retries and
	// idempotency" best practices for server-to-server integration). A
	// returned order whose amount or currency differs from ours is then
	// duplicate_order (ParseCreate).
	b := make([]byte, 0, 120+len(o.OrderID)+notesLen(o.Metadata))
	b = append(b, `{"amount":`...)
	b = append(b, minor.String()...)
	b = append(b, `,"currency":`...)
	b = transform.AppendJSONString(b, o.Currency)
	b = append(b, `,"receipt":`...)
	b = transform.AppendJSONString(b, o.OrderID)
	b = append(b, `,"unique_receipt":true`...)
	if len(o.Metadata) > 0 {
		b = append(b, `,"notes":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = transform.AppendJSONString(b, k)
			b = append(b, ':')
			b = transform.AppendJSONString(b, o.Metadata[k])
		}
		b = append(b, '}')
	}
	body := append(b, '}')
	return transform.Request{Method: http.MethodPost, Path: "/v1/orders", ContentType: "application/json", Body: body}, nil
}

func (g Dialect) ParseCreate(o *transform.Order, status int, body []byte) (*transform.Result, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.parseError(status, body)
	}
	var ord orderEntity
	if err := json.Unmarshal(body, &ord); err != nil || ord.ID == "" {
		return nil, transform.Unreadable(g.Name(), status, "a body that is not a Razorpay order")
	}
	res, e := g.result(o.OrderID, &ord)
	if e != nil {
		return nil, e
	}
	// Razorpay echoes receipt, amount and currency; with unique_receipt the
	// answer may be an order it already held under this receipt.
	if ord.Receipt == "" {
		return nil, transform.OtherOrder(g.Name(), o.OrderID, "")
	}
	sentMinor, e := minorUnits(o.Amount, o.Currency)
	if e != nil {
		return nil, e
	}
	gotMinor, err := decimal.NewFromString(string(ord.Amount))
	if err != nil { // result has checked the digits already
		return nil, transform.Unreadable(g.Name(), status, "an amount that is not an integer")
	}
	if e := transform.CheckEcho(g.Name(), transform.Echo{OrderID: o.OrderID, Currency: o.Currency, Amount: sentMinor, HasAmount: true},
		transform.Echo{OrderID: ord.Receipt, Currency: ord.Currency, Amount: gotMinor, HasAmount: true}, true); e != nil {
		return nil, e
	}
	return res, nil
}

func (g Dialect) BuildStatus(orderID string) (transform.Request, *transform.Error) {
	if e := transform.ValidateOrderID(orderID); e != nil {
		return transform.Request{}, e
	}
	return transform.Request{Method: http.MethodGet, Path: "/v1/orders", RawQuery: "receipt=" + url.QueryEscape(orderID)}, nil
}

func (g Dialect) ParseStatus(orderID string, status int, body []byte) (*transform.Result, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.parseError(status, body)
	}
	var c collection
	if err := json.Unmarshal(body, &c); err != nil || c.Entity != "collection" {
		return nil, transform.Unreadable(g.Name(), status, "a body that is not a Razorpay collection")
	}
	// The list is filtered by receipt: an item under another receipt (or
	// none) means the filter was not applied, and the answer says nothing
	// about this order, least of all that it does not exist.
	//
	// Razorpay lists newest first. A receipt repeats only where the account
	// allowed it; then the paid order is the one that matters (the customer
	// paid it), else the newest.
	var pick *orderEntity
	for i := range c.Items {
		it := &c.Items[i]
		if it.Receipt != orderID {
			return nil, transform.OtherOrder(g.Name(), orderID, it.Receipt)
		}
		if pick == nil || (pick.Status != "paid" && it.Status == "paid") {
			pick = it
		}
	}
	if pick == nil {
		return nil, transform.GatewayFailure(g.Name(), transform.OrderNotFound, "", "", "")
	}
	res, e := g.result(orderID, pick)
	if e == nil && len(c.Items) > 1 {
		for i := range c.Items {
			if it := &c.Items[i]; it != pick {
				res.OtherGatewayOrderIDs = append(res.OtherGatewayOrderIDs, transform.Clip(it.ID, transform.EchoRunes))
			}
		}
	}
	return res, e
}

func (g Dialect) result(orderID string, ord *orderEntity) (*transform.Result, *transform.Error) {
	exp, ok := transform.CurrencyExponent(ord.Currency)
	if !ok {
		return nil, transform.Unreadable(g.Name(), http.StatusOK, "an unknown currency "+transform.Clip(ord.Currency, transform.EchoRunes))
	}
	amount, ok := transform.MinorToMajor(string(ord.Amount), int(exp))
	if !ok {
		return nil, transform.Unreadable(g.Name(), http.StatusOK, "an amount that is not an integer")
	}
	res := &transform.Result{
		Gateway:        g.Name(),
		OrderID:        orderID,
		GatewayOrderID: ord.ID,
		Status:         statuses.Map(ord.Status),
		GatewayStatus:  ord.Status,
		Amount:         amount,
		Currency:       ord.Currency,
		CreatedAt:      transform.UnixToRFC3339(ord.CreatedAt),
	}
	if g.CheckoutKeyID != "" {
		res.GatewayDetails = map[string]string{"checkout_key_id": g.CheckoutKeyID}
	}
	return res, nil
}

// parseError maps Razorpay's {"error":{code,description,field}} body.
func (g Dialect) parseError(status int, body []byte) *transform.Error {
	var re errorBody
	readable := json.Unmarshal(body, &re) == nil && re.Error != nil
	var code, desc, field string
	if readable {
		code, desc, field = re.Error.Code, re.Error.Description, re.Error.Field
	}
	switch {
	case transform.Throttled(status):
		return transform.GatewayFailure(g.Name(), transform.GatewayUnavailable, code, desc, "")
	case !readable:
		if status >= 400 && status < 500 && status != http.StatusUnauthorized {
			return transform.Unreadable(g.Name(), status, "an unreadable error body")
		}
		return transform.GatewayFailure(g.Name(), transform.TypeForStatus(status), "", "", "")
	case status == http.StatusUnauthorized || badKey(status, desc):
		return transform.GatewayFailure(g.Name(), transform.GatewayAuthenticationFailed, code, desc, "")
	case status >= 400 && status < 500 && duplicateReceipt(desc, field):
		return transform.GatewayFailure(g.Name(), transform.DuplicateOrder, code, desc, "order_id")
	case status >= 500:
		return transform.GatewayFailure(g.Name(), transform.GatewayError, code, desc, "")
	case status >= 400:
		return transform.GatewayFailure(g.Name(), transform.GatewayRejected, code, desc, canonicalField(field))
	}
	return transform.Unreadable(g.Name(), status, "an unexpected status")
}

// badKey recognises Razorpay's answer to a wrong key id or secret
// when it does not come as a 401: "The api key provided is invalid" / "The
// api secret provided is invalid" (Razorpay's API reference, fetch-all
// orders, Failure). Other texts with "authentication failed" (the payer's
// wrong OTP, errors.md "Sample Error Response") are about a payment, not
// paygate's credentials.
func badKey(status int, desc string) bool {
	return status == http.StatusBadRequest &&
		(transform.ContainsFold(desc, "api key provided is invalid") || transform.ContainsFold(desc, "api secret provided is invalid"))
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

// canonicalField names the canonical field behind a Razorpay field.
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

func notesLen(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += len(k) + len(v) + 6
	}
	return n
}

var _ transform.Gateway = Dialect{}
