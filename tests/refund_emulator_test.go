package tests

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// The emulators' refund behaviour on its own (no paygate, no Caddy): what
// the integration tests rely on, as each gateway documents it.

// raw sends one request straight to an emulator.
func raw(t *testing.T, srv *httptest.Server, method, path, contentType, body string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, b)
	}
	return resp.StatusCode, m
}

func TestRazorpayEmulatorRefunds(t *testing.T) {
	emu, _ := emulator.NewRazorpay("rzp_test_e", "sec")
	srv := httptest.NewServer(emu)
	defer srv.Close()
	auth := []string{"Authorization", "Basic " + basicAuth("rzp_test_e", "sec")}
	st, ord := raw(t, srv, "POST", "/v1/orders", "application/json", `{"amount":10000,"currency":"INR","receipt":"E1"}`, auth...)
	if st != 200 {
		t.Fatal(st, ord)
	}
	// Unpaid: no payments.
	if st, c := raw(t, srv, "GET", "/v1/orders/"+ord["id"].(string)+"/payments", "", "", auth...); st != 200 || c["count"].(float64) != 0 {
		t.Fatalf("payments before paying: %d %v", st, c)
	}
	// The control endpoint needs no credentials.
	if st, m := raw(t, srv, "POST", "/__control/orders/E1/pay", "", ""); st != 200 || m["status"] != "paid" {
		t.Fatalf("pay: %d %v", st, m)
	}
	if st, _ := raw(t, srv, "POST", "/__control/orders/NOPE/pay", "", ""); st != 404 {
		t.Errorf("paying an unknown order: %d", st)
	}
	_, c := raw(t, srv, "GET", "/v1/orders/"+ord["id"].(string)+"/payments", "", "", auth...)
	items := c["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["status"] != "captured" || items[1].(map[string]any)["status"] != "failed" {
		t.Fatalf("payments: the captured one first, a failed one after it: %v", c)
	}
	pay := items[0].(map[string]any)["id"].(string)
	key := []string{"X-Refund-Idempotency", "pgrf-key-0001"}
	body := `{"amount":4000,"receipt":"R1"}`
	st1, rf1 := raw(t, srv, "POST", "/v1/payments/"+pay+"/refund", "application/json", body, append(auth, key...)...)
	st2, rf2 := raw(t, srv, "POST", "/v1/payments/"+pay+"/refund", "application/json", body, append(auth, key...)...)
	if st1 != 200 || st2 != 200 || rf1["id"] != rf2["id"] || rf1["status"] != "processed" {
		t.Fatalf("same key, same body: %d %v / %d %v", st1, rf1, st2, rf2)
	}
	if st, e := raw(t, srv, "POST", "/v1/payments/"+pay+"/refund", "application/json", `{"amount":5000,"receipt":"R1"}`, append(auth, key...)...); st != 409 ||
		!strings.Contains(e["error"].(map[string]any)["description"].(string), "Different request with the same idempotency key") {
		t.Errorf("same key, other body: %d %v", st, e)
	}
	if st, _ := raw(t, srv, "POST", "/v1/payments/"+pay+"/refund", "application/json", body, append(auth, "X-Refund-Idempotency", "short")...); st != 400 {
		t.Errorf("a key under 10 characters: %d", st)
	}
	if st, e := raw(t, srv, "POST", "/v1/payments/"+pay+"/refund", "application/json", `{"amount":6001}`, auth...); st != 400 ||
		!strings.Contains(e["error"].(map[string]any)["description"].(string), "greater than amount captured") {
		t.Errorf("over-refund: %d %v", st, e)
	}
	failed := items[1].(map[string]any)["id"].(string)
	if st, _ := raw(t, srv, "POST", "/v1/payments/"+failed+"/refund", "application/json", `{"amount":100}`, auth...); st != 400 {
		t.Errorf("refund of a failed payment: %d", st)
	}
	// The rest, without a key, refunds the payment in full.
	if st, _ := raw(t, srv, "POST", "/v1/payments/"+pay+"/refund", "application/json", `{"receipt":"R2"}`, auth...); st != 200 {
		t.Errorf("full refund: %d", st)
	}
	if st, e := raw(t, srv, "POST", "/v1/payments/"+pay+"/refund", "application/json", `{"amount":100}`, auth...); st != 400 ||
		!strings.Contains(e["error"].(map[string]any)["description"].(string), "fully refunded") {
		t.Errorf("after a full refund: %d %v", st, e)
	}
	_, list := raw(t, srv, "GET", "/v1/payments/"+pay+"/refunds", "", "", auth...)
	if list["count"].(float64) != 2 || list["items"].([]any)[0].(map[string]any)["receipt"] != "R2" {
		t.Errorf("refund list, newest first: %v", list)
	}
	if got := emu.Refunds("E1"); len(got) != 2 || got[0].Amount != "40.00" || got[0].Key != "R1" || emu.RefundCalls() != 8 {
		t.Errorf("refunds %+v, calls %d", got, emu.RefundCalls())
	}
}

