package emulator

import (
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

func init() {
	Register("juspay", func(opts map[string]string) (Emulator, error) {
		return NewJuspay(opts["api_key"], opts["merchant_id"], opts["version"])
	})
}

// Juspay emulates Juspay's order API
// (https://juspay.io/in/docs/api-reference/docs/express-checkout/introduction,
// docs/gateways/juspay.md): Basic api_key with an
// empty password, x-merchantid and version headers, POST /orders as a form
// with Juspay's rules, GET /orders/{order_id}. It answers the short
// CREATED/1 shape, or the full NEW/10 shape with a client_auth_token when
// options.get_client_auth_token=true, and Juspay's own error bodies.
type Juspay struct {
	journal
	apiKey, merchantID, version string
	// Now is the emulator's clock (date_created, token expiry); tests may replace it.
	Now func() time.Time

	mu     sync.Mutex
	orders map[string]*jpOrder
	jpRefunds
}

type jpOrder struct {
	id, orderID, status string
	statusID            int
	amount              decimal.Decimal
	currency            string
	form                url.Values
	created             time.Time
	refunds             []*jpRefund // oldest first
}

var (
	jpOrderID  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)
	jpAmount   = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)
	jpPlainUDF = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	jpVersion  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	// jpCurrencies are currencies with at most 2 places that the docs name.
	jpCurrencies = map[string]bool{"INR": true, "USD": true, "EUR": true, "GBP": true, "SGD": true,
		"AED": true, "MYR": true, "IDR": true, "BRL": true, "JPY": true}
	// jpKeys are the form keys Juspay documents for /orders (besides the
	// metadata.* and options.* families and udf1–10).
	jpKeys = map[string]bool{"order_id": true, "amount": true, "currency": true, "customer_id": true,
		"customer_email": true, "customer_phone": true, "description": true, "return_url": true,
		"product_id": true, "gateway_id": true, "first_name": true, "last_name": true}
	jpAddressKeys = []string{"first_name", "last_name", "line1", "line2", "line3", "city", "state",
		"country", "postal_code", "phone", "country_code_iso"}
)

// NewJuspay builds an emulator accepting exactly this key and merchant id;
// an empty version accepts any YYYY-MM-DD.
func NewJuspay(apiKey, merchantID, version string) (*Juspay, error) {
	if apiKey == "" || merchantID == "" {
		return nil, fmt.Errorf("juspay emulator needs api_key and merchant_id")
	}
	return &Juspay{apiKey: apiKey, merchantID: merchantID, version: version, Now: time.Now,
		orders: map[string]*jpOrder{}}, nil
}

// Reset forgets orders and received requests.
func (e *Juspay) Reset() {
	e.resetJournal()
	e.mu.Lock()
	e.orders = map[string]*jpOrder{}
	e.jpRefunds = jpRefunds{}
	e.mu.Unlock()
}

// SetStatus moves an order to a status (e.g. "CHARGED", 21), as a
// customer's payment would.
func (e *Juspay) SetStatus(orderID, status string, statusID int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if ok {
		o.status, o.statusID = status, statusID
	}
	return ok
}

type jpField struct {
	FieldName string `json:"field_name"`
	Reason    string `json:"reason"`
}

// jpClassic writes the classic {status, error_code, error_message} body;
// an empty message is left out, as Juspay's access_denied does.
func jpClassic(w http.ResponseWriter, httpStatus int, status, code, message string) {
	body := map[string]string{"status": status, "error_code": code}
	if message != "" {
		body["error_message"] = message
	}
	b, _ := json.Marshal(body)
	writeJSON(w, httpStatus, b)
}

// jpInfo writes the newer body with its error_info block.
func jpInfo(w http.ResponseWriter, httpStatus int, code, infoCode, message string, fields ...jpField) {
	status := "Bad Request"
	if httpStatus == http.StatusNotFound {
		status = "Not Found"
	}
	b, _ := json.Marshal(map[string]any{
		"status": status, "error_code": code, "error_message": message,
		"error_info": map[string]any{"user_message": message, "developer_message": message, "code": infoCode,
			"category": "USER_ERROR", "fields": append([]jpField{}, fields...)},
	})
	writeJSON(w, httpStatus, b)
}

func jpInvalid(w http.ResponseWriter, field, reason string) {
	jpInfo(w, http.StatusBadRequest, "INVALID_REQUEST", "INVALID_INPUT", "Invalid input data", jpField{field, reason})
}

