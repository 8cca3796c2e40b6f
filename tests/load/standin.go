package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shopspring/decimal"
)

// The gateway stand-in: a minimal upstream, run in its own process
// (`go run ./tests/load standin`), that answers every gateway's success
// shape for create and status (and, in standin_ops.go, for the refund
// calls of paid orders, and as the application webhooks are delivered to)
// with the ids, amount and currency of the request it got, so that paygate's echo checks pass. It checks no
// credential or signature (the emulators in tests/emulator do that): both
// routes reach it, so the plain route measures Caddy's reverse_proxy and
// the difference is paygate's own cost.
//
// Answer shapes follow the gateways' published samples, as the emulators
// in tests/emulator do (README "Gateways"). It remembers the orders it
// created, so that a status call reports them; past standinMaxOrders per
// gateway it forgets them all and starts again (the load harness never
// asks for an old one).

const standinMaxOrders = 200000

// standin is the stand-in's state.
type standin struct {
	seq     atomic.Uint64
	now     func() time.Time
	started time.Time
	app     appCounter // standin_ops.go

	razorpay  orderStore[*sRazorpayOrder] // by receipt
	juspay    orderStore[*sJuspayOrder]   // by order_id
	kwikpaisa orderStore[*sKwikPaisaOrder]
	enkash    orderStore[*sEnKashOrder] // by EnKash's id and by the merchant's
}

// orderStore is a bounded map of created orders.
type orderStore[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func (s *orderStore[V]) put(v V, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= standinMaxOrders {
		s.m = make(map[string]V)
	}
	for _, k := range keys {
		s.m[k] = v
	}
}

func (s *orderStore[V]) get(k string) (V, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok
}

func newStandin() *standin { return &standin{now: time.Now, started: time.Now()} }

// id is a unique alphanumeric id of at least n characters: a counter in
// base 36, left-padded with zeros.
func (s *standin) id(n int) string {
	c := strconv.FormatUint(s.seq.Add(1), 36)
	if len(c) >= n {
		return c
	}
	return strings.Repeat("0", n-len(c)) + c
}

func (s *standin) handler() http.Handler {
	mux := http.NewServeMux()
	// Razorpay Orders API.
	mux.HandleFunc("POST /v1/orders", s.razorpayCreate)
	mux.HandleFunc("GET /v1/orders", s.razorpayList)
	mux.HandleFunc("GET /v1/orders/{id}/payments", s.razorpayPayments)
	mux.HandleFunc("POST /v1/payments/{id}/refund", s.razorpayRefund)
	// KwikPaisa v3.
	mux.HandleFunc("POST /api/v3/pg/order/create", s.kwikpaisaCreate)
	mux.HandleFunc("POST /api/v3/pg/order/status", s.kwikpaisaStatus)
	// Juspay Express Checkout.
	mux.HandleFunc("POST /orders", s.juspayCreate)
	mux.HandleFunc("GET /orders/{id}", s.juspayStatus)
	mux.HandleFunc("POST /orders/{id}/refunds", s.juspayRefund)
	// EnKash PG.
	mux.HandleFunc("POST /api/v0/merchant/token", s.enkashToken)
	mux.HandleFunc("POST /api/v0/orders", s.enkashCreate)
	mux.HandleFunc("GET /api/v0/orders/{id}", s.enkashStatus)
	mux.HandleFunc("POST /api/v0/payment/{id}/refund", s.enkashRefund)
	// The application behind paygate_webhook (standin_ops.go).
	mux.HandleFunc("POST "+appPath, s.appReceive)
	mux.HandleFunc("GET "+appPath+"/stats", s.appStatsHandler)
	return mux
}

// readBody reads a request body of at most 64 KiB.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return nil, false
	}
	return b, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// plainDecimal accepts the amounts paygate sends: digits with at most one
// decimal point, no sign or exponent. Anything else would not echo as a
// JSON number.
func plainDecimal(s string) bool {
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// --- Razorpay: POST /v1/orders (JSON, minor units), GET /v1/orders?receipt=

type sRazorpayOrder struct {
	ID         string          `json:"id"`
	Entity     string          `json:"entity"`
	Amount     json.Number     `json:"amount"`
	AmountPaid int             `json:"amount_paid"`
	AmountDue  json.Number     `json:"amount_due"`
	Currency   string          `json:"currency"`
	Receipt    *string         `json:"receipt"`
	OfferID    *string         `json:"offer_id"`
	Status     string          `json:"status"`
	Attempts   int             `json:"attempts"`
	Notes      json.RawMessage `json:"notes"`
	CreatedAt  int64           `json:"created_at"`
}

func razorpayError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "description": desc, "source": "NA", "step": "NA", "reason": "NA", "metadata": map[string]any{}, "field": nil,
	}})
}

