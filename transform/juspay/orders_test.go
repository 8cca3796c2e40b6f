package juspay

import (
	"fmt"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

const fullOrder = `{
	"order_id": "ORD-1001_a",
	"amount": "105.5",
	"currency": "INR",
	"description": "2 x notebook & pen",
	"customer": {"id": "cust-7", "name": "Ajay Kumar Rao", "email": "ajay@example.com", "phone": "+919816512345"},
	"billing_address": {"line1": "12 MG Road", "line2": "", "city": "Bengaluru", "state": "KA", "country": "IN", "postal_code": "560001"},
	"shipping_address": {"line1": "Flat 4, Tower B", "city": "Pune", "postal_code": "411001"},
	"return_url": "https://shop.example.com/return",
	"notify_url": "https://shop.example.com/events?src=juspay",
	"metadata": {"cart": "42", "note": "gift wrap", "udf9": "x/y", "channel": "web"},
	"gateway_options": {"get_client_auth_token": true, "product_id": "prod-141833", "gateway_id": 12}
}`

func TestJuspayBuildCreate(t *testing.T) {
	req, e := Dialect{}.BuildCreate(gatewaytest.MustOrder(t, fullOrder))
	if e != nil {
		t.Fatal(e)
	}
	if req.Method != "POST" || req.Path != "/orders" || req.RawQuery != "" || req.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("request line %+v", req)
	}
	if len(req.Header) != 1 || req.Header["x-routing-id"] != "cust-7" {
		t.Errorf("header %v, want only x-routing-id: cust-7", req.Header)
	}
	// Keys sorted; names split at the last space; udf: cart, channel (plain)
	// take udf1, udf2; note (a space) takes udf6; udf9 is explicit.
	want := "amount=105.50" +
		"&billing_address_city=Bengaluru&billing_address_country=IN&billing_address_first_name=Ajay+Kumar" +
		"&billing_address_last_name=Rao&billing_address_line1=12+MG+Road&billing_address_postal_code=560001" +
		"&billing_address_state=KA" +
		"&currency=INR&customer_email=ajay%40example.com&customer_id=cust-7&customer_phone=%2B919816512345" +
		"&description=2+x+notebook+%26+pen&first_name=Ajay+Kumar&gateway_id=12&last_name=Rao" +
		"&metadata.webhook_url=https%3A%2F%2Fshop.example.com%2Fevents%3Fsrc%3Djuspay" +
		"&options.get_client_auth_token=true&order_id=ORD-1001_a&product_id=prod-141833" +
		"&return_url=https%3A%2F%2Fshop.example.com%2Freturn" +
		"&shipping_address_city=Pune&shipping_address_first_name=Ajay+Kumar&shipping_address_last_name=Rao" +
		"&shipping_address_line1=Flat+4%2C+Tower+B&shipping_address_postal_code=411001" +
		"&udf1=42&udf2=web&udf6=gift+wrap&udf9=x%2Fy"
	if string(req.Body) != want {
		t.Errorf("body\n got %s\nwant %s", req.Body, want)
	}
}

func TestJuspayBuildCreateMinimal(t *testing.T) {
	cases := []struct{ order, body, routing string }{
		{`{"order_id":"A1","amount":"10","currency":"INR"}`, "amount=10.00&currency=INR&order_id=A1", "A1"},
		{`{"order_id":"J1","amount":500,"currency":"JPY"}`, "amount=500&currency=JPY&order_id=J1", "J1"},
		{`{"order_id":"U1","amount":"0.10","currency":"USD","customer":{"first_name":"Ann","email":"a@b.co"}}`,
			"amount=0.10&currency=USD&customer_email=a%40b.co&first_name=Ann&order_id=U1", "U1"},
		// get_client_auth_token false sends nothing; gateway_id may be a string.
		{`{"order_id":"G1","amount":"1","currency":"INR","gateway_options":{"get_client_auth_token":false,"gateway_id":"19"}}`,
			"amount=1.00&currency=INR&gateway_id=19&order_id=G1", "G1"},
		// An empty metadata value still claims its slot.
		{`{"order_id":"M1","amount":"1","currency":"INR","metadata":{"a":"","b":"x"}}`,
			"amount=1.00&currency=INR&order_id=M1&udf1=&udf2=x", "M1"},
	}
	for _, c := range cases {
		req, e := Dialect{}.BuildCreate(gatewaytest.MustOrder(t, c.order))
		if e != nil {
			t.Fatalf("%s: %v", c.order, e)
		}
		if string(req.Body) != c.body {
			t.Errorf("%s: body\n got %s\nwant %s", c.order, req.Body, c.body)
		}
		if req.Header["x-routing-id"] != c.routing {
			t.Errorf("%s: x-routing-id %q, want %q", c.order, req.Header["x-routing-id"], c.routing)
		}
	}
}

