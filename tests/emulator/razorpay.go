package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

func init() {
	Register("razorpay", func(opts map[string]string) (Emulator, error) {
		return NewRazorpay(opts["key_id"], opts["key_secret"])
	})
}

// Razorpay emulates the Razorpay Orders API
// (https://razorpay.com/docs/api/orders/, docs/gateways/razorpay.md): Basic auth,
// POST /v1/orders with Razorpay's validation messages, GET /v1/orders?receipt=
// and GET /v1/orders/{id}. notes comes back as [] when empty, as Razorpay does.
type Razorpay struct {
	journal
	keyID, keySecret string
	// Now is the emulator's clock (created_at); tests may replace it.
	Now func() time.Time

	mu        sync.Mutex
	orders    []*rzpOrder          // oldest first
	byReceipt map[string]*rzpOrder // receipts are unique here
	byID      map[string]*rzpOrder
	rzpRefunds
}

type rzpOrder struct {
	ID         string          `json:"id"`
	Entity     string          `json:"entity"`
	Amount     int64           `json:"amount"`
	AmountPaid int64           `json:"amount_paid"`
	AmountDue  int64           `json:"amount_due"`
	Currency   string          `json:"currency"`
	Receipt    string          `json:"receipt"`
	OfferID    *string         `json:"offer_id"`
	Status     string          `json:"status"`
	Attempts   int             `json:"attempts"`
	Notes      json.RawMessage `json:"notes"`
	CreatedAt  int64           `json:"created_at"`
}

// rzpExponents is Razorpay's currency table, the emulator's own copy.
var rzpExponents = map[string]int{
	"INR": 2, "USD": 2, "EUR": 2, "GBP": 2, "SGD": 2, "AED": 2, "MYR": 2,
	"JPY": 0, "KRW": 0, "CLP": 0, "VND": 0, "ISK": 0,
	"KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "IQD": 3, "TND": 3,
}

// NewRazorpay builds an emulator accepting exactly these credentials.
func NewRazorpay(keyID, keySecret string) (*Razorpay, error) {
	if keyID == "" || keySecret == "" {
		return nil, fmt.Errorf("razorpay emulator needs key_id and key_secret")
	}
	return &Razorpay{keyID: keyID, keySecret: keySecret, Now: time.Now,
		byReceipt: map[string]*rzpOrder{}, byID: map[string]*rzpOrder{}}, nil
}

// Reset forgets orders and received requests.
func (e *Razorpay) Reset() {
	e.resetJournal()
	e.mu.Lock()
	e.orders = nil
	e.byReceipt, e.byID = map[string]*rzpOrder{}, map[string]*rzpOrder{}
	e.rzpRefunds = rzpRefunds{}
	e.mu.Unlock()
}

// SetStatus moves the newest order with this receipt to a status
// (created, attempted, paid), as a customer's payment would.
func (e *Razorpay) SetStatus(receipt, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byReceipt[receipt]
	if ok {
		o.Status = status
		if status == "paid" {
			o.AmountPaid, o.AmountDue = o.Amount, 0
		}
	}
	return ok
}

// rzpError writes Razorpay's error object.
func rzpError(w http.ResponseWriter, status int, description, field, reason string) {
	type errBody struct {
		Code        string            `json:"code"`
		Description string            `json:"description"`
		Source      string            `json:"source"`
		Step        string            `json:"step"`
		Reason      string            `json:"reason"`
		Metadata    map[string]string `json:"metadata"`
		Field       *string           `json:"field,omitempty"`
	}
	eb := errBody{Code: "BAD_REQUEST_ERROR", Description: description, Source: "business", Step: "payment_initiation",
		Reason: reason, Metadata: map[string]string{}}
	if status >= 500 {
		eb.Code, eb.Source, eb.Step, eb.Reason = "SERVER_ERROR", "internal", "NA", "server_error"
	}
	if field != "" {
		eb.Field = &field
	}
	b, _ := json.Marshal(map[string]any{"error": eb})
	writeJSON(w, status, b)
}

