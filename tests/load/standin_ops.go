package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The stand-in's answers for the refund and webhook segments: paid orders,
// the calls paygate makes for a refund (README "Refunds") and an
// application endpoint that paygate_webhook (and the plain route) hands
// notifications to.
//
// A paid order is any merchant order id that starts with paidPrefix: the
// stand-in knows it without a create (a refund needs a paid order, and a
// customer's payment is no part of what is measured) and keeps nothing
// about it, so refunds and notifications of any number of them cost it no
// memory. Every paid order is INR paidAmount with one captured payment
// (Razorpay), status CHARGED (Juspay), one SUCCESS transaction (EnKash),
// and every id of it is derived from the merchant's order id, so the
// harness can build the plain route's requests without asking. Refund
// answers echo the amount, receipt or request id sent, as paygate's
// parsers check, and hold only the refund just made.

const (
	// paidPrefix starts the merchant order id of a paid order; the
	// harness's creates use other ids (orderID).
	paidPrefix = "P"
	// paidAmount is every paid order's amount, INR; paidMinor in paise.
	paidAmount = "105.50"
	paidMinor  = "10550"
)

func isPaid(orderID string) bool { return strings.HasPrefix(orderID, paidPrefix) && len(orderID) > 1 }

// Ids of a paid order, derived from the merchant's order id.
func rzpPaidOrderID(orderID string) string   { return "order_" + orderID }
func rzpPaidPaymentID(orderID string) string { return "pay_" + orderID }
func jpPaidOrderID(orderID string) string    { return "ordeu_" + orderID }
func ekPaidOrderID(orderID string) string    { return "ORD" + orderID }
func ekPaidTxnID(orderID string) string      { return "TXN" + orderID }

// paidCreated is when every paid order was created: a fixed time, an hour
// before the stand-in started.
func (s *standin) paidCreated() time.Time { return s.started.Add(-time.Hour) }

// --- Razorpay: the paid order in GET /v1/orders?receipt=, its payments, refunds

func (s *standin) razorpayPaidOrder(receipt string) *sRazorpayOrder {
	r := receipt
	return &sRazorpayOrder{
		ID: rzpPaidOrderID(receipt), Entity: "order", Amount: paidMinor, AmountPaid: 10550, AmountDue: "0", Currency: "INR",
		Receipt: &r, Status: "paid", Attempts: 1, Notes: json.RawMessage("[]"), CreatedAt: s.paidCreated().Unix(),
	}
}