func TestJuspayUDFRule(t *testing.T) {
	plain := func(n int, val string) map[string]string {
		m := map[string]string{}
		for i := 0; i < n; i++ {
			m[fmt.Sprintf("k%02d", i)] = val
		}
		return m
	}
	cases := []struct {
		name string
		md   map[string]string
		want string // slot keys udf1..udf10, "-" for free
	}{
		{"sorted plain first", map[string]string{"b": "2", "a": "1"}, "a b - - - - - - - -"},
		{"special only 6-10", map[string]string{"a": "x y", "b": "1"}, "b - - - - a - - - -"},
		{"plain overflow to 6-10", plain(7, "v"), "k00 k01 k02 k03 k04 k05 k06 - - -"},
		{"ten plain", plain(10, "v"), "k00 k01 k02 k03 k04 k05 k06 k07 k08 k09"},
		{"explicit slots first", map[string]string{"udf1": "abc", "a": "1", "udf6": "a-b", "z": "é"}, "udf1 a - - - udf6 z - - -"},
		{"underscore is special", map[string]string{"a": "user_5349", "b": "user5349"}, "b - - - - a - - - -"},
		{"udf10 and lookalikes", map[string]string{"udf10": "x", "udf01": "y", "udf11": "z"}, "udf01 udf11 - - - - - - - udf10"},
	}
	for _, c := range cases {
		slots, e := assignUDFs(c.md)
		if e != nil {
			t.Fatalf("%s: %v", c.name, e)
		}
		got := make([]string, len(slots))
		for i, k := range slots {
			got[i] = k
			if k == "" {
				got[i] = "-"
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s: slots %q, want %q", c.name, g, c.want)
		}
	}

	fails := []struct {
		name  string
		md    map[string]string
		field string
	}{
		{"eleven", plain(11, "v"), "metadata"},
		{"six special", plain(6, "a b"), "metadata"},
		{"explicit plain slot with special", map[string]string{"udf2": "a.b"}, "metadata.udf2"},
		{"explicit slots crowd out specials", map[string]string{"udf6": "1", "udf7": "1", "udf8": "1", "udf9": "1", "udf10": "1", "x": "-"}, "metadata"},
	}
	for _, c := range fails {
		_, e := assignUDFs(c.md)
		if e == nil || e.Type != transform.InvalidRequest || e.Field != c.field {
			t.Errorf("%s: got %v, want invalid_request on %s", c.name, e, c.field)
		}
	}
}

func TestJuspayRules(t *testing.T) {
	cases := []struct{ order, field string }{
		{`{"order_id":"A23456789012345678901","amount":"10","currency":"INR"}`, "order_id"},
		{`{"order_id":"A1","amount":"10.500","currency":"KWD"}`, "currency"},
		{`{"order_id":"A1","amount":"10","currency":"BHD"}`, "currency"},
		{`{"order_id":"A1","amount":"10","currency":"INR","return_url":"https://shop.example.com/r?x=1"}`, "return_url"},
		{`{"order_id":"A1","amount":"10","currency":"INR","return_url":"https://shop.example.com/r?"}`, "return_url"},
		{`{"order_id":"A1","amount":"10","currency":"INR","return_url":"http://192.168.1.10/r"}`, "return_url"},
		{`{"order_id":"A1","amount":"10","currency":"INR","return_url":"http://[::1]:8080/r"}`, "return_url"},
		{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"service_type":"DIGITAL"}}`, "gateway_options.service_type"},
		{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"get_client_auth_token":"true"}}`, "gateway_options.get_client_auth_token"},
		{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"product_id":7}}`, "gateway_options.product_id"},
		{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"gateway_id":"PAYU"}}`, "gateway_options.gateway_id"},
		{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"gateway_id":1.5}}`, "gateway_options.gateway_id"},
		{`{"order_id":"A1","amount":"10","currency":"INR","metadata":{"udf3":"a b"}}`, "metadata.udf3"},
	}
	for _, c := range cases {
		_, e := Dialect{}.BuildCreate(gatewaytest.MustOrder(t, c.order))
		if e == nil || e.Type != transform.InvalidRequest || e.Field != c.field {
			t.Errorf("%s: got %v, want invalid_request on %s", c.order, e, c.field)
		}
	}
	// The limits themselves are allowed.
	for _, ok := range []string{
		`{"order_id":"A2345678901234567890","amount":"10","currency":"INR"}`,
		`{"order_id":"A1","amount":"10","currency":"INR","return_url":"https://shop.example.com/r#done"}`,
		`{"order_id":"A1","amount":"10","currency":"INR","return_url":"http://localhost:8080/r"}`,
	} {
		if _, e := (Dialect{}).BuildCreate(gatewaytest.MustOrder(t, ok)); e != nil {
			t.Errorf("%s: %v", ok, e)
		}
	}
}

func TestJuspayParseCreate(t *testing.T) {
	cases := []struct{ order, fixture, want string }{
		{`{"order_id":"14183944763","amount":"100","currency":"INR"}`, "juspay/demo_create-order_response.json",
			`{"gateway":"juspay","order_id":"14183944763","gateway_order_id":"ord_e294a26e66ad4336a992ceab81ad704c",` +
				`"status":"created","gateway_status":"CREATED","amount":"100.00","currency":"INR",` +
				`"payment_url":"https://api.juspay.in/merchant/pay/ord_e294a26e66ad4336a992ceab81ad704c",` +
				`"gateway_details":{"payment_url_iframe":"https://api.juspay.in/merchant/ipay/ord_e294a26e66ad4336a992ceab81ad704c",` +
				`"payment_url_mobile":"https://api.juspay.in/merchant/pay/ord_e294a26e66ad4336a992ceab81ad704c?mobile=true"}}`},
		{`{"order_id":"14183944763","amount":"1.00","currency":"INR","gateway_options":{"get_client_auth_token":true}}`, "juspay/demo_create-order_response-auth.json",
			`{"gateway":"juspay","order_id":"14183944763","gateway_order_id":"ordeu_8bddad1e3b9c85eab3db4528575c01b",` +
				`"status":"created","gateway_status":"NEW","amount":"1.00","currency":"INR",` +
				`"payment_url":"https://api.juspay.in/merchant/pay/ordeu_8bddad1e3b9c85eab3db4528575c01b",` +
				`"created_at":"2020-06-16T10:28:35Z",` +
				`"gateway_details":{"client_auth_token":"tkn_753275c49a44a1a313eb2567f2fd6b","client_auth_token_expiry":"2020-06-16T10:43:35Z",` +
				`"payment_url_iframe":"https://api.juspay.in/merchant/ipay/ordeu_8bddad1e3b9c485eab3db4528575c01b",` +
				`"payment_url_mobile":"https://api.juspay.in/merchant/pay/ordeu_8bddad1e3b9c85eab3db4528575c01b?mobile=true"}}`},
	}
	for _, c := range cases {
		res, e := Dialect{}.ParseCreate(gatewaytest.MustOrder(t, c.order), 200, gatewaytest.Published(t, c.fixture))
		if e != nil {
			t.Fatalf("%s: %v", c.fixture, e)
		}
		if got := string(res.JSON()); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.fixture, got, c.want)
		}
	}
}

// A reused order_id answered with the existing order, not an error.
func TestJuspayParseCreateExistingOrder(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"14183944763","amount":"5","currency":"SGD"}`)
	e := func(body string) *transform.Error {
		_, e := Dialect{}.ParseCreate(o, 200, []byte(body))
		return e
	}
	full := string(gatewaytest.Published(t, "juspay/demo_create-order_response-auth.json")) // INR 1, NEW
	if err := e(full); err == nil || err.Type != transform.DuplicateOrder || err.Field != "order_id" {
		t.Errorf("other amount: %v, want duplicate_order", err)
	}
	charged := `{"id":"ord_1","order_id":"14183944763","status":"CHARGED","status_id":21,"amount":5,"currency":"SGD"}`
	if err := e(charged); err == nil || err.Type != transform.DuplicateOrder {
		t.Errorf("charged order: %v, want duplicate_order", err)
	}
	otherCurrency := `{"id":"ord_1","order_id":"14183944763","status":"NEW","status_id":10,"amount":5,"currency":"INR"}`
	if err := e(otherCurrency); err == nil || err.Type != transform.DuplicateOrder {
		t.Errorf("other currency: %v, want duplicate_order", err)
	}
	same := `{"id":"ord_1","order_id":"14183944763","status":"NEW","status_id":10,"amount":5.0,"currency":"SGD"}`
	if res, err := (Dialect{}).ParseCreate(o, 200, []byte(same)); err != nil || res.Amount != "5.00" {
		t.Errorf("same order: %v %v", res, err)
	}
	otherID := `{"id":"ord_1","order_id":"OTHER","status":"NEW","status_id":10}`
	if err := e(otherID); err == nil || err.Type != transform.GatewayError {
		t.Errorf("other order_id: %v, want gateway_error", err)
	}
}