func TestJuspayEmulatorRefunds(t *testing.T) {
	emu, _ := emulator.NewJuspay("key", "m1", "")
	srv := httptest.NewServer(emu)
	defer srv.Close()
	h := []string{"Authorization", "Basic " + basicAuth("key", ""), "x-merchantid", "m1", "version", "2023-01-01"}
	form := "application/x-www-form-urlencoded"
	if st, m := raw(t, srv, "POST", "/orders", form, "order_id=J1&amount=100.00", h...); st != 200 {
		t.Fatal(st, m)
	}
	if st, e := raw(t, srv, "POST", "/orders/J1/refunds", form, "unique_request_id=A1&amount=10", h...); st != 400 || e["error_code"] != "invalid.order.not_successful" {
		t.Errorf("refund of an unpaid order: %d %v", st, e)
	}
	if st, _ := raw(t, srv, "POST", "/__control/orders/J1/pay", "", ""); st != 200 {
		t.Fatal("pay")
	}
	st, o := raw(t, srv, "POST", "/orders/J1/refunds", form, "unique_request_id=A1&amount=10", h...)
	if refunds, _ := o["refunds"].([]any); st != 200 || len(refunds) != 1 || refunds[0].(map[string]any)["status"] != "PENDING" {
		t.Fatalf("refund: %d %v", st, o)
	}
	if st, e := raw(t, srv, "POST", "/orders/J1/refunds", form, "unique_request_id=A1&amount=10", h...); st != 400 || e["error_code"] != "duplicate.call" ||
		!strings.Contains(e["error_message"].(string), "already completed") {
		t.Errorf("repeated unique_request_id: %d %v", st, e)
	}
	if st, e := raw(t, srv, "POST", "/orders/J1/refunds", form, "unique_request_id=A2&amount=10", h...); st != 400 ||
		!strings.Contains(e["error_message"].(string), "already processing with this amount") {
		t.Errorf("same amount at once: %d %v", st, e)
	}
	if st, e := raw(t, srv, "POST", "/orders/J1/refunds", form, "unique_request_id=A3&amount=90.01", h...); st != 400 || e["error_code"] != "invalid.amount.exceeded" {
		t.Errorf("over-refund: %d %v", st, e)
	}
	if st, e := raw(t, srv, "POST", "/orders/NOPE/refunds", form, "unique_request_id=A3&amount=1", h...); st != 400 || e["status"] != "NOT_FOUND" {
		t.Errorf("unknown order: %d %v", st, e)
	}
	if !emu.SetRefundStatus("J1", "A1", "SUCCESS") {
		t.Fatal("SetRefundStatus")
	}
	_, o = raw(t, srv, "GET", "/orders/J1", "", "", h...)
	rf := o["refunds"].([]any)[0].(map[string]any)
	if rf["status"] != "SUCCESS" || rf["ref"] == nil || o["amount_refunded"].(float64) != 10 {
		t.Errorf("status after SUCCESS: %v", o)
	}
	if emu.RefundCalls() != 6 || len(emu.Refunds("J1")) != 1 {
		t.Errorf("calls %d, refunds %v", emu.RefundCalls(), emu.Refunds("J1"))
	}
}