func (e *Juspay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := e.record(r)
	if serveControl(e, w, r) {
		return
	}
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok:
		jpClassic(w, http.StatusUnauthorized, "invalid_request_error", "missing_authentication", "Missing authentication")
		return
	case user != e.apiKey || pass != "" || r.Header.Get("x-merchantid") != e.merchantID:
		jpClassic(w, http.StatusUnauthorized, "error", "access_denied", "")
		return
	}
	if v := r.Header.Get("version"); !jpVersion.MatchString(v) || (e.version != "" && v != e.version) {
		jpClassic(w, http.StatusBadRequest, "Bad Request", "invalid_request", "Invalid version header")
		return
	}
	switch {
	case r.URL.Path == "/orders" && r.Method == http.MethodPost:
		e.create(w, r, body)
	case strings.HasPrefix(r.URL.Path, "/orders/") && strings.HasSuffix(r.URL.Path, "/refunds") && r.Method == http.MethodPost:
		e.refund(w, r, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/orders/"), "/refunds"), body)
	case strings.HasPrefix(r.URL.Path, "/orders/") && r.Method == http.MethodGet:
		e.fetch(w, strings.TrimPrefix(r.URL.Path, "/orders/"))
	default:
		jpInfo(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "RESOURCE_NOT_FOUND", "The requested resource was not found")
	}
}

func (e *Juspay) create(w http.ResponseWriter, r *http.Request, body []byte) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		jpClassic(w, http.StatusBadRequest, "Bad Request", "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		jpClassic(w, http.StatusBadRequest, "Bad Request", "invalid_request", "Malformed request body")
		return
	}
	for k, v := range form {
		if len(v) > 1 {
			jpInvalid(w, k, "Parameter sent more than once")
			return
		}
		if !jpKnownKey(k) {
			jpInvalid(w, k, "Unknown parameter")
			return
		}
	}
	orderID := form.Get("order_id")
	switch {
	case orderID == "":
		jpClassic(w, http.StatusBadRequest, "Bad Request", "order_id is missing", "order_id is missing")
		return
	case !jpOrderID.MatchString(orderID):
		jpInvalid(w, "order_id", "order_id should be alphanumeric with length less than 21")
		return
	case form.Get("amount") == "":
		jpClassic(w, http.StatusBadRequest, "Bad Request", "Mandatory fields are missing", "Mandatory fields are missing")
		return
	case !jpAmount.MatchString(form.Get("amount")):
		jpClassic(w, http.StatusBadRequest, "ERROR", "invalid_request", "Invalid amount")
		return
	}
	amount, _ := decimal.NewFromString(form.Get("amount"))
	if amount.LessThan(decimal.NewFromInt(1)) {
		jpInvalid(w, "amount", "Amount should be at least 1")
		return
	}
	currency := form.Get("currency")
	if currency == "" {
		currency = "INR" // Juspay's default
	}
	if !jpCurrencies[currency] {
		jpInvalid(w, "currency", "Unsupported currency")
		return
	}
	if ru := form.Get("return_url"); ru != "" {
		u, err := url.Parse(ru)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			jpInvalid(w, "return_url", "return_url should be a fully qualified URL")
			return
		case u.RawQuery != "" || u.ForceQuery:
			jpInvalid(w, "return_url", "return_url should not contain query parameters")
			return
		case net.ParseIP(u.Hostname()) != nil:
			jpInvalid(w, "return_url", "return_url should not contain an IP address")
			return
		}
	}
	for i := 1; i <= 5; i++ {
		if k := fmt.Sprintf("udf%d", i); !jpPlainUDF.MatchString(form.Get(k)) {
			jpInvalid(w, k, "Special characters are not allowed in "+k+"; use udf6 to udf10")
			return
		}
	}
	if v := form.Get("options.get_client_auth_token"); v != "" && v != "true" && v != "false" {
		jpInvalid(w, "options.get_client_auth_token", "should be true or false")
		return
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.orders[orderID]; dup {
		jpInfo(w, http.StatusBadRequest, "ALREADY_EXISTS", "ALREADY_EXISTS", "Order with the given order_id already exists",
			jpField{"order_id", "Order already exists"})
		return
	}
	o := &jpOrder{id: "ordeu_" + strings.ToLower(randomID(32)), orderID: orderID, status: "NEW", statusID: 10,
		amount: amount, currency: currency, form: form, created: e.Now().UTC()}
	e.orders[orderID] = o
	if form.Get("options.get_client_auth_token") != "true" {
		b, _ := json.Marshal(map[string]any{"status": "CREATED", "status_id": 1, "id": o.id, "order_id": o.orderID,
			"payment_links": jpLinks(o)})
		writeJSON(w, http.StatusOK, b)
		return
	}
	full := jpFull(o, e.merchantID)
	full["juspay"] = map[string]string{
		"client_auth_token":        "tkn_" + strings.ToLower(randomID(30)),
		"client_auth_token_expiry": e.Now().UTC().Add(15 * time.Minute).Format(time.RFC3339),
	}
	b, _ := json.Marshal(full)
	writeJSON(w, http.StatusOK, b)
}