func (e *Razorpay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := e.record(r)
	if serveControl(e, w, r) {
		return
	}
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok || !strings.HasPrefix(r.Header.Get("Authorization"), "Basic "):
		rzpError(w, http.StatusUnauthorized, "Please provide your api key for authentication purposes.", "", "authentication_failed")
		return
	case user != e.keyID:
		rzpError(w, http.StatusUnauthorized, "The api key provided is invalid", "", "authentication_failed")
		return
	case pass != e.keySecret:
		rzpError(w, http.StatusUnauthorized, "The api secret provided is invalid", "", "authentication_failed")
		return
	}
	switch {
	case r.URL.Path == "/v1/orders" && r.Method == http.MethodPost:
		e.create(w, r, body)
	case r.URL.Path == "/v1/orders" && r.Method == http.MethodGet:
		e.list(w, r)
	case strings.HasPrefix(r.URL.Path, "/v1/orders/") && strings.HasSuffix(r.URL.Path, "/payments") && r.Method == http.MethodGet:
		e.orderPayments(w, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/orders/"), "/payments"))
	case strings.HasPrefix(r.URL.Path, "/v1/orders/") && r.Method == http.MethodGet:
		e.fetch(w, strings.TrimPrefix(r.URL.Path, "/v1/orders/"))
	case strings.HasPrefix(r.URL.Path, "/v1/payments/") || strings.HasPrefix(r.URL.Path, "/v1/refunds/"):
		e.serveRefunds(w, r, body)
	default:
		rzpError(w, http.StatusNotFound, "The requested URL was not found on the server.", "", "")
	}
}