// razorpayPayments is GET /v1/orders/{id}/payments
// (razorpay.com/docs/api/orders/fetch-payments): a paid order's one
// captured payment; any other order has none.
func (s *standin) razorpayPayments(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	items := []map[string]any{}
	if receipt, ok := strings.CutPrefix(id, "order_"); ok && isPaid(receipt) {
		items = append(items, map[string]any{
			"id": rzpPaidPaymentID(receipt), "entity": "payment", "amount": json.Number(paidMinor), "currency": "INR",
			"status": "captured", "order_id": id, "invoice_id": nil, "international": false, "method": "upi",
			"amount_refunded": 0, "refund_status": nil, "captured": true, "description": nil, "vpa": "customer@upi",
			"email": "customer@example.com", "contact": "+919876543210", "notes": []any{}, "created_at": s.paidCreated().Unix(),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entity": "collection", "count": len(items), "items": items})
}

// razorpayRefund is POST /v1/payments/{id}/refund
// (razorpay.com/docs/api/refunds/create-normal): the refund entity, echoing
// the amount and the receipt, on the payment refunded.
func (s *standin) razorpayRefund(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		Amount  json.Number     `json:"amount"`
		Receipt *string         `json:"receipt"`
		Notes   json.RawMessage `json:"notes"`
	}
	payment := r.PathValue("id")
	if !strings.HasPrefix(payment, "pay_") {
		razorpayError(w, http.StatusBadRequest, "BAD_REQUEST_ERROR", "The id provided does not exist")
		return
	}
	if json.Unmarshal(body, &req) != nil || !plainDecimal(string(req.Amount)) || strings.Contains(string(req.Amount), ".") {
		razorpayError(w, http.StatusBadRequest, "BAD_REQUEST_ERROR", "The stand-in needs an integer amount.")
		return
	}
	notes := req.Notes
	if n := strings.TrimSpace(string(notes)); n == "" || n == "null" || n == "{}" {
		notes = json.RawMessage("[]")
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": "rfnd_" + s.id(14), "entity": "refund", "amount": req.Amount, "currency": "INR", "payment_id": payment,
		"notes": notes, "receipt": req.Receipt, "acquirer_data": map[string]any{"arn": nil}, "created_at": s.now().Unix(),
		"batch_id": nil, "status": "processed", "speed_processed": "normal", "speed_requested": "normal",
	})
}

// --- Juspay: the paid order in GET /orders/{id}, POST /orders/{id}/refunds

func (s *standin) juspayPaidOrder(orderID, merchantID string) map[string]any {
	id := jpPaidOrderID(orderID)
	return map[string]any{
		"id": id, "order_id": orderID, "merchant_id": merchantID, "customer_id": "",
		"status": "CHARGED", "status_id": 21, "amount": json.Number(paidAmount), "currency": "INR",
		"amount_refunded": 0, "refunded": false, "date_created": s.paidCreated().UTC().Format(time.RFC3339),
		"txn_id": merchantID + "-" + orderID + "-1", "payment_links": juspayLinks(id),
	}
}

// juspayRefund is POST /orders/{id}/refunds
// (juspay.io/in/docs/api-reference/docs/express-checkout/refund-order-api):
// the order with refunds[] holding the refund just made, PENDING, with the
// unique_request_id and amount sent.
func (s *standin) juspayRefund(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	orderID := r.PathValue("id")
	if !isPaid(orderID) {
		juspayError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Order not found")
		return
	}
	form, err := url.ParseQuery(string(body))
	amount, uid := form.Get("amount"), form.Get("unique_request_id")
	if err != nil || !plainDecimal(amount) || uid == "" {
		juspayError(w, http.StatusBadRequest, "INVALID_REQUEST", "The stand-in needs amount and unique_request_id.")
		return
	}
	o := s.juspayPaidOrder(orderID, r.Header.Get("x-merchantid"))
	o["amount_refunded"], o["refunded"] = json.Number(amount), true
	o["refunds"] = []map[string]any{{
		"id": nil, "ref": nil, "unique_request_id": uid, "status": "PENDING", "amount": json.Number(amount),
		"created": s.now().UTC().Format(time.RFC3339), "sent_to_gateway": false, "initiated_by": "API",
		"refund_type": "STANDARD", "refund_source": "DUMMY",
	}}
	writeJSON(w, http.StatusOK, o)
}

// --- EnKash: the paid order in GET /api/v0/orders/{id}, POST /api/v0/payment/{txn}/refund

func (s *standin) enkashPaidOrder(orderID string) map[string]any {
	return map[string]any{
		"orderId": ekPaidOrderID(orderID), "merchantOrderId": orderID,
		"created":     s.paidCreated().In(ist).Format("2006-01-02T15:04:05.000Z07:00"),
		"orderStatus": "PAID", "amount": json.Number(paidAmount), "currency": "INR", "description": "Load test order",
		"transactionId": ekPaidTxnID(orderID), "transactionStatus": "SUCCESS",
	}
}

// enkashRefund is POST /api/v0/payment/{transactionId}/refund
// (docs.enkash.com/api-8990254, "Refund"): the refund, CREATED, echoing the
// requestId and the amount.
func (s *standin) enkashRefund(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	txn := r.PathValue("id")
	var req struct {
		Amount    json.Number `json:"amount"`
		RequestID string      `json:"requestId"`
	}
	if orderID, found := strings.CutPrefix(txn, "TXN"); !found || !isPaid(orderID) {
		enkashReply(w, http.StatusOK, 404, "Transaction not found", nil)
		return
	}
	if json.Unmarshal(body, &req) != nil || !plainDecimal(string(req.Amount)) || req.RequestID == "" {
		enkashReply(w, http.StatusBadRequest, 422, "The stand-in needs amount and requestId.", nil)
		return
	}
	now := s.now()
	id := "RFT" + strconv.FormatInt(now.UnixMilli(), 10) + s.id(6)
	enkashReply(w, http.StatusOK, 0, "SUCCESS", map[string]any{
		"requestId": req.RequestID, "amount": req.Amount, "paymentMode": "UPI", "bankCode": "", "bankName": "",
		"currency": "INR", "status": "CREATED", "transactionId": id, "txnMsg": "Refund initiated",
		"txnDate": now.In(ist).Format("2006-01-02T15:04:05"), "uniqueTransactionId": "U" + id, "bankTransactionId": "",
	})
}

// --- the application: where both webhook routes deliver

// appPath is the application's event endpoint on the stand-in.
const appPath = "/app"

// appStats counts what reached the application: events paygate forwarded
// (with Paygate-Event-Id) and anything else (the plain route's raw
// notifications). The harness compares the events with the notifications
// paygate acknowledged, so a notification deduplicated or ignored instead
// of delivered cannot pass for a verified one.
type appStats struct {
	Events int64 `json:"events"`
	Other  int64 `json:"other"`
}

type appCounter struct{ events, other atomic.Int64 }

// appReceive is POST /app: the application acknowledges whatever it gets.
func (s *standin) appReceive(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 256<<10)); err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if r.Header.Get("Paygate-Event-Id") != "" {
		s.app.events.Add(1)
	} else {
		s.app.other.Add(1)
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{"17"}
	_, _ = io.WriteString(w, `{"received":true}`)
}

// appStatsHandler is GET /app/stats.
func (s *standin) appStatsHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, appStats{Events: s.app.events.Load(), Other: s.app.other.Load()})
}