func jpKnownKey(k string) bool {
	if jpKeys[k] || strings.HasPrefix(k, "metadata.") || strings.HasPrefix(k, "options.") {
		return true
	}
	for i := 1; i <= 10; i++ {
		if k == fmt.Sprintf("udf%d", i) {
			return true
		}
	}
	for _, p := range []string{"billing_address_", "shipping_address_"} {
		for _, a := range jpAddressKeys {
			if k == p+a {
				return true
			}
		}
	}
	return false
}

func jpLinks(o *jpOrder) map[string]string {
	return map[string]string{
		"web":    "https://sandbox.juspay.in/merchant/pay/" + o.id,
		"mobile": "https://sandbox.juspay.in/merchant/pay/" + o.id + "?mobile=true",
		"iframe": "https://sandbox.juspay.in/merchant/ipay/" + o.id,
	}
}

// jpFull is the full order object of the NEW/10 create answer and of the
// status API; amount is a JSON number in major units, as Juspay sends it.
func jpFull(o *jpOrder, merchantID string) map[string]any {
	m := map[string]any{
		"id": o.id, "order_id": o.orderID, "merchant_id": merchantID, "status": o.status, "status_id": o.statusID,
		"amount": json.Number(o.amount.String()), "currency": o.currency, "amount_refunded": 0, "refunded": false,
		"customer_id": o.form.Get("customer_id"), "customer_email": o.form.Get("customer_email"),
		"customer_phone": o.form.Get("customer_phone"), "product_id": o.form.Get("product_id"),
		"return_url": o.form.Get("return_url"), "date_created": o.created.Format(time.RFC3339),
		"payment_links": jpLinks(o),
	}
	for i := 1; i <= 10; i++ {
		k := fmt.Sprintf("udf%d", i)
		m[k] = o.form.Get(k)
	}
	return m
}

func (e *Juspay) fetch(w http.ResponseWriter, orderID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		jpInfo(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "RESOURCE_NOT_FOUND", "Order not found",
			jpField{"order_id", "Order with order_id " + orderID + " not found"})
		return
	}
	b, _ := json.Marshal(e.statusObject(o))
	writeJSON(w, http.StatusOK, b)
}

// statusObject is the order as GET /orders/{order_id} shows it; e.mu is held.
func (e *Juspay) statusObject(o *jpOrder) map[string]any {
	m := jpFull(o, e.merchantID)
	if o.statusID != 10 { // a payment was attempted: Juspay adds the transaction
		txnID := e.merchantID + "-" + o.orderID + "-1"
		m["txn_id"] = txnID
		m["effective_amount"] = json.Number(o.amount.String())
		m["txn_detail"] = map[string]any{"txn_id": txnID, "order_id": o.orderID, "status": o.status,
			"txn_amount": json.Number(o.amount.String()), "currency": o.currency, "gateway": "DUMMY"}
	}
	if len(o.refunds) > 0 {
		refunded := decimal.Zero
		list := make([]*jpRefund, len(o.refunds))
		for i, rf := range o.refunds {
			list[i] = rf
			if rf.Status != "FAILURE" {
				refunded = refunded.Add(rf.amount) // Juspay counts pending refunds too
			}
		}
		m["refunds"] = list
		m["amount_refunded"] = json.Number(refunded.String())
		m["refunded"] = refunded.Equal(o.amount)
	}
	return m
}

// Refunds (juspay.io/in/docs/api-reference/docs/express-checkout/refund-order-api,
// developer.juspay.in/reference/refund-order): POST /orders/{order_id}/refunds
// as a form with unique_request_id and amount; the answer is the order with
// refunds[]. A unique_request_id already used on the order is answered 400
// duplicate.call, not with the first answer; so is a second refund of the
// same amount within SameAmountWindow; more than what is left to refund
// is invalid.amount.exceeded; an order not CHARGED cannot be refunded.

type jpRefunds struct {
	refundCalls int
}

// jpSameAmountWindow is how long Juspay refuses a second refund of the same
// amount on an order (2 s in one version of its docs, 5 s in another).
const jpSameAmountWindow = 2 * time.Second

type jpRefund struct {
	UniqueRequestID string          `json:"unique_request_id"`
	Status          string          `json:"status"`
	SentToGateway   bool            `json:"sent_to_gateway"`
	RefundType      string          `json:"refund_type"`
	RefundSource    string          `json:"refund_source"`
	Ref             *string         `json:"ref"`
	InitiatedBy     string          `json:"initiated_by"`
	ID              *string         `json:"id"`
	ErrorMessage    string          `json:"error_message"`
	ErrorCode       *string         `json:"error_code"`
	Created         string          `json:"created"`
	Amount          json.Number     `json:"amount"`
	amount          decimal.Decimal // the value of Amount
	at              time.Time
}

