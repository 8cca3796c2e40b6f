package transform

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Razorpay Orders API (gateways.md §3): JSON, integer minor units from
// Razorpay's exponent table, receipt = our order id, notes = metadata.
type Razorpay struct{}

const (
	razorpayMaxNotes   = 15
	razorpayMaxNoteLen = 256
	razorpayMaxReceipt = 40
)

// razorpayStatuses maps Razorpay order statuses (created → attempted → paid).
var razorpayStatuses = StatusMap{
	"created":   StatusCreated,
	"attempted": StatusPending,
	"paid":      StatusPaid,
}

// razorpayCreate is the body of POST /v1/orders, in Razorpay's field order.
type razorpayCreate struct {
	Amount   json.Number       `json:"amount"`
	Currency string            `json:"currency"`
	Receipt  string            `json:"receipt"`
	Notes    map[string]string `json:"notes,omitempty"`
}

// razorpayOrder is the order entity Razorpay returns. Notes is left raw
// because Razorpay sends [] instead of {} when there are none.
type razorpayOrder struct {
	ID        string          `json:"id"`
	Entity    string          `json:"entity"`
	Amount    json.Number     `json:"amount"`
	Currency  string          `json:"currency"`
	Receipt   *string         `json:"receipt"`
	Status    string          `json:"status"`
	Notes     json.RawMessage `json:"notes"`
	CreatedAt int64           `json:"created_at"`
}

type razorpayCollection struct {
	Entity string          `json:"entity"`
	Count  int             `json:"count"`
	Items  []razorpayOrder `json:"items"`
}

type razorpayError struct {
	Error *struct {
		Code        string `json:"code"`
		Description string `json:"description"`
		Field       string `json:"field"`
		Reason      string `json:"reason"`
	} `json:"error"`
}

func (Razorpay) Name() string { return "razorpay" }

// RazorpayMinor converts an amount to Razorpay's integer subunits. Three-decimal
// currencies must end in 0 (Razorpay: "KWD 99.991 → send 99990" is refused).
func RazorpayMinor(a Amount, currency string) (decimal.Decimal, *Error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return decimal.Decimal{}, Invalid("currency", "%q is not supported by razorpay", clip(currency))
	}
	minor, ok := a.Minor(exp)
	if !ok {
		return decimal.Decimal{}, Invalid("amount", "%s allows at most %d decimal places", currency, exp)
	}
	if exp == 3 && !minor.Mod(decimal.NewFromInt(10)).IsZero() {
		return decimal.Decimal{}, Invalid("amount", "razorpay needs the last (third) decimal of %s amounts to be 0", currency)
	}
	return minor, nil
}

func (g Razorpay) BuildCreate(o *Order) (Request, *Error) {
	if e := o.GatewayOptions.Check(); e != nil {
		return Request{}, e
	}
	if len(o.OrderID) > razorpayMaxReceipt {
		return Request{}, Invalid("order_id", "razorpay allows at most %d characters", razorpayMaxReceipt)
	}
	minor, e := RazorpayMinor(o.Amount, o.Currency)
	if e != nil {
		return Request{}, e
	}
	if len(o.Metadata) > razorpayMaxNotes {
		return Request{}, Invalid("metadata", "razorpay allows at most %d pairs, got %d", razorpayMaxNotes, len(o.Metadata))
	}
	for _, k := range sortedKeys(o.Metadata) {
		if utf8.RuneCountInString(k) > razorpayMaxNoteLen {
			return Request{}, Invalid("metadata", "razorpay allows keys of at most %d characters", razorpayMaxNoteLen)
		}
		if utf8.RuneCountInString(o.Metadata[k]) > razorpayMaxNoteLen {
			return Request{}, Invalid("metadata."+k, "razorpay allows at most %d characters", razorpayMaxNoteLen)
		}
	}
	body, err := marshalCompact(razorpayCreate{
		Amount:   json.Number(minor.String()),
		Currency: o.Currency,
		Receipt:  o.OrderID,
		Notes:    o.Metadata,
	})
	if err != nil {
		return Request{}, Invalid("", "cannot encode the order: %v", err)
	}
	return Request{Method: http.MethodPost, Path: "/v1/orders", ContentType: "application/json", Body: body}, nil
}

