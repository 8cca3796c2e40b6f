package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// Webhooks: each emulator can build the notification its gateway would
// send about one of its orders, moving the order to the state the
// notification announces first (as the customer's payment would), and sign
// it the gateway's way:
//
//	razorpay   X-Razorpay-Signature = hex HMAC-SHA256(webhook secret, body), X-Razorpay-Event-Id
//	kwikpaisa  X-SIGNATURE = hex HMAC-SHA256(secret_key, body ‖ X-TIMESTAMP)
//	juspay     Authorization: Basic (the dashboard's webhook username and password)
//	enkash     nothing verifiable (a checksum of undocumented algorithm)
//
// Tests call BuildWebhook; Caddyfile.example exposes it as a control
// endpoint with the paygate_emulator_webhook directive.

// Webhook is one notification, as the gateway would POST it.
type Webhook struct {
	Gateway string
	Event   string
	Header  http.Header
	Body    []byte
}

// Send POSTs the notification to url and returns the answer's status and body.
func (w *Webhook) Send(client *http.Client, url string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(w.Body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = w.Header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

// WebhookOptions are the gateway-side settings of a notification.
type WebhookOptions struct {
	// Secret is Razorpay's webhook secret (set per webhook in its
	// dashboard; not the API key secret).
	Secret string
	// Username and Password are Juspay's webhook Basic credentials.
	Username, Password string
	// At is when the gateway sends it (default: now). KwikPaisa signs it as
	// X-TIMESTAMP; Razorpay and Juspay write it into the body.
	At time.Time
	// SignCanonical makes KwikPaisa sign the canonical (key-sorted,
	// compact) form of a body that is sent with other spacing and order,
	// which is what KwikPaisa's Node sample verifies.
	SignCanonical bool
}

// Aliases accepted by BuildWebhook for every gateway.
var webhookAliases = map[string]map[string]string{
	"razorpay":  {"paid": "order.paid", "failed": "payment.failed", "pending": "payment.authorized"},
	"kwikpaisa": {"paid": "payment.success", "failed": "payment.failed", "pending": "payment.processing"},
	"juspay":    {"paid": "ORDER_SUCCEEDED", "failed": "ORDER_FAILED", "pending": "TXN_CREATED"},
	"enkash":    {"paid": "PAID", "failed": "CANCELLED", "pending": "ATTEMPTED"},
}

// BuildWebhook builds the notification emu's gateway sends about orderID
// (the merchant's order id). event is the gateway's event name (razorpay:
// payment.captured, order.paid, payment.failed, payment.authorized;
// kwikpaisa: payment.success, payment.failed, payment.processing,
// payment.expired; juspay: ORDER_SUCCEEDED, ORDER_FAILED, TXN_CREATED;
// enkash: the order status notified, PAID, ATTEMPTED, EXPIRED, CANCELLED),
// or one of paid, failed, pending.
func BuildWebhook(emu Emulator, event, orderID string, opts WebhookOptions) (*Webhook, error) {
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	name := gatewayOf(emu)
	if alias, ok := webhookAliases[name][event]; ok {
		event = alias
	}
	switch e := emu.(type) {
	case *Razorpay:
		return e.webhook(event, orderID, opts)
	case *KwikPaisa:
		return e.webhook(event, orderID, opts)
	case *Juspay:
		return e.webhook(event, orderID, opts)
	case *EnKash:
		return e.notification(event, orderID)
	}
	return nil, fmt.Errorf("emulator %T sends no webhooks", emu)
}

func gatewayOf(emu Emulator) string {
	switch emu.(type) {
	case *Razorpay:
		return "razorpay"
	case *KwikPaisa:
		return "kwikpaisa"
	case *Juspay:
		return "juspay"
	case *EnKash:
		return "enkash"
	}
	return ""
}

func hmacHex(key, msg []byte, more ...[]byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	for _, b := range more {
		m.Write(b)
	}
	return hex.EncodeToString(m.Sum(nil))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// payments remembers the payment id of each order paid through a webhook,
// so that Razorpay's payment.captured and order.paid about one payment
// carry the same id, as Razorpay's do.
var (
	paymentsMu sync.Mutex
	payments   = map[string]string{}
)

func paymentID(key, prefix string) string {
	paymentsMu.Lock()
	defer paymentsMu.Unlock()
	if id, ok := payments[key]; ok {
		return id
	}
	id := prefix + randomID(14)
	payments[key] = id
	return id
}

func (e *Razorpay) webhook(event, receipt string, opts WebhookOptions) (*Webhook, error) {
	if opts.Secret == "" {
		return nil, fmt.Errorf("razorpay webhooks are signed with the webhook secret: none given")
	}
	e.mu.Lock()
	o, ok := e.byReceipt[receipt]
	if !ok {
		e.mu.Unlock()
		return nil, fmt.Errorf("razorpay emulator has no order with receipt %q", receipt)
	}
	payStatus, contains := "captured", []string{"payment"}
	switch event {
	case "order.paid":
		contains = []string{"payment", "order"}
		o.Status, o.AmountPaid, o.AmountDue = "paid", o.Amount, 0
	case "payment.captured":
		o.Status, o.AmountPaid, o.AmountDue = "paid", o.Amount, 0
	case "payment.authorized":
		payStatus = "authorized"
		o.Status = "attempted"
	case "payment.failed":
		payStatus = "failed"
		if o.Status != "paid" {
			o.Status = "attempted"
		}
	default:
		e.mu.Unlock()
		return nil, fmt.Errorf("razorpay emulator sends no %q webhook", event)
	}
	o.Attempts++
	key := "razorpay/" + o.ID
	if event == "payment.failed" {
		key += "/failed/" + strconv.Itoa(o.Attempts)
	}
	payment := map[string]any{
		"id": paymentID(key, "pay_"), "entity": "payment", "amount": o.Amount, "currency": o.Currency,
		"status": payStatus, "order_id": o.ID, "invoice_id": nil, "international": false, "method": "upi",
		"amount_refunded": 0, "refund_status": nil, "captured": payStatus == "captured", "description": nil,
		"vpa": "customer@upi", "email": "customer@example.com", "contact": "+919876543210", "notes": []any{},
		"created_at": opts.At.Unix(),
	}
	if payStatus == "failed" {
		payment["error_code"], payment["error_description"] = "BAD_REQUEST_ERROR", "Payment failed"
		payment["error_source"], payment["error_step"], payment["error_reason"] = "bank", "payment_authorization", "payment_failed"
	}
	payload := map[string]any{"payment": map[string]any{"entity": payment}}
	if event == "order.paid" {
		order := *o
		payload["order"] = map[string]any{"entity": &order}
	}
	env := map[string]any{
		"entity": "event", "account_id": "acc_" + randomIDFrom(e.keyID), "event": event, "contains": contains,
		"payload": payload, "created_at": opts.At.Unix(),
	}
	e.mu.Unlock()
	body, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Razorpay-Webhook/v1")
	h.Set("X-Razorpay-Event-Id", "evt_"+randomID(14))
	h.Set("X-Razorpay-Signature", hmacHex([]byte(opts.Secret), body))
	return &Webhook{Gateway: "razorpay", Event: event, Header: h, Body: body}, nil
}

// randomIDFrom derives a stable id-like string from s (an account id that
// stays the same for one emulator's keys).
func randomIDFrom(s string) string {
	sum := sha256.Sum256([]byte(s))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 14)
	for i := range out {
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(out)
}

var kpWebhookStatus = map[string]string{
	"payment.success": "PAID", "payment.failed": "FAILED", "payment.processing": "PROCESSING", "payment.expired": "EXPIRED",
}

func (e *KwikPaisa) webhook(event, orderID string, opts WebhookOptions) (*Webhook, error) {
	status, ok := kpWebhookStatus[event]
	if !ok {
		return nil, fmt.Errorf("kwikpaisa emulator sends no %q webhook", event)
	}
	if !e.SetStatus(orderID, status) {
		return nil, fmt.Errorf("kwikpaisa emulator has no order %q", orderID)
	}
	e.mu.Lock()
	o := e.orders[orderID]
	rawID, amount, currency := o.orderID, o.amount.StringFixed(2), o.currency
	e.mu.Unlock()
	// The documented example's field order and spacing (KwikPaisa v3
	// guide, "Webhooks"): event first, so the raw body is not canonical.
	body := []byte(fmt.Sprintf(`{"event": %q, "data": {"order_id": %s, "amount": %q, "currency": %q, "status": %q}}`,
		event, rawID, amount, currency, status))
	signed := body
	if opts.SignCanonical {
		var buf bytes.Buffer
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if err := kpEncode(&buf, v); err != nil {
			return nil, err
		}
		signed = buf.Bytes()
	}
	ts := strconv.FormatInt(opts.At.Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Timestamp", ts)
	h.Set("X-Signature", hmacHex(e.secret, signed, []byte(ts)))
	return &Webhook{Gateway: "kwikpaisa", Event: event, Header: h, Body: body}, nil
}

var jpWebhookStatus = map[string]struct {
	status string
	id     int
}{
	"ORDER_SUCCEEDED": {"CHARGED", 21}, "ORDER_FAILED": {"AUTHORIZATION_FAILED", 27}, "TXN_CREATED": {"PENDING_VBV", 23},
}

func (e *Juspay) webhook(event, orderID string, opts WebhookOptions) (*Webhook, error) {
	st, ok := jpWebhookStatus[event]
	if !ok {
		return nil, fmt.Errorf("juspay emulator sends no %q webhook", event)
	}
	if opts.Username == "" || opts.Password == "" {
		return nil, fmt.Errorf("juspay webhooks carry the dashboard's username and password: none given")
	}
	if !e.SetStatus(orderID, st.status, st.id) {
		return nil, fmt.Errorf("juspay emulator has no order %q", orderID)
	}
	e.mu.Lock()
	o := e.orders[orderID]
	order := jpFull(o, e.merchantID)
	txnID := e.merchantID + "-" + o.orderID + "-1"
	order["txn_id"] = txnID
	order["txn_detail"] = map[string]any{"txn_id": txnID, "order_id": o.orderID, "status": o.status,
		"txn_amount": json.Number(o.amount.String()), "currency": o.currency, "gateway": "DUMMY"}
	e.mu.Unlock()
	var content map[string]any
	if event == "TXN_CREATED" {
		content = map[string]any{"txn": map[string]any{"txn_id": txnID, "order_id": orderID, "status": st.status,
			"status_id": st.id, "txn_amount": order["amount"], "currency": order["currency"]}}
	} else {
		content = map[string]any{"order": order}
	}
	body, err := json.Marshal(map[string]any{
		"id": "evt_V2_" + randomHex(16), "event_name": event, "date_created": opts.At.UTC().Format(time.RFC3339),
		"content": content,
	})
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(opts.Username+":"+opts.Password)))
	return &Webhook{Gateway: "juspay", Event: event, Header: h, Body: body}, nil
}

func (e *EnKash) notification(status, orderID string) (*Webhook, error) {
	switch status {
	case "PAID", "ATTEMPTED", "EXPIRED", "CANCELLED", "CREATED", "PAYMENT_CONFIRMATION_PENDING":
	default:
		return nil, fmt.Errorf("enkash emulator notifies order statuses (PAID, ATTEMPTED, EXPIRED, CANCELLED), not %q", status)
	}
	if !e.SetStatus(orderID, status) {
		return nil, fmt.Errorf("enkash emulator has no order %q", orderID)
	}
	e.mu.Lock()
	o := e.byMerchant[orderID]
	value := o.Value.StringFixed(2)
	e.mu.Unlock()
	txn := map[string]string{"PAID": "SUCCESS", "CANCELLED": "FAILED", "EXPIRED": "FAILED"}[status]
	if txn == "" {
		txn = "PENDING"
	}
	// The fields of EnKash's "Payment Notify Request" (docs.enkash.com);
	// orderId is the merchant's id. The checksum's algorithm is not
	// published, so the emulator sends an opaque value.
	body, err := json.Marshal(map[string]any{
		"orderId": orderID, "orderStatus": status, "transactionId": "TXN" + randomID(12),
		"uniqueTransactionId": randomHex(8), "transactionStatus": txn, "status": txn, "txnMsg": "Transaction " + txn,
		"txnDate": e.clock().UTC().Format("2006-01-02T15:04:05.000Z"), "amount": json.Number(value),
		"finalAmount": json.Number(value), "transactionAmount": json.Number(value), "surcharge": 0, "surchargeGst": 0,
		"mdr": 0, "mdrGst": 0, "currency": "INR", "paymentMode": "UPI", "bankCode": "", "bankName": "",
		"cardScheme": "", "maskedCardNumber": "", "cardHolderName": "", "paymentToken": "", "bankTransactionId": randomID(12),
		"checksum": randomHex(32),
	})
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &Webhook{Gateway: "enkash", Event: status, Header: h, Body: body}, nil
}

func init() {
	caddy.RegisterModule(WebhookSender{})
	httpcaddyfile.RegisterHandlerDirective("paygate_emulator_webhook", parseWebhookSender)
	httpcaddyfile.RegisterDirectiveOrder("paygate_emulator_webhook", httpcaddyfile.Before, "respond")
}

// WebhookSender is http.handlers.paygate_emulator_webhook, a control
// endpoint for demos: POST {"event":"paid","order_id":"ORD1001"} makes the
// named emulator instance send that notification to target, and answers
// with what was sent and what target answered.
//
//	paygate_emulator_webhook {
//		instance <name>        # the emulator instance whose order it is
//		target   <url>         # where the gateway would POST (the paygate_webhook route)
//		secret   <s>           # razorpay: the webhook secret
//		username <u>           # juspay
//		password <p>           # juspay
//	}
type WebhookSender struct {
	Instance string `json:"instance"`
	Target   string `json:"target"`
	Secret   string `json:"secret,omitempty"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`

	opts   WebhookOptions
	target string
	client *http.Client
}

// CaddyModule returns the Caddy module information.
func (WebhookSender) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.paygate_emulator_webhook",
		New: func() caddy.Module { return new(WebhookSender) },
	}
}

