package razorpay

import (
	"encoding/json"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/shopspring/decimal"
)

// createRequest is the body of POST /v1/orders
// (razorpay.com/docs/api/orders/create).
type createRequest struct {
	Amount   json.Number `json:"amount"` // integer minor units
	Currency string      `json:"currency"`
	Receipt  string      `json:"receipt"`
	// UniqueReceipt makes Razorpay enforce the receipt's uniqueness: a
	// repeated receipt gets the order it already holds (or a 400 "receipt
	// should be unique") instead of a second order (Razorpay's "Retries and
	// idempotency" best practices for server-to-server integration). A
	// returned order whose amount or currency differs from ours is then
	// duplicate_order (ParseCreate).
	UniqueReceipt bool              `json:"unique_receipt"`
	Notes         map[string]string `json:"notes,omitempty"`
}

func newCreateRequest(o *transform.Order, minor decimal.Decimal) createRequest {
	return createRequest{Amount: json.Number(minor.String()), Currency: o.Currency, Receipt: o.OrderID, UniqueReceipt: true, Notes: o.Metadata}
}

// appendJSON writes r as transform.MarshalCompact does (FuzzWireJSON),
// field by field: one allocation instead of an Encoder, its buffer and a
// sorted map walk.
func (r *createRequest) appendJSON(b []byte) []byte {
	b = append(b, `{"amount":`...)
	b = append(b, r.Amount...)
	b = append(b, `,"currency":`...)
	b = transform.AppendJSONString(b, r.Currency)
	b = append(b, `,"receipt":`...)
	b = transform.AppendJSONString(b, r.Receipt)
	if r.UniqueReceipt {
		b = append(b, `,"unique_receipt":true`...)
	} else {
		b = append(b, `,"unique_receipt":false`...)
	}
	if len(r.Notes) > 0 {
		b = append(b, `,"notes":`...)
		b = transform.AppendJSONStringMap(b, r.Notes)
	}
	return append(b, '}')
}

// orderEntity is the part of Razorpay's order entity paygate reads;
// fields it does not read (entity, notes, which Razorpay sends as [] when
// empty) are skipped, which saves their allocations.
type orderEntity struct {
	ID        string      `json:"id"`
	Amount    json.Number `json:"amount"`
	Currency  string      `json:"currency"`
	Receipt   string      `json:"receipt"` // "" when null
	Status    string      `json:"status"`
	CreatedAt int64       `json:"created_at"`
}

func (o *orderEntity) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &o.ID), transform.Into("amount", &o.Amount),
		transform.Into("currency", &o.Currency), transform.Into("receipt", &o.Receipt), transform.Into("status", &o.Status),
		transform.Into("created_at", &o.CreatedAt))
}

type collection struct {
	Entity string        `json:"entity"`
	Count  int           `json:"count"`
	Items  []orderEntity `json:"items"`
}

func (c *collection) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("entity", &c.Entity), transform.Into("count", &c.Count),
		transform.Into("items", func(dec *jsontext.Decoder) error { return transform.ReadSlice(dec, &c.Items, (*orderEntity).read) }))
}

func (g Dialect) BuildCreate(o *transform.Order) (transform.Request, *transform.Error) {
	minor, e := Facts.CheckOrder(o)
	if e != nil {
		return transform.Request{}, e
	}
	if len(o.Metadata) > maxNotes {
		return transform.Request{}, transform.Invalid("metadata", "razorpay allows at most %d pairs, got %d", maxNotes, len(o.Metadata))
	}
	size, e := noteLengths(o.Metadata)
	if e != nil {
		return transform.Request{}, e
	}
	r := newCreateRequest(o, minor)
	body := r.appendJSON(make([]byte, 0, 120+len(o.OrderID)+size))
	return transform.Request{Method: http.MethodPost, Path: "/v1/orders", ContentType: "application/json", Body: body}, nil
}

// noteLengths applies Razorpay's limit on note keys and values, reporting
// the first offending key in byte order, and returns the room the notes
// take in a body: one walk of the map, no sorting.
func noteLengths(md map[string]string) (int, *transform.Error) {
	size, bad, found := 0, "", false
	for k, v := range md {
		size += len(k) + len(v) + 6
		if (utf8.RuneCountInString(k) > maxNoteLen || utf8.RuneCountInString(v) > maxNoteLen) && (!found || k < bad) {
			bad, found = k, true
		}
	}
	switch {
	case !found:
		return size, nil
	case utf8.RuneCountInString(bad) > maxNoteLen:
		return 0, transform.Invalid("metadata", "razorpay allows keys of at most %d characters", maxNoteLen)
	}
	return 0, transform.Invalid("metadata."+bad, "razorpay allows at most %d characters", maxNoteLen)
}

func (g Dialect) ParseCreate(o *transform.Order, status int, body []byte) (*transform.Result, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.failure(transform.OpCreate, status, body)
	}
	var ord orderEntity
	if err := transform.ReadAnswerWith(body, ord.read); err != nil || ord.ID == "" {
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
	sentMinor, e := Facts.Minor(o.Amount, o.Currency)
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
	if e := Facts.CheckOrderID(orderID); e != nil {
		return transform.Request{}, e
	}
	return transform.Request{Method: http.MethodGet, Path: "/v1/orders", RawQuery: "receipt=" + url.QueryEscape(orderID)}, nil
}

func (g Dialect) ParseStatus(orderID string, status int, body []byte) (*transform.Result, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.failure(transform.OpStatus, status, body)
	}
	var c collection
	if err := transform.ReadAnswerWith(body, c.read); err != nil || c.Entity != "collection" {
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
		Status:         Facts.Statuses.Map(ord.Status),
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