var jpRequestID = regexp.MustCompile(`^[A-Za-z0-9]{1,20}$`)

// jpRefundError writes Juspay's refund error body (status_id -1).
func jpRefundError(w http.ResponseWriter, code, message string) {
	b, _ := json.Marshal(map[string]any{"status_id": -1, "status": "ERROR", "error_message": message, "error_code": code})
	writeJSON(w, http.StatusBadRequest, b)
}

// Pay charges the order: status CHARGED (21).
func (e *Juspay) Pay(orderID string) bool { return e.SetStatus(orderID, "CHARGED", 21) }

// RefundCalls is the number of refund requests received.
func (e *Juspay) RefundCalls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refundCalls
}

// Refunds lists the order's refunds, oldest first.
func (e *Juspay) Refunds(orderID string) []Refund {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		return nil
	}
	out := make([]Refund, 0, len(o.refunds))
	for _, rf := range o.refunds {
		out = append(out, Refund{ID: rf.UniqueRequestID, Key: rf.UniqueRequestID, Amount: rf.amount.StringFixed(2), Status: rf.Status})
	}
	return out
}

// SetRefundStatus moves a refund (by its unique_request_id) to PENDING,
// SUCCESS, FAILURE or MANUAL_REVIEW; a SUCCESS gets the PG's refund id.
func (e *Juspay) SetRefundStatus(orderID, uniqueRequestID, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		return false
	}
	for _, rf := range o.refunds {
		if rf.UniqueRequestID == uniqueRequestID {
			rf.Status = status
			if status == "SUCCESS" && rf.Ref == nil {
				ref := "rfnd_" + randomID(14)
				rf.Ref, rf.SentToGateway = &ref, true
			}
			return true
		}
	}
	return false
}

func (e *Juspay) refund(w http.ResponseWriter, r *http.Request, orderID string, body []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refundCalls++
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		jpClassic(w, http.StatusBadRequest, "Bad Request", "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		jpClassic(w, http.StatusBadRequest, "Bad Request", "invalid_request", "Malformed request body")
		return
	}
	for k, v := range form {
		if len(v) > 1 || (k != "unique_request_id" && k != "amount") {
			jpInvalid(w, k, "Unknown or repeated parameter")
			return
		}
	}
	o, ok := e.orders[orderID]
	if !ok {
		b, _ := json.Marshal(map[string]any{"status_id": 40, "status": "NOT_FOUND", "order_id": orderID})
		writeJSON(w, http.StatusBadRequest, b)
		return
	}
	id, rawAmount := form.Get("unique_request_id"), form.Get("amount")
	switch {
	case id == "" || rawAmount == "":
		jpClassic(w, http.StatusBadRequest, "Bad Request", "Mandatory fields are missing", "Mandatory fields are missing")
		return
	case !jpRequestID.MatchString(id):
		jpInvalid(w, "unique_request_id", "unique_request_id should be alphanumeric with length less than 21")
		return
	case !jpAmount.MatchString(rawAmount):
		jpRefundError(w, "invalid amount", "Amount is invalid.")
		return
	}
	amount, _ := decimal.NewFromString(rawAmount)
	if !amount.IsPositive() {
		jpRefundError(w, "invalid amount", "Amount is invalid.")
		return
	}
	if o.status != "CHARGED" {
		jpRefundError(w, "invalid.order.not_successful", "Cannot process unsuccessful order.")
		return
	}
	now := e.Now()
	refunded := decimal.Zero
	for _, rf := range o.refunds {
		if rf.UniqueRequestID == id {
			jpRefundError(w, "duplicate.call", "A refund call was already completed with this unique_request_id for the order.")
			return
		}
		if rf.amount.Equal(amount) && now.Sub(rf.at) < jpSameAmountWindow {
			b, _ := json.Marshal(map[string]any{"status_id": "-1", "status": "ERROR", "error_code": "duplicate.call",
				"error_message": "A refund call was already processing with this amount for the order."})
			writeJSON(w, http.StatusBadRequest, b)
			return
		}
		if rf.Status != "FAILURE" {
			refunded = refunded.Add(rf.amount)
		}
	}
	if refunded.Add(amount).GreaterThan(o.amount) {
		jpRefundError(w, "invalid.amount.exceeded", "Refund amount exceeds the refundable amount.")
		return
	}
	o.refunds = append(o.refunds, &jpRefund{UniqueRequestID: id, Status: "PENDING", RefundType: "STANDARD",
		RefundSource: "DUMMY", InitiatedBy: "API", Created: now.UTC().Format(time.RFC3339),
		Amount: json.Number(amount.String()), amount: amount, at: now})
	b, _ := json.Marshal(e.statusObject(o))
	writeJSON(w, http.StatusOK, b)
}

var _ Refunding = (*Juspay)(nil)
