package transform

import (
	"cmp"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Juspay Express Checkout orders (gateways.md §2): POST /orders as
// application/x-www-form-urlencoded with Juspay's flat and dotted keys, the
// amount as a string with at most 2 decimals, metadata in udf1…udf10.
//
// Metadata → udf rule (Juspay keeps free-form data only in ten udf slots, and
// udf1–5 must hold no special characters):
//   - a key named udf1 … udf10 goes to that slot;
//   - the other keys, in byte order, each take the lowest free slot: a plain
//     value (only A–Z a–z 0–9, or empty) from udf1–5 and then udf6–10, any
//     other value (spaces, punctuation, non-ASCII) from udf6–10 only;
//   - a value with special characters in an explicit udf1–5 key, or more
//     values than fit, is a 400 before any call.
type Juspay struct{}

const (
	juspayMaxOrderID = 20 // "character length less than 21"
	juspayMaxPlaces  = 2  // "upto two decimal places"
	juspayUDFs       = 10
	juspayPlainUDFs  = 5 // udf1–5: no special characters
	juspayFormType   = "application/x-www-form-urlencoded"
)

// juspayStatuses is design.md §3.2 for Juspay; CREATED comes only in the
// short create answer. Anything else (VOID_INITIATED, PARTIAL_CHARGED, …) is
// unknown and keeps its word in gateway_status.
var juspayStatuses = StatusMap{
	"CREATED":               StatusCreated,
	"NEW":                   StatusCreated,
	"COD_INITIATED":         StatusCreated, // cash on delivery chosen, nothing paid yet
	"STARTED":               StatusPending,
	"PENDING_VBV":           StatusPending,
	"VBV_SUCCESSFUL":        StatusPending,
	"AUTHORIZING":           StatusPending,
	"CHARGED":               StatusPaid,
	"JUSPAY_DECLINED":       StatusFailed,
	"AUTHENTICATION_FAILED": StatusFailed,
	"AUTHORIZATION_FAILED":  StatusFailed,
	"VOIDED":                StatusCancelled,
}

// juspayStatusIDs names the numeric status_id (appendix), for answers that
// carry only the number or a word paygate does not know.
var juspayStatusIDs = map[string]string{
	"1": "CREATED", "10": "NEW", "20": "STARTED", "21": "CHARGED", "22": "JUSPAY_DECLINED",
	"23": "PENDING_VBV", "24": "VBV_SUCCESSFUL", "26": "AUTHENTICATION_FAILED",
	"27": "AUTHORIZATION_FAILED", "28": "AUTHORIZING", "29": "COD_INITIATED", "31": "VOIDED", "32": "VOID_INITIATED",
	"33": "CAPTURE_INITIATED", "34": "CAPTURE_FAILED", "35": "VOID_FAILED", "36": "AUTO_REFUNDED",
	"37": "PARTIAL_CHARGED", "40": "NOT_FOUND",
}

// juspayFields names the canonical field behind each Juspay key that does not
// depend on the order (udfN and the name fields do: see juspayForm).
var juspayFields = map[string]string{
	"order_id": "order_id", "amount": "amount", "currency": "currency",
	"customer_id": "customer.id", "customer_email": "customer.email", "customer_phone": "customer.phone",
	"first_name": "customer.name", "last_name": "customer.name",
	"description": "description", "return_url": "return_url", "metadata.webhook_url": "notify_url",
	"product_id": "gateway_options.product_id", "gateway_id": "gateway_options.gateway_id",
	"options.get_client_auth_token": "gateway_options.get_client_auth_token",
}

// juspayAddressParts are the address keys paygate sends, after the
// billing_address_ / shipping_address_ prefix (besides the names).
var juspayAddressParts = []string{"line1", "line2", "line3", "city", "state", "country", "postal_code"}

// juspayOrder is the order object of the create and status answers. Amounts
// are JSON numbers, read as literals (never float64).
type juspayOrder struct {
	ID           string      `json:"id"`
	OrderID      string      `json:"order_id"`
	Status       string      `json:"status"`
	StatusID     json.Number `json:"status_id"`
	Amount       json.Number `json:"amount"`
	Currency     string      `json:"currency"`
	DateCreated  string      `json:"date_created"`
	PaymentLinks *struct {
		Web    string `json:"web"`
		Mobile string `json:"mobile"`
		Iframe string `json:"iframe"`
	} `json:"payment_links"`
	Juspay *struct {
		ClientAuthToken       string `json:"client_auth_token"`
		ClientAuthTokenExpiry string `json:"client_auth_token_expiry"`
	} `json:"juspay"`
}

// juspayError holds both error shapes: the classic {status, error_code,
// error_message} and the newer one that adds error_info.
type juspayError struct {
	Status       string `json:"status"`
	ErrorCode    string `json:"error_code"`
	ErrorMessage string `json:"error_message"`
	ErrorInfo    *struct {
		UserMessage      string `json:"user_message"`
		DeveloperMessage string `json:"developer_message"`
		Code             string `json:"code"`
		Fields           []struct {
			FieldName string `json:"field_name"`
			Reason    string `json:"reason"`
		} `json:"fields"`
	} `json:"error_info"`
}

func (Juspay) Name() string { return "juspay" }

// JuspayAmount is the wire amount: the currency's own places (at most 2), so
// INR 105.5 is "105.50" and JPY 500 is "500".
func JuspayAmount(a Amount, currency string) (string, *Error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return "", Invalid("currency", "%q is not supported by juspay", Clip(currency, EchoRunes))
	}
	if exp > juspayMaxPlaces {
		return "", Invalid("currency", "juspay amounts have at most %d decimal places; %s has %d", juspayMaxPlaces, currency, exp)
	}
	return a.Fixed(exp), nil
}

