package juspay

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/shopspring/decimal"
)

// createRequest is the form of POST /orders
// (juspay.io/in/docs/api-reference/docs/express-checkout/create-order-api),
// by Juspay key; an empty value is not sent.
type createRequest struct {
	OrderID     string // order_id
	Amount      string // amount: the currency's own places (wireAmount)
	Currency    string // currency
	Description string // description
	ReturnURL   string // return_url
	WebhookURL  string // metadata.webhook_url

	CustomerID    string // customer_id
	CustomerEmail string // customer_email
	CustomerPhone string // customer_phone
	FirstName     string // first_name
	LastName      string // last_name

	// Addresses are billing_address_… and shipping_address_….
	Addresses [2]formAddress

	// UDF are udf1 … udf10: the metadata key in each slot ("" when free)
	// and its value. An empty value still claims its slot, so the
	// placement of the other keys does not depend on it; it is sent as
	// key=.
	UDF [udfs]struct{ Key, Value string }

	GetClientAuthToken bool   // options.get_client_auth_token=true
	ProductID          string // product_id
	GatewayID          string // gateway_id
}

// formAddress is an address under its billing_address_ or
// shipping_address_ prefix: the customer's names, then addressParts. Sent
// is false when the order has no such address.
type formAddress struct {
	Sent                                                  bool
	FirstName, LastName                                   string
	Line1, Line2, Line3, City, State, Country, PostalCode string
}

// addressParts are the address keys paygate sends, after the prefix
// (besides the names), in formAddress's order.
var addressParts = []string{"line1", "line2", "line3", "city", "state", "country", "postal_code"}

// newCreateRequest applies Juspay's own rules (CheckOrder has applied the
// facts) and builds the form.
func newCreateRequest(o *transform.Order) (createRequest, *transform.Error) {
	exp, _ := transform.CurrencyExponent(o.Currency) // CheckOrder has checked the currency
	amount := o.Amount.Fixed(exp)
	if o.ReturnURL != "" {
		if e := checkReturnURL(o.ReturnURL); e != nil {
			return createRequest{}, e
		}
	}
	slots, e := assignUDFs(o.Metadata)
	if e != nil {
		return createRequest{}, e
	}
	r := createRequest{OrderID: o.OrderID, Amount: amount, Currency: o.Currency, Description: o.Description,
		ReturnURL: o.ReturnURL, WebhookURL: o.NotifyURL}
	first, last := o.Customer.SplitName()
	if c := o.Customer; c != nil {
		r.CustomerID, r.CustomerEmail, r.CustomerPhone = c.ID, c.Email, c.Phone
		r.FirstName, r.LastName = first, last
	}
	for i, a := range [2]*transform.Address{o.BillingAddress, o.ShippingAddress} {
		if a == nil {
			continue
		}
		r.Addresses[i] = formAddress{Sent: true, FirstName: first, LastName: last, Line1: a.Line1, Line2: a.Line2, Line3: a.Line3,
			City: a.City, State: a.State, Country: a.Country, PostalCode: a.PostalCode}
	}
	for i, k := range slots {
		if k != "" {
			r.UDF[i].Key, r.UDF[i].Value = k, o.Metadata[k]
		}
	}
	// CheckOrder has checked the options' types.
	r.GetClientAuthToken, _, _ = o.GatewayOptions.Bool("get_client_auth_token")
	r.ProductID, _, _ = o.GatewayOptions.String("product_id")
	r.GatewayID, _ = o.GatewayOptions.Digits("gateway_id")
	return r, nil
}