// Provision resolves placeholders.
func (s *WebhookSender) Provision(caddy.Context) error {
	repl := caddy.NewReplacer()
	resolve := func(v string) (string, error) { return repl.ReplaceOrErr(v, true, true) }
	var err error
	if s.Instance == "" || s.Target == "" {
		return fmt.Errorf("paygate_emulator_webhook needs instance and target")
	}
	if s.target, err = resolve(s.Target); err != nil {
		return err
	}
	for _, f := range []struct {
		src string
		dst *string
	}{{s.Secret, &s.opts.Secret}, {s.Username, &s.opts.Username}, {s.Password, &s.opts.Password}} {
		if *f.dst, err = resolve(f.src); err != nil {
			return err
		}
	}
	s.client = &http.Client{Timeout: 30 * time.Second}
	return nil
}

func (s *WebhookSender) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	fail := func(status int, msg string) error {
		b, _ := json.Marshal(map[string]string{"error": msg})
		writeJSON(w, status, b)
		return nil
	}
	if r.Method != http.MethodPost {
		return fail(http.StatusMethodNotAllowed, `POST {"event":"paid","order_id":"…"}`)
	}
	var req struct {
		Event   string `json:"event"`
		OrderID string `json:"order_id"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || req.Event == "" || req.OrderID == "" {
		return fail(http.StatusBadRequest, `POST {"event":"paid","order_id":"…"}`)
	}
	emu, ok := Lookup(s.Instance)
	if !ok {
		return fail(http.StatusInternalServerError, "no emulator instance "+s.Instance)
	}
	opts := s.opts
	wh, err := BuildWebhook(emu, req.Event, req.OrderID, opts)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	status, answer, err := wh.Send(s.client, s.target)
	if err != nil {
		return fail(http.StatusBadGateway, "sending the notification failed: "+err.Error())
	}
	names := make([]string, 0, len(wh.Header))
	for k := range wh.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	out := map[string]any{
		"sent": map[string]any{"gateway": wh.Gateway, "event": wh.Event, "to": s.target, "headers": names,
			"body_bytes": len(wh.Body)},
		"answer": map[string]any{"status": status, "body": rawOrString(answer)},
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	writeJSON(w, http.StatusOK, append(b, '\n'))
	return nil
}

func rawOrString(b []byte) any {
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	return string(b)
}

func parseWebhookSender(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	s := new(WebhookSender)
	err := s.UnmarshalCaddyfile(h.Dispenser)
	return s, err
}

// UnmarshalCaddyfile parses the paygate_emulator_webhook directive.
func (s *WebhookSender) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next()
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		key := d.Val()
		var dst *string
		switch key {
		case "instance":
			dst = &s.Instance
		case "target":
			dst = &s.Target
		case "secret":
			dst = &s.Secret
		case "username":
			dst = &s.Username
		case "password":
			dst = &s.Password
		default:
			return d.Errf("unknown option %q", key)
		}
		if *dst != "" {
			return d.Errf("duplicate option %q", key)
		}
		if !d.NextArg() {
			return d.ArgErr()
		}
		*dst = d.Val()
		if d.NextArg() {
			return d.ArgErr()
		}
	}
	return nil
}

// Interface guards
var (
	_ caddy.Provisioner           = (*WebhookSender)(nil)
	_ caddyhttp.MiddlewareHandler = (*WebhookSender)(nil)
	_ caddyfile.Unmarshaler       = (*WebhookSender)(nil)
)
