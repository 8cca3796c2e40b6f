package enkash

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/shopspring/decimal"
)

// createRequest is the body of POST /api/v0/orders (docs.enkash.com,
// "Create Order"), in the order of EnKash's sample request.
type createRequest struct {
	OrderID          string            `json:"orderId"`
	Amount           wireAmount        `json:"amount"`
	ReturnURL        string            `json:"returnUrl,omitempty"`
	NotifyURL        string            `json:"notifyUrl,omitempty"`
	CustomerInfo     *customerInfo     `json:"customerInfo,omitempty"`
	CustomParameters map[string]string `json:"customParameters,omitempty"`
	Description      string            `json:"description,omitempty"`
	PaymentDetail    *paymentDetail    `json:"paymentDetail,omitempty"`
}

type wireAmount struct {
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

type customerInfo struct {
	FirstName   string   `json:"firstName,omitempty"`
	LastName    string   `json:"lastName,omitempty"`
	Email       string   `json:"email,omitempty"`
	PhoneNumber string   `json:"phoneNumber,omitempty"`
	Address     *address `json:"address,omitempty"`
}

// address: EnKash's docs show customerInfo.address as an object without
// its fields; these names are paygate's best guess, and the README says so.
type address struct {
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	Line3      string `json:"line3,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	Country    string `json:"country,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
}

type paymentDetail struct {
	AccountNumber string `json:"accountNumber,omitempty"`
	IFSC          string `json:"ifsc,omitempty"`
}

type createdPayload struct {
	RedirectionURL string `json:"redirectionUrl"`
	OrderID        string `json:"orderId"`
}

func (p *createdPayload) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("redirectionUrl", &p.RedirectionURL), transform.Into("orderId", &p.OrderID))
}

// orderPayload is the status payload; only orderId and created are
// documented, the rest follows EnKash's checkout SDK (orderStatus, a
// plain amount) and also accepts status and an {value,currency} amount.
// merchantOrderId is not documented either; where an answer has it, it
// must be the merchant order id asked about.
type orderPayload struct {
	OrderID         string          `json:"orderId"`
	MerchantOrderID string          `json:"merchantOrderId"`
	Created         json.RawMessage `json:"created"`
	OrderStatus     string          `json:"orderStatus"`
	Status          string          `json:"status"`
	Amount          json.RawMessage `json:"amount"`
	Currency        string          `json:"currency"`
}

func (p *orderPayload) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("orderId", &p.OrderID), transform.Into("merchantOrderId", &p.MerchantOrderID),
		transform.Into("created", &p.Created), transform.Into("orderStatus", &p.OrderStatus), transform.Into("status", &p.Status),
		transform.Into("amount", &p.Amount), transform.Into("currency", &p.Currency))
}

func (g Dialect) BuildCreate(o *transform.Order) (transform.Request, *transform.Error) {
	if _, e := Facts.CheckOrder(o); e != nil {
		return transform.Request{}, e
	}
	pd, e := newPaymentDetail(o.BankAccount)
	if e != nil {
		return transform.Request{}, e
	}
	body, err := transform.MarshalCompact(createRequest{
		OrderID:          o.OrderID,
		Amount:           wireAmount{Value: json.Number(o.Amount.Fixed(2)), Currency: rupees},
		ReturnURL:        o.ReturnURL,
		NotifyURL:        o.NotifyURL,
		CustomerInfo:     newCustomerInfo(o),
		CustomParameters: o.Metadata,
		Description:      o.Description,
		PaymentDetail:    pd,
	})
	if err != nil {
		return transform.Request{}, transform.Invalid("", "cannot encode the order: %v", err)
	}
	return transform.Request{Method: http.MethodPost, Path: createPath, ContentType: "application/json", Body: body}, nil
}

