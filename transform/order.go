package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Order is the canonical create-order request (README "Create request").
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
	// GatewayOptions holds gateway-specific fields; each gateway declares
	// the names it accepts and their types (Facts.Options) and reads the
	// values it needs.
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

// Digits reads an option of 1 to 10 digits sent as a JSON number (12) or
// a string ("12"); "" when absent or null.
func (g GatewayOptions) Digits(name string) (string, *Error) {
	raw, present := g[name]
	if !present || string(raw) == "null" {
		return "", nil
	}
	s := string(raw)
	if v, _, e := g.String(name); e == nil {
		s = v
	}
	if s == "" || len(s) > 10 || strings.Trim(s, "0123456789") != "" {
		return "", Invalid("gateway_options."+name, "must be digits, as a number or a string")
	}
	return s, nil
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

// decodeOptions make the canonical decoder strict: a repeated name is a
// syntax error and names match exactly (both are the v2 defaults, stated
// here because the rule matters: {"amount":"1","amount":"1000"} or
// {"AMOUNT":…} must never be read two ways, README "Create request"), and
// an unknown name is an error rather than dropped data.
var decodeOptions = jsonv2.JoinOptions(
	jsontext.AllowDuplicateNames(false),
	jsonv2.MatchCaseInsensitiveNames(false),
	jsonv2.RejectUnknownMembers(true),
)

// DecodeOrder strictly decodes and validates a canonical create request.
// Every failure is an invalid_request naming the offending field.
func DecodeOrder(body []byte) (*Order, *Error) { return decodeOrder(body, true) }

// decodeOrder is DecodeOrder, with the plain-order scanner tried first or
// not (the strict decoder alone is the scanner's reference).
func decodeOrder(body []byte, scan bool) (*Order, *Error) {
	if !utf8.Valid(body) {
		return nil, Invalid("", "request body is not valid UTF-8")
	}
	var o *Order
	plain := false
	if scan {
		o, plain = scanOrder(body)
	}
	if !plain {
		o = new(Order)
		if err := jsonv2.Unmarshal(body, o, decodeOptions); err != nil {
			return nil, decodeError(err)
		}
	}
	if e := o.checkFoldedNames(); e != nil {
		return nil, e
	}
	if e := o.Validate(); e != nil {
		return nil, e
	}
	return o, nil
}

// orderFields are the names of each canonical object, by path.
var orderFields = map[string][]string{
	"":                 {"order_id", "amount", "currency", "description", "customer", "billing_address", "shipping_address", "return_url", "notify_url", "metadata", "bank_account", "gateway_options"},
	"customer":         {"id", "name", "first_name", "last_name", "email", "phone"},
	"billing_address":  {"line1", "line2", "line3", "city", "state", "country", "postal_code"},
	"shipping_address": {"line1", "line2", "line3", "city", "state", "country", "postal_code"},
	"bank_account":     {"account_number", "ifsc", "name"},
}

// decodeError turns a decoding error into a canonical one naming the field.
func decodeError(err error) *Error { return decodeErrorFor(err, orderFields) }

// decodeErrorFor is decodeError for a request with these fields by path
// (orders, refunds).
func decodeErrorFor(err error, fields map[string][]string) *Error {
	var semErr *jsonv2.SemanticError
	var synErr *jsontext.SyntacticError
	switch {
	case errors.As(err, &synErr) && errors.Is(synErr.Err, jsontext.ErrDuplicateName):
		return Invalid(pointerField(synErr.JSONPointer), "appears more than once")
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return Invalid("", "request body is empty or truncated")
	case errors.As(err, &synErr):
		return Invalid("", "malformed JSON at byte %d: %v", synErr.ByteOffset, synErr.Err)
	case errors.As(err, &semErr):
		field := pointerField(semErr.JSONPointer)
		switch {
		case semErr.Err == jsonv2.ErrUnknownName:
			return unknownField(semErr.JSONPointer, fields)
		case field == "":
			return Invalid("", "request body must be a JSON object")
		case field == "amount" || strings.HasPrefix(field, "amount."):
			if errors.Is(semErr.Err, errAmountSyntax) || errors.Is(semErr.Err, errAmountNotPositive) {
				return Invalid("amount", "%v", semErr.Err)
			}
			return Invalid("amount", "%v", errAmountSyntax)
		case semErr.GoType != nil:
			return Invalid(field, "must be %s, not %s", jsonKind(semErr.GoType.Kind()), kindName(semErr.JSONKind))
		}
		return Invalid(field, "is not valid")
	}
	return Invalid("", "malformed request: %v", err)
}

// unknownField reports a name the canonical schema does not have; one that
// differs only in case from a known name is reported under that name.
func unknownField(p jsontext.Pointer, fields map[string][]string) *Error {
	parent, name := pointerField(p.Parent()), p.LastToken()
	for _, known := range fields[parent] {
		if strings.EqualFold(name, known) {
			return Invalid(joinField(parent, known), "names are case-sensitive: %q is not %q", Clip(name, EchoRunes), known)
		}
	}
	return Invalid(pointerField(p), "unknown field")
}

// pointerField writes a JSON pointer ("/customer/name") as a dotted field
// ("customer.name").
func pointerField(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	case reflect.Bool:
		return "true or false"
	}
	return "a " + k.String()
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return k.String()
}