func (e *Razorpay) create(w http.ResponseWriter, r *http.Request, body []byte) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		rzpError(w, http.StatusBadRequest, "The request body must be JSON.", "", "input_validation_failed")
		return
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		rzpError(w, http.StatusBadRequest, "The request body is invalid JSON.", "", "input_validation_failed")
		return
	}
	allowed := map[string]bool{"amount": true, "currency": true, "receipt": true, "notes": true,
		"partial_payment": true, "first_payment_min_amount": true, "unique_receipt": true}
	var extra []string
	for k := range fields {
		if !allowed[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		rzpError(w, http.StatusBadRequest, strings.Join(extra, ", ")+" is/are not required and should not be sent", extra[0], "extra_field_sent")
		return
	}
	rawAmount, ok := fields["amount"]
	if !ok {
		rzpError(w, http.StatusBadRequest, "amount: is required.", "amount", "input_validation_failed")
		return
	}
	var amount int64
	if err := json.Unmarshal(rawAmount, &amount); err != nil {
		rzpError(w, http.StatusBadRequest, "The amount must be an integer.", "amount", "input_validation_failed")
		return
	}
	var currency string
	if err := json.Unmarshal(fields["currency"], &currency); err != nil || currency == "" {
		rzpError(w, http.StatusBadRequest, "The currency field is required.", "currency", "input_validation_failed")
		return
	}
	exp, known := rzpExponents[currency]
	if !known {
		rzpError(w, http.StatusBadRequest, "Currency is not supported", "currency", "input_validation_failed")
		return
	}
	if exp == 2 && amount < 100 {
		rzpError(w, http.StatusBadRequest, fmt.Sprintf("The amount must be at least %s 1.00", currency), "amount", "input_validation_failed")
		return
	}
	if amount <= 0 {
		rzpError(w, http.StatusBadRequest, "The amount must be atleast 1.", "amount", "input_validation_failed")
		return
	}
	if exp == 3 && amount%10 != 0 {
		rzpError(w, http.StatusBadRequest, "The last digit of the amount must be 0 for three-decimal currencies.", "amount", "input_validation_failed")
		return
	}
	var receipt string
	if raw, ok := fields["receipt"]; ok {
		if err := json.Unmarshal(raw, &receipt); err != nil {
			rzpError(w, http.StatusBadRequest, "The receipt must be a string.", "receipt", "input_validation_failed")
			return
		}
		if utf8.RuneCountInString(receipt) > 40 {
			rzpError(w, http.StatusBadRequest, "The receipt may not be greater than 40 characters.", "receipt", "input_validation_failed")
			return
		}
	}
	notes := json.RawMessage("[]")
	if raw, ok := fields["notes"]; ok {
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			rzpError(w, http.StatusBadRequest, "The notes must be an array.", "notes", "input_validation_failed")
			return
		}
		if len(m) > 15 {
			rzpError(w, http.StatusBadRequest, "The notes may not have more than 15 items.", "notes", "input_validation_failed")
			return
		}
		for k, v := range m {
			if utf8.RuneCountInString(v) > 256 || utf8.RuneCountInString(k) > 256 {
				rzpError(w, http.StatusBadRequest, "The notes."+k+" may not be greater than 256 characters.", "notes", "input_validation_failed")
				return
			}
		}
		if len(m) > 0 {
			notes = raw
		}
	}
	var unique bool
	if raw, ok := fields["unique_receipt"]; ok {
		if err := json.Unmarshal(raw, &unique); err != nil {
			rzpError(w, http.StatusBadRequest, "The unique receipt field must be true or false.", "unique_receipt", "input_validation_failed")
			return
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if receipt != "" {
		if o, dup := e.byReceipt[receipt]; dup && unique {
			// unique_receipt: a repeated receipt returns the existing order.
			b, _ := json.Marshal(o)
			writeJSON(w, http.StatusOK, b)
			return
		} else if dup {
			b, _ := json.Marshal(map[string]any{"error": map[string]any{
				"code": "BAD_REQUEST_ERROR", "description": "Order receipt should be unique.",
				"source": "business", "step": "order_creation", "reason": "input_validation_failed",
				"metadata": map[string]string{"order_id": o.ID}, "field": nil,
			}})
			writeJSON(w, http.StatusBadRequest, b)
			return
		}
	}
	o := &rzpOrder{
		ID: "order_" + randomID(14), Entity: "order", Amount: amount, AmountDue: amount, Currency: currency,
		Receipt: receipt, Status: "created", Notes: notes, CreatedAt: e.Now().Unix(),
	}
	e.orders = append(e.orders, o)
	e.byID[o.ID] = o
	if receipt != "" {
		e.byReceipt[receipt] = o
	}
	b, _ := json.Marshal(o)
	writeJSON(w, http.StatusOK, b)
}

func (e *Razorpay) list(w http.ResponseWriter, r *http.Request) {
	receipt := r.URL.Query().Get("receipt")
	e.mu.Lock()
	items := []*rzpOrder{}
	if receipt != "" {
		if o, ok := e.byReceipt[receipt]; ok {
			items = append(items, o)
		}
	} else {
		for i := len(e.orders) - 1; i >= 0; i-- { // newest first
			items = append(items, e.orders[i])
		}
	}
	b, _ := json.Marshal(map[string]any{"entity": "collection", "count": len(items), "items": items})
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, b)
}

func (e *Razorpay) fetch(w http.ResponseWriter, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if o, ok := e.byID[id]; ok {
		b, _ := json.Marshal(o)
		writeJSON(w, http.StatusOK, b)
		return
	}
	rzpError(w, http.StatusBadRequest, "The id provided does not exist", "id", "input_validation_failed")
}

// Payments and refunds (razorpay.com/docs/api/orders/fetch-payments,
// api/refunds/create-normal, normal-refunds-idempotent, fetch-with-id,
// fetch-multiple-refund-payment). Pay gives an order a captured payment
// and a failed attempt listed after it, so "the last payment" is the wrong
// one. A refund with X-Refund-Idempotency is made once: the same key with
// the same body answers the same refund again, another body is refused.

type rzpRefunds struct {
	payments    map[string]*rzpPayment   // payment id → payment
	byOrder     map[string][]*rzpPayment // order id → payments, in listing order
	refunds     map[string]*rzpRefund    // refund id → refund
	byPayment   map[string][]*rzpRefund  // payment id → refunds, oldest first
	idempotency map[string]*rzpIdem      // X-Refund-Idempotency → first answer
	refundCalls int
}

