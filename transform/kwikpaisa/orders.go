package kwikpaisa

import (
	"errors"
	"net/http"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/shopspring/decimal"
)

// timeLayouts are tried in order; the first is the documented one
// ("13-05-2026 08:34 AM"), the others tolerate seconds or a 24-hour clock.
var timeLayouts = []string{
	"02-01-2006 03:04 PM", "02-01-2006 03:04:05 PM", "02-01-2006 15:04", "02-01-2006 15:04:05",
	"2006-01-02 15:04:05",
}

// returnData is return_data of create and status answers. The amount
// and currency come only with status: the check-status page names the
// amount order_amount ("105.00"), the mock-responses page amount; both
// are read.
type returnData struct {
	KwikXOrderID  string           `json:"kwikX_order_id"`
	OrderID       transform.Scalar `json:"order_id"`
	OrderStatus   string           `json:"order_status"`
	PaymentLink   string           `json:"payment_link"`
	CreatedAt     string           `json:"created_at"`
	OrderAmount   transform.Scalar `json:"order_amount"`
	Amount        transform.Scalar `json:"amount"`
	Currency      string           `json:"currency"`
	PaymentMethod transform.Scalar `json:"payment_method"`
	TransactionID transform.Scalar `json:"transaction_id"`
	PaidAt        string           `json:"paid_at"`
}

func (rd *returnData) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("kwikX_order_id", &rd.KwikXOrderID), transform.Into("order_id", &rd.OrderID),
		transform.Into("order_status", &rd.OrderStatus), transform.Into("payment_link", &rd.PaymentLink),
		transform.Into("created_at", &rd.CreatedAt), transform.Into("order_amount", &rd.OrderAmount), transform.Into("amount", &rd.Amount),
		transform.Into("currency", &rd.Currency), transform.Into("payment_method", &rd.PaymentMethod),
		transform.Into("transaction_id", &rd.TransactionID), transform.Into("paid_at", &rd.PaidAt))
}

// createRequest is the body of POST /api/v3/pg/order/create
// (developers.kwikpaisa.com, v3 guide "Create Order"). It is signed, so it
// is sent as canonical JSON: transform.CanonicalJSON's bytes for it,
// written by appendCanonical.
type createRequest struct {
	Customer      customer `json:"customer"`
	OrderAmount   amount   `json:"order_amount"` // major units
	OrderCurrency string   `json:"order_currency"`
	OrderID       string   `json:"order_id"`
	OrderNote     string   `json:"order_note,omitempty"`
	ReturnURL     string   `json:"return_url"`
	ServiceType   string   `json:"service_type"`
}

// amount is a decimal written as a JSON number.
type amount struct{ decimal.Decimal }

