package gatewaytest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/shopspring/decimal"
)

// FuzzBuild holds a gateway's request builders to the contract every
// gateway shares: a decoded order is refused only with a 400 naming a
// field, and a built request is well-formed.
func FuzzBuild(f *testing.F, g transform.Gateway) {
	for _, s := range OrderSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, e := transform.DecodeOrder(body)
		if e != nil {
			return
		}
		req, e := g.BuildCreate(o)
		if e != nil {
			if e.Type != transform.InvalidRequest || e.Field == "" {
				t.Fatalf("BuildCreate refused with %v: gateway rules must be 400s naming a field", e)
			}
			return
		}
		if req.Method == "" || !strings.HasPrefix(req.Path, "/") || len(req.Body) == 0 {
			t.Fatalf("malformed request %+v", req)
		}
		switch req.ContentType {
		case "application/json":
			if !json.Valid(req.Body) {
				t.Fatalf("invalid JSON body %s", req.Body)
			}
		case "application/x-www-form-urlencoded":
			if _, err := url.ParseQuery(string(req.Body)); err != nil {
				t.Fatalf("invalid form body %s: %v", req.Body, err)
			}
		default:
			t.Fatalf("content type %q", req.ContentType)
		}
		if _, e := g.BuildStatus(o.OrderID); e != nil && e.Type != transform.InvalidRequest {
			t.Fatalf("BuildStatus: %v", e)
		}
	})
}

var canonicalStatuses = map[transform.Status]bool{transform.StatusCreated: true, transform.StatusPending: true, transform.StatusPaid: true,
	transform.StatusFailed: true, transform.StatusExpired: true, transform.StatusCancelled: true, transform.StatusUnknown: true}

var gatewayErrorTypes = map[transform.ErrorType]bool{transform.DuplicateOrder: true, transform.GatewayRejected: true, transform.OrderNotFound: true,
	transform.GatewayAuthenticationFailed: true, transform.GatewayError: true, transform.GatewayUnavailable: true, transform.GatewayTimeout: true}

// FuzzParse feeds any answer under any status to a gateway's create and
// status parsers: no panic, exactly one of result and error, errors of the
// gateway types, results of the canonical vocabulary. The seeds are the
// gateway's own testdata/<gateway>_*.json and its published samples.
func FuzzParse(f *testing.F, g transform.Gateway, fixturePrefix string) {
	files, _ := filepath.Glob("testdata/" + fixturePrefix + "*.json")
	var seeds [][]byte
	for _, file := range files {
		b, _ := os.ReadFile(file)
		seeds = append(seeds, b)
	}
	for _, b := range append(seeds, PublishedSeeds(fixturePrefix)...) {
		for _, status := range []int{200, 201, 400, 401, 404, 408, 409, 422, 429, 500} {
			f.Add(status, b)
		}
	}
	f.Add(200, []byte(`{}`))
	f.Add(200, []byte(`[]`))
	f.Add(502, []byte(`<html>`))
	o, e := transform.DecodeOrder([]byte(FullOrder))
	if e != nil {
		f.Fatal(e)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		check := func(op string, res *transform.Result, e *transform.Error) {
			if (res == nil) == (e == nil) {
				t.Fatalf("%s: exactly one of result and error must be set: %v %v", op, res, e)
			}
			if e != nil {
				if !gatewayErrorTypes[e.Type] || e.Message == "" {
					t.Fatalf("%s: error %+v is not a gateway error", op, e)
				}
				return
			}
			if res.Gateway != g.Name() || !canonicalStatuses[res.Status] || res.OrderID == "" {
				t.Fatalf("%s: result %+v", op, res)
			}
			if res.Amount != "" {
				if _, err := decimal.NewFromString(res.Amount); err != nil {
					t.Fatalf("%s: amount %q", op, res.Amount)
				}
			}
			if !json.Valid(res.JSON()) {
				t.Fatalf("%s: result JSON invalid", op)
			}
		}
		b := append([]byte(nil), body...)
		res, e := g.ParseCreate(o, status, b)
		check("create", res, e)
		outlivesBody(t, "create", b, res, e)
		b = append(b[:0], body...)
		res, e = g.ParseStatus(o.OrderID, status, b)
		check("status", res, e)
		outlivesBody(t, "status", b, res, e)
	})
}

