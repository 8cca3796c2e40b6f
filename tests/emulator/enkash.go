package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

func init() {
	Register("enkash", func(opts map[string]string) (Emulator, error) {
		lifetime := 10 * time.Minute
		if v := opts["token_lifetime"]; v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("enkash emulator: token_lifetime %q is not a positive duration", v)
			}
			lifetime = d
		}
		return NewEnKash(opts["access_key"], opts["secret_key"], lifetime)
	})
}

// EnKash emulates EnKash PG (https://docs.enkash.com/api-8990249 and
// https://docs.enkash.com/payment-gateway/authorization,
// docs/gateways/enkash.md): POST /api/v0/merchant/token
// issues bearer tokens with a configurable lifetime; POST /api/v0/orders
// and GET /api/v0/orders/{id} demand a live token (else HTTP 200 with
// response_code 117, payload "Token is invalid.") and the merchantAccessKey
// header, and answer in the {response_code, response_message, payload}
// envelope. Every answer carries a Date header from the emulator's clock,
// as a real server's would.
//
// Where EnKash's behaviour is undocumented the emulator picks one and says
// so: a field rule broken → HTTP 400 with response_code 422; a duplicate
// orderId → HTTP 200 with response_code 409; an unknown order → HTTP 200
// with response_code 404; a wrong merchantAccessKey → HTTP 403; wrong
// token credentials → HTTP 401 with resultCode 401.
type EnKash struct {
	journal
	accessKey, secretKey string
	defaultLifetime      time.Duration

	mu         sync.Mutex
	now        func() time.Time
	lifetime   time.Duration
	tokens     map[string]time.Time // token → expiry
	tokenCalls int
	tokenDown  bool
	tokenDelay time.Duration
	byID       map[string]*ekOrder // EnKash's order id → order
	byMerchant map[string]*ekOrder // the merchant's orderId → order (unique here)
	ekRefunds
}

type ekOrder struct {
	ID              string
	MerchantOrderID string
	Value           decimal.Decimal
	Status          string
	Created         time.Time
	Description     string
	Transactions    []*ekTxn // payment attempts, in listing order
}

const (
	ekTokenPath  = "/api/v0/merchant/token"
	ekOrdersPath = "/api/v0/orders"
)

var (
	ekIFSC    = regexp.MustCompile(`^[A-Z]{4}0[A-Z0-9]{6}$`)
	ekIST     = time.FixedZone("IST", 5*3600+1800)
	ekMinimum = decimal.New(1, -2)
)

// NewEnKash builds an emulator accepting exactly these credentials.
func NewEnKash(accessKey, secretKey string, tokenLifetime time.Duration) (*EnKash, error) {
	if accessKey == "" || secretKey == "" {
		return nil, fmt.Errorf("enkash emulator needs access_key and secret_key")
	}
	return &EnKash{
		accessKey: accessKey, secretKey: secretKey, defaultLifetime: tokenLifetime,
		now: time.Now, lifetime: tokenLifetime, tokens: map[string]time.Time{},
		byID: map[string]*ekOrder{}, byMerchant: map[string]*ekOrder{},
	}, nil
}

// Reset forgets orders, received requests and the token call count, and
// restores the clock, the token lifetime and the token endpoint. Tokens
// already issued stay valid, as they would at the real gateway.
func (e *EnKash) Reset() {
	e.resetJournal()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byID, e.byMerchant = map[string]*ekOrder{}, map[string]*ekOrder{}
	e.ekRefunds = ekRefunds{}
	e.tokenCalls, e.tokenDown, e.tokenDelay = 0, false, 0
	e.now, e.lifetime = time.Now, e.defaultLifetime
}

// TokenCalls is the number of requests the token endpoint received.
func (e *EnKash) TokenCalls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tokenCalls
}

// RevokeAll makes every token issued so far invalid.
func (e *EnKash) RevokeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.tokens)
}

// SetTokenEndpointDown makes the token endpoint drop connections without
// answering (true) or serve again (false).
func (e *EnKash) SetTokenEndpointDown(down bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokenDown = down
}

// SetTokenDelay makes the token endpoint wait this long (real time) before
// it answers, so tests can hold many requests behind one token call.
func (e *EnKash) SetTokenDelay(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokenDelay = d
}