func TestJuspayBuildStatus(t *testing.T) {
	req, e := Dialect{}.BuildStatus("JPAYNEW032")
	if e != nil {
		t.Fatal(e)
	}
	if req.Method != "GET" || req.Path != "/orders/JPAYNEW032" || req.RawQuery != "" || req.Body != nil || req.ContentType != "" {
		t.Errorf("request %+v", req)
	}
	if len(req.Header) != 1 || req.Header["x-routing-id"] != "JPAYNEW032" {
		t.Errorf("header %v", req.Header)
	}
	for _, bad := range []string{"A23456789012345678901", "a/b", ""} {
		if _, e := (Dialect{}).BuildStatus(bad); e == nil || e.Field != "order_id" {
			t.Errorf("%q: %v, want invalid_request on order_id", bad, e)
		}
	}
}

func TestJuspayParseStatus(t *testing.T) {
	res, e := Dialect{}.ParseStatus("JPAYNEW032", 200, gatewaytest.Published(t, "juspay/demo_order-status_NB.json"))
	if e != nil {
		t.Fatal(e)
	}
	want := `{"gateway":"juspay","order_id":"JPAYNEW032","gateway_order_id":"ordeh_a3cfc9c7f77e4fc581f19aewe23925",` +
		`"status":"paid","gateway_status":"CHARGED","amount":"9000.00","currency":"INR",` +
		`"payment_url":"https://api.juspay.in/merchant/pay/ordeh_a3cfc9c7f77e4fc581f19aewe23925","created_at":"2021-09-10T09:01:36Z",` +
		`"gateway_details":{"payment_url_iframe":"https://api.juspay.in/merchant/ipay/ordeh_a3cfc9c7f77e4fc581f19aewe23925",` +
		`"payment_url_mobile":"https://api.juspay.in/merchant/pay/ordeh_a3cfc9c7f77e4fc581f19aewe23925?mobile=true"}}`
	if got := string(res.JSON()); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}

	cases := []struct {
		body, amount string
		status       transform.Status
		word         string
	}{
		// Amounts: never through float64, the currency's places.
		{`{"id":"o","status":"NEW","status_id":10,"amount":105.5,"currency":"INR"}`, "105.50", transform.StatusCreated, "NEW"},
		{`{"id":"o","status":"NEW","status_id":10,"amount":12345678901234567.89,"currency":"INR"}`, "12345678901234567.89", transform.StatusCreated, "NEW"},
		{`{"id":"o","status":"NEW","status_id":10,"amount":500,"currency":"JPY"}`, "500", transform.StatusCreated, "NEW"},
		{`{"id":"o","status":"NEW","status_id":10,"amount":"7.1"}`, "7.10", transform.StatusCreated, "NEW"},
		// Only the number, or an unknown word with a known number.
		{`{"id":"o","status_id":21}`, "", transform.StatusPaid, "CHARGED"},
		{`{"id":"o","status":"charged_v2","status_id":21}`, "", transform.StatusPaid, "charged_v2"},
		{`{"id":"o","status":"SOMETHING_NEW"}`, "", transform.StatusUnknown, "SOMETHING_NEW"},
	}
	for _, c := range cases {
		res, e := Dialect{}.ParseStatus("o1", 200, []byte(c.body))
		if e != nil {
			t.Errorf("%s: %v", c.body, e)
			continue
		}
		if res.Amount != c.amount || res.Status != c.status || res.GatewayStatus != c.word {
			t.Errorf("%s: amount %q status %q word %q", c.body, res.Amount, res.Status, res.GatewayStatus)
		}
	}

	for _, body := range []string{
		`{"id":"o","status":"NEW","amount":1.234,"currency":"INR"}`,
		`{"id":"o","status":"NEW","amount":-1,"currency":"INR"}`,
		`{"status":"NEW"}`,
		`{"id":"o"}`,
		`[]`,
		`<html>`,
	} {
		if _, e := (Dialect{}).ParseStatus("o1", 200, []byte(body)); e == nil || e.Type != transform.GatewayError {
			t.Errorf("%s: %v, want gateway_error", body, e)
		}
	}
	for _, body := range []string{`{"status":"NOT_FOUND","status_id":40}`, `{"status_id":40}`} {
		if _, e := (Dialect{}).ParseStatus("o1", 200, []byte(body)); e == nil || e.Type != transform.OrderNotFound {
			t.Errorf("%s: %v, want order_not_found", body, e)
		}
	}
}

