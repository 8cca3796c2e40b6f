package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// Order is the canonical create-order request (design.md §3.1).
type Order struct {
	OrderID         string            `json:"order_id"`
	Amount          Amount            `json:"amount"`
	Currency        string            `json:"currency"`
	Description     string            `json:"description,omitempty"`
	Customer        *Customer         `json:"customer,omitempty"`
	BillingAddress  *Address          `json:"billing_address,omitempty"`
	ShippingAddress *Address          `json:"shipping_address,omitempty"`
	ReturnURL       string            `json:"return_url,omitempty"`
	NotifyURL       string            `json:"notify_url,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
	BankAccount     *BankAccount      `json:"bank_account,omitempty"`
	// GatewayOptions holds gateway-specific fields; each gateway checks the
	// names it accepts (GatewayOptions.Check) and reads the values it needs.
	GatewayOptions GatewayOptions `json:"gateway_options,omitempty"`
}

// Customer is who pays. Name may be given whole or split.
type Customer struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	Line3      string `json:"line3,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	Country    string `json:"country,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
}

// BankAccount is the payer's account, for third-party-validated payments.
type BankAccount struct {
	AccountNumber string `json:"account_number,omitempty"`
	IFSC          string `json:"ifsc,omitempty"`
	Name          string `json:"name,omitempty"`
}

// GatewayOptions are gateway-specific fields with no canonical home.
type GatewayOptions map[string]json.RawMessage

// Check rejects option names the gateway does not accept.
func (g GatewayOptions) Check(allowed ...string) *Error {
	for _, k := range sortedKeys(g) {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			if len(allowed) == 0 {
				return Invalid("gateway_options."+k, "unknown option (this gateway accepts none)")
			}
			return Invalid("gateway_options."+k, "unknown option (this gateway accepts: %s)", strings.Join(allowed, ", "))
		}
	}
	return nil
}

// String reads a string option; ok is false when absent or null.
func (g GatewayOptions) String(name string) (string, bool, *Error) {
	raw, present := g[name]
	if !present || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, Invalid("gateway_options."+name, "must be a string")
	}
	if e := checkText("gateway_options."+name, s, maxText); e != nil {
		return "", false, e
	}
	return s, true, nil
}

// Bool reads a boolean option; ok is false when absent or null.
func (g GatewayOptions) Bool(name string) (bool, bool, *Error) {
	raw, present := g[name]
	if !present || string(raw) == "null" {
		return false, false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, false, Invalid("gateway_options."+name, "must be true or false")
	}
	return b, true, nil
}

const (
	maxOrderID  = 40
	maxText     = 255
	maxLongText = 1024
	maxURL      = 2048
)