// juspayReturnURL applies Juspay's return_url rules: no query string and no
// IP-address host.
func juspayReturnURL(s string) *Error {
	u, err := url.Parse(s)
	if err != nil {
		return Invalid("return_url", "must be an absolute http:// or https:// URL")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return Invalid("return_url", "juspay does not allow a query string in return_url")
	}
	if net.ParseIP(strings.Trim(u.Hostname(), "[]")) != nil {
		return Invalid("return_url", "juspay does not allow an IP address as the return_url host")
	}
	return nil
}

// juspayPlain reports whether a value may go into udf1–5.
func juspayPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// juspayUDFSlot parses an explicit slot key "udf1" … "udf10".
func juspayUDFSlot(key string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(key, "udf"))
	if !strings.HasPrefix(key, "udf") || err != nil || strconv.Itoa(n) != key[3:] || n < 1 || n > juspayUDFs {
		return 0, false
	}
	return n, true
}

// juspayUDFs places metadata into udf slots by the rule on Juspay; slots[i]
// is the metadata key of udf(i+1), "" when free.
func juspayAssignUDFs(md map[string]string) ([juspayUDFs]string, *Error) {
	var slots [juspayUDFs]string
	keys := slices.Sorted(maps.Keys(md))
	var rest []string
	for _, k := range keys {
		n, ok := juspayUDFSlot(k)
		if !ok {
			rest = append(rest, k)
			continue
		}
		if n <= juspayPlainUDFs && !juspayPlain(md[k]) {
			return slots, Invalid("metadata."+k, "juspay allows only A-Z, a-z and 0-9 in udf1-udf5; use udf6-udf10 or another key")
		}
		slots[n-1] = k
	}
	for _, k := range rest {
		from := juspayPlainUDFs // special characters: udf6–10 only
		if juspayPlain(md[k]) {
			from = 0
		}
		placed := false
		for i := from; i < juspayUDFs && !placed; i++ {
			if slots[i] == "" {
				slots[i], placed = k, true
			}
		}
		if !placed {
			return slots, Invalid("metadata", "juspay keeps metadata in udf1-udf10: at most 10 values, of which at most 5 with characters other than A-Z, a-z, 0-9 (they fit only udf6-udf10)")
		}
	}
	return slots, nil
}

// juspayAddressKeys are the form keys and canonical fields of the billing
// and shipping addresses, built once rather than concatenated per order.
var juspayAddressKeys = func() (k [2]struct{ form, source []string }) {
	for i, prefix := range []string{"billing_address", "shipping_address"} {
		k[i].form = []string{prefix + "_first_name", prefix + "_last_name"}
		for _, part := range juspayAddressParts {
			k[i].form = append(k[i].form, prefix+"_"+part)
			k[i].source = append(k[i].source, prefix+"."+part)
		}
	}
	return k
}()

// juspayUDFKeys are udf1 … udf10.
var juspayUDFKeys = func() (k [juspayUDFs]string) {
	for i := range k {
		k[i] = "udf" + strconv.Itoa(i+1)
	}
	return k
}()