func (s *standin) razorpayCreate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		Amount   json.Number     `json:"amount"`
		Currency string          `json:"currency"`
		Receipt  *string         `json:"receipt"`
		Notes    json.RawMessage `json:"notes"`
	}
	if json.Unmarshal(body, &req) != nil || !plainDecimal(string(req.Amount)) || strings.Contains(string(req.Amount), ".") || req.Currency == "" {
		razorpayError(w, http.StatusBadRequest, "BAD_REQUEST_ERROR", "The stand-in needs an integer amount and a currency.")
		return
	}
	notes := req.Notes
	if n := strings.TrimSpace(string(notes)); n == "" || n == "null" || n == "{}" {
		notes = json.RawMessage("[]") // Razorpay's empty notes
	}
	o := &sRazorpayOrder{
		ID: "order_" + s.id(14), Entity: "order", Amount: req.Amount, AmountDue: req.Amount, Currency: req.Currency,
		Receipt: req.Receipt, Status: "created", Notes: notes, CreatedAt: s.now().Unix(),
	}
	if req.Receipt != nil && *req.Receipt != "" {
		s.razorpay.put(o, *req.Receipt)
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *standin) razorpayList(w http.ResponseWriter, r *http.Request) {
	items := []*sRazorpayOrder{}
	receipt := r.URL.Query().Get("receipt")
	if o, ok := s.razorpay.get(receipt); ok {
		items = append(items, o)
	} else if isPaid(receipt) {
		items = append(items, s.razorpayPaidOrder(receipt))
	}
	writeJSON(w, http.StatusOK, map[string]any{"entity": "collection", "count": len(items), "items": items})
}

// --- Juspay: POST /orders (form), GET /orders/{order_id}

type sJuspayOrder struct {
	id, orderID, amount, currency, customerID, merchantID string
	created                                               time.Time
}

func juspayLinks(id string) map[string]string {
	return map[string]string{
		"web":    "https://sandbox.juspay.in/merchant/pay/" + id,
		"mobile": "https://sandbox.juspay.in/merchant/pay/" + id + "?mobile=true",
		"iframe": "https://sandbox.juspay.in/merchant/ipay/" + id,
	}
}

func juspayError(w http.ResponseWriter, status int, code, msg string) {
	word := "Bad Request"
	if status == http.StatusNotFound {
		word = "Not Found"
	}
	writeJSON(w, status, map[string]any{"status": word, "error_code": code, "error_message": msg,
		"error_info": map[string]any{"code": code, "user_message": msg, "developer_message": msg}})
}

func (s *standin) juspayCreate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	o := &sJuspayOrder{orderID: form.Get("order_id"), amount: form.Get("amount"), currency: form.Get("currency"),
		customerID: form.Get("customer_id"), merchantID: r.Header.Get("x-merchantid"), created: s.now().UTC()}
	if err != nil || o.orderID == "" || !plainDecimal(o.amount) || o.currency == "" {
		juspayError(w, http.StatusBadRequest, "INVALID_REQUEST", "The stand-in needs order_id, amount and currency.")
		return
	}
	o.id = "ordeu_" + s.id(32)
	s.juspay.put(o, o.orderID)
	// Juspay's short create answer, plus the amount and currency its full
	// order object carries, so that paygate compares them with what it sent.
	writeJSON(w, http.StatusOK, map[string]any{
		"status": "CREATED", "status_id": 1, "id": o.id, "order_id": o.orderID,
		"amount": json.Number(o.amount), "currency": o.currency, "payment_links": juspayLinks(o.id),
	})
}

func (s *standin) juspayStatus(w http.ResponseWriter, r *http.Request) {
	o, ok := s.juspay.get(r.PathValue("id"))
	if !ok && isPaid(r.PathValue("id")) {
		writeJSON(w, http.StatusOK, s.juspayPaidOrder(r.PathValue("id"), r.Header.Get("x-merchantid")))
		return
	}
	if !ok {
		juspayError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Order not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": o.id, "order_id": o.orderID, "merchant_id": o.merchantID, "customer_id": o.customerID,
		"status": "NEW", "status_id": 10, "amount": json.Number(o.amount), "currency": o.currency,
		"amount_refunded": 0, "refunded": false, "date_created": o.created.Format(time.RFC3339),
		"payment_links": juspayLinks(o.id),
	})
}

// --- KwikPaisa v3: POST create and status, {"code","status","message","return_data"}