type rzpPayment struct {
	ID             string          `json:"id"`
	Entity         string          `json:"entity"`
	Amount         int64           `json:"amount"`
	Currency       string          `json:"currency"`
	Status         string          `json:"status"`
	OrderID        string          `json:"order_id"`
	InvoiceID      *string         `json:"invoice_id"`
	International  bool            `json:"international"`
	Method         string          `json:"method"`
	AmountRefunded int64           `json:"amount_refunded"`
	RefundStatus   *string         `json:"refund_status"`
	Captured       bool            `json:"captured"`
	VPA            string          `json:"vpa"`
	Notes          json.RawMessage `json:"notes"`
	ErrorCode      *string         `json:"error_code"`
	ErrorReason    *string         `json:"error_reason"`
	CreatedAt      int64           `json:"created_at"`
}

type rzpRefund struct {
	ID             string          `json:"id"`
	Entity         string          `json:"entity"`
	Amount         int64           `json:"amount"`
	Currency       string          `json:"currency"`
	PaymentID      string          `json:"payment_id"`
	Notes          json.RawMessage `json:"notes"`
	Receipt        *string         `json:"receipt"`
	AcquirerData   map[string]any  `json:"acquirer_data"`
	CreatedAt      int64           `json:"created_at"`
	BatchID        *string         `json:"batch_id"`
	Status         string          `json:"status"`
	SpeedProcessed string          `json:"speed_processed"`
	SpeedRequested string          `json:"speed_requested"`
}

// rzpIdem is the first answer to an idempotency key.
type rzpIdem struct {
	body   string // the request body it answered
	status int
	answer []byte
}

var rzpIdemKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (e *Razorpay) ensureRefunds() {
	if e.payments == nil {
		e.payments, e.byOrder = map[string]*rzpPayment{}, map[string][]*rzpPayment{}
		e.refunds, e.byPayment = map[string]*rzpRefund{}, map[string][]*rzpRefund{}
		e.idempotency = map[string]*rzpIdem{}
	}
}

// Pay captures the order with this receipt: a captured payment, then a
// failed attempt listed after it.
func (e *Razorpay) Pay(receipt string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byReceipt[receipt]
	if !ok {
		return false
	}
	e.ensureRefunds()
	now := e.Now().Unix()
	failCode, failReason := "BAD_REQUEST_ERROR", "payment_failed"
	captured := &rzpPayment{ID: "pay_" + randomID(14), Entity: "payment", Amount: o.Amount, Currency: o.Currency,
		Status: "captured", OrderID: o.ID, Method: "upi", Captured: true, VPA: "success@razorpay",
		Notes: json.RawMessage("[]"), CreatedAt: now}
	failed := &rzpPayment{ID: "pay_" + randomID(14), Entity: "payment", Amount: o.Amount, Currency: o.Currency,
		Status: "failed", OrderID: o.ID, Method: "upi", VPA: "failure@razorpay", Notes: json.RawMessage("[]"),
		ErrorCode: &failCode, ErrorReason: &failReason, CreatedAt: now - 30}
	for _, p := range []*rzpPayment{captured, failed} {
		e.payments[p.ID] = p
		e.byOrder[o.ID] = append(e.byOrder[o.ID], p)
	}
	o.Status, o.Attempts = "paid", o.Attempts+2
	o.AmountPaid, o.AmountDue = o.Amount, 0
	return true
}

// RefundCalls is the number of refund requests received.
func (e *Razorpay) RefundCalls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refundCalls
}

// Refunds lists the refunds of the order with this receipt, oldest first.
func (e *Razorpay) Refunds(receipt string) []Refund {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byReceipt[receipt]
	if !ok {
		return nil
	}
	var out []Refund
	for _, p := range e.byOrder[o.ID] {
		for _, rf := range e.byPayment[p.ID] {
			key := ""
			if rf.Receipt != nil {
				key = *rf.Receipt
			}
			out = append(out, Refund{ID: rf.ID, Key: key, Amount: rzpMajor(rf.Amount, rf.Currency), Status: rf.Status})
		}
	}
	return out
}

// SetRefundStatus moves a refund to pending, processed or failed.
func (e *Razorpay) SetRefundStatus(_, refundID, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	rf, ok := e.refunds[refundID]
	if ok {
		rf.Status = status
	}
	return ok
}