// SetTokenLifetime changes the lifetime of tokens issued from now on.
func (e *EnKash) SetTokenLifetime(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lifetime = d
}

// SetClock replaces the emulator's clock (token expiry, created, Date).
func (e *EnKash) SetClock(now func() time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = now
}

// SetStatus moves the newest order with this merchant order id to an
// EnKash order status (CREATED, ATTEMPTED, PAID, EXPIRED, CANCELLED…).
func (e *EnKash) SetStatus(merchantOrderID, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byMerchant[merchantOrderID]
	if ok {
		o.Status = status
	}
	return ok
}

// GatewayID returns EnKash's id of the newest order with this merchant id.
func (e *EnKash) GatewayID(merchantOrderID string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if o, ok := e.byMerchant[merchantOrderID]; ok {
		return o.ID, true
	}
	return "", false
}

func (e *EnKash) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now()
}

func (e *EnKash) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := e.record(r)
	w.Header().Set("Date", e.clock().UTC().Format(http.TimeFormat))
	if serveControl(e, w, r) {
		return
	}
	switch {
	case r.URL.Path == ekTokenPath && r.Method == http.MethodPost:
		e.token(w, r, body)
		return
	case r.URL.Path == ekOrdersPath || strings.HasPrefix(r.URL.Path, ekOrdersPath+"/"):
	case strings.HasPrefix(r.URL.Path, ekPaymentPath):
	default:
		ekReply(w, http.StatusNotFound, 404, "No handler found for "+r.Method+" "+r.URL.Path, nil)
		return
	}
	if !e.liveToken(r.Header.Get("Authorization")) {
		ekReply(w, http.StatusOK, 117, "FAILURE", "Token is invalid.")
		return
	}
	if r.Header.Get("merchantAccessKey") != e.accessKey {
		ekReply(w, http.StatusForbidden, 403, "Invalid merchantAccessKey", nil)
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, ekPaymentPath):
		e.servePayment(w, r, body)
	case r.URL.Path == ekOrdersPath && r.Method == http.MethodPost:
		e.create(w, r, body)
	case r.Method == http.MethodGet && strings.Count(r.URL.Path, "/") == 4:
		e.fetch(w, strings.TrimPrefix(r.URL.Path, ekOrdersPath+"/"))
	default:
		ekReply(w, http.StatusMethodNotAllowed, 405, "Request method '"+r.Method+"' is not supported", nil)
	}
}

// ekReply writes the EnKash envelope.
func ekReply(w http.ResponseWriter, status, code int, message string, payload any) {
	b, _ := json.Marshal(struct {
		ResponseCode    int    `json:"response_code"`
		ResponseMessage string `json:"response_message"`
		Payload         any    `json:"payload"`
	}{code, message, payload})
	writeJSON(w, status, b)
}

func (e *EnKash) token(w http.ResponseWriter, r *http.Request, body []byte) {
	e.mu.Lock()
	e.tokenCalls++
	down, delay := e.tokenDown, e.tokenDelay
	e.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if down {
		// Drop the connection without an answer, as a dead upstream does.
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>")
		return
	}
	refuse := func(msg string) {
		b, _ := json.Marshal(map[string]any{"token": nil, "expiry": 0, "resultCode": 401, "resultMessage": msg})
		writeJSON(w, http.StatusUnauthorized, b)
	}
	var creds struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}
	if err := json.Unmarshal(body, &creds); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		refuse("Request body must be JSON with accessKey and secretKey.")
		return
	}
	if k := r.Header.Get("API-Key"); k != "" && k != creds.AccessKey {
		refuse("API-Key does not match accessKey.")
		return
	}
	if creds.AccessKey != e.accessKey || creds.SecretKey != e.secretKey {
		refuse("Invalid access key or secret key.")
		return
	}
	e.mu.Lock()
	tok := "ekt_" + randomID(40)
	now := e.now()
	expiry := now.Add(e.lifetime)
	e.tokens[tok] = expiry
	e.mu.Unlock()
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	b, _ := json.Marshal(map[string]any{
		"token": tok, "expiry": expiry.UnixMilli(), "resultCode": 200, "resultMessage": "Token generated successfully.",
	})
	writeJSON(w, http.StatusOK, b)
}