func TestEnKashEmulatorRefunds(t *testing.T) {
	emu, _ := emulator.NewEnKash("ak", "sk", 0)
	emu.SetTokenLifetime(3600e9)
	srv := httptest.NewServer(emu)
	defer srv.Close()
	_, tok := raw(t, srv, "POST", "/api/v0/merchant/token", "application/json", `{"accessKey":"ak","secretKey":"sk"}`)
	h := []string{"Authorization", "Bearer " + tok["token"].(string), "merchantAccessKey", "ak"}
	js := "application/json"
	if st, m := raw(t, srv, "POST", "/api/v0/orders", js, `{"orderId":"K1","amount":{"value":100,"currency":"INR"}}`, h...); st != 200 || m["response_code"].(float64) != 0 {
		t.Fatal(st, m)
	}
	_, o := raw(t, srv, "GET", "/api/v0/orders/K1", "", "", h...)
	if _, has := o["payload"].(map[string]any)["transactions"]; has {
		t.Errorf("unpaid order with transactions: %v", o)
	}
	if !emu.Pay("K1") {
		t.Fatal("pay")
	}
	_, o = raw(t, srv, "GET", "/api/v0/orders/K1", "", "", h...)
	p := o["payload"].(map[string]any)
	txns := p["transactions"].([]any)
	if p["orderStatus"] != "PAID" || len(txns) != 2 || txns[1].(map[string]any)["transactionStatus"] != "FAILED" || p["transactionStatus"] != "SUCCESS" {
		t.Fatalf("paid order: %v", p)
	}
	txn := p["transactionId"].(string)
	st, rf := raw(t, srv, "POST", "/api/v0/payment/"+txn+"/refund", js, `{"amount":40.5,"remarks":"x","requestId":"REQ1"}`, h...)
	if st != 200 || rf["response_code"].(float64) != 0 || rf["payload"].(map[string]any)["status"] != "CREATED" {
		t.Fatalf("refund: %d %v", st, rf)
	}
	if _, d := raw(t, srv, "POST", "/api/v0/payment/"+txn+"/refund", js, `{"amount":40.5,"requestId":"REQ1"}`, h...); d["response_code"].(float64) != 409 {
		t.Errorf("repeated requestId: %v", d)
	}
	if st, d := raw(t, srv, "POST", "/api/v0/payment/"+txn+"/refund", js, `{"amount":59.51,"requestId":"REQ2"}`, h...); st != 400 || d["response_code"].(float64) != 422 {
		t.Errorf("over-refund: %d %v", st, d)
	}
	failed := txns[1].(map[string]any)["transactionId"].(string)
	if st, _ := raw(t, srv, "POST", "/api/v0/payment/"+failed+"/refund", js, `{"amount":1,"requestId":"REQ3"}`, h...); st != 400 {
		t.Errorf("refund of a failed transaction: %d", st)
	}
	_, s := raw(t, srv, "GET", "/api/v0/payment/"+txn, "", "", h...)
	refunds := s["payload"].(map[string]any)["refunds"].([]any)
	if len(refunds) != 1 || refunds[0].(map[string]any)["requestId"] != "REQ1" || s["payload"].(map[string]any)["transactionStatus"] != "PARTIALLY_REFUNDED" {
		t.Errorf("transaction: %v", s)
	}
	if emu.RefundCalls() != 4 || len(emu.Refunds("K1")) != 1 || emu.Refunds("K1")[0].Amount != "40.50" {
		t.Errorf("calls %d, refunds %v", emu.RefundCalls(), emu.Refunds("K1"))
	}
}

// basicAuth is the value of an HTTP Basic Authorization header after "Basic ".
func basicAuth(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}