func (g Razorpay) ParseCreate(o *Order, status int, body []byte) (*Result, *Error) {
	if status != http.StatusOK {
		return nil, g.parseError(status, body)
	}
	var ord razorpayOrder
	if err := json.Unmarshal(body, &ord); err != nil || ord.ID == "" {
		return nil, Unreadable(g.Name(), status, "a body that is not a Razorpay order")
	}
	return g.result(o.OrderID, &ord)
}

func (g Razorpay) BuildStatus(orderID string) (Request, *Error) {
	if e := ValidateOrderID(orderID); e != nil {
		return Request{}, e
	}
	return Request{Method: http.MethodGet, Path: "/v1/orders", RawQuery: "receipt=" + url.QueryEscape(orderID)}, nil
}

func (g Razorpay) ParseStatus(orderID string, status int, body []byte) (*Result, *Error) {
	if status != http.StatusOK {
		return nil, g.parseError(status, body)
	}
	var c razorpayCollection
	if err := json.Unmarshal(body, &c); err != nil || c.Entity != "collection" {
		return nil, Unreadable(g.Name(), status, "a body that is not a Razorpay collection")
	}
	// Razorpay lists newest first; a receipt can repeat only if the account
	// allows it, and then the newest order is the one that matters.
	for i := range c.Items {
		if c.Items[i].Receipt != nil && *c.Items[i].Receipt == orderID {
			return g.result(orderID, &c.Items[i])
		}
	}
	return nil, GatewayFailure(g.Name(), OrderNotFound, "", "", "")
}

func (g Razorpay) result(orderID string, ord *razorpayOrder) (*Result, *Error) {
	exp, ok := CurrencyExponent(ord.Currency)
	if !ok {
		return nil, Unreadable(g.Name(), http.StatusOK, "an unknown currency "+clip(ord.Currency))
	}
	minor, err := decimal.NewFromString(string(ord.Amount))
	if err != nil || !minor.IsInteger() {
		return nil, Unreadable(g.Name(), http.StatusOK, "an amount that is not an integer")
	}
	return &Result{
		Gateway:        g.Name(),
		OrderID:        orderID,
		GatewayOrderID: ord.ID,
		Status:         razorpayStatuses.Map(ord.Status),
		GatewayStatus:  ord.Status,
		Amount:         minor.Shift(-exp).StringFixed(exp),
		Currency:       ord.Currency,
		CreatedAt:      UnixToRFC3339(ord.CreatedAt),
	}, nil
}

// parseError maps Razorpay's {"error":{code,description,field}} body.
func (g Razorpay) parseError(status int, body []byte) *Error {
	var re razorpayError
	if err := json.Unmarshal(body, &re); err != nil || re.Error == nil {
		if status >= 400 && status < 500 && status != 401 {
			return Unreadable(g.Name(), status, "an unreadable error body")
		}
		return GatewayFailure(g.Name(), TypeForStatus(status), "", "", "")
	}
	code, desc, field := re.Error.Code, re.Error.Description, re.Error.Field
	switch {
	case status == http.StatusUnauthorized ||
		(status == http.StatusBadRequest && (containsFold(desc, "authentication failed") ||
			containsFold(desc, "api key provided is invalid") || containsFold(desc, "api secret provided is invalid"))):
		return GatewayFailure(g.Name(), GatewayAuthenticationFailed, code, desc, "")
	case containsFold(desc, "receipt should be unique"):
		return GatewayFailure(g.Name(), DuplicateOrder, code, desc, "order_id")
	case status >= 500:
		return GatewayFailure(g.Name(), GatewayError, code, desc, "")
	case status >= 400:
		return GatewayFailure(g.Name(), GatewayRejected, code, desc, razorpayCanonicalField(field))
	}
	return Unreadable(g.Name(), status, "an unexpected status")
}

// razorpayCanonicalField names the canonical field behind a Razorpay field.
func razorpayCanonicalField(f string) string {
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

// marshalCompact encodes v as compact JSON without HTML escaping, so text
// with < > & reaches the gateway as written.
func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

var _ Gateway = Razorpay{}
