package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

const (
	ekAccess = "ek_it_access_7"
	ekSecret = "ek_it_secret_93b1"
)

// enkashCaddyfile runs paygate in front of the EnKash emulator. tokenCase
// goes into token_url's query (the emulator ignores it): a new value is a
// new set of credentials to paygate, hence a cold token cache.
func enkashCaddyfile(tokenCase string) string {
	return enkashCaddyfileWith(tokenCase, "")
}

func enkashCaddyfileWith(tokenCase, extra string) string {
	return fmt.Sprintf(`
:9380 {
	handle /enkash/* {
		paygate enkash {
			access_key           {env.PAYGATE_IT_ENKASH_AK}
			secret_key           {env.PAYGATE_IT_ENKASH_SK}
			token_url            http://127.0.0.1:9381/api/v0/merchant/token?case=%[1]s
			token_retry_interval 200ms
			%[2]s
		}
		reverse_proxy 127.0.0.1:9381
	}
	handle /enkash2/* {
		paygate enkash {
			access_key           {env.PAYGATE_IT_ENKASH_AK}
			secret_key           {env.PAYGATE_IT_ENKASH_SK}
			token_url            http://127.0.0.1:9381/api/v0/merchant/token?case=%[1]s
			token_retry_interval 200ms
		}
		reverse_proxy 127.0.0.1:9381
	}
	handle /badsecret/* {
		paygate enkash {
			access_key {env.PAYGATE_IT_ENKASH_AK}
			secret_key {env.PAYGATE_IT_ENKASH_WRONG}
			token_url  http://127.0.0.1:9381/api/v0/merchant/token?case=%[1]s
		}
		reverse_proxy 127.0.0.1:9381
	}
	handle /notoken/* {
		paygate enkash {
			access_key {env.PAYGATE_IT_ENKASH_AK}
			secret_key {env.PAYGATE_IT_ENKASH_SK}
			token_url  http://127.0.0.1:9389/api/v0/merchant/token
		}
		reverse_proxy 127.0.0.1:9381
	}
}

:9381 {
	paygate_emulator enkash {
		instance       ek-it
		access_key     {env.PAYGATE_IT_ENKASH_AK}
		secret_key     {env.PAYGATE_IT_ENKASH_SK}
		token_lifetime 10m
	}
}
`, tokenCase, extra)
}

func startEnKash(t *testing.T, tokenCase string) *emulator.EnKash {
	t.Helper()
	setEnKashEnv(t)
	startCaddy(t, enkashCaddyfile(tokenCase))
	return freshEmulator(t, "ek-it").(*emulator.EnKash)
}

func setEnKashEnv(t *testing.T) {
	t.Setenv("PAYGATE_IT_ENKASH_AK", ekAccess)
	t.Setenv("PAYGATE_IT_ENKASH_SK", ekSecret)
	t.Setenv("PAYGATE_IT_ENKASH_WRONG", "not-the-secret")
}

const ekOrder = `{
	"order_id": "ORD1001",
	"amount": "105.5",
	"currency": "INR",
	"description": "2 x notebook",
	"customer": {"name": "Ajay Kumar", "email": "ajay@example.com", "phone": "9816512345"},
	"return_url": "https://shop.example.com/return",
	"notify_url": "https://shop.example.com/enkash/notify",
	"metadata": {"cart": "42"},
	"bank_account": {"account_number": "1234567890", "ifsc": "KKBK0000432"}
}`

func ekSimple(id string) string {
	return fmt.Sprintf(`{"order_id":%q,"amount":"10","currency":"INR"}`, id)
}

// ekSplit separates what the emulator received into token calls and order calls.
func ekSplit(emu *emulator.EnKash) (tokens, orders []emulator.Received) {
	for _, r := range emu.Received() {
		if r.Path == "/api/v0/merchant/token" {
			tokens = append(tokens, r)
		} else {
			orders = append(orders, r)
		}
	}
	return tokens, orders
}