// appendForm writes the create form as url.Values.Encode would (keys
// sorted, each escaped as url.QueryEscape does; FuzzCreateForm holds it to
// that), with the pairs on the stack: it is on every create's path.
func (r *createRequest) appendForm(b []byte) []byte {
	var arr [48]formPair
	p := arr[:0]
	add := func(key, value string) {
		if value != "" {
			p = append(p, formPair{key, value})
		}
	}
	add("order_id", r.OrderID)
	add("amount", r.Amount)
	add("currency", r.Currency)
	add("description", r.Description)
	add("return_url", r.ReturnURL)
	add("metadata.webhook_url", r.WebhookURL)
	add("customer_id", r.CustomerID)
	add("customer_email", r.CustomerEmail)
	add("customer_phone", r.CustomerPhone)
	add("first_name", r.FirstName)
	add("last_name", r.LastName)
	for i := range r.Addresses {
		a := &r.Addresses[i]
		if !a.Sent {
			continue
		}
		for j, value := range [...]string{a.FirstName, a.LastName, a.Line1, a.Line2, a.Line3, a.City, a.State, a.Country, a.PostalCode} {
			add(addressKeys[i][j], value)
		}
	}
	for i, u := range r.UDF {
		if u.Key != "" {
			p = append(p, formPair{udfKeys[i], u.Value})
		}
	}
	if r.GetClientAuthToken {
		p = append(p, formPair{"options.get_client_auth_token", "true"})
	}
	add("product_id", r.ProductID)
	add("gateway_id", r.GatewayID)
	slices.SortFunc(p, func(a, b formPair) int { return strings.Compare(a.key, b.key) })
	if b == nil {
		// Room for the pairs and a few escapes: one allocation.
		n := 0
		for _, kv := range p {
			n += len(kv.key) + len(kv.value) + 2
		}
		b = make([]byte, 0, n+n/4)
	}
	for i, kv := range p {
		if i > 0 {
			b = append(b, '&')
		}
		b = transform.AppendQueryEscape(b, kv.key)
		b = append(b, '=')
		b = transform.AppendQueryEscape(b, kv.value)
	}
	return b
}

type formPair struct{ key, value string }

func (g Dialect) BuildCreate(o *transform.Order) (transform.Request, *transform.Error) {
	if _, e := Facts.CheckOrder(o); e != nil {
		return transform.Request{}, e
	}
	r, e := newCreateRequest(o)
	if e != nil {
		return transform.Request{}, e
	}
	return transform.Request{
		Method:      http.MethodPost,
		Path:        "/orders",
		ContentType: formType,
		Body:        r.appendForm(nil),
		Header:      map[string]string{"x-routing-id": routingID(o)},
	}, nil
}

// wireAmount is the wire amount: the currency's own places (at most 2), so
// INR 105.5 is "105.50" and JPY 500 is "500".
func wireAmount(a transform.Amount, currency string) (string, *transform.Error) {
	exp, e := Facts.Exponent(currency)
	if e != nil {
		return "", e
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

// assignUDFs places metadata into udf slots by the rule on Dialect; slots[i]
// is the metadata key of udf(i+1), "" when free.
func assignUDFs(md map[string]string) ([udfs]string, *transform.Error) {
	var slots [udfs]string
	keys := transform.SortedKeys(md)
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

// addressKeys are the form keys of the billing and shipping addresses,
// built once rather than concatenated per order.
var addressKeys = func() (k [2][]string) {
	for i, prefix := range []string{"billing_address", "shipping_address"} {
		k[i] = []string{prefix + "_first_name", prefix + "_last_name"}
		for _, part := range addressParts {
			k[i] = append(k[i], prefix+"_"+part)
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

// routingID is Juspay's sticky routing key: the customer id, or for
// guests the order id.
func routingID(o *transform.Order) string {
	if o.Customer != nil && o.Customer.ID != "" {
		return o.Customer.ID
	}
	return o.OrderID
}

// orderObject is the order object of the create and status answers. Amounts
// are JSON numbers, read as literals (never float64).
type orderObject struct {
	ID           string        `json:"id"`
	OrderID      string        `json:"order_id"`
	Status       string        `json:"status"`
	StatusID     json.Number   `json:"status_id"`
	Amount       json.Number   `json:"amount"`
	Currency     string        `json:"currency"`
	DateCreated  string        `json:"date_created"`
	PaymentLinks *paymentLinks `json:"payment_links"`
	Juspay       *sdkToken     `json:"juspay"`
}

type paymentLinks struct {
	Web    string `json:"web"`
	Mobile string `json:"mobile"`
	Iframe string `json:"iframe"`
}

type sdkToken struct {
	ClientAuthToken       string `json:"client_auth_token"`
	ClientAuthTokenExpiry string `json:"client_auth_token_expiry"`
}

func (ord *orderObject) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &ord.ID), transform.Into("order_id", &ord.OrderID),
		transform.Into("status", &ord.Status), transform.Into("status_id", &ord.StatusID), transform.Into("amount", &ord.Amount),
		transform.Into("currency", &ord.Currency), transform.Into("date_created", &ord.DateCreated),
		transform.Into("payment_links", func(dec *jsontext.Decoder) error {
			return transform.ReadPointer(dec, &ord.PaymentLinks, (*paymentLinks).read)
		}),
		transform.Into("juspay", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &ord.Juspay, (*sdkToken).read) }))
}

func (l *paymentLinks) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("web", &l.Web), transform.Into("mobile", &l.Mobile), transform.Into("iframe", &l.Iframe))
}