// DecodeOrder strictly decodes and validates a canonical create request.
// Every failure is an invalid_request naming the offending field.
func DecodeOrder(body []byte) (*Order, *Error) {
	if !utf8.Valid(body) {
		return nil, Invalid("", "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var o Order
	if err := dec.Decode(&o); err != nil {
		return nil, decodeError(body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, Invalid("", "unexpected data after the JSON object")
	}
	if e := o.Validate(); e != nil {
		return nil, e
	}
	return &o, nil
}

// decodeError turns an encoding/json error into a canonical one naming the field.
func decodeError(body []byte, err error) *Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return Invalid("", "request body must be a JSON object")
		}
		if field == "amount" || strings.HasPrefix(field, "amount.") {
			return Invalid("amount", "%v", errAmountSyntax)
		}
		if field == "metadata" {
			if k := nonStringMetadata(body); k != "" {
				return Invalid("metadata."+k, "must be a string, not %s", typeErr.Value)
			}
		}
		return Invalid(field, "must be %s, not %s", jsonKind(typeErr.Type.Kind().String(), field), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return Invalid("", "malformed JSON at byte %d: %s", syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid("", "request body is empty or truncated")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := unknownFieldPath(body)
		if field == "" {
			field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		}
		return Invalid(field, "unknown field")
	}
	// Errors from Amount.UnmarshalJSON arrive wrapped without a path.
	if errors.Is(err, errAmountSyntax) || strings.Contains(err.Error(), "greater than zero") {
		return Invalid("amount", "%v", err)
	}
	return Invalid("", "malformed request: %v", err)
}

func jsonKind(goKind, field string) string {
	switch goKind {
	case "string":
		return "a string"
	case "map", "struct", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "a " + goKind
}

// nonStringMetadata names the first metadata key whose value is not a
// string; it runs only on the error path.
func nonStringMetadata(body []byte) string {
	var top struct {
		Metadata map[string]json.RawMessage `json:"metadata"`
	}
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	for _, k := range sortedKeys(top.Metadata) {
		if v := bytes.TrimSpace(top.Metadata[k]); len(v) == 0 || v[0] != '"' {
			return k
		}
	}
	return ""
}

// unknownFieldPath finds the first unknown field by walking the body against
// the canonical schema; it runs only on the error path.
func unknownFieldPath(body []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	known := map[string][]string{
		"":                 {"order_id", "amount", "currency", "description", "customer", "billing_address", "shipping_address", "return_url", "notify_url", "metadata", "bank_account", "gateway_options"},
		"customer":         {"id", "name", "first_name", "last_name", "email", "phone"},
		"billing_address":  {"line1", "line2", "line3", "city", "state", "country", "postal_code"},
		"shipping_address": {"line1", "line2", "line3", "city", "state", "country", "postal_code"},
		"bank_account":     {"account_number", "ifsc", "name"},
	}
	check := func(prefix string, obj map[string]json.RawMessage) string {
		for _, k := range sortedKeys(obj) {
			found := false
			for _, want := range known[prefix] {
				if k == want {
					found = true
					break
				}
			}
			if !found {
				if prefix == "" {
					return k
				}
				return prefix + "." + k
			}
		}
		return ""
	}
	if f := check("", top); f != "" {
		return f
	}
	for _, nested := range []string{"customer", "billing_address", "shipping_address", "bank_account"} {
		var obj map[string]json.RawMessage
		if raw, ok := top[nested]; ok && json.Unmarshal(raw, &obj) == nil {
			if f := check(nested, obj); f != "" {
				return f
			}
		}
	}
	return ""
}

// Validate applies the canonical rules of design.md §3.1 that hold for every
// gateway. Gateways add their own rules when building the request.
func (o *Order) Validate() *Error {
	if e := ValidateOrderID(o.OrderID); e != nil {
		return e
	}
	if !o.Amount.IsSet() {
		return Invalid("amount", "is required")
	}
	if o.Currency == "" {
		return Invalid("currency", "is required")
	}
	exp, ok := CurrencyExponent(o.Currency)
	if !ok {
		return Invalid("currency", "%q is not a supported ISO 4217 code (upper case, such as \"INR\")", clip(o.Currency))
	}
	if p := o.Amount.SignificantPlaces(); p > exp {
		return Invalid("amount", "%s allows at most %d decimal places", o.Currency, exp)
	}
	if e := checkText("description", o.Description, maxLongText); e != nil {
		return e
	}
	if c := o.Customer; c != nil {
		for _, f := range []struct{ name, v string }{
			{"customer.id", c.ID}, {"customer.name", c.Name}, {"customer.first_name", c.FirstName},
			{"customer.last_name", c.LastName}, {"customer.email", c.Email}, {"customer.phone", c.Phone},
		} {
			if e := checkText(f.name, f.v, maxText); e != nil {
				return e
			}
		}
		if c.Email != "" && !looksLikeEmail(c.Email) {
			return Invalid("customer.email", "is not an email address")
		}
		if c.Phone != "" && !looksLikePhone(c.Phone) {
			return Invalid("customer.phone", "must be 6 to 15 digits, optionally starting with +")
		}
	}
	for _, a := range []struct {
		name string
		v    *Address
	}{{"billing_address", o.BillingAddress}, {"shipping_address", o.ShippingAddress}} {
		if a.v == nil {
			continue
		}
		for _, f := range []struct{ name, v string }{
			{"line1", a.v.Line1}, {"line2", a.v.Line2}, {"line3", a.v.Line3}, {"city", a.v.City},
			{"state", a.v.State}, {"country", a.v.Country}, {"postal_code", a.v.PostalCode},
		} {
			if e := checkText(a.name+"."+f.name, f.v, maxText); e != nil {
				return e
			}
		}
	}
	if e := checkURL("return_url", o.ReturnURL); e != nil {
		return e
	}
	if e := checkURL("notify_url", o.NotifyURL); e != nil {
		return e
	}
	for _, k := range sortedKeys(o.Metadata) {
		if k == "" {
			return Invalid("metadata", "keys must not be empty")
		}
		if e := checkText("metadata", k, maxLongText); e != nil {
			return e
		}
		if e := checkText("metadata."+k, o.Metadata[k], maxLongText); e != nil {
			return e
		}
	}
	if b := o.BankAccount; b != nil {
		for _, f := range []struct{ name, v string }{
			{"bank_account.account_number", b.AccountNumber}, {"bank_account.ifsc", b.IFSC}, {"bank_account.name", b.Name},
		} {
			if e := checkText(f.name, f.v, maxText); e != nil {
				return e
			}
		}
	}
	return nil
}

// ValidateOrderID checks the canonical order id rule: 1–40 characters of
// A–Z a–z 0–9 - _.
func ValidateOrderID(id string) *Error {
	if id == "" {
		return Invalid("order_id", "is required")
	}
	if len(id) > maxOrderID {
		return Invalid("order_id", "must be at most %d characters", maxOrderID)
	}
	for i := 0; i < len(id); i++ {
		if !isIDChar(id[i]) {
			return Invalid("order_id", "may contain only A-Z, a-z, 0-9, '-' and '_'")
		}
	}
	return nil
}

func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// checkText rejects control characters and overlong values.
func checkText(field, s string, max int) *Error {
	if utf8.RuneCountInString(s) > max {
		return Invalid(field, "must be at most %d characters", max)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			return Invalid(field, "must not contain control characters")
		}
	}
	return nil
}

func checkURL(field, s string) *Error {
	if s == "" {
		return nil
	}
	if len(s) > maxURL {
		return Invalid(field, "must be at most %d characters", maxURL)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return Invalid(field, "must be an absolute http:// or https:// URL")
	}
	if e := checkText(field, s, maxURL); e != nil {
		return e
	}
	return nil
}

func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t<>()[],;:\"") {
		return false
	}
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func looksLikePhone(s string) bool {
	digits := strings.TrimPrefix(s, "+")
	if len(digits) < 6 || len(digits) > 15 {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens application input echoed in an error message.
func clip(s string) string {
	if r := []rune(s); len(r) > 16 {
		return string(r[:16]) + "…"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FullName is the customer's name, joined from first and last when only those
// were given.
func (c *Customer) FullName() string {
	if c == nil {
		return ""
	}
	if c.Name != "" {
		return c.Name
	}
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// SplitName is the customer's first and last name, derived from Name when
// they were not given: the last word is the last name.
func (c *Customer) SplitName() (first, last string) {
	if c == nil {
		return "", ""
	}
	if c.FirstName != "" || c.LastName != "" {
		return c.FirstName, c.LastName
	}
	name := strings.TrimSpace(c.Name)
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		return strings.TrimSpace(name[:i]), name[i+1:]
	}
	return name, ""
}