// newPaymentDetail builds paymentDetail (third-party validation) from
// bank_account, enforcing EnKash's documented formats.
func newPaymentDetail(b *transform.BankAccount) (*paymentDetail, *transform.Error) {
	if b == nil || (b.AccountNumber == "" && b.IFSC == "") {
		return nil, nil
	}
	if n := utf8.RuneCountInString(b.AccountNumber); b.AccountNumber != "" && (n < minAccountLen || n > maxAccountLen) {
		return nil, transform.Invalid("bank_account.account_number", "enkash needs %d to %d characters, got %d", minAccountLen, maxAccountLen, n)
	}
	if b.IFSC != "" && !ifscPattern.MatchString(b.IFSC) {
		return nil, transform.Invalid("bank_account.ifsc", "must be an IFSC code: 4 capital letters, 0, then 6 capital letters or digits (such as KKBK0000432)")
	}
	return &paymentDetail{AccountNumber: b.AccountNumber, IFSC: b.IFSC}, nil
}

func newCustomerInfo(o *transform.Order) *customerInfo {
	c := &customerInfo{}
	if o.Customer != nil {
		c.FirstName, c.LastName = o.Customer.SplitName()
		c.Email, c.PhoneNumber = o.Customer.Email, o.Customer.Phone
	}
	a := o.BillingAddress
	if a == nil {
		a = o.ShippingAddress
	}
	if a != nil && *a != (transform.Address{}) {
		ea := address(*a)
		c.Address = &ea
	}
	if *c == (customerInfo{}) {
		return nil
	}
	return c
}

func (g Dialect) ParseCreate(o *transform.Order, status int, body []byte) (*transform.Result, *transform.Error) {
	// The usual success answer in one pass; anything else is read again below.
	if status >= 200 && status <= 299 {
		if code, created, err := readCreated(body); err == nil && transform.IntText(code) == "0" && created != nil && created.RedirectionURL != "" {
			return g.created(o, created), nil
		}
	}
	env, e := g.decode(transform.OpCreate, status, body)
	if e != nil {
		return nil, e
	}
	var p createdPayload
	if err := transform.ReadAnswerWith(env.Payload, p.read); err != nil || p.RedirectionURL == "" {
		return nil, transform.Unreadable(g.Name(), status, "a success without payload.redirectionUrl")
	}
	return g.created(o, &p), nil
}

// readCreated reads response_code and payload (nil when null or missing)
// of a create answer.
func readCreated(body []byte) (code json.RawMessage, p *createdPayload, err error) {
	err = transform.ReadAnswer(body, transform.Into("response_code", &code),
		transform.Into("payload", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &p, (*createdPayload).read) }))
	return code, p, err
}

func (g Dialect) created(o *transform.Order, p *createdPayload) *transform.Result {
	return &transform.Result{
		Gateway:        g.Name(),
		OrderID:        o.OrderID,
		GatewayOrderID: p.OrderID,
		Status:         transform.StatusCreated,
		Amount:         o.Amount.Fixed(2),
		Currency:       rupees,
		PaymentURL:     p.RedirectionURL,
	}
}

// BuildStatus asks for an order by the merchant's id; use BuildStatusFor
// with EnKash's own id when it is known (the newer docs key status on it).
func (g Dialect) BuildStatus(orderID string) (transform.Request, *transform.Error) {
	if e := Facts.CheckOrderID(orderID); e != nil {
		return transform.Request{}, e
	}
	return g.statusRequest(orderID), nil
}

// BuildStatusFor asks for an order by EnKash's own id (payload.orderId of
// the create answer).
func (g Dialect) BuildStatusFor(gatewayID string) (transform.Request, *transform.Error) {
	if gatewayID == "" || len(gatewayID) > maxGatewayID {
		return transform.Request{}, transform.Invalid("gateway_order_id", "must be 1 to %d characters", maxGatewayID)
	}
	if !transform.PathSafe(gatewayID) {
		return transform.Request{}, transform.Invalid("gateway_order_id", "may contain only A-Z, a-z, 0-9, '-' and '_'")
	}
	return g.statusRequest(gatewayID), nil
}

func (Dialect) statusRequest(id string) transform.Request {
	return transform.Request{Method: http.MethodGet, Path: orderPath + url.PathEscape(id)}
}

// ParseStatus maps the answer to a status request by the merchant's id
// (BuildStatus). payload.orderId may then be EnKash's own id, so only an
// echoed merchantOrderId can be compared.
func (g Dialect) ParseStatus(orderID string, status int, body []byte) (*transform.Result, *transform.Error) {
	return g.ParseStatusFor(orderID, "", status, body)
}