// juspayForm builds the create form and, for error mapping, the canonical
// field behind each key that depends on the order.
//
// sources is filled only when wanted (error mapping): a create does not
// pay for the map and its key strings.
func juspayForm(o *Order, wantSources bool) (url.Values, map[string]string, *Error) {
	if e := o.GatewayOptions.Check("gateway_id", "get_client_auth_token", "product_id"); e != nil {
		return nil, nil, e
	}
	if len(o.OrderID) > juspayMaxOrderID {
		return nil, nil, Invalid("order_id", "juspay allows at most %d characters", juspayMaxOrderID)
	}
	amount, e := JuspayAmount(o.Amount, o.Currency)
	if e != nil {
		return nil, nil, e
	}
	if o.ReturnURL != "" {
		if e := juspayReturnURL(o.ReturnURL); e != nil {
			return nil, nil, e
		}
	}
	slots, e := juspayAssignUDFs(o.Metadata)
	if e != nil {
		return nil, nil, e
	}

	form := make(url.Values, 16)
	var sources map[string]string
	if wantSources {
		sources = map[string]string{}
	}
	set := func(key, value, source string) {
		if value != "" {
			form[key] = []string{value}
			if source != "" && sources != nil {
				sources[key] = source
			}
		}
	}
	set("order_id", o.OrderID, "")
	set("amount", amount, "")
	set("currency", o.Currency, "")
	set("description", o.Description, "")
	set("return_url", o.ReturnURL, "")
	set("metadata.webhook_url", o.NotifyURL, "")

	first, last := o.Customer.SplitName()
	firstSrc, lastSrc := "customer.first_name", "customer.last_name"
	if c := o.Customer; c != nil && c.FirstName == "" && c.LastName == "" {
		firstSrc, lastSrc = "customer.name", "customer.name"
	}
	if c := o.Customer; c != nil {
		set("customer_id", c.ID, "")
		set("customer_email", c.Email, "")
		set("customer_phone", c.Phone, "")
		set("first_name", first, firstSrc)
		set("last_name", last, lastSrc)
	}
	for i, v := range [2]*Address{o.BillingAddress, o.ShippingAddress} {
		if v == nil {
			continue
		}
		keys := &juspayAddressKeys[i]
		set(keys.form[0], first, firstSrc)
		set(keys.form[1], last, lastSrc)
		for j, value := range [...]string{v.Line1, v.Line2, v.Line3, v.City, v.State, v.Country, v.PostalCode} {
			set(keys.form[j+2], value, keys.source[j])
		}
	}
	for i, k := range slots {
		if k != "" {
			key := juspayUDFKeys[i]
			// An empty value still claims its slot, so the placement of the
			// other keys does not depend on it; it is sent as key=.
			form[key] = []string{o.Metadata[k]}
			if sources != nil {
				sources[key] = "metadata." + k
			}
		}
	}

	if v, ok, e := o.GatewayOptions.Bool("get_client_auth_token"); e != nil {
		return nil, nil, e
	} else if ok && v {
		form.Set("options.get_client_auth_token", "true")
	}
	if v, _, e := o.GatewayOptions.String("product_id"); e != nil {
		return nil, nil, e
	} else {
		set("product_id", v, "")
	}
	gw, e := juspayGatewayID(o.GatewayOptions)
	if e != nil {
		return nil, nil, e
	}
	set("gateway_id", gw, "")
	return form, sources, nil
}

// juspayGatewayID reads gateway_id, which Juspay shows as a number (12) and
// applications may send as "12": either is accepted, digits only.
func juspayGatewayID(g GatewayOptions) (string, *Error) {
	raw, ok := g["gateway_id"]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	s := string(raw)
	if v, _, e := g.String("gateway_id"); e == nil {
		s = v
	}
	if s == "" || len(s) > 10 || strings.Trim(s, "0123456789") != "" {
		return "", Invalid("gateway_options.gateway_id", "must be a Juspay gateway id: digits, as a number or a string")
	}
	return s, nil
}

func (g Juspay) BuildCreate(o *Order) (Request, *Error) {
	form, _, e := juspayForm(o, false)
	if e != nil {
		return Request{}, e
	}
	return Request{
		Method:      http.MethodPost,
		Path:        "/orders",
		ContentType: juspayFormType,
		Body:        []byte(form.Encode()), // Encode sorts keys: a stable body
		Header:      map[string]string{"x-routing-id": juspayRoutingID(o)},
	}, nil
}

// juspayRoutingID is Juspay's sticky routing key: the customer id, or for
// guests the order id.
func juspayRoutingID(o *Order) string {
	if o.Customer != nil && o.Customer.ID != "" {
		return o.Customer.ID
	}
	return o.OrderID
}