// checkFoldedNames rejects names that differ only in case within the
// objects that take free names (metadata, gateway_options and whatever an
// option holds); the decoder has matched every other name exactly.
func (o *Order) checkFoldedNames() *Error {
	if k, other := foldedPair(o.Metadata); k != "" {
		return Invalid("metadata."+k, "differs only in case from %q", Clip(other, EchoRunes))
	}
	if k, other := foldedPair(o.GatewayOptions); k != "" {
		return Invalid("gateway_options."+k, "differs only in case from %q", Clip(other, EchoRunes))
	}
	for _, k := range SortedKeys(o.GatewayOptions) {
		if raw := o.GatewayOptions[k]; len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
			if path := foldedNameIn(raw); path != "" {
				return Invalid("gateway_options."+k+"."+path, "differs only in case from another name in the same object")
			}
		}
	}
	return nil
}

// foldedPair finds two keys of m that are equal under Unicode case folding;
// k is the later of the two in byte order.
func foldedPair[V any](m map[string]V) (k, other string) {
	if len(m) < 2 {
		return "", ""
	}
	seen := make(map[string]string, len(m))
	for _, k := range SortedKeys(m) {
		f := foldName(k)
		if prev, dup := seen[f]; dup {
			return k, prev
		}
		seen[f] = k
	}
	return "", ""
}

// foldName is a key for Unicode simple case folding: two names have the
// same key exactly when strings.EqualFold says they are equal.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		// The smallest rune of r's folding orbit represents it.
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}

// foldedNameIn walks a JSON value (an option's) and returns the dotted path
// of the first name that differs only in case from another in its object.
func foldedNameIn(raw []byte) string {
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	var names []map[string]bool // per open object; nil for an array
	for {
		if kind, n := dec.StackIndex(dec.StackDepth()); kind == '{' && n%2 == 0 && dec.PeekKind() == '"' {
			tok, err := dec.ReadToken() // a member name
			if err != nil {
				return ""
			}
			f := foldName(tok.String())
			if names[len(names)-1][f] {
				return pointerField(dec.StackPointer())
			}
			names[len(names)-1][f] = true
			continue
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return "" // the end (the body has been validated already)
		}
		switch tok.Kind() {
		case '{':
			names = append(names, map[string]bool{})
		case '[':
			names = append(names, nil)
		case '}', ']':
			names = names[:len(names)-1]
		}
	}
}

// Validate applies the canonical rules (README "Create request") that hold
// for every gateway. Gateways add their own rules when building the
// request.
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
		return Invalid("currency", "%q is not a supported ISO 4217 code (upper case, such as \"INR\")", Clip(o.Currency, EchoRunes))
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
	for _, k := range SortedKeys(o.Metadata) {
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