// Juspay's status table (Facts.Statuses, statusIDs), word by word and
// number by number.
func TestJuspayStatusTable(t *testing.T) {
	want := map[string]transform.Status{
		"CREATED": transform.StatusCreated, "NEW": transform.StatusCreated,
		"STARTED": transform.StatusPending, "PENDING_VBV": transform.StatusPending, "VBV_SUCCESSFUL": transform.StatusPending, "AUTHORIZING": transform.StatusPending,
		"CHARGED":         transform.StatusPaid,
		"JUSPAY_DECLINED": transform.StatusFailed, "AUTHENTICATION_FAILED": transform.StatusFailed, "AUTHORIZATION_FAILED": transform.StatusFailed,
		"VOIDED":         transform.StatusCancelled,
		"VOID_INITIATED": transform.StatusUnknown, "CAPTURE_INITIATED": transform.StatusUnknown, "CAPTURE_FAILED": transform.StatusUnknown,
		"VOID_FAILED": transform.StatusUnknown, "AUTO_REFUNDED": transform.StatusUnknown, "PARTIAL_CHARGED": transform.StatusUnknown,
	}
	ids := map[string]string{}
	for id, word := range statusIDs {
		ids[word] = id
	}
	for word, st := range want {
		for _, body := range []string{
			fmt.Sprintf(`{"id":"o","status":%q}`, word),
			fmt.Sprintf(`{"id":"o","status_id":%s}`, ids[word]),
		} {
			res, e := Dialect{}.ParseStatus("o1", 200, []byte(body))
			if e != nil || res.Status != st || res.GatewayStatus != word {
				t.Errorf("%s: %v %v, want %s", body, res, e, st)
			}
		}
	}
}