func (g Juspay) ParseCreate(o *Order, status int, body []byte) (*Result, *Error) {
	if status != http.StatusOK {
		return nil, g.parseError(status, body, o, false)
	}
	ord, e := g.decodeOrder(status, body)
	if e != nil {
		return nil, e
	}
	res, e := g.result(o.OrderID, ord, o.Currency)
	if e != nil {
		return nil, e
	}
	// Juspay might answer a reused order_id with the existing order instead of
	// an error (gateways.md §2.6 [U]): another amount or currency is that.
	// The short answer carries neither (only order_id).
	got := Echo{OrderID: ord.OrderID, Currency: ord.Currency}
	if ord.Amount != "" {
		d, err := decimal.NewFromString(string(ord.Amount))
		if err != nil { // result has read it already
			return nil, Unreadable(g.Name(), status, "an amount paygate cannot read")
		}
		got.Amount, got.HasAmount = d, true
	}
	if e := CheckEcho(g.Name(), Echo{OrderID: o.OrderID, Currency: o.Currency, Amount: o.Amount.Decimal(), HasAmount: true}, got, false); e != nil {
		return nil, e
	}
	// So is an order that is no longer new (paid, failed, …).
	if res.Status != StatusCreated {
		return nil, GatewayFailure(g.Name(), DuplicateOrder, "", "the order already exists with status "+res.GatewayStatus, "order_id")
	}
	if res.Amount == "" { // the short answer carries no amount: it is what was sent
		res.Amount, _ = JuspayAmount(o.Amount, o.Currency)
	}
	return res, nil
}

func (g Juspay) BuildStatus(orderID string) (Request, *Error) {
	if e := ValidateOrderID(orderID); e != nil {
		return Request{}, e
	}
	if len(orderID) > juspayMaxOrderID {
		return Request{}, Invalid("order_id", "juspay allows at most %d characters", juspayMaxOrderID)
	}
	// The customer id is unknown here; the order id is the guest routing key.
	return Request{Method: http.MethodGet, Path: "/orders/" + orderID, Header: map[string]string{"x-routing-id": orderID}}, nil
}

func (g Juspay) ParseStatus(orderID string, status int, body []byte) (*Result, *Error) {
	if status != http.StatusOK {
		return nil, g.parseError(status, body, nil, true)
	}
	ord, e := g.decodeOrder(status, body)
	if e != nil {
		return nil, e
	}
	if e := CheckEcho(g.Name(), Echo{OrderID: orderID}, Echo{OrderID: ord.OrderID}, false); e != nil {
		return nil, e
	}
	return g.result(orderID, ord, "")
}

// decodeOrder reads an order object; status NOT_FOUND (40) means Juspay
// does not know the order even when it answers 200.
func (g Juspay) decodeOrder(status int, body []byte) (*juspayOrder, *Error) {
	var ord juspayOrder
	if err := json.Unmarshal(body, &ord); err != nil {
		return nil, Unreadable(g.Name(), status, "a body that is not a Juspay order")
	}
	if ord.Status == "NOT_FOUND" || (ord.Status == "" && ord.StatusID == "40") {
		return nil, GatewayFailure(g.Name(), OrderNotFound, "NOT_FOUND", "", "order_id")
	}
	if ord.ID == "" || (ord.Status == "" && ord.StatusID == "") {
		return nil, Unreadable(g.Name(), status, "a body that is not a Juspay order")
	}
	return &ord, nil
}

// result maps an order object; currency is the fallback when the answer
// carries none (the short create answer).
func (g Juspay) result(orderID string, ord *juspayOrder, currency string) (*Result, *Error) {
	word := ord.Status
	st := juspayStatuses.Map(word)
	if byID, ok := juspayStatusIDs[string(ord.StatusID)]; ok && (word == "" || st == StatusUnknown) {
		if word == "" {
			word = byID
		}
		st = juspayStatuses.Map(byID)
	}
	res := &Result{
		Gateway:        g.Name(),
		OrderID:        orderID,
		GatewayOrderID: ord.ID,
		Status:         st,
		GatewayStatus:  word,
		Currency:       ord.Currency,
	}
	// An unreadable time is left out rather than passed on in an unknown format.
	res.CreatedAt, _ = RFC3339ToUTC(ord.DateCreated)
	if res.Currency == "" {
		res.Currency = currency
	}
	if ord.Amount != "" {
		amount, e := g.amount(ord.Amount, res.Currency)
		if e != nil {
			return nil, e
		}
		res.Amount = amount
	}
	if l := ord.PaymentLinks; l != nil {
		res.PaymentURL = l.Web
		res.SetDetail("payment_url_mobile", l.Mobile)
		res.SetDetail("payment_url_iframe", l.Iframe)
	}
	if j := ord.Juspay; j != nil {
		res.SetDetail("client_auth_token", j.ClientAuthToken)
		expiry, _ := RFC3339ToUTC(j.ClientAuthTokenExpiry)
		res.SetDetail("client_auth_token_expiry", expiry)
	}
	return res, nil
}