type sKwikPaisaOrder struct {
	kwikXID  string
	orderID  json.RawMessage // echoed with the JSON type it came with
	amount   string
	currency string
	created  time.Time
}

// ist is India Standard Time, the clock of KwikPaisa's and EnKash's times.
var ist = time.FixedZone("IST", 5*3600+30*60)

// kwikpaisaLayout is KwikPaisa's created_at, "13-05-2026 08:34 AM".
const kwikpaisaLayout = "02-01-2006 03:04 PM"

func kwikpaisaError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": false, "code": status, "message": msg})
}

func kwikpaisaSuccess(w http.ResponseWriter, msg string, data any) {
	writeJSON(w, http.StatusOK, struct {
		Code       string `json:"code"`
		Status     string `json:"status"`
		Message    string `json:"message"`
		ReturnData any    `json:"return_data"`
	}{"200", "success", msg, data})
}

// kwikpaisaKey is order_id's text: a string's value or a number's digits.
func kwikpaisaKey(raw json.RawMessage) (string, bool) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, str != ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil && plainDecimal(string(n)) {
		return string(n), true
	}
	return "", false
}

func (s *standin) kwikpaisaCreate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		OrderID  json.RawMessage `json:"order_id"`
		Amount   json.Number     `json:"order_amount"`
		Currency string          `json:"order_currency"`
	}
	key, keyOK := "", false
	if json.Unmarshal(body, &req) == nil {
		key, keyOK = kwikpaisaKey(req.OrderID)
	}
	if !keyOK || !plainDecimal(string(req.Amount)) || req.Currency == "" {
		kwikpaisaError(w, http.StatusUnprocessableEntity, "The stand-in needs order_id, order_amount and order_currency.")
		return
	}
	o := &sKwikPaisaOrder{kwikXID: "kp_" + s.id(32), orderID: req.OrderID, amount: string(req.Amount), currency: req.Currency, created: s.now()}
	s.kwikpaisa.put(o, key)
	kwikpaisaSuccess(w, "API authentication successful!", struct {
		KwikXOrderID string          `json:"kwikX_order_id"`
		CreatedAt    string          `json:"created_at"`
		OrderID      json.RawMessage `json:"order_id"`
		OrderStatus  string          `json:"order_status"`
		PaymentLink  string          `json:"payment_link"`
	}{o.kwikXID, o.created.In(ist).Format(kwikpaisaLayout), o.orderID, "UN_PAID",
		"https://sandbox.kwikpaisa.com/payment/checkout/" + o.kwikXID})
}

func (s *standin) kwikpaisaStatus(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		OrderID json.RawMessage `json:"order_id"`
	}
	key, keyOK := "", false
	if json.Unmarshal(body, &req) == nil {
		key, keyOK = kwikpaisaKey(req.OrderID)
	}
	if !keyOK {
		kwikpaisaError(w, http.StatusBadRequest, "The order_id field is required.")
		return
	}
	o, found := s.kwikpaisa.get(key)
	if !found {
		kwikpaisaError(w, http.StatusNotFound, "Order not found.")
		return
	}
	amount, err := decimal.NewFromString(o.amount)
	if err != nil {
		kwikpaisaError(w, http.StatusInternalServerError, "Unreadable stored amount.")
		return
	}
	kwikpaisaSuccess(w, "Order status fetched successfully.", struct {
		KwikXOrderID  string          `json:"kwikX_order_id"`
		OrderID       json.RawMessage `json:"order_id"`
		OrderAmount   string          `json:"order_amount"`
		Currency      string          `json:"currency"`
		OrderStatus   string          `json:"order_status"`
		PaymentMethod *string         `json:"payment_method"`
		TransactionID *string         `json:"transaction_id"`
		CreatedAt     string          `json:"created_at"`
		PaidAt        *string         `json:"paid_at"`
	}{o.kwikXID, o.orderID, amount.StringFixed(2), o.currency, "UN_PAID", nil, nil,
		o.created.In(ist).Format(kwikpaisaLayout), nil})
}

// --- EnKash: token, POST /api/v0/orders, GET /api/v0/orders/{id}; envelope {response_code, response_message, payload}

type sEnKashOrder struct {
	id, merchantID, amount, description string
	created                             time.Time
}

// standinTokenLifetime outlasts any load run, so paygate renews the token
// at most in the background.
const standinTokenLifetime = 6 * time.Hour

func enkashReply(w http.ResponseWriter, status, code int, msg string, payload any) {
	writeJSON(w, status, struct {
		ResponseCode    int    `json:"response_code"`
		ResponseMessage string `json:"response_message"`
		Payload         any    `json:"payload"`
	}{code, msg, payload})
}

