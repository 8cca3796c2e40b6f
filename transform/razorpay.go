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

// razorpayOrder is the part of Razorpay's order entity paygate reads;
// fields it does not read (entity, notes, which Razorpay sends as [] when
// empty) are not decoded, which saves their allocations.
type razorpayOrder struct {
	ID        string      `json:"id"`
	Amount    json.Number `json:"amount"`
	Currency  string      `json:"currency"`
	Receipt   string      `json:"receipt"` // "" when null
	Status    string      `json:"status"`
	CreatedAt int64       `json:"created_at"`
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
	keys := sortedKeys(o.Metadata)
	for _, k := range keys {
		if utf8.RuneCountInString(k) > razorpayMaxNoteLen {
			return Request{}, Invalid("metadata", "razorpay allows keys of at most %d characters", razorpayMaxNoteLen)
		}
		if utf8.RuneCountInString(o.Metadata[k]) > razorpayMaxNoteLen {
			return Request{}, Invalid("metadata."+k, "razorpay allows at most %d characters", razorpayMaxNoteLen)
		}
	}
	// The body of POST /v1/orders, in Razorpay's field order, written
	// field by field: one allocation instead of an Encoder, its buffer and
	// a sorted map walk.
	b := make([]byte, 0, 96+len(o.OrderID)+razorpayNotesLen(o.Metadata))
	b = append(b, `{"amount":`...)
	b = append(b, minor.String()...)
	b = append(b, `,"currency":`...)
	b = appendJSONString(b, o.Currency)
	b = append(b, `,"receipt":`...)
	b = appendJSONString(b, o.OrderID)
	if len(o.Metadata) > 0 {
		b = append(b, `,"notes":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, o.Metadata[k])
		}
		b = append(b, '}')
	}
	body := append(b, '}')
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
		if c.Items[i].Receipt == orderID {
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
	amount, ok := minorToMajor(string(ord.Amount), int(exp))
	if !ok {
		return nil, Unreadable(g.Name(), http.StatusOK, "an amount that is not an integer")
	}
	return &Result{
		Gateway:        g.Name(),
		OrderID:        orderID,
		GatewayOrderID: ord.ID,
		Status:         razorpayStatuses.Map(ord.Status),
		GatewayStatus:  ord.Status,
		Amount:         amount,
		Currency:       ord.Currency,
		CreatedAt:      UnixToRFC3339(ord.CreatedAt),
	}, nil
}

// minorToMajor writes an amount in minor units ("10550") in major units with
// exp places ("105.50") by moving the decimal point in the digits: one
// allocation, no big-number arithmetic. It refuses anything but digits
// (no sign, fraction or exponent: Razorpay amounts are integers).
func minorToMajor(digits string, exp int) (string, bool) {
	if digits == "" || len(digits) > 40 {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	if exp == 0 {
		return digits, true
	}
	var b strings.Builder // one allocation
	if len(digits) <= exp {
		b.Grow(exp + 2)
		b.WriteString("0.")
		for range exp - len(digits) {
			b.WriteByte('0')
		}
		b.WriteString(digits)
	} else {
		b.Grow(len(digits) + 1)
		b.WriteString(digits[:len(digits)-exp])
		b.WriteByte('.')
		b.WriteString(digits[len(digits)-exp:])
	}
	return b.String(), true
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

func razorpayNotesLen(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += len(k) + len(v) + 6
	}
	return n
}

// appendJSONString writes s as encoding/json does with SetEscapeHTML(false)
// (marshalCompact) for the text canonical orders can hold: valid UTF-8
// without control characters, so " \ U+2028 and U+2029 are what is
// escaped (control characters get \u00XX all the same).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '"' || c == '\\' || c < 0x20 {
				b = append(b, s[start:i]...)
				switch c {
				case '"', '\\':
					b = append(b, '\\', c)
				default:
					b = append(b, '\\', 'u', '0', '0', canonHex[c>>4], canonHex[c&0xf])
				}
				start = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', canonHex[r&0xf])
			start = i + n
		}
		i += n
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
