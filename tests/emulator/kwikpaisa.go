package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

func init() {
	Register("kwikpaisa", func(opts map[string]string) (Emulator, error) {
		return NewKwikPaisa(opts["api_key"], opts["secret_key"])
	})
}

// KwikPaisa emulates the KwikPaisa v3 order API
// (https://developers.kwikpaisa.com/v3-guide/, docs/gateways/kwikpaisa.md): every call
// is a POST with X-API-KEY, X-TIMESTAMP (unix seconds, within ±300 s) and
// X-SIGNATURE = hex HMAC-SHA256(secret, raw body ‖ timestamp), and the body
// must be canonical: decoding it and encoding it again, as a PHP or
// JavaScript server does, gives the same bytes. Answers use KwikPaisa's own
// shapes: {"code":"200","status":"success",…,"return_data":{…}} on success,
// {"status":false,"code":401,"message":…} on errors.
type KwikPaisa struct {
	journal
	apiKey string
	secret []byte
	// Now is the emulator's clock (timestamp window, created_at); tests may
	// replace it.
	Now func() time.Time

	mu     sync.Mutex
	orders map[string]*kpOrder // by order_id as text
}

// kpOrder is one order as KwikPaisa keeps it.
type kpOrder struct {
	kwikXID       string
	orderID       json.RawMessage // echoed with the type it was sent with
	amount        decimal.Decimal
	currency      string
	status        string
	createdAt     time.Time
	paymentMethod string
	transactionID string
	paidAt        time.Time
}

// kpMaxSkew is the timestamp window. KwikPaisa documents none (its
// v3-guide/authentication/timestamp page says only that "old timestamps may
// be rejected"); five minutes is the usual choice.
const kpMaxSkew = 300

// kpIST is India Standard Time, KwikPaisa's clock for created_at.
var kpIST = time.FixedZone("IST", 5*3600+30*60)

const kpTimeLayout = "02-01-2006 03:04 PM"

// NewKwikPaisa builds an emulator accepting exactly these credentials.
func NewKwikPaisa(apiKey, secretKey string) (*KwikPaisa, error) {
	if apiKey == "" || secretKey == "" {
		return nil, fmt.Errorf("kwikpaisa emulator needs api_key and secret_key")
	}
	return &KwikPaisa{apiKey: apiKey, secret: []byte(secretKey), Now: time.Now, orders: map[string]*kpOrder{}}, nil
}

// Reset forgets orders and received requests.
func (e *KwikPaisa) Reset() {
	e.resetJournal()
	e.mu.Lock()
	e.orders = map[string]*kpOrder{}
	e.mu.Unlock()
}

// SetStatus moves an order to a KwikPaisa status (UN_PAID, PROCESSING, PAID,
// FAILED, EXPIRED), as a customer's payment would. It reports whether the
// order exists.
func (e *KwikPaisa) SetStatus(orderID, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		return false
	}
	o.status = status
	switch status {
	case "PAID":
		o.paymentMethod, o.transactionID, o.paidAt = "UPI", "T"+kpDigits(12), e.Now()
	case "PROCESSING", "FAILED":
		o.paymentMethod = "UPI"
	}
	return true
}