func TestJuspayErrorMapping(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"14183944763","amount":"1","currency":"INR","customer":{"name":"Ajay Kumar"},`+
		`"billing_address":{"city":"Pune"},"metadata":{"cart":"42","note":"a b"}}`)
	cases := []struct {
		name     string
		status   int
		body     string
		isStatus bool
		typ      transform.ErrorType
		code     string
		msg      string
		field    string
	}{
		{"access denied", 401, string(gatewaytest.Fixture(t, "juspay_create_error_access_denied.json")), false, transform.GatewayAuthenticationFailed, "access_denied", "", ""},
		{"missing auth", 401, string(gatewaytest.Fixture(t, "juspay_create_error_missing_authentication.json")), false, transform.GatewayAuthenticationFailed, "missing_authentication", "Missing authentication", ""},
		{"missing auth as 400", 400, `{"status":"error","error_code":"invalid_request"}`, false, transform.GatewayRejected, "invalid_request", "", ""},
		{"already exists", 400, string(gatewaytest.Fixture(t, "juspay_create_error_already_exists.json")), false, transform.DuplicateOrder, "ALREADY_EXISTS", "Order already exists", "order_id"},
		{"duplicate request", 400, `{"status":"Bad Request","error_code":"DUPLICATE_REQUEST","error_message":"Duplicate request"}`, false, transform.DuplicateOrder, "DUPLICATE_REQUEST", "Duplicate request", "order_id"},
		{"existing order in words", 400, `{"status":"Bad Request","error_code":"invalid_request","error_message":"Order already exists for this merchant"}`, false, transform.DuplicateOrder, "invalid_request", "Order already exists for this merchant", "order_id"},
		{"classic", 400, string(gatewaytest.Published(t, "juspay/demo_create-order_moto-400.json")), false, transform.GatewayRejected, "invalid_request_error", "Can't find a suitable gateway to process the transaction", ""},
		{"missing order id", 400, string(gatewaytest.Fixture(t, "juspay_create_error_order_id_missing.json")), false, transform.GatewayRejected, "order_id is missing", "order_id is missing", ""},
		{"error_info", 400, string(gatewaytest.Published(t, "juspay/docs_create_negative-amount_400.json")), false, transform.GatewayRejected, "INVALID_REQUEST", "Invalid amount", "amount"},
		{"error_info udf", 400, `{"status":"Bad Request","error_code":"INVALID_REQUEST","error_info":{"code":"INVALID_INPUT","fields":[{"field_name":"udf6","reason":"Invalid udf6"}]}}`, false, transform.GatewayRejected, "INVALID_REQUEST", "Invalid udf6", "metadata.note"},
		{"error_info name", 400, `{"error_code":"INVALID_REQUEST","error_info":{"fields":[{"field_name":"billing_address_first_name","reason":"too long"}]}}`, false, transform.GatewayRejected, "INVALID_REQUEST", "too long", "customer.name"},
		{"error_info address", 400, `{"error_code":"INVALID_REQUEST","error_info":{"fields":[{"field_name":"billing_address_city","reason":"bad"}]}}`, false, transform.GatewayRejected, "INVALID_REQUEST", "bad", "billing_address.city"},
		{"error_info unknown field", 400, `{"error_code":"INVALID_REQUEST","error_info":{"fields":[{"field_name":"mandate.max_amount","reason":"bad"}]}}`, false, transform.GatewayRejected, "INVALID_REQUEST", "bad", ""},
		{"error_info only", 400, `{"error_info":{"code":"MISSING_MANDATORY_PARAMETER","developer_message":"amount is mandatory"}}`, false, transform.GatewayRejected, "MISSING_MANDATORY_PARAMETER", "amount is mandatory", ""},
		{"server error", 500, `{"status":"error","error_code":"internal_error","error_message":"Internal server Error"}`, false, transform.GatewayError, "internal_error", "Internal server Error", ""},
		{"html 500", 500, `<html>oops</html>`, false, transform.GatewayError, "", "", ""},
		{"html 400", 400, `<html>bad</html>`, false, transform.GatewayError, "", "", ""},
		{"html 401", 401, `<html>no</html>`, false, transform.GatewayAuthenticationFailed, "", "", ""},
		{"rate limited", 429, `{"status":"error","error_code":"too_many_requests","error_message":"Slow down"}`, false, transform.GatewayUnavailable, "too_many_requests", "Slow down", ""},
		{"status 404", 404, `{"status":"error","error_code":"RESOURCE_NOT_FOUND","error_message":"Order not found"}`, true, transform.OrderNotFound, "RESOURCE_NOT_FOUND", "Order not found", "order_id"},
		{"status not found code", 400, `{"status":"Bad Request","error_info":{"code":"RESOURCE_NOT_FOUND","developer_message":"no such order"}}`, true, transform.OrderNotFound, "RESOURCE_NOT_FOUND", "no such order", "order_id"},
		{"status 404 html", 404, `<html>not here</html>`, true, transform.GatewayError, "", "", ""},
		{"status auth", 401, string(gatewaytest.Fixture(t, "juspay_create_error_access_denied.json")), true, transform.GatewayAuthenticationFailed, "access_denied", "", ""},
		{"status duplicate words are not a duplicate", 400, `{"error_code":"invalid_request","error_message":"duplicate header"}`, true, transform.GatewayRejected, "invalid_request", "duplicate header", ""},
	}
	for _, c := range cases {
		var e *transform.Error
		if c.isStatus {
			_, e = Dialect{}.ParseStatus("14183944763", c.status, []byte(c.body))
		} else {
			_, e = Dialect{}.ParseCreate(o, c.status, []byte(c.body))
		}
		if e == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if e.Type != c.typ || e.GatewayCode != c.code || e.GatewayMessage != c.msg || e.Field != c.field || e.Gateway != "juspay" {
			t.Errorf("%s: got %+v\nwant type %s code %q msg %q field %q", c.name, *e, c.typ, c.code, c.msg, c.field)
		}
		if e.Message == "" {
			t.Errorf("%s: no message", c.name)
		}
	}
}

func TestJuspayCashOnDelivery(t *testing.T) {
	for _, body := range []string{`{"id":"o","status_id":29}`, `{"id":"o","status":"COD_INITIATED","status_id":29}`} {
		res, e := Dialect{}.ParseStatus("o1", 200, []byte(body))
		if e != nil || res.Status != transform.StatusCreated || res.GatewayStatus != "COD_INITIATED" {
			t.Errorf("%s: %+v %v", body, res, e)
		}
	}
}

// The SDK token Juspay returns with get_client_auth_token expires in
// minutes: the recorded form of a result leaves it out, and
// keeps everything else.
func TestResultWithoutEphemeral(t *testing.T) {
	res, e := Dialect{}.ParseCreate(gatewaytest.CodeOrder("14183944763", "1", "INR"), 200, gatewaytest.Published(t, "juspay/demo_create-order_response-auth.json"))
	if e != nil {
		t.Fatal(e)
	}
	if res.GatewayDetails["client_auth_token"] == "" || res.GatewayDetails["client_auth_token_expiry"] == "" {
		t.Fatalf("the sample's token was not read: %v", res.GatewayDetails)
	}
	rec := res.WithoutEphemeral()
	body := string(rec.JSON())
	if strings.Contains(body, "tkn_") || strings.Contains(body, "client_auth_token") {
		t.Errorf("recorded form keeps the token: %s", body)
	}
	if rec.GatewayDetails["payment_url_mobile"] == "" || rec.PaymentURL != res.PaymentURL || rec.Amount != res.Amount {
		t.Errorf("recorded form lost other fields: %s", body)
	}
	if res.GatewayDetails["client_auth_token"] == "" {
		t.Error("WithoutEphemeral changed the answer itself")
	}
	only := &transform.Result{GatewayDetails: map[string]string{"client_auth_token": "tkn_x"}}
	if got := only.WithoutEphemeral(); got.GatewayDetails != nil || strings.Contains(string(got.JSON()), "gateway_details") {
		t.Errorf("only ephemeral details: %s", got.JSON())
	}
	plain := &transform.Result{GatewayDetails: map[string]string{"checkout_key_id": "rzp_test_x"}}
	if plain.WithoutEphemeral() != plain {
		t.Error("a result without ephemeral details was copied")
	}
	if !transform.EphemeralDetail("client_auth_token") || transform.EphemeralDetail("checkout_key_id") || transform.EphemeralDetail("payment_url_mobile") {
		t.Error("EphemeralDetail")
	}
}