// amount turns Juspay's JSON number into the canonical string with the
// currency's places (2 when the answer names no currency paygate knows).
func (g Juspay) amount(n json.Number, currency string) (string, *Error) {
	exp, ok := CurrencyExponent(currency)
	if !ok || exp > juspayMaxPlaces {
		exp = juspayMaxPlaces
	}
	d, err := decimal.NewFromString(string(n))
	if err != nil || d.IsNegative() || !d.Truncate(exp).Equal(d) {
		return "", Unreadable(g.Name(), http.StatusOK, "an amount paygate cannot read")
	}
	return d.StringFixed(exp), nil
}

// parseError maps both error shapes. o is the order of a create (for field
// names), nil for a status fetch.
func (g Juspay) parseError(status int, body []byte, o *Order, isStatus bool) *Error {
	var je juspayError
	if err := json.Unmarshal(body, &je); err != nil || (je.ErrorCode == "" && je.ErrorMessage == "" && je.ErrorInfo == nil) {
		if Throttled(status) {
			return GatewayFailure(g.Name(), GatewayUnavailable, "", "", "")
		}
		if status >= 400 && status < 500 && status != http.StatusUnauthorized && status != http.StatusForbidden {
			return Unreadable(g.Name(), status, "an unreadable error body")
		}
		return GatewayFailure(g.Name(), TypeForStatus(status), "", "", "")
	}
	code, msg, field := je.ErrorCode, je.ErrorMessage, ""
	var infoCode string
	texts := []string{je.ErrorMessage}
	if ei := je.ErrorInfo; ei != nil {
		infoCode = ei.Code
		if code == "" {
			code = ei.Code
		}
		texts = append(texts, ei.UserMessage, ei.DeveloperMessage)
		for _, f := range ei.Fields {
			texts = append(texts, f.Reason)
		}
		// The field's reason is the most precise of Juspay's words.
		if len(ei.Fields) > 0 {
			field = g.canonicalField(o, ei.Fields[0].FieldName)
			if ei.Fields[0].Reason != "" {
				msg = ei.Fields[0].Reason
			}
		}
		if msg == "" {
			msg = cmp.Or(ei.DeveloperMessage, ei.UserMessage)
		}
	}
	hasCode := func(codes ...string) bool {
		for _, c := range codes {
			if strings.EqualFold(je.ErrorCode, c) || strings.EqualFold(infoCode, c) {
				return true
			}
		}
		return false
	}
	mentions := func(words ...string) bool {
		for _, t := range texts {
			for _, w := range words {
				if ContainsFold(t, w) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case Throttled(status):
		return GatewayFailure(g.Name(), GatewayUnavailable, code, msg, "")
	case status == http.StatusUnauthorized || status == http.StatusForbidden ||
		hasCode("access_denied", "missing_authentication", "UNAUTHENTICATED", "UNAUTHORIZED"):
		return GatewayFailure(g.Name(), GatewayAuthenticationFailed, code, msg, "")
	case status >= 500:
		return GatewayFailure(g.Name(), GatewayError, code, msg, "")
	case status < 400:
		return Unreadable(g.Name(), status, "an unexpected status")
	case !isStatus && (hasCode("ALREADY_EXISTS", "DUPLICATE_REQUEST") || mentions("already exist", "duplicate")):
		return GatewayFailure(g.Name(), DuplicateOrder, code, msg, "order_id")
	case isStatus && (status == http.StatusNotFound || hasCode("RESOURCE_NOT_FOUND", "NOT_FOUND")):
		return GatewayFailure(g.Name(), OrderNotFound, code, msg, "order_id")
	}
	return GatewayFailure(g.Name(), GatewayRejected, code, msg, field)
}

// canonicalField names the canonical field behind a Juspay key; for a create
// the order says which metadata key went to a udf and where names came from.
func (g Juspay) canonicalField(o *Order, f string) string {
	if o != nil {
		if _, sources, e := juspayForm(o, true); e == nil {
			if c, ok := sources[f]; ok {
				return c
			}
		}
	}
	if c, ok := juspayFields[f]; ok {
		return c
	}
	for _, p := range []string{"billing_address", "shipping_address"} {
		rest, ok := strings.CutPrefix(f, p+"_")
		switch {
		case !ok:
		case rest == "first_name" || rest == "last_name":
			return "customer.name"
		case slices.Contains(juspayAddressParts, rest):
			return p + "." + rest
		}
	}
	if _, ok := juspayUDFSlot(f); ok {
		return "metadata"
	}
	return ""
}

var _ Gateway = Juspay{}
