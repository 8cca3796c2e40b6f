package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

func init() {
	Register("razorpay", func(opts map[string]string) (Emulator, error) {
		return NewRazorpay(opts["key_id"], opts["key_secret"])
	})
}

// Razorpay emulates the Razorpay Orders API (gateways.md §3): Basic auth,
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
	case strings.HasPrefix(r.URL.Path, "/v1/orders/") && r.Method == http.MethodGet:
		e.fetch(w, strings.TrimPrefix(r.URL.Path, "/v1/orders/"))
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
