package juspay

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

	"github.com/paygate/caddy-paygate/transform"
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
type Dialect struct{}

const (
	maxOrderID = 20 // "character length less than 21"
	maxPlaces  = 2  // "upto two decimal places"
	udfs       = 10
	plainUDFs  = 5 // udf1–5: no special characters
	formType   = "application/x-www-form-urlencoded"
)

// statuses is design.md §3.2 for Juspay; CREATED comes only in the
// short create answer. Anything else (VOID_INITIATED, PARTIAL_CHARGED, …) is
// unknown and keeps its word in gateway_status.
var statuses = transform.StatusMap{
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
}

// statusIDs names the numeric status_id (appendix), for answers that
// carry only the number or a word paygate does not know.
var statusIDs = map[string]string{
	"1": "CREATED", "10": "NEW", "20": "STARTED", "21": "CHARGED", "22": "JUSPAY_DECLINED",
	"23": "PENDING_VBV", "24": "VBV_SUCCESSFUL", "26": "AUTHENTICATION_FAILED",
	"27": "AUTHORIZATION_FAILED", "28": "AUTHORIZING", "29": "COD_INITIATED", "31": "VOIDED", "32": "VOID_INITIATED",
	"33": "CAPTURE_INITIATED", "34": "CAPTURE_FAILED", "35": "VOID_FAILED", "36": "AUTO_REFUNDED",
	"37": "PARTIAL_CHARGED", "40": "NOT_FOUND",
}

// formFields names the canonical field behind each Juspay key that does not
// depend on the order (udfN and the name fields do: see buildForm).
var formFields = map[string]string{
	"order_id": "order_id", "amount": "amount", "currency": "currency",
	"customer_id": "customer.id", "customer_email": "customer.email", "customer_phone": "customer.phone",
	"first_name": "customer.name", "last_name": "customer.name",
	"description": "description", "return_url": "return_url", "metadata.webhook_url": "notify_url",
	"product_id": "gateway_options.product_id", "gateway_id": "gateway_options.gateway_id",
	"options.get_client_auth_token": "gateway_options.get_client_auth_token",
}

// addressParts are the address keys paygate sends, after the
// billing_address_ / shipping_address_ prefix (besides the names).
var addressParts = []string{"line1", "line2", "line3", "city", "state", "country", "postal_code"}