// outlivesBody checks that an answer keeps nothing of the gateway's body:
// paygate parses the body where it was captured and reuses that buffer for
// the next answer, so a result or error sharing its bytes would change
// under the application's feet (or in a recorded answer). Today every
// field is a string, a copy; a []byte or RawMessage field cut from the
// body would fail here.
func outlivesBody(t *testing.T, op string, body []byte, v interface{ JSON() []byte }, e *transform.Error) {
	t.Helper()
	snapshot := func() string {
		out := ""
		if e != nil {
			out = fmt.Sprintf("%s %+v", e.JSON(), *e)
		} else if v != nil {
			out = fmt.Sprintf("%s %+v", v.JSON(), v)
		}
		return out
	}
	before := snapshot()
	for i := range body {
		body[i] = 'x'
	}
	if after := snapshot(); after != before {
		t.Fatalf("%s: the answer shares memory with the gateway's body:\nbefore %s\nafter  %s", op, before, after)
	}
}

var refundErrorTypes = map[transform.ErrorType]bool{transform.DuplicateRefund: true, transform.OrderInProgress: true, transform.GatewayRejected: true,
	transform.OrderNotFound: true, transform.GatewayAuthenticationFailed: true, transform.GatewayError: true, transform.GatewayUnavailable: true}

var refundStatuses = map[transform.RefundStatus]bool{transform.RefundPending: true, transform.RefundSucceeded: true, transform.RefundFailed: true}

// FuzzRefund feeds any answer to every refund parse step of g, for an
// order and a refund whose wire ids the seeds carry.
func FuzzRefund(f *testing.F, g transform.Refunder, name string, order *transform.Result, target string, seeds ...[]byte) {
	for _, s := range seeds {
		for _, status := range []int{200, 400, 401, 404, 409, 429, 500} {
			for step := range 4 {
				f.Add(uint8(step), status, s)
			}
		}
	}
	f.Add(uint8(1), 200, []byte(`{}`))
	f.Add(uint8(2), 200, []byte(`null`))
	f.Fuzz(func(t *testing.T, step uint8, status int, input []byte) {
		body := append([]byte(nil), input...)
		o := *order
		c := &transform.RefundCall{Order: &o, Target: target, RefundID: "RF1"}
		var res *transform.RefundResult
		var e *transform.Error
		switch step % 4 {
		case 0: // the target, from the status answer or from its own call
			tg, next, e1 := g.BuildRefundTarget(&o, body)
			if (tg == "") == (e1 == nil) && next == nil {
				t.Fatalf("BuildRefundTarget: target %q, error %v", tg, e1)
			}
			tg, e2 := g.ParseRefundTarget(&o, status, body)
			if (tg == "") == (e2 == nil) {
				t.Fatalf("ParseRefundTarget: target %q, error %v", tg, e2)
			}
			outlivesBody(t, "refund target", body, nil, e2)
			if tg != "" && !transform.PathSafe(tg) {
				t.Fatalf("target %q is no path segment", tg)
			}
			return
		case 1:
			c.Refund = &transform.Refund{RefundID: "RF1", Amount: MustAmount("1")}
			res, e = g.ParseRefund(c, status, body)
		case 2:
			res, e = g.ParseRefundStatus(c, status, body)
		case 3:
			c.Refund = &transform.Refund{RefundID: "RF1", Amount: MustAmount("1")}
			res, e = g.ParseRefundStatus(c, status, body)
		}
		if (res == nil) == (e == nil) {
			t.Fatalf("result %+v and error %v", res, e)
		}
		if res != nil {
			outlivesBody(t, "refund", body, res, nil)
		} else {
			outlivesBody(t, "refund", body, nil, e)
		}
		if e != nil {
			if !refundErrorTypes[e.Type] && !transform.IsRefundNotFound(e) || e.Message == "" || e.Gateway != name {
				t.Fatalf("error %#v", e)
			}
			return
		}
		if res.Gateway != name || res.OrderID != o.OrderID || res.RefundID != "RF1" || !refundStatuses[res.Status] {
			t.Fatalf("result %+v", res)
		}
		exp, ok := transform.CurrencyExponent(res.Currency)
		d, err := decimal.NewFromString(res.Amount)
		if !ok || err != nil || d.IsNegative() || d.StringFixed(exp) != res.Amount {
			t.Fatalf("amount %q %q", res.Amount, res.Currency)
		}
		if c.Refund != nil && (res.Amount != c.Refund.Amount.Fixed(exp) || res.Currency != o.Currency) {
			t.Fatalf("reported %s %s for a refund of 1 %s", res.Currency, res.Amount, o.Currency)
		}
	})
}