func (s *standin) enkashToken(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var creds struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}
	if json.Unmarshal(body, &creds) != nil || creds.AccessKey == "" || creds.SecretKey == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"token": nil, "expiry": 0, "resultCode": 401,
			"resultMessage": "Request body must be JSON with accessKey and secretKey."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token": "ekt_" + s.id(40), "expiry": s.now().Add(standinTokenLifetime).UnixMilli(),
		"resultCode": 200, "resultMessage": "Token generated successfully.",
	})
}

func (s *standin) enkashCreate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		OrderID string `json:"orderId"`
		Amount  struct {
			Value    json.Number `json:"value"`
			Currency string      `json:"currency"`
		} `json:"amount"`
		Description string `json:"description"`
	}
	if json.Unmarshal(body, &req) != nil || req.OrderID == "" || !plainDecimal(string(req.Amount.Value)) || req.Amount.Currency != "INR" {
		enkashReply(w, http.StatusBadRequest, 422, "The stand-in needs orderId and an INR amount.value.", nil)
		return
	}
	now := s.now()
	o := &sEnKashOrder{id: "ORD" + strconv.FormatInt(now.UnixMilli(), 10) + s.id(10), merchantID: req.OrderID,
		amount: string(req.Amount.Value), description: req.Description, created: now}
	s.enkash.put(o, o.id, o.merchantID)
	enkashReply(w, http.StatusOK, 0, "SUCCESS", map[string]string{
		"redirectionUrl": "https://checkout-uat-v3.enkash.in/pay/" + o.id, "orderId": o.id,
	})
}

func (s *standin) enkashStatus(w http.ResponseWriter, r *http.Request) {
	o, ok := s.enkash.get(r.PathValue("id"))
	if !ok && isPaid(r.PathValue("id")) {
		enkashReply(w, http.StatusOK, 0, "SUCCESS", s.enkashPaidOrder(r.PathValue("id")))
		return
	}
	if !ok {
		enkashReply(w, http.StatusOK, 404, "Order not found", nil)
		return
	}
	amount, err := decimal.NewFromString(o.amount)
	if err != nil {
		enkashReply(w, http.StatusInternalServerError, 500, "Unreadable stored amount", nil)
		return
	}
	enkashReply(w, http.StatusOK, 0, "SUCCESS", map[string]any{
		"orderId": o.id, "merchantOrderId": o.merchantID,
		"created":     o.created.In(ist).Format("2006-01-02T15:04:05.000Z07:00"),
		"orderStatus": "CREATED", "amount": json.Number(amount.StringFixed(2)), "currency": "INR",
		"description": o.description,
	})
}

// --- the stand-in as a command, and as a child process of the harness

// standinReady is the line the stand-in prints once it listens.
const standinReady = "paygate-load standin listening on "

// standinMain serves until SIGINT or SIGTERM: `go run ./tests/load standin
// [-listen 127.0.0.1:0]`. It prints the address it listens on.
func standinMain(args []string) {
	fs := flag.NewFlagSet("standin", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	_ = fs.Parse(args)
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		fatalf("standin: %v", err)
	}
	srv := &http.Server{
		Handler:           newStandin().handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       5 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Println(standinReady + l.Addr().String())
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fatalf("standin: %v", err)
	}
}

// standinProc is the stand-in started by the harness: this same binary,
// re-executed with the standin subcommand.
type standinProc struct {
	addr   string
	cmd    *exec.Cmd
	exited chan struct{}
}

func startStandin(ctx context.Context) (*standinProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p := &standinProc{cmd: exec.Command(self, "standin", "-listen", "127.0.0.1:0")}
	p.cmd.Stderr = os.Stderr
	p.cmd.SysProcAttr = procAttr()
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	p.exited = make(chan struct{})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), standinReady); ok {
				ready <- a
			}
		}
	}()
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	select {
	case p.addr = <-ready:
	case <-p.exited:
		return nil, errors.New("the gateway stand-in exited at start-up")
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, errors.New("the gateway stand-in did not start within 30s")
	}
	return p, nil
}

func (p *standinProc) pid() int { return p.cmd.Process.Pid }

// appStats reads what the stand-in's application has received so far.
func (p *standinProc) appStats(ctx context.Context) (appStats, error) {
	var st appStats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+appPath+"/stats", nil)
	if err != nil {
		return st, err
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal(b, &st) != nil {
		return st, fmt.Errorf("the stand-in's %s/stats answered %d %q", appPath, resp.StatusCode, b)
	}
	return st, nil
}

func (p *standinProc) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