// kpError writes KwikPaisa's standard error body.
func kpError(w http.ResponseWriter, status int, message string) {
	b, _ := json.Marshal(struct {
		Status  bool   `json:"status"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{false, status, message})
	writeJSON(w, status, b)
}

// kpSuccess writes KwikPaisa's success envelope.
func kpSuccess(w http.ResponseWriter, message string, data any) {
	b, _ := json.Marshal(struct {
		Code       string `json:"code"`
		Status     string `json:"status"`
		Message    string `json:"message"`
		ReturnData any    `json:"return_data"`
	}{"200", "success", message, data})
	writeJSON(w, http.StatusOK, b)
}

func (e *KwikPaisa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := e.record(r)
	var handle func(http.ResponseWriter, map[string]json.RawMessage)
	switch r.URL.Path {
	case "/api/v3/pg/order/create":
		handle = e.create
	case "/api/v3/pg/order/status":
		handle = e.status
	default:
		kpError(w, http.StatusNotFound, "Endpoint not found.")
		return
	}
	if r.Method != http.MethodPost {
		kpError(w, http.StatusMethodNotAllowed, "Method not allowed.")
		return
	}
	if status, msg := e.authenticate(r.Header, body); status != 0 {
		kpError(w, status, msg)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		kpError(w, http.StatusBadRequest, "Content-Type must be application/json.")
		return
	}
	fields, canonical, err := kpDecode(body)
	switch {
	case err != nil || fields == nil:
		kpError(w, http.StatusBadRequest, "Invalid payload format.")
		return
	case !bytes.Equal(canonical, body):
		kpError(w, http.StatusBadRequest, "Invalid payload format: keys must be sorted recursively, without whitespace, with unescaped slashes.")
		return
	}
	handle(w, fields)
}

// authenticate checks the three headers; it returns 0 or the error to send.
func (e *KwikPaisa) authenticate(h http.Header, body []byte) (int, string) {
	key, ts, sig := h.Get("X-API-KEY"), h.Get("X-TIMESTAMP"), h.Get("X-SIGNATURE")
	if key == "" || ts == "" || sig == "" {
		return http.StatusUnauthorized, "Missing authentication headers."
	}
	if !hmac.Equal([]byte(key), []byte(e.apiKey)) {
		return http.StatusUnauthorized, "Invalid API key."
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 || ts[0] == '+' {
		return http.StatusUnauthorized, "Invalid timestamp."
	}
	if skew := e.Now().Unix() - sec; skew > kpMaxSkew || skew < -kpMaxSkew {
		return http.StatusUnauthorized, "Request timestamp expired."
	}
	mac := hmac.New(sha256.New, e.secret)
	mac.Write(body)
	mac.Write([]byte(ts))
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig)) {
		return http.StatusUnauthorized, "Invalid signature."
	}
	return 0, ""
}

func (e *KwikPaisa) create(w http.ResponseWriter, f map[string]json.RawMessage) {
	orderID, key, ok := kpOrderID(f["order_id"])
	if !ok {
		kpError(w, http.StatusBadRequest, "The order_id field is required.")
		return
	}
	amount, ok := kpAmount(f["order_amount"])
	if !ok {
		kpError(w, http.StatusBadRequest, "Invalid order amount.")
		return
	}
	var customer map[string]json.RawMessage
	if json.Unmarshal(f["customer"], &customer) != nil || customer == nil {
		kpError(w, http.StatusBadRequest, "The customer field is required.")
		return
	}
	for _, req := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"order_currency", f["order_currency"]}, {"service_type", f["service_type"]},
		{"customer.name", customer["name"]}, {"customer.email", customer["email"]},
		{"customer.phone", customer["phone"]}, {"return_url", f["return_url"]},
	} {
		if kpString(req.raw) == "" {
			kpError(w, http.StatusBadRequest, "The "+req.name+" field is required.")
			return
		}
	}
	// KwikPaisa documents INR only (v3-guide/payment-gateway-integration/create-order).
	currency := kpString(f["order_currency"])
	if currency != "INR" {
		kpError(w, http.StatusUnprocessableEntity, "Currency "+currency+" is not supported.")
		return
	}
	if st := kpString(f["service_type"]); st != "DIGITAL" && st != "PHYSICAL_GOODS" {
		kpError(w, http.StatusUnprocessableEntity, "Invalid service_type.")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.orders[key]; dup {
		kpError(w, http.StatusConflict, "Duplicate order_id.")
		return
	}
	o := &kpOrder{kwikXID: "kp_" + kpUUID(), orderID: orderID, amount: amount, currency: currency,
		status: "UN_PAID", createdAt: e.Now()}
	e.orders[key] = o
	kpSuccess(w, "API authentication successful!", struct {
		KwikXOrderID string          `json:"kwikX_order_id"`
		CreatedAt    string          `json:"created_at"`
		OrderID      json.RawMessage `json:"order_id"`
		OrderStatus  string          `json:"order_status"`
		PaymentLink  string          `json:"payment_link"`
	}{o.kwikXID, o.createdAt.In(kpIST).Format(kpTimeLayout), o.orderID, o.status,
		"https://sandbox.kwikpaisa.com/payment/checkout/" + o.kwikXID})
}

func (e *KwikPaisa) status(w http.ResponseWriter, f map[string]json.RawMessage) {
	_, key, ok := kpOrderID(f["order_id"])
	if !ok {
		kpError(w, http.StatusBadRequest, "The order_id field is required.")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	o, found := e.orders[key]
	if !found {
		kpError(w, http.StatusNotFound, "Order not found.")
		return
	}
	nullable := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var paidAt *string
	if !o.paidAt.IsZero() {
		paidAt = nullable(o.paidAt.In(kpIST).Format(kpTimeLayout))
	}
	kpSuccess(w, "Order status fetched successfully.", struct {
		KwikXOrderID  string          `json:"kwikX_order_id"`
		OrderID       json.RawMessage `json:"order_id"`
		OrderAmount   string          `json:"order_amount"`
		Currency      string          `json:"currency"`
		OrderStatus   string          `json:"order_status"`
		PaymentMethod *string         `json:"payment_method"`
		TransactionID *string         `json:"transaction_id"`
		CreatedAt     string          `json:"created_at"`
		PaidAt        *string         `json:"paid_at"`
	}{o.kwikXID, o.orderID, o.amount.StringFixed(2), o.currency, o.status, nullable(o.paymentMethod),
		nullable(o.transactionID), o.createdAt.In(kpIST).Format(kpTimeLayout), paidAt})
}

// kpOrderID reads order_id, a string or an integer, and its text as the
// key orders are kept under.
func kpOrderID(raw json.RawMessage) (json.RawMessage, string, bool) {
	if s := kpString(raw); s != "" {
		return raw, s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if _, err := strconv.ParseUint(string(n), 10, 64); err == nil {
			return raw, string(n), true
		}
	}
	return nil, "", false
}

// kpAmount reads order_amount: a JSON number, positive, at most 2 decimals.
func kpAmount(raw json.RawMessage) (decimal.Decimal, bool) {
	var n json.Number
	if len(raw) == 0 || raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(string(n))
	if err != nil || !d.IsPositive() || !d.Shift(2).IsInteger() {
		return decimal.Decimal{}, false
	}
	return d, true
}

func kpString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// kpDecode decodes a body and encodes it again the way a PHP or JavaScript
// server would (json_encode / JSON.stringify after sorting keys): keys in
// sorted order at every level, no whitespace, '/' and non-ASCII raw,
// numbers through an IEEE double. It is deliberately written apart from
// paygate's encoder so that it checks it.
func kpDecode(body []byte) (map[string]json.RawMessage, []byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("trailing data")
	}
	var buf bytes.Buffer
	if err := kpEncode(&buf, v); err != nil {
		return nil, nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, nil, err
	}
	return fields, buf.Bytes(), nil
}

func kpEncode(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case string:
		kpEncodeString(buf, x)
	case json.Number:
		// The server holds numbers as doubles (JavaScript, PHP floats);
		// going through float64 is what is being emulated.
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return fmt.Errorf("number out of range")
		}
		buf.WriteString(kpNumber(f))
	case []any:
		buf.WriteByte('[')
		for i, el := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := kpEncode(buf, el); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			kpEncodeString(buf, k)
			buf.WriteByte(':')
			if err := kpEncode(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	}
	return nil
}

// kpNumber formats a double as JavaScript's Number.prototype.toString.
func kpNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if a := math.Abs(f); a >= 1e21 || a < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64) // 1e+21, 1e-07
		mant, exp, _ := strings.Cut(s, "e")
		sign, digits := exp[:1], strings.TrimLeft(exp[1:], "0")
		return mant + "e" + sign + digits
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// kpEncodeString writes a string as JSON.stringify does.
func kpEncodeString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			buf.WriteString(`\"`)
		case r == '\\':
			buf.WriteString(`\\`)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r == '\b':
			buf.WriteString(`\b`)
		case r == '\f':
			buf.WriteString(`\f`)
		case r < 0x20:
			fmt.Fprintf(buf, `\u%04x`, r)
		default:
			var tmp [utf8.UTFMax]byte
			buf.Write(tmp[:utf8.EncodeRune(tmp[:], r)])
		}
	}
	buf.WriteByte('"')
}

// kpUUID returns a random version-4 UUID, as kwikX_order_id uses.
func kpUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// kpDigits returns n random decimal digits.
func kpDigits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}