func rzpMajor(minor int64, currency string) string {
	return decimal.New(minor, -int32(rzpExponents[currency])).StringFixed(int32(rzpExponents[currency]))
}

func (e *Razorpay) orderPayments(w http.ResponseWriter, orderID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.byID[orderID]; !ok {
		rzpError(w, http.StatusBadRequest, "The id provided does not exist", "id", "input_validation_failed")
		return
	}
	items := append([]*rzpPayment{}, e.byOrder[orderID]...)
	b, _ := json.Marshal(map[string]any{"entity": "collection", "count": len(items), "items": items})
	writeJSON(w, http.StatusOK, b)
}

func (e *Razorpay) serveRefunds(w http.ResponseWriter, r *http.Request, body []byte) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // v1 payments {id} refund(s) [{rfnd}]
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ensureRefunds()
	switch {
	case len(parts) == 4 && parts[1] == "payments" && parts[3] == "refund" && r.Method == http.MethodPost:
		e.refundCalls++
		e.createRefund(w, r, parts[2], body)
	case len(parts) == 4 && parts[1] == "payments" && parts[3] == "refunds" && r.Method == http.MethodGet:
		p, ok := e.payments[parts[2]]
		if !ok {
			rzpError(w, http.StatusBadRequest, "The id provided does not exist", "id", "input_validation_failed")
			return
		}
		count := 10
		if c := r.URL.Query().Get("count"); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 1 || n > 100 {
				rzpError(w, http.StatusBadRequest, "The count must be between 1 and 100.", "count", "input_validation_failed")
				return
			}
			count = n
		}
		list := e.byPayment[p.ID]
		items := []*rzpRefund{}
		for i := len(list) - 1; i >= 0 && len(items) < count; i-- { // newest first
			items = append(items, list[i])
		}
		b, _ := json.Marshal(map[string]any{"entity": "collection", "count": len(items), "items": items})
		writeJSON(w, http.StatusOK, b)
	case len(parts) == 5 && parts[1] == "payments" && parts[3] == "refunds" && r.Method == http.MethodGet:
		rf, ok := e.refunds[parts[4]]
		if !ok || rf.PaymentID != parts[2] {
			rzpError(w, http.StatusBadRequest, "The id provided does not exist", "id", "input_validation_failed")
			return
		}
		b, _ := json.Marshal(rf)
		writeJSON(w, http.StatusOK, b)
	case len(parts) == 3 && parts[1] == "refunds" && r.Method == http.MethodGet:
		rf, ok := e.refunds[parts[2]]
		if !ok {
			rzpError(w, http.StatusBadRequest, "The id provided does not exist", "id", "input_validation_failed")
			return
		}
		b, _ := json.Marshal(rf)
		writeJSON(w, http.StatusOK, b)
	default:
		rzpError(w, http.StatusBadRequest, "The requested URL was not found on the server.", "", "")
	}
}

// createRefund is POST /v1/payments/{id}/refund; e.mu is held.
func (e *Razorpay) createRefund(w http.ResponseWriter, r *http.Request, paymentID string, body []byte) {
	key := r.Header.Get("X-Refund-Idempotency")
	if _, sent := r.Header["X-Refund-Idempotency"]; sent {
		switch {
		case len(key) < 10:
			rzpError(w, http.StatusBadRequest, "The idempotency key must be at least 10 characters long.", "", "input_validation_failed")
			return
		case !rzpIdemKey.MatchString(key):
			rzpError(w, http.StatusBadRequest, "The idempotency key must only contain alphanumeric characters, underscores, and hyphens.", "", "input_validation_failed")
			return
		}
		if prev, ok := e.idempotency[key]; ok {
			if prev.body != string(body) {
				b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "BAD_REQUEST_ERROR",
					"description": "Different request with the same idempotency key has already been processed.",
					"source":      "NA", "step": "NA", "reason": "NA", "metadata": map[string]string{}}})
				writeJSON(w, http.StatusConflict, b)
				return
			}
			writeJSON(w, prev.status, prev.answer)
			return
		}
	}
	rec := &recorder{header: http.Header{}}
	e.refund(rec, r, paymentID, body)
	if key != "" && rec.status < 500 {
		e.idempotency[key] = &rzpIdem{body: string(body), status: rec.status, answer: rec.body.Bytes()}
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}