// ParseStatusFor maps the answer to a status request by EnKash's own id
// (BuildStatusFor(gatewayID)) for the merchant's orderID: payload.orderId
// must then be the id asked for (or the merchant's, as the older docs had
// it), else the answer is about another order. An empty gatewayID is
// ParseStatus.
func (g Dialect) ParseStatusFor(orderID, gatewayID string, status int, body []byte) (*transform.Result, *transform.Error) {
	env, e := g.decode(transform.OpStatus, status, body)
	if e != nil {
		return nil, e
	}
	var p orderPayload
	if err := transform.ReadAnswerWith(env.Payload, p.read); err != nil {
		return nil, transform.Unreadable(g.Name(), status, "a payload that is not an EnKash order")
	}
	if e := transform.CheckEcho(g.Name(), transform.Echo{OrderID: orderID}, transform.Echo{OrderID: p.MerchantOrderID}, false); e != nil {
		return nil, e
	}
	if gatewayID != "" && p.OrderID != gatewayID && p.OrderID != orderID {
		return nil, transform.OtherOrder(g.Name(), gatewayID, p.OrderID)
	}
	word := p.OrderStatus
	if word == "" {
		word = p.Status
	}
	if word == "" {
		return nil, transform.Unreadable(g.Name(), status, "an order without orderStatus")
	}
	amount, currency, ok := amountOf(p.Amount, p.Currency)
	if !ok {
		return nil, transform.Unreadable(g.Name(), status, "an amount that is not an INR amount in rupees and paise")
	}
	res := &transform.Result{
		Gateway:       g.Name(),
		OrderID:       orderID,
		Status:        Facts.Statuses.Map(strings.ToUpper(word)),
		GatewayStatus: word,
		Amount:        amount,
		Currency:      currency,
		CreatedAt:     parseTime(p.Created),
	}
	if p.OrderID != orderID {
		res.GatewayOrderID = p.OrderID
	}
	return res, nil
}

// amountOf reads amount as a number, a numeric string or
// {value, currency}, without float64. EnKash orders are INR in rupees and
// paise ("amount.currency: only INR", at most 2 decimals): a negative
// amount, more places (nothing is rounded) or another currency is not an
// answer paygate can report.
func amountOf(raw []byte, currency string) (string, string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", "", true // not reported
	}
	if raw[0] == '{' {
		var value json.RawMessage
		currency = ""
		if transform.ReadAnswer(raw, transform.Into("value", &value), transform.Into("currency", &currency)) != nil {
			return "", "", false
		}
		raw = bytes.TrimSpace(value)
	}
	lit := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if transform.ReadAnswerWith(raw, func(dec *jsontext.Decoder) error { return transform.ReadString(dec, &lit) }) != nil {
			return "", "", false
		}
	}
	d, err := decimal.NewFromString(lit)
	if err != nil || d.IsNegative() || !d.Shift(2).IsInteger() {
		return "", "", false
	}
	if currency == "" {
		currency = rupees
	}
	if currency != rupees {
		return "", "", false
	}
	return d.StringFixed(2), currency, true
}

// parseTime formats EnKash's created time as RFC 3339 UTC: an ISO date-time
// (without an offset it is read as IST) or epoch milliseconds. An unreadable
// time is left out rather than failing the whole answer.
func parseTime(raw []byte) string {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return ""
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms <= 0 {
			return ""
		}
		return transform.UTC(time.UnixMilli(ms))
	}
	// Without an offset the time is read as IST: EnKash is an Indian gateway.
	t, _ := transform.LocalToUTC(s, transform.IST, time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05")
	return t
}

// decode reads EnKash's envelope; a failure, or a body that is not an
// envelope, is mapped by failure.
func (g Dialect) decode(op transform.Op, status int, body []byte) (*envelope, *transform.Error) {
	var env envelope
	if err := transform.ReadAnswerWith(body, env.read); err != nil || env.ResponseCode == nil {
		return nil, g.failure(op, status, body)
	}
	code := transform.IntText(env.ResponseCode)
	if code == "" {
		return nil, transform.Unreadable(g.Name(), status, "a response_code that is not a number")
	}
	if code == "0" && status >= 200 && status <= 299 {
		return &env, nil
	}
	return nil, g.failure(op, status, body)
}