// liveToken checks "Bearer <token>" against the issued, unexpired tokens.
func (e *EnKash) liveToken(auth string) bool {
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || tok == "" {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	exp, ok := e.tokens[tok]
	return ok && e.now().Before(exp)
}

func (e *EnKash) create(w http.ResponseWriter, r *http.Request, body []byte) {
	invalid := func(format string, args ...any) {
		ekReply(w, http.StatusBadRequest, 422, fmt.Sprintf(format, args...), nil)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		ekReply(w, http.StatusUnsupportedMediaType, 415, "Content type must be application/json", nil)
		return
	}
	var req struct {
		OrderID string `json:"orderId"`
		Amount  *struct {
			Value    json.Number `json:"value"`
			Currency string      `json:"currency"`
		} `json:"amount"`
		ReturnURL    string `json:"returnUrl"`
		NotifyURL    string `json:"notifyUrl"`
		CustomerInfo *struct {
			FirstName   string          `json:"firstName"`
			LastName    string          `json:"lastName"`
			Email       string          `json:"email"`
			PhoneNumber string          `json:"phoneNumber"`
			Address     json.RawMessage `json:"address"`
		} `json:"customerInfo"`
		CustomParameters map[string]string `json:"customParameters"`
		Description      string            `json:"description"`
		PaymentDetail    *struct {
			AccountNumber string `json:"accountNumber"`
			IFSC          string `json:"ifsc"`
		} `json:"paymentDetail"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		ekReply(w, http.StatusBadRequest, 400, "Malformed request: "+err.Error(), nil)
		return
	}
	if req.OrderID == "" {
		invalid("orderId: must not be blank")
		return
	}
	if req.Amount == nil || req.Amount.Value == "" {
		invalid("amount.value: must not be null")
		return
	}
	if strings.ContainsAny(string(req.Amount.Value), "eE") {
		invalid("amount.value: must be a plain decimal number")
		return
	}
	value, err := decimal.NewFromString(string(req.Amount.Value))
	if err != nil {
		invalid("amount.value: must be a number")
		return
	}
	if value.LessThan(ekMinimum) {
		invalid("amount.value: must be greater than or equal to 0.01")
		return
	}
	if !value.Equal(value.Round(2)) {
		invalid("amount.value: numeric value out of bounds (<12 digits>.<2 digits> expected)")
		return
	}
	if req.Amount.Currency != "INR" {
		invalid("amount.currency: must be INR")
		return
	}
	if pd := req.PaymentDetail; pd != nil {
		if n := len(pd.AccountNumber); pd.AccountNumber != "" && (n < 9 || n > 36) {
			invalid("paymentDetail.accountNumber: size must be between 9 and 36")
			return
		}
		if pd.IFSC != "" && !ekIFSC.MatchString(pd.IFSC) {
			invalid(`paymentDetail.ifsc: must match "^[A-Z]{4}0[A-Z0-9]{6}$"`)
			return
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.byMerchant[req.OrderID]; dup {
		ekReply(w, http.StatusOK, 409, "Duplicate orderId: an order with this orderId already exists", nil)
		return
	}
	now := e.now()
	o := &ekOrder{
		ID:              fmt.Sprintf("ORD%d%s", now.UnixMilli(), randomID(5)),
		MerchantOrderID: req.OrderID, Value: value, Status: "CREATED", Created: now, Description: req.Description,
	}
	e.byID[o.ID], e.byMerchant[o.MerchantOrderID] = o, o
	ekReply(w, http.StatusOK, 0, "SUCCESS", map[string]string{
		"redirectionUrl": "https://checkout-uat-v3.enkash.in/pay/" + o.ID,
		"orderId":        o.ID,
	})
}

// fetch finds an order by EnKash's id or, as the older docs describe, by
// the merchant's id.
func (e *EnKash) fetch(w http.ResponseWriter, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	found, ok := e.byID[id]
	if !ok {
		found = e.byMerchant[id]
	}
	if found == nil {
		ekReply(w, http.StatusOK, 404, "Order not found", nil)
		return
	}
	payload := map[string]any{
		"orderId":         found.ID,
		"merchantOrderId": found.MerchantOrderID,
		"created":         found.Created.In(ekIST).Format("2006-01-02T15:04:05.000Z07:00"),
		"orderStatus":     found.Status,
		"amount":          json.Number(found.Value.StringFixed(2)),
		"currency":        "INR",
		"description":     found.Description,
	}
	if len(found.Transactions) > 0 {
		// EnKash does not publish these fields: paygate's working assumption
		// (README "Refunds") is the paying transaction at the top and every
		// attempt in transactions[].
		var list []map[string]any
		for _, t := range found.Transactions {
			list = append(list, t.summary())
			if t.paid() {
				payload["transactionId"], payload["transactionStatus"] = t.ID, t.Status
			}
		}
		payload["transactions"] = list
	}
	ekReply(w, http.StatusOK, 0, "SUCCESS", payload)
}

// Transactions and refunds (docs.enkash.com/api-8990254 "Refund",
// api-8990252 "Get Transaction Status"): POST /api/v0/payment/{transactionId}/refund
// with {amount, remarks, requestId}, GET /api/v0/payment/{transactionId}.
// EnKash documents neither its refund errors nor a refund lookup; the
// emulator picks, as for orders: a requestId already used → HTTP 200 with
// response_code 409; more than what is left to refund, or a transaction
// that did not succeed → HTTP 400 with response_code 422; an unknown
// transaction → HTTP 200 with response_code 404; the transaction's answer
// lists its refunds[] with their requestId, and a new refund is CREATED.

const ekPaymentPath = "/api/v0/payment/"

type ekRefunds struct {
	txns        map[string]*ekTxn // transaction id → transaction
	requestIDs  map[string]bool   // requestIds used (per merchant)
	refundCalls int
}

type ekTxn struct {
	ID, Status string
	OrderID    string // EnKash's order id
	Value      decimal.Decimal
	Refunds    []*ekRefund
	Created    time.Time
}

type ekRefund struct {
	RequestID, ID, Status string
	Value                 decimal.Decimal
	Created               time.Time
}

func (t *ekTxn) paid() bool {
	return t.Status == "SUCCESS" || t.Status == "PARTIALLY_REFUNDED" || t.Status == "REFUNDED"
}

func (t *ekTxn) summary() map[string]any {
	return map[string]any{"transactionId": t.ID, "transactionStatus": t.Status, "amount": json.Number(t.Value.StringFixed(2)),
		"txnDate": t.Created.In(ekIST).Format("2006-01-02T15:04:05")}
}

func (r *ekRefund) payload() map[string]any {
	return map[string]any{"requestId": r.RequestID, "transactionId": r.ID, "amount": json.Number(r.Value.StringFixed(2)),
		"currency": "INR", "status": r.Status, "txnDate": r.Created.In(ekIST).Format("2006-01-02T15:04:05")}
}

// Pay marks the order PAID with a successful transaction and a failed
// attempt listed after it.
func (e *EnKash) Pay(merchantOrderID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byMerchant[merchantOrderID]
	if !ok {
		return false
	}
	if e.txns == nil {
		e.txns, e.requestIDs = map[string]*ekTxn{}, map[string]bool{}
	}
	now := e.now()
	for _, st := range []string{"SUCCESS", "FAILED"} {
		t := &ekTxn{ID: fmt.Sprintf("TXN%d%s", now.UnixMilli(), randomID(6)), Status: st, OrderID: o.ID, Value: o.Value, Created: now}
		e.txns[t.ID] = t
		o.Transactions = append(o.Transactions, t)
	}
	o.Status = "PAID"
	return true
}

// RefundCalls is the number of refund requests received.
func (e *EnKash) RefundCalls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refundCalls
}

// Refunds lists the refunds of the order with this merchant id, oldest first.
func (e *EnKash) Refunds(merchantOrderID string) []Refund {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byMerchant[merchantOrderID]
	if !ok {
		return nil
	}
	var out []Refund
	for _, t := range o.Transactions {
		for _, r := range t.Refunds {
			out = append(out, Refund{ID: r.ID, Key: r.RequestID, Amount: r.Value.StringFixed(2), Status: r.Status})
		}
	}
	return out
}

// SetRefundStatus moves a refund (by its transaction id) to a status such
// as SUCCESS or FAILED.
func (e *EnKash) SetRefundStatus(merchantOrderID, refundID, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byMerchant[merchantOrderID]
	if !ok {
		return false
	}
	for _, t := range o.Transactions {
		for _, r := range t.Refunds {
			if r.ID == refundID {
				r.Status = status
				return true
			}
		}
	}
	return false
}

func (e *EnKash) servePayment(w http.ResponseWriter, r *http.Request, body []byte) {
	rest := strings.TrimPrefix(r.URL.Path, ekPaymentPath)
	e.mu.Lock()
	defer e.mu.Unlock()
	switch txnID, isRefund := strings.CutSuffix(rest, "/refund"); {
	case isRefund && r.Method == http.MethodPost && !strings.Contains(txnID, "/"):
		e.refundCalls++
		e.refund(w, r, txnID, body)
	case !strings.Contains(rest, "/") && r.Method == http.MethodGet:
		t, ok := e.txns[rest]
		if !ok {
			ekReply(w, http.StatusOK, 404, "Transaction not found", nil)
			return
		}
		p := t.summary()
		refunds := []map[string]any{}
		for _, rf := range t.Refunds {
			refunds = append(refunds, rf.payload())
		}
		p["orderId"], p["currency"], p["refunds"] = t.OrderID, "INR", refunds
		ekReply(w, http.StatusOK, 0, "SUCCESS", p)
	default:
		ekReply(w, http.StatusMethodNotAllowed, 405, "Request method '"+r.Method+"' is not supported", nil)
	}
}

// refund is POST /api/v0/payment/{transactionId}/refund; e.mu is held.
func (e *EnKash) refund(w http.ResponseWriter, r *http.Request, txnID string, body []byte) {
	invalid := func(format string, args ...any) {
		ekReply(w, http.StatusBadRequest, 422, fmt.Sprintf(format, args...), nil)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		ekReply(w, http.StatusUnsupportedMediaType, 415, "Content type must be application/json", nil)
		return
	}
	var req struct {
		Amount    json.Number `json:"amount"`
		Remarks   string      `json:"remarks"`
		RequestID string      `json:"requestId"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		ekReply(w, http.StatusBadRequest, 400, "Malformed request: "+err.Error(), nil)
		return
	}
	if req.RequestID == "" {
		invalid("requestId: must not be blank")
		return
	}
	value, err := decimal.NewFromString(string(req.Amount))
	switch {
	case req.Amount == "":
		invalid("amount: must not be null")
		return
	case err != nil || strings.ContainsAny(string(req.Amount), "eE"):
		invalid("amount: must be a plain decimal number")
		return
	case value.LessThan(ekMinimum) || !value.Equal(value.Round(2)):
		invalid("amount: must be at least 0.01 with at most 2 decimals")
		return
	}
	t, ok := e.txns[txnID]
	if !ok {
		ekReply(w, http.StatusOK, 404, "Transaction not found", nil)
		return
	}
	if e.requestIDs[req.RequestID] {
		ekReply(w, http.StatusOK, 409, "Duplicate requestId: a refund with this requestId already exists", nil)
		return
	}
	if t.Status != "SUCCESS" && t.Status != "PARTIALLY_REFUNDED" {
		invalid("Transaction is not successful; only successful transactions can be refunded")
		return
	}
	refunded := decimal.Zero
	for _, rf := range t.Refunds {
		if rf.Status != "FAILED" {
			refunded = refunded.Add(rf.Value)
		}
	}
	if refunded.Add(value).GreaterThan(t.Value) {
		invalid("Refund amount exceeds the refundable amount of the transaction")
		return
	}
	now := e.now()
	rf := &ekRefund{RequestID: req.RequestID, ID: fmt.Sprintf("RFT%d%s", now.UnixMilli(), randomID(6)), Status: "CREATED", Value: value, Created: now}
	t.Refunds = append(t.Refunds, rf)
	e.requestIDs[req.RequestID] = true
	t.Status = "PARTIALLY_REFUNDED"
	if refunded.Add(value).Equal(t.Value) {
		t.Status = "REFUNDED"
	}
	ekReply(w, http.StatusOK, 0, "SUCCESS", map[string]any{
		"amount": json.Number(value.StringFixed(2)), "paymentMode": "UPI", "bankCode": "", "bankName": "",
		"currency": "INR", "status": rf.Status, "transactionId": rf.ID, "txnMsg": "Refund initiated",
		"txnDate": now.In(ekIST).Format("2006-01-02T15:04:05"), "uniqueTransactionId": "U" + rf.ID, "bankTransactionId": "",
	})
}

var _ Refunding = (*EnKash)(nil)