// recorder keeps an answer so it can be replayed for an idempotency key.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int)   { r.status = s }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// refund makes the refund; e.mu is held.
func (e *Razorpay) refund(w http.ResponseWriter, r *http.Request, paymentID string, body []byte) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		rzpError(w, http.StatusBadRequest, "The request body must be JSON.", "", "input_validation_failed")
		return
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		rzpError(w, http.StatusBadRequest, "The request body is invalid JSON.", "", "input_validation_failed")
		return
	}
	for k := range fields {
		if k != "amount" && k != "speed" && k != "notes" && k != "receipt" {
			rzpError(w, http.StatusBadRequest, k+" is/are not required and should not be sent", k, "extra_field_sent")
			return
		}
	}
	p, ok := e.payments[paymentID]
	if !ok {
		rzpError(w, http.StatusBadRequest, paymentID+" is not a valid id.", "id", "input_validation_failed")
		return
	}
	switch p.Status {
	case "refunded":
		rzpError(w, http.StatusBadRequest, "The payment has been fully refunded already.", "", "input_validation_failed")
		return
	case "captured":
	default:
		rzpError(w, http.StatusBadRequest, "Only captured payments can be refunded.", "", "input_validation_failed")
		return
	}
	left := p.Amount - p.AmountRefunded
	amount := left // no amount: a full refund
	if raw, ok := fields["amount"]; ok {
		if err := json.Unmarshal(raw, &amount); err != nil {
			rzpError(w, http.StatusBadRequest, "The amount must be an integer.", "amount", "input_validation_failed")
			return
		}
	}
	exp := rzpExponents[p.Currency]
	switch {
	case exp == 2 && amount < 100:
		rzpError(w, http.StatusBadRequest, fmt.Sprintf("The amount must be at least %s 1.00", p.Currency), "amount", "input_validation_failed")
		return
	case amount <= 0:
		rzpError(w, http.StatusBadRequest, "The amount must be atleast 1.", "amount", "input_validation_failed")
		return
	case amount > left:
		rzpError(w, http.StatusBadRequest, "The refund amount provided is greater than amount captured.", "amount", "input_validation_failed")
		return
	}
	var receipt *string
	if raw, ok := fields["receipt"]; ok && string(raw) != "null" {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || utf8.RuneCountInString(s) > 40 {
			rzpError(w, http.StatusBadRequest, "The receipt may not be greater than 40 characters.", "receipt", "input_validation_failed")
			return
		}
		receipt = &s
	}
	notes := json.RawMessage("[]")
	if raw, ok := fields["notes"]; ok {
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil || len(m) > 15 {
			rzpError(w, http.StatusBadRequest, "The notes must be an object of at most 15 items.", "notes", "input_validation_failed")
			return
		}
		for k, v := range m {
			if utf8.RuneCountInString(v) > 256 || utf8.RuneCountInString(k) > 256 {
				rzpError(w, http.StatusBadRequest, "The notes."+k+" may not be greater than 256 characters.", "notes", "input_validation_failed")
				return
			}
		}
		if len(m) > 0 {
			notes = raw
		}
	}
	speed := "normal"
	rf := &rzpRefund{ID: "rfnd_" + randomID(14), Entity: "refund", Amount: amount, Currency: p.Currency, PaymentID: p.ID,
		Notes: notes, Receipt: receipt, AcquirerData: map[string]any{"arn": nil}, CreatedAt: e.Now().Unix(),
		Status: "processed", SpeedProcessed: speed, SpeedRequested: speed}
	e.refunds[rf.ID] = rf
	e.byPayment[p.ID] = append(e.byPayment[p.ID], rf)
	p.AmountRefunded += amount
	state := "partial"
	if p.AmountRefunded == p.Amount {
		state, p.Status = "full", "refunded"
	}
	p.RefundStatus = &state
	b, _ := json.Marshal(rf)
	writeJSON(w, http.StatusOK, b)
}

var _ Refunding = (*Razorpay)(nil)