func (a amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

type customer struct {
	Address address `json:"address,omitzero"`
	Email   string  `json:"email"`
	Name    string  `json:"name"`
	Phone   string  `json:"phone"`
}

type address struct {
	City       string `json:"city,omitempty"`
	Country    string `json:"country,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	State      string `json:"state,omitempty"`
}

func newCreateRequest(o *transform.Order, name string, c *transform.Customer, serviceType string) createRequest {
	r := createRequest{
		Customer:      customer{Email: c.Email, Name: name, Phone: c.Phone},
		OrderAmount:   amount{o.Amount.Decimal()},
		OrderCurrency: o.Currency,
		OrderID:       o.OrderID,
		OrderNote:     o.Description,
		ReturnURL:     o.ReturnURL,
		ServiceType:   serviceType,
	}
	if a := o.BillingAddress; a != nil {
		// KwikPaisa has no third line: line3 joins line2 rather than
		// being dropped.
		line2 := a.Line2
		if a.Line3 != "" {
			if line2 != "" {
				line2 += ", "
			}
			line2 += a.Line3
		}
		r.Customer.Address = address{City: a.City, Country: a.Country, Line1: a.Line1, Line2: line2, PostalCode: a.PostalCode, State: a.State}
	}
	return r
}

// appendCanonical writes r as transform.CanonicalJSON does (FuzzCreateBody)
// without building a map tree: every key is ASCII, so byte order is the
// canonical (UTF-16) order, and the keys are written in that order.
func (r *createRequest) appendCanonical(b []byte) ([]byte, error) {
	var err error
	field := func(key, v string) { // key includes its quotes, colon and any leading comma
		if err == nil {
			b = append(b, key...)
			b, err = transform.AppendCanonicalString(b, v)
		}
	}
	b = append(b, `{"customer":{`...)
	if a := &r.Customer.Address; *a != (address{}) {
		b = append(b, `"address":{`...)
		sep := ""
		for _, p := range [...]struct{ key, v string }{
			{"city", a.City}, {"country", a.Country}, {"line1", a.Line1}, {"line2", a.Line2},
			{"postal_code", a.PostalCode}, {"state", a.State},
		} {
			if p.v != "" {
				field(sep+`"`+p.key+`":`, p.v)
				sep = ","
			}
		}
		b = append(b, `},`...)
	}
	field(`"email":`, r.Customer.Email)
	field(`,"name":`, r.Customer.Name)
	field(`,"phone":`, r.Customer.Phone)
	b = append(b, `},"order_amount":`...)
	if err == nil {
		b, err = transform.AppendCanonicalJSON(b, r.OrderAmount.Decimal)
	}
	field(`,"order_currency":`, r.OrderCurrency)
	field(`,"order_id":`, r.OrderID)
	if r.OrderNote != "" {
		field(`,"order_note":`, r.OrderNote)
	}
	field(`,"return_url":`, r.ReturnURL)
	field(`,"service_type":`, r.ServiceType)
	return append(b, '}'), err
}

// statusRequest is the body of POST /api/v3/pg/order/status, signed like
// the create body.
type statusRequest struct {
	OrderID string `json:"order_id"`
}

// appendCanonical writes r as transform.CanonicalJSON does (FuzzCreateBody).
func (r *statusRequest) appendCanonical(b []byte) ([]byte, error) {
	b = append(b, `{"order_id":`...)
	b, err := transform.AppendCanonicalString(b, r.OrderID)
	return append(b, '}'), err
}

func (g Dialect) BuildCreate(o *transform.Order) (transform.Request, *transform.Error) {
	if _, e := Facts.CheckOrder(o); e != nil {
		return transform.Request{}, e
	}
	serviceType := g.ServiceType
	if s, ok, _ := o.GatewayOptions.String("service_type"); ok { // CheckOrder has checked it
		serviceType = s
	}
	if strings.TrimSpace(serviceType) == "" {
		return transform.Request{}, transform.Invalid("gateway_options.service_type", "is required by kwikpaisa and this route configures no service_type")
	}
	c := o.Customer
	if c == nil {
		c = &transform.Customer{}
	}
	name := c.FullName()
	for _, f := range []struct{ field, value string }{
		{"customer.name", name}, {"customer.email", c.Email}, {"customer.phone", c.Phone}, {"return_url", o.ReturnURL},
	} {
		if f.value == "" {
			return transform.Request{}, transform.Invalid(f.field, "is required by kwikpaisa")
		}
	}
	body, err := createBody(o, name, c, serviceType)
	if errors.Is(err, transform.ErrUnportableNumber) {
		// The amount is the only number, and CheckOrder has passed it:
		// this is a safety net, not a path.
		return transform.Request{}, transform.Invalid("amount", "kwikpaisa cannot send this amount as a JSON number")
	}
	if err != nil {
		return transform.Request{}, transform.Invalid("", "cannot encode the order: %v", err)
	}
	return transform.Request{Method: http.MethodPost, Path: createPath, ContentType: "application/json", Body: body}, nil
}

// createBody is the signed create body.
func createBody(o *transform.Order, name string, c *transform.Customer, serviceType string) ([]byte, error) {
	r := newCreateRequest(o, name, c, serviceType)
	return r.appendCanonical(make([]byte, 0, 320))
}

func (g Dialect) ParseCreate(o *transform.Order, status int, body []byte) (*transform.Result, *transform.Error) {
	ord, e := g.decode(transform.OpCreate, status, body)
	if e != nil {
		return nil, e
	}
	// The documented create answer echoes only order_id; an amount or
	// currency, should one come, is compared too.
	got := transform.Echo{OrderID: string(ord.OrderID), Currency: ord.Currency}
	lit, ok := ord.amount()
	if !ok {
		return nil, transform.Unreadable(g.Name(), status, "two different amounts")
	}
	if lit != "" {
		d, err := decimal.NewFromString(lit)
		if err != nil || d.IsNegative() {
			return nil, transform.Unreadable(g.Name(), status, "an amount that is not a decimal number")
		}
		got.Amount, got.HasAmount = d, true
	}
	if e := transform.CheckEcho(g.Name(), transform.Echo{OrderID: o.OrderID, Currency: o.Currency, Amount: o.Amount.Decimal(), HasAmount: true}, got, false); e != nil {
		return nil, e
	}
	res := g.result(o.OrderID, ord)
	exp, _ := transform.CurrencyExponent(o.Currency)
	res.Amount, res.Currency = o.Amount.Fixed(exp), o.Currency
	return res, nil
}

// amount is the order's amount as KwikPaisa wrote it, from order_amount or
// amount; "" when the answer has none, false when it has two that differ.
func (ord *returnData) amount() (string, bool) {
	a, b := string(ord.OrderAmount), string(ord.Amount)
	if a == "" || a == b {
		return b, true
	}
	if b == "" {
		return a, true
	}
	da, errA := decimal.NewFromString(a)
	db, errB := decimal.NewFromString(b)
	return a, errA == nil && errB == nil && da.Equal(db)
}

func (g Dialect) BuildStatus(orderID string) (transform.Request, *transform.Error) {
	if e := Facts.CheckOrderID(orderID); e != nil {
		return transform.Request{}, e
	}
	r := statusRequest{OrderID: orderID}
	body, err := r.appendCanonical(make([]byte, 0, 16+len(orderID)))
	if err != nil {
		return transform.Request{}, transform.Invalid("order_id", "cannot encode: %v", err)
	}
	return transform.Request{Method: http.MethodPost, Path: statusPath, ContentType: "application/json", Body: body}, nil
}

func (g Dialect) ParseStatus(orderID string, status int, body []byte) (*transform.Result, *transform.Error) {
	ord, e := g.decode(transform.OpStatus, status, body)
	if e != nil {
		return nil, e
	}
	if e := transform.CheckEcho(g.Name(), transform.Echo{OrderID: orderID}, transform.Echo{OrderID: string(ord.OrderID)}, false); e != nil {
		return nil, e
	}
	res := g.result(orderID, ord)
	lit, ok := ord.amount()
	if !ok {
		return nil, transform.Unreadable(g.Name(), status, "two different amounts")
	}
	if lit != "" {
		exp, ok := transform.CurrencyExponent(ord.Currency)
		if !ok {
			return nil, transform.Unreadable(g.Name(), status, "an unknown currency "+transform.Clip(ord.Currency, transform.EchoRunes))
		}
		amount, err := decimal.NewFromString(lit)
		if err != nil || amount.IsNegative() || !amount.Shift(exp).IsInteger() {
			return nil, transform.Unreadable(g.Name(), status, "an order_amount that is not an amount in "+ord.Currency)
		}
		res.Amount, res.Currency = amount.StringFixed(exp), ord.Currency
	}
	for _, d := range []struct{ name, value string }{
		{"payment_method", string(ord.PaymentMethod)}, {"transaction_id", string(ord.TransactionID)},
	} {
		if d.value != "" {
			res.SetDetail(d.name, d.value)
		}
	}
	if ord.PaidAt != "" {
		if t, ok := localTime(ord.PaidAt); ok {
			res.SetDetail("paid_at", t)
		} else {
			res.SetDetail("paid_at", ord.PaidAt)
		}
	}
	return res, nil
}

// decode reads a KwikPaisa answer: the HTTP status is trusted first; a 2xx
// whose body still says it failed is mapped by the body's code (failure).
func (g Dialect) decode(op transform.Op, status int, body []byte) (*returnData, *transform.Error) {
	if status < 200 || status > 299 {
		return nil, g.failure(op, status, body)
	}
	// The usual success answer in one pass; anything else is read again below.
	if one, ord, err := readSuccess(body); err == nil && ord != nil && ord.KwikXOrderID != "" && one.carries(ord) {
		return ord, nil
	}
	var env envelope
	if err := transform.ReadAnswerWith(body, env.read); err != nil {
		return nil, transform.Unreadable(g.Name(), status, "a body that is not KwikPaisa JSON")
	}
	ord := new(returnData)
	hasOrder := len(env.ReturnData) > 0 && transform.ReadAnswerWith(env.ReturnData, ord.read) == nil && ord.KwikXOrderID != ""
	if !hasOrder || !env.carries(ord) {
		if env.failed() {
			return nil, g.failure(op, status, body)
		}
		return nil, transform.Unreadable(g.Name(), status, "a body without return_data.kwikX_order_id")
	}
	return ord, nil
}

// readSuccess reads code, status and return_data (nil when null or
// missing) of an answer.
func readSuccess(body []byte) (env envelope, ord *returnData, err error) {
	err = transform.ReadAnswer(body, transform.Into("code", &env.Code), transform.Into("status", &env.Status),
		transform.Into("return_data", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &ord, (*returnData).read) }))
	return env, ord, err
}

// carries reports whether a 2xx answer holding an order is that order's
// answer. A failed payment comes as code "200", status "failed" and the
// order in return_data with order_status FAILED (KwikPaisa's sandbox
// mock-responses page, tab "Failed"): the envelope's status is about the
// payment, the order's own status says what happened, so an order with a
// status under a 2xx code is read as the answer.
func (env *envelope) carries(ord *returnData) bool {
	return !env.failed() || (ord.OrderStatus != "" && strings.HasPrefix(string(env.Code), "2"))
}

// failed reports whether a 2xx body says the call failed: status false or
// "failed", or a non-2xx code when there is no status word.
func (env *envelope) failed() bool {
	switch strings.ToLower(string(env.Status)) {
	case "success", "true", "ok":
		return false
	case "":
		return env.Code != "" && !strings.HasPrefix(string(env.Code), "2")
	}
	return true
}

func (g Dialect) result(orderID string, ord *returnData) *transform.Result {
	res := &transform.Result{
		Gateway:        g.Name(),
		OrderID:        orderID,
		GatewayOrderID: ord.KwikXOrderID,
		Status:         Facts.Statuses.Map(ord.OrderStatus),
		GatewayStatus:  ord.OrderStatus,
		PaymentURL:     ord.PaymentLink,
	}
	if ord.CreatedAt != "" {
		if t, ok := localTime(ord.CreatedAt); ok {
			res.CreatedAt = t
		} else {
			// An unexpected format must not fail an order that exists.
			res.SetDetail("created_at", ord.CreatedAt)
		}
	}
	return res
}

// localTime converts KwikPaisa's IST time to RFC 3339 UTC.
func localTime(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if t, ok := transform.LocalToUTC(s, transform.IST, timeLayouts...); ok {
		return t, true
	}
	return transform.RFC3339ToUTC(s)
}