// orderObject is the order object of the create and status answers. Amounts
// are JSON numbers, read as literals (never float64).
type orderObject struct {
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

// errorBody holds both error shapes: the classic {status, error_code,
// error_message} and the newer one that adds error_info.
type errorBody struct {
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

func (Dialect) Name() string { return "juspay" }

// wireAmount is the wire amount: the currency's own places (at most 2), so
// INR 105.5 is "105.50" and JPY 500 is "500".
func wireAmount(a transform.Amount, currency string) (string, *transform.Error) {
	exp, ok := transform.CurrencyExponent(currency)
	if !ok {
		return "", transform.Invalid("currency", "%q is not supported by juspay", transform.Clip(currency, transform.EchoRunes))
	}
	if exp > maxPlaces {
		return "", transform.Invalid("currency", "juspay amounts have at most %d decimal places; %s has %d", maxPlaces, currency, exp)
	}
	return a.Fixed(exp), nil
}

// checkReturnURL applies Juspay's return_url rules: no query string and no
// IP-address host.
func checkReturnURL(s string) *transform.Error {
	u, err := url.Parse(s)
	if err != nil {
		return transform.Invalid("return_url", "must be an absolute http:// or https:// URL")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return transform.Invalid("return_url", "juspay does not allow a query string in return_url")
	}
	if net.ParseIP(strings.Trim(u.Hostname(), "[]")) != nil {
		return transform.Invalid("return_url", "juspay does not allow an IP address as the return_url host")
	}
	return nil
}

// plainUDF reports whether a value may go into udf1–5.
func plainUDF(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// udfSlot parses an explicit slot key "udf1" … "udf10".
func udfSlot(key string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(key, "udf"))
	if !strings.HasPrefix(key, "udf") || err != nil || strconv.Itoa(n) != key[3:] || n < 1 || n > udfs {
		return 0, false
	}
	return n, true
}

// udfs places metadata into udf slots by the rule on Juspay; slots[i]
// is the metadata key of udf(i+1), "" when free.
func assignUDFs(md map[string]string) ([udfs]string, *transform.Error) {
	var slots [udfs]string
	keys := slices.Sorted(maps.Keys(md))
	var rest []string
	for _, k := range keys {
		n, ok := udfSlot(k)
		if !ok {
			rest = append(rest, k)
			continue
		}
		if n <= plainUDFs && !plainUDF(md[k]) {
			return slots, transform.Invalid("metadata."+k, "juspay allows only A-Z, a-z and 0-9 in udf1-udf5; use udf6-udf10 or another key")
		}
		slots[n-1] = k
	}
	for _, k := range rest {
		from := plainUDFs // special characters: udf6–10 only
		if plainUDF(md[k]) {
			from = 0
		}
		placed := false
		for i := from; i < udfs && !placed; i++ {
			if slots[i] == "" {
				slots[i], placed = k, true
			}
		}
		if !placed {
			return slots, transform.Invalid("metadata", "juspay keeps metadata in udf1-udf10: at most 10 values, of which at most 5 with characters other than A-Z, a-z, 0-9 (they fit only udf6-udf10)")
		}
	}
	return slots, nil
}

// addressKeys are the form keys and canonical fields of the billing
// and shipping addresses, built once rather than concatenated per order.
var addressKeys = func() (k [2]struct{ form, source []string }) {
	for i, prefix := range []string{"billing_address", "shipping_address"} {
		k[i].form = []string{prefix + "_first_name", prefix + "_last_name"}
		for _, part := range addressParts {
			k[i].form = append(k[i].form, prefix+"_"+part)
			k[i].source = append(k[i].source, prefix+"."+part)
		}
	}
	return k
}()

// udfKeys are udf1 … udf10.
var udfKeys = func() (k [udfs]string) {
	for i := range k {
		k[i] = "udf" + strconv.Itoa(i+1)
	}
	return k
}()

// buildForm builds the create form and, for error mapping, the canonical
// field behind each key that depends on the order.
//
// sources is filled only when wanted (error mapping): a create does not
// pay for the map and its key strings.
func buildForm(o *transform.Order, wantSources bool) (url.Values, map[string]string, *transform.Error) {
	if e := o.GatewayOptions.Check("gateway_id", "get_client_auth_token", "product_id"); e != nil {
		return nil, nil, e
	}
	if len(o.OrderID) > maxOrderID {
		return nil, nil, transform.Invalid("order_id", "juspay allows at most %d characters", maxOrderID)
	}
	amount, e := wireAmount(o.Amount, o.Currency)
	if e != nil {
		return nil, nil, e
	}
	if o.ReturnURL != "" {
		if e := checkReturnURL(o.ReturnURL); e != nil {
			return nil, nil, e
		}
	}
	slots, e := assignUDFs(o.Metadata)
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
	for i, v := range [2]*transform.Address{o.BillingAddress, o.ShippingAddress} {
		if v == nil {
			continue
		}
		keys := &addressKeys[i]
		set(keys.form[0], first, firstSrc)
		set(keys.form[1], last, lastSrc)
		for j, value := range [...]string{v.Line1, v.Line2, v.Line3, v.City, v.State, v.Country, v.PostalCode} {
			set(keys.form[j+2], value, keys.source[j])
		}
	}
	for i, k := range slots {
		if k != "" {
			key := udfKeys[i]
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
	gw, e := optionGatewayID(o.GatewayOptions)
	if e != nil {
		return nil, nil, e
	}
	set("gateway_id", gw, "")
	return form, sources, nil
}

// optionGatewayID reads gateway_id, which Juspay shows as a number (12) and
// applications may send as "12": either is accepted, digits only.
func optionGatewayID(g transform.GatewayOptions) (string, *transform.Error) {
	raw, ok := g["gateway_id"]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	s := string(raw)
	if v, _, e := g.String("gateway_id"); e == nil {
		s = v
	}
	if s == "" || len(s) > 10 || strings.Trim(s, "0123456789") != "" {
		return "", transform.Invalid("gateway_options.gateway_id", "must be a Juspay gateway id: digits, as a number or a string")
	}
	return s, nil
}

func (g Dialect) BuildCreate(o *transform.Order) (transform.Request, *transform.Error) {
	form, _, e := buildForm(o, false)
	if e != nil {
		return transform.Request{}, e
	}
	return transform.Request{
		Method:      http.MethodPost,
		Path:        "/orders",
		ContentType: formType,
		Body:        []byte(form.Encode()), // Encode sorts keys: a stable body
		Header:      map[string]string{"x-routing-id": routingID(o)},
	}, nil
}

// routingID is Juspay's sticky routing key: the customer id, or for
// guests the order id.
func routingID(o *transform.Order) string {
	if o.Customer != nil && o.Customer.ID != "" {
		return o.Customer.ID
	}
	return o.OrderID
}

func (g Dialect) ParseCreate(o *transform.Order, status int, body []byte) (*transform.Result, *transform.Error) {
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
	got := transform.Echo{OrderID: ord.OrderID, Currency: ord.Currency}
	if ord.Amount != "" {
		d, err := decimal.NewFromString(string(ord.Amount))
		if err != nil { // result has read it already
			return nil, transform.Unreadable(g.Name(), status, "an amount paygate cannot read")
		}
		got.Amount, got.HasAmount = d, true
	}
	if e := transform.CheckEcho(g.Name(), transform.Echo{OrderID: o.OrderID, Currency: o.Currency, Amount: o.Amount.Decimal(), HasAmount: true}, got, false); e != nil {
		return nil, e
	}
	// So is an order that is no longer new (paid, failed, …).
	if res.Status != transform.StatusCreated {
		return nil, transform.GatewayFailure(g.Name(), transform.DuplicateOrder, "", "the order already exists with status "+res.GatewayStatus, "order_id")
	}
	if res.Amount == "" { // the short answer carries no amount: it is what was sent
		res.Amount, _ = wireAmount(o.Amount, o.Currency)
	}
	return res, nil
}

func (g Dialect) BuildStatus(orderID string) (transform.Request, *transform.Error) {
	if e := transform.ValidateOrderID(orderID); e != nil {
		return transform.Request{}, e
	}
	if len(orderID) > maxOrderID {
		return transform.Request{}, transform.Invalid("order_id", "juspay allows at most %d characters", maxOrderID)
	}
	// The customer id is unknown here; the order id is the guest routing key.
	return transform.Request{Method: http.MethodGet, Path: "/orders/" + orderID, Header: map[string]string{"x-routing-id": orderID}}, nil
}

func (g Dialect) ParseStatus(orderID string, status int, body []byte) (*transform.Result, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.parseError(status, body, nil, true)
	}
	ord, e := g.decodeOrder(status, body)
	if e != nil {
		return nil, e
	}
	if e := transform.CheckEcho(g.Name(), transform.Echo{OrderID: orderID}, transform.Echo{OrderID: ord.OrderID}, false); e != nil {
		return nil, e
	}
	return g.result(orderID, ord, "")
}

// decodeOrder reads an order object; status NOT_FOUND (40) means Juspay
// does not know the order even when it answers 200.
func (g Dialect) decodeOrder(status int, body []byte) (*orderObject, *transform.Error) {
	var ord orderObject
	if err := json.Unmarshal(body, &ord); err != nil {
		return nil, transform.Unreadable(g.Name(), status, "a body that is not a Juspay order")
	}
	if ord.Status == "NOT_FOUND" || (ord.Status == "" && ord.StatusID == "40") {
		return nil, transform.GatewayFailure(g.Name(), transform.OrderNotFound, "NOT_FOUND", "", "order_id")
	}
	if ord.ID == "" || (ord.Status == "" && ord.StatusID == "") {
		return nil, transform.Unreadable(g.Name(), status, "a body that is not a Juspay order")
	}
	return &ord, nil
}

// result maps an order object; currency is the fallback when the answer
// carries none (the short create answer).
func (g Dialect) result(orderID string, ord *orderObject, currency string) (*transform.Result, *transform.Error) {
	word := ord.Status
	st := statuses.Map(word)
	if byID, ok := statusIDs[string(ord.StatusID)]; ok && (word == "" || st == transform.StatusUnknown) {
		if word == "" {
			word = byID
		}
		st = statuses.Map(byID)
	}
	res := &transform.Result{
		Gateway:        g.Name(),
		OrderID:        orderID,
		GatewayOrderID: ord.ID,
		Status:         st,
		GatewayStatus:  word,
		Currency:       ord.Currency,
	}
	// An unreadable time is left out rather than passed on in an unknown format.
	res.CreatedAt, _ = transform.RFC3339ToUTC(ord.DateCreated)
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
		expiry, _ := transform.RFC3339ToUTC(j.ClientAuthTokenExpiry)
		res.SetDetail("client_auth_token_expiry", expiry)
	}
	return res, nil
}

// amount turns Juspay's JSON number into the canonical string with the
// currency's places (2 when the answer names no currency paygate knows).
func (g Dialect) amount(n json.Number, currency string) (string, *transform.Error) {
	exp, ok := transform.CurrencyExponent(currency)
	if !ok || exp > maxPlaces {
		exp = maxPlaces
	}
	d, err := decimal.NewFromString(string(n))
	if err != nil || d.IsNegative() || !d.Truncate(exp).Equal(d) {
		return "", transform.Unreadable(g.Name(), http.StatusOK, "an amount paygate cannot read")
	}
	return d.StringFixed(exp), nil
}

// parseError maps both error shapes. o is the order of a create (for field
// names), nil for a status fetch.
func (g Dialect) parseError(status int, body []byte, o *transform.Order, isStatus bool) *transform.Error {
	var je errorBody
	if err := json.Unmarshal(body, &je); err != nil || (je.ErrorCode == "" && je.ErrorMessage == "" && je.ErrorInfo == nil) {
		if transform.Throttled(status) {
			return transform.GatewayFailure(g.Name(), transform.GatewayUnavailable, "", "", "")
		}
		if status >= 400 && status < 500 && status != http.StatusUnauthorized && status != http.StatusForbidden {
			return transform.Unreadable(g.Name(), status, "an unreadable error body")
		}
		return transform.GatewayFailure(g.Name(), transform.TypeForStatus(status), "", "", "")
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
				if transform.ContainsFold(t, w) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case transform.Throttled(status):
		return transform.GatewayFailure(g.Name(), transform.GatewayUnavailable, code, msg, "")
	case status == http.StatusUnauthorized || status == http.StatusForbidden ||
		hasCode("access_denied", "missing_authentication", "UNAUTHENTICATED", "UNAUTHORIZED"):
		return transform.GatewayFailure(g.Name(), transform.GatewayAuthenticationFailed, code, msg, "")
	case status >= 500:
		return transform.GatewayFailure(g.Name(), transform.GatewayError, code, msg, "")
	case status < 400:
		return transform.Unreadable(g.Name(), status, "an unexpected status")
	case !isStatus && (hasCode("ALREADY_EXISTS", "DUPLICATE_REQUEST") || mentions("already exist", "duplicate")):
		return transform.GatewayFailure(g.Name(), transform.DuplicateOrder, code, msg, "order_id")
	case isStatus && (status == http.StatusNotFound || hasCode("RESOURCE_NOT_FOUND", "NOT_FOUND")):
		return transform.GatewayFailure(g.Name(), transform.OrderNotFound, code, msg, "order_id")
	}
	return transform.GatewayFailure(g.Name(), transform.GatewayRejected, code, msg, field)
}

// canonicalField names the canonical field behind a Juspay key; for a create
// the order says which metadata key went to a udf and where names came from.
func (g Dialect) canonicalField(o *transform.Order, f string) string {
	if o != nil {
		if _, sources, e := buildForm(o, true); e == nil {
			if c, ok := sources[f]; ok {
				return c
			}
		}
	}
	if c, ok := formFields[f]; ok {
		return c
	}
	for _, p := range []string{"billing_address", "shipping_address"} {
		rest, ok := strings.CutPrefix(f, p+"_")
		switch {
		case !ok:
		case rest == "first_name" || rest == "last_name":
			return "customer.name"
		case slices.Contains(addressParts, rest):
			return p + "." + rest
		}
	}
	if _, ok := udfSlot(f); ok {
		return "metadata"
	}
	return ""
}

var _ transform.Gateway = Dialect{}