func TestEnKashCreateAndStatus(t *testing.T) {
	emu := startEnKash(t, "create")

	// The application tries to smuggle credentials; none may reach EnKash.
	r := call(t, "POST", url(9380, "/enkash/orders"), ekOrder,
		"Authorization", "Bearer from-the-app", "merchantAccessKey", "evil", "API-Key", "evil")
	if r.status != http.StatusCreated {
		t.Fatalf("create: status %d, body %s", r.status, r.body)
	}
	res := r.json(t)
	gwID, ok := emu.GatewayID("ORD1001")
	if !ok {
		t.Fatal("the emulator has no order ORD1001")
	}
	for k, want := range map[string]any{
		"gateway": "enkash", "order_id": "ORD1001", "gateway_order_id": gwID, "status": "created",
		"amount": "105.50", "currency": "INR", "payment_url": "https://checkout-uat-v3.enkash.in/pay/" + gwID,
	} {
		if res[k] != want {
			t.Errorf("result %s = %v, want %v", k, res[k], want)
		}
	}

	tokens, orders := ekSplit(emu)
	if len(tokens) != 1 || len(orders) != 1 {
		t.Fatalf("emulator received %d token and %d order requests, want 1 and 1", len(tokens), len(orders))
	}
	tc := tokens[0]
	if tc.Method != "POST" || string(tc.Body) != `{"accessKey":"`+ekAccess+`","secretKey":"`+ekSecret+`"}` ||
		tc.Header.Get("API-Key") != ekAccess || tc.Header.Get("Content-Type") != "application/json" {
		t.Errorf("token call %s %s %v", tc.Method, tc.Body, tc.Header)
	}
	rec := orders[0]
	if rec.Method != "POST" || rec.Path != "/api/v0/orders" || rec.Query != "" {
		t.Errorf("upstream request %s %s?%s", rec.Method, rec.Path, rec.Query)
	}
	wantBody := `{"orderId":"ORD1001","amount":{"value":105.50,"currency":"INR"},"returnUrl":"https://shop.example.com/return",` +
		`"notifyUrl":"https://shop.example.com/enkash/notify","customerInfo":{"firstName":"Ajay","lastName":"Kumar",` +
		`"email":"ajay@example.com","phoneNumber":"9816512345"},"customParameters":{"cart":"42"},"description":"2 x notebook",` +
		`"paymentDetail":{"accountNumber":"1234567890","ifsc":"KKBK0000432"}}`
	if string(rec.Body) != wantBody {
		t.Errorf("upstream body\n got %s\nwant %s", rec.Body, wantBody)
	}
	if a := rec.Header.Values("Authorization"); len(a) != 1 || !strings.HasPrefix(a[0], "Bearer ekt_") {
		t.Errorf("upstream Authorization = %v, want paygate's bearer token only", a)
	}
	if v := rec.Header.Values("merchantAccessKey"); len(v) != 1 || v[0] != ekAccess {
		t.Errorf("upstream merchantAccessKey = %v", v)
	}
	if v := rec.Header.Get("API-Key"); v != "" {
		t.Errorf("application header API-Key reached EnKash: %q", v)
	}
	if strings.Contains(string(r.body), "ekt_") || strings.Contains(string(r.body), ekSecret) {
		t.Errorf("the answer shows a credential: %s", r.body)
	}

	// Status asks by EnKash's own id, recorded at creation.
	r = call(t, "GET", url(9380, "/enkash/orders/ORD1001"), "")
	if res := r.json(t); r.status != http.StatusOK || res["status"] != "created" || res["gateway_status"] != "CREATED" {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	_, orders = ekSplit(emu)
	if last := orders[len(orders)-1]; last.Method != "GET" || last.Path != "/api/v0/orders/"+gwID || len(last.Body) != 0 {
		t.Errorf("status request %s %s %q", last.Method, last.Path, last.Body)
	}
	emu.SetStatus("ORD1001", "PAID")
	r = call(t, "GET", url(9380, "/enkash/orders/ORD1001/"), "")
	res = r.json(t)
	if r.status != http.StatusOK || res["status"] != "paid" || res["amount"] != "105.50" || res["currency"] != "INR" || res["gateway_order_id"] != gwID {
		t.Fatalf("status after payment: %d %s", r.status, r.body)
	}
	if ts, _ := res["created_at"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("created_at = %v, want RFC 3339 UTC", res["created_at"])
	}
	if n := emu.TokenCalls(); n != 1 {
		t.Errorf("%d token calls for create and two status requests, want 1", n)
	}
	// An order this process did not create is asked for by the merchant's id.
	seedEnKash(t, emu, "SEEDED1")
	r = call(t, "GET", url(9380, "/enkash/orders/SEEDED1"), "")
	_, orders = ekSplit(emu)
	if r.status != http.StatusOK || orders[len(orders)-1].Path != "/api/v0/orders/SEEDED1" {
		t.Errorf("status of a foreign order: %d %s via %s", r.status, r.body, orders[len(orders)-1].Path)
	}
}

// seedEnKash creates an order at the emulator directly, as another client would.
func seedEnKash(t *testing.T, emu *emulator.EnKash, orderID string) {
	t.Helper()
	tok := ekToken(t, emu)
	req, _ := http.NewRequest("POST", "http://127.0.0.1:9381/api/v0/orders",
		strings.NewReader(`{"orderId":"`+orderID+`","amount":{"value":10,"currency":"INR"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("merchantAccessKey", ekAccess)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("seeding: %d", resp.StatusCode)
	}
}

// ekToken gets a token from the emulator directly (not counted as paygate's).
func ekToken(t *testing.T, emu *emulator.EnKash) string {
	t.Helper()
	body := `{"accessKey":"` + ekAccess + `","secretKey":"` + ekSecret + `"}`
	r := call(t, "POST", "http://127.0.0.1:9381/api/v0/merchant/token", body)
	var ans struct{ Token string }
	if err := json.Unmarshal(r.body, &ans); err != nil || ans.Token == "" {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	return ans.Token
}

func TestEnKashColdConcurrentRequestsMakeOneTokenCall(t *testing.T) {
	emu := startEnKash(t, "cold")
	// The token call takes 300ms: all ten requests arrive while it is out.
	emu.SetTokenDelay(300 * time.Millisecond)
	var wg sync.WaitGroup
	replies := make([]reply, 10)
	for i := range replies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			replies[i] = call(t, "POST", url(9380, "/enkash/orders"), ekSimple(fmt.Sprintf("COLD%d", i)))
		}(i)
	}
	wg.Wait()
	for i, r := range replies {
		if r.status != http.StatusCreated {
			t.Errorf("request %d: %d %s", i, r.status, r.body)
		}
	}
	if n := emu.TokenCalls(); n != 1 {
		t.Fatalf("10 concurrent cold requests made %d token calls, want 1", n)
	}
	if _, orders := ekSplit(emu); len(orders) != 10 {
		t.Errorf("%d order requests reached EnKash, want 10 (no retries)", len(orders))
	}
}

func TestEnKashWarmRequestsMakeNoTokenCall(t *testing.T) {
	emu := startEnKash(t, "warm")
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("WARM0")); r.status != http.StatusCreated {
		t.Fatalf("warm-up: %d %s", r.status, r.body)
	}
	emu.Reset() // count from here
	for i := 1; i <= 5; i++ {
		if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple(fmt.Sprintf("WARM%d", i))); r.status != http.StatusCreated {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	if n := emu.TokenCalls(); n != 0 {
		t.Fatalf("5 sequential warm requests made %d token calls, want 0", n)
	}
	// Another route with the same credentials shares the token.
	if r := call(t, "POST", url(9380, "/enkash2/orders"), ekSimple("WARM6")); r.status != http.StatusCreated || emu.TokenCalls() != 0 {
		t.Fatalf("second route: %d %s, %d token calls", r.status, r.body, emu.TokenCalls())
	}
}

func TestEnKashRevokedTokenIsRefreshedOnce(t *testing.T) {
	emu := startEnKash(t, "revoked")
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("REV0")); r.status != http.StatusCreated {
		t.Fatalf("warm-up: %d %s", r.status, r.body)
	}
	emu.Reset()
	emu.RevokeAll()
	r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("REV1"))
	if r.status != http.StatusCreated {
		t.Fatalf("after revocation: %d %s", r.status, r.body)
	}
	if n := emu.TokenCalls(); n != 1 {
		t.Fatalf("a revoked token caused %d token calls, want 1", n)
	}
	_, orders := ekSplit(emu)
	if len(orders) != 2 || orders[0].Header.Get("Authorization") == orders[1].Header.Get("Authorization") {
		t.Fatalf("want the create refused once and retried once with a new token; got %d attempts", len(orders))
	}
	if string(orders[0].Body) != string(orders[1].Body) {
		t.Errorf("the retry sent a different body:\n%s\n%s", orders[0].Body, orders[1].Body)
	}

	// Concurrent requests refused with the same revoked token: one token call.
	emu.Reset()
	emu.RevokeAll()
	emu.SetTokenDelay(200 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple(fmt.Sprintf("REVC%d", i))); r.status != http.StatusCreated {
				t.Errorf("request %d: %d %s", i, r.status, r.body)
			}
		}(i)
	}
	wg.Wait()
	if n := emu.TokenCalls(); n != 1 {
		t.Fatalf("5 concurrent requests refused with one revoked token made %d token calls, want 1", n)
	}

	// A token still refused after the refresh is a configuration problem:
	// 502, after one retry only. EnKash's clock jumps 11 minutes each time it
	// is read, so every token has expired by the time it is checked.
	emu.Reset()
	var reads atomic.Int64
	emu.SetClock(func() time.Time { return time.Now().Add(time.Duration(reads.Add(1)) * 11 * time.Minute) })
	r = call(t, "POST", url(9380, "/enkash/orders"), ekSimple("REV2"))
	e := r.canonicalError(t, 502, "gateway_authentication_failed")
	if e["gateway_code"] != "117" || e["gateway_message"] != "FAILURE: Token is invalid." {
		t.Errorf("error %v", e)
	}
	if _, orders := ekSplit(emu); len(orders) != 2 || emu.TokenCalls() != 1 {
		t.Errorf("%d attempts and %d token calls, want 2 and 1 (one retry)", len(orders), emu.TokenCalls())
	}
}

func TestEnKashExpiryWithInjectedClock(t *testing.T) {
	emu := startEnKash(t, "expiry")
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("EXP0")); r.status != http.StatusCreated {
		t.Fatalf("warm-up: %d %s", r.status, r.body)
	}
	emu.Reset()
	// EnKash's clock jumps past the token's expiry; paygate's has not moved,
	// so it still holds the token: the 117 makes it fetch a new one.
	future := time.Now().Add(11 * time.Minute)
	emu.SetClock(func() time.Time { return future })
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("EXP1")); r.status != http.StatusCreated {
		t.Fatalf("after expiry: %d %s", r.status, r.body)
	}
	if n := emu.TokenCalls(); n != 1 {
		t.Fatalf("an expired token caused %d token calls, want 1", n)
	}
	// The new token's lifetime was measured on EnKash's clock (its Date),
	// so paygate does not take it for expired: the next request makes no call.
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("EXP2")); r.status != http.StatusCreated || emu.TokenCalls() != 1 {
		t.Fatalf("next request: %d %s, %d token calls", r.status, r.body, emu.TokenCalls())
	}
}

func TestEnKashTokenRefreshedInTheBackground(t *testing.T) {
	emu := startEnKash(t, "background")
	emu.SetTokenLifetime(2 * time.Second) // renewed every second, half its life
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("BG0")); r.status != http.StatusCreated {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	time.Sleep(2500 * time.Millisecond) // the first token is dead by now
	if n := emu.TokenCalls(); n < 2 {
		t.Fatalf("no background refresh in 2.5s (%d token calls)", n)
	}
	start := time.Now()
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("BG1")); r.status != http.StatusCreated {
		t.Fatalf("second: %d %s", r.status, r.body)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the request took %s", d)
	}
	// Both creates went through at the first attempt: no token was refused.
	if _, orders := ekSplit(emu); len(orders) != 2 {
		t.Errorf("%d create attempts, want 2 (a stale token would add a retry)", len(orders))
	}
}

func TestEnKashTokenSurvivesReload(t *testing.T) {
	emu := startEnKash(t, "reload")
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("RL0")); r.status != http.StatusCreated {
		t.Fatalf("before reload: %d %s", r.status, r.body)
	}
	// A new config with the same credentials (and a changed setting).
	startCaddy(t, enkashCaddyfileWith("reload", "refresh_margin 2m"))
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("RL1")); r.status != http.StatusCreated {
		t.Fatalf("after reload: %d %s", r.status, r.body)
	}
	if n := emu.TokenCalls(); n != 1 {
		t.Fatalf("%d token calls across a reload, want 1", n)
	}
	// EnKash's id learnt before the reload still serves status.
	gwID, _ := emu.GatewayID("RL0")
	call(t, "GET", url(9380, "/enkash/orders/RL0"), "")
	if _, orders := ekSplit(emu); orders[len(orders)-1].Path != "/api/v0/orders/"+gwID {
		t.Errorf("status after reload asked for %s", orders[len(orders)-1].Path)
	}
}

func TestEnKashTokenEndpointDown(t *testing.T) {
	emu := startEnKash(t, "down")
	emu.SetTokenEndpointDown(true)
	r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("DOWN1"))
	e := r.canonicalError(t, 503, "gateway_unavailable")
	if e["gateway"] != "enkash" || e["message"] != "could not reach enkash's token endpoint" {
		t.Errorf("error %v", e)
	}
	if _, orders := ekSplit(emu); len(orders) != 0 {
		t.Errorf("%d order requests sent without a token", len(orders))
	}
	// The endpoint comes back: after token_retry_interval the next request succeeds.
	emu.SetTokenEndpointDown(false)
	time.Sleep(250 * time.Millisecond)
	if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("DOWN2")); r.status != http.StatusCreated {
		t.Fatalf("after recovery: %d %s", r.status, r.body)
	}

	t.Run("nothing listens", func(t *testing.T) {
		r := call(t, "POST", url(9380, "/notoken/orders"), ekSimple("DOWN3"))
		r.canonicalError(t, 503, "gateway_unavailable")
	})
	t.Run("refused credentials", func(t *testing.T) {
		r := call(t, "POST", url(9380, "/badsecret/orders"), ekSimple("DOWN4"))
		e := r.canonicalError(t, 502, "gateway_authentication_failed")
		if e["gateway_code"] != "401" || e["gateway_message"] != "Invalid access key or secret key." {
			t.Errorf("error %v", e)
		}
		if strings.Contains(string(r.body), "not-the-secret") || strings.Contains(string(r.body), ekSecret) {
			t.Errorf("error leaks a secret: %s", r.body)
		}
	})
}

func TestEnKashErrors(t *testing.T) {
	emu := startEnKash(t, "errors")

	t.Run("invalid_request never reaches EnKash", func(t *testing.T) {
		for _, c := range []struct{ body, field string }{
			{`{"order_id":"E1","amount":"10","currency":"USD"}`, "currency"},
			{`{"order_id":"E1","amount":"10.005","currency":"INR"}`, "amount"},
			{`{"order_id":"E1","amount":"10","currency":"INR","bank_account":{"account_number":"1234567890","ifsc":"KKBK1000432"}}`, "bank_account.ifsc"},
			{`{"order_id":"E1","amount":"10","currency":"INR","bank_account":{"account_number":"12345678"}}`, "bank_account.account_number"},
			{`{"order_id":"E1","amount":"10","currency":"INR","gateway_options":{"mid":"x"}}`, "gateway_options.mid"},
		} {
			e := call(t, "POST", url(9380, "/enkash/orders"), c.body).canonicalError(t, 400, "invalid_request")
			if e["field"] != c.field {
				t.Errorf("%s: field %v, want %s", c.body, e["field"], c.field)
			}
		}
		if n := len(emu.Received()); n != 0 {
			t.Errorf("EnKash received %d requests (token calls included) for invalid orders", n)
		}
	})

	t.Run("duplicate_order", func(t *testing.T) {
		// Another client already used the orderId at EnKash.
		// The refusal is checked: another amount under the id is not ours.
		seedEnKash(t, emu, "DUP1")
		e := call(t, "POST", url(9380, "/enkash/orders"), `{"order_id":"DUP1","amount":"20","currency":"INR"}`).canonicalError(t, 409, "duplicate_order")
		if e["gateway_code"] != "409" || e["field"] != "order_id" || e["gateway"] != "enkash" {
			t.Errorf("duplicate %v", e)
		}
		if _, orders := ekSplit(emu); len(orders) != 3 {
			t.Errorf("%d order requests, want 3 (the seed, paygate's create and its status check)", len(orders))
		}
		// The same amount and currency: an earlier attempt created it.
		seedEnKash(t, emu, "DUP2")
		if r := call(t, "POST", url(9380, "/enkash/orders"), ekSimple("DUP2")); r.status != 201 || r.json(t)["order_id"] != "DUP2" {
			t.Errorf("same order under a used id: %d %s", r.status, r.body)
		}
	})

	t.Run("order_not_found", func(t *testing.T) {
		e := call(t, "GET", url(9380, "/enkash/orders/NOPE1"), "").canonicalError(t, 404, "order_not_found")
		if e["gateway_code"] != "404" {
			t.Errorf("not found %v", e)
		}
	})

	if n := emu.TokenCalls(); n != 3 {
		t.Errorf("%d token calls in all, want 3 (paygate's and the seeding client's two)", n)
	}
}