func (j *sdkToken) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("client_auth_token", &j.ClientAuthToken),
		transform.Into("client_auth_token_expiry", &j.ClientAuthTokenExpiry))
}

func (g Dialect) ParseCreate(o *transform.Order, status int, body []byte) (*transform.Result, *transform.Error) {
	ord, e := g.decode(transform.OpCreate, status, body, o)
	if e != nil {
		return nil, e
	}
	res, e := g.result(o.OrderID, ord, o.Currency)
	if e != nil {
		return nil, e
	}
	// Juspay might answer a reused order_id with the existing order instead
	// of an error (its docs do not say it never does): another amount or
	// currency is that.
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
	if e := Facts.CheckOrderID(orderID); e != nil {
		return transform.Request{}, e
	}
	// The customer id is unknown here; the order id is the guest routing key.
	return transform.Request{Method: http.MethodGet, Path: "/orders/" + orderID, Header: map[string]string{"x-routing-id": orderID}}, nil
}

func (g Dialect) ParseStatus(orderID string, status int, body []byte) (*transform.Result, *transform.Error) {
	ord, e := g.decode(transform.OpStatus, status, body, nil)
	if e != nil {
		return nil, e
	}
	if e := transform.CheckEcho(g.Name(), transform.Echo{OrderID: orderID}, transform.Echo{OrderID: ord.OrderID}, false); e != nil {
		return nil, e
	}
	return g.result(orderID, ord, "")
}

// decode reads an order object; status NOT_FOUND (40) means Juspay does
// not know the order even when it answers 200. o is the order of a create
// (for the fields an error names), nil otherwise.
func (g Dialect) decode(op transform.Op, status int, body []byte, o *transform.Order) (*orderObject, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.failure(op, status, body, o)
	}
	var ord orderObject
	if err := transform.ReadAnswerWith(body, ord.read); err != nil {
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
	st := Facts.Statuses.Map(word)
	if byID, ok := statusIDs[string(ord.StatusID)]; ok && (word == "" || st == transform.StatusUnknown) {
		if word == "" {
			word = byID
		}
		st = Facts.Statuses.Map(byID)
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
	if !ok || exp > Facts.MaxCurrencyPlaces {
		exp = Facts.MaxCurrencyPlaces
	}
	d, err := decimal.NewFromString(string(n))
	if err != nil || d.IsNegative() || !d.Truncate(exp).Equal(d) {
		return "", transform.Unreadable(g.Name(), http.StatusOK, "an amount paygate cannot read")
	}
	return d.StringFixed(exp), nil
}
