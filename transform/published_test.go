package transform

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The gateways' own published samples (vendor docs, official SDK test data,
// third-party connectors) are read in place from the shared reference
// folder beside the repository, never copied into it: they are other
// people's data. Their sources are listed in that folder's SOURCES.md.
const publishedDir = "../../shared/reference/fixtures/"

// published reads one published sample, such as "razorpay/cs_create_order_200.json".
func published(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(publishedDir + name)
	if err != nil {
		t.Fatalf("published sample: %v", err)
	}
	return b
}

// publishedCase feeds one published answer to a parser. A case wants
// either an error of errType (and field) or a result whose non-empty
// fields equal want's.
type publishedCase struct {
	file    string
	gw      Gateway
	status  int
	order   *Order // for ParseCreate; nil means ParseStatus(id)
	id      string
	errType ErrorType
	field   string
	want    Result
}

func codeOrder(id, amount, currency string) *Order {
	return &Order{OrderID: id, Amount: MustAmount(amount), Currency: currency}
}

// kwikpaisaFailedMock completes the published "Failed" tab of KwikPaisa's
// sandbox mock responses, of which only the first four lines are stored:
// the rest follows the "Success" tab (the same order, order_status FAILED).
// The test checks the stored lines are a prefix of it.
func kwikpaisaFailedMock(t testing.TB) []byte {
	prefix := published(t, "kwikpaisa/kp3_mock_failed.PREFIX-ONLY.txt")
	body := string(prefix) + `iled.",
  "return_data": {
    "kwikX_order_id": "kp_40dec464",
    "order_id": "6116229263036",
    "order_status": "FAILED",
    "transaction_id": "TXN938482920",
    "amount": "105.00",
    "currency": "INR"
  }
}`
	if !strings.HasPrefix(body, string(prefix)) || !bytes.Contains(prefix, []byte(`"status": "failed"`)) || !json.Valid([]byte(body)) {
		t.Fatalf("the stored prefix no longer starts the completed body:\n%s", prefix)
	}
	return []byte(body)
}

func publishedCases(t testing.TB) []publishedCase {
	rzp, jp, kp, ek := Razorpay{}, Juspay{}, KwikPaisa{ServiceType: "DIGITAL"}, EnKash{}
	kpOrder := codeOrder("6116229263036", "105", "INR")
	return []publishedCase{
		// Razorpay: create answers are order entities; status is a collection filtered by receipt.
		{file: "razorpay/cs_create_order_200.json", gw: rzp, status: 200, order: codeOrder("141674f6-30d3-4a17-b904-27fe6ca085c7", "10.00", "USD"),
			want: Result{Status: StatusCreated, GatewayStatus: "created", Amount: "10.00", Currency: "USD", GatewayOrderID: "order_QMrTOdLWvEHsXz", CreatedAt: "2025-04-24T10:27:27Z"}},
		{file: "razorpay/cs_create_order_200.json", gw: rzp, status: 200, order: codeOrder("141674f6-30d3-4a17-b904-27fe6ca085c7", "20.00", "USD"),
			errType: DuplicateOrder, field: "order_id"},
		{file: "razorpay/cs_duplicate_receipt_400.json", gw: rzp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: DuplicateOrder, field: "order_id"},
		{file: "razorpay/rzpgo_doc_create_response.json", gw: rzp, status: 200, order: codeOrder("receipt#1", "500", "INR"),
			want: Result{Status: StatusCreated, Amount: "500.00", Currency: "INR", GatewayOrderID: "order_EKwxwAgItmmXdp"}},
		{file: "razorpay/rzpgo_doc_create_tpv_response.json", gw: rzp, status: 200, order: codeOrder("BILL13375649", "5", "INR"),
			want: Result{Status: StatusCreated, Amount: "5.00", GatewayOrderID: "order_GAWN9beXgaqRyO"}},
		{file: "razorpay/rzpgo_fake_order.json", gw: rzp, status: 200, order: codeOrder("12121", "5", "INR"),
			want: Result{Status: StatusPending, GatewayStatus: "attempted", Amount: "5.00", CreatedAt: "2014-05-23T06:32:30Z"}},
		{file: "razorpay/rzpgo_fake_order_bad_request.json", gw: rzp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: GatewayRejected},
		// A fetch-all answer (no receipt filter): it lists other receipts, so it says nothing about this one.
		{file: "razorpay/rzpgo_order_collection.json", gw: rzp, status: 200, id: "12121", errType: GatewayError},
		{file: "razorpay/rzpgo_order_collection_with_one_order.json", gw: rzp, status: 200, id: "12121",
			want: Result{Status: StatusPending, Amount: "5.00", GatewayOrderID: "fake_order_id"}},
		{file: "razorpay/rzpmd_create_failure.json", gw: rzp, status: 400, order: codeOrder("ORD1", "0.50", "INR"), errType: GatewayRejected, field: "amount"},
		{file: "razorpay/rzpmd_create_success.json", gw: rzp, status: 200, order: codeOrder("receipt#1", "50", "INR"),
			want: Result{Status: StatusCreated, Amount: "50.00", GatewayOrderID: "order_RB58MiP5SPFYyM", CreatedAt: "2025-08-29T08:19:21Z"}},
		// A payer's wrong OTP is not paygate's credentials.
		{file: "razorpay/rzpmd_errors_sample.json", gw: rzp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: GatewayRejected},
		{file: "razorpay/rzpmd_errors_sample.json", gw: rzp, status: 400, id: "ORD1", errType: GatewayRejected},
		{file: "razorpay/rzpmd_fetch_failure.json", gw: rzp, status: 400, id: "ORD1", errType: GatewayRejected},
		// A fetch-by-id answer: an order without our receipt is not ours.
		{file: "razorpay/rzpmd_fetch_success.json", gw: rzp, status: 200, order: codeOrder("ORD1", "20", "INR"), errType: GatewayError},
		{file: "razorpay/rzpmd_fetchall_failure.json", gw: rzp, status: 401, id: "ORD1", errType: GatewayAuthenticationFailed},
		{file: "razorpay/rzpmd_fetchall_failure.json", gw: rzp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: GatewayAuthenticationFailed},
		// Two orders under one receipt, neither paid: the newest (listed first).
		{file: "razorpay/rzpmd_fetchall_success.json", gw: rzp, status: 200, id: "Receipt No. 1",
			want: Result{Status: StatusCreated, Amount: "12.34", GatewayOrderID: "order_EKzX2WiEWbMxmx"}},
		{file: "razorpay/rzppy_bad_request_error.json", gw: rzp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: GatewayRejected, field: "amount"},
		{file: "razorpay/rzppy_edit_order.json", gw: rzp, status: 200, order: codeOrder("Receipt #211", "22", "INR"),
			want: Result{Status: StatusPending, Amount: "22.00", GatewayOrderID: "order_DaaS6LOUAASb7Y"}},
		{file: "razorpay/rzppy_gateway_error_504.json", gw: rzp, status: 504, order: codeOrder("ORD1", "10", "INR"), errType: GatewayError},
		{file: "razorpay/rzppy_server_error_500.json", gw: rzp, status: 500, id: "ORD1", errType: GatewayError},

		// Juspay.
		{file: "juspay/demo_create-order_response.json", gw: jp, status: 200, order: codeOrder("14183944763", "100", "INR"),
			want: Result{Status: StatusCreated, GatewayStatus: "CREATED", Amount: "100.00", Currency: "INR", GatewayOrderID: "ord_e294a26e66ad4336a992ceab81ad704c",
				PaymentURL: "https://api.juspay.in/merchant/pay/ord_e294a26e66ad4336a992ceab81ad704c"}},
		{file: "juspay/demo_create-order_response-auth.json", gw: jp, status: 200, order: codeOrder("14183944763", "1", "INR"),
			want: Result{Status: StatusCreated, GatewayStatus: "NEW", Amount: "1.00", Currency: "INR", CreatedAt: "2020-06-16T10:28:35Z",
				GatewayDetails: map[string]string{"client_auth_token": "tkn_753275c49a44a1a313eb2567f2fd6b"}}},
		{file: "juspay/demo_create-order_response-auth.json", gw: jp, status: 200, order: codeOrder("14183944763", "2", "INR"), errType: DuplicateOrder, field: "order_id"},
		{file: "juspay/demo_create-order_moto-400.json", gw: jp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: GatewayRejected},
		{file: "juspay/demo_order-status_EMI.json", gw: jp, status: 200, id: "XXXX1234", want: Result{Status: StatusPaid, Amount: "15122.00", Currency: "INR"}},
		{file: "juspay/demo_order-status_NB.json", gw: jp, status: 200, id: "JPAYNEW032", want: Result{Status: StatusPaid, Amount: "9000.00", GatewayOrderID: "ordeh_a3cfc9c7f77e4fc581f19aewe23925"}},
		{file: "juspay/demo_order-status_Wallet.json", gw: jp, status: 200, id: "145678234", want: Result{Status: StatusPaid, Amount: "1.00"}},
		// Cash on delivery chosen, nothing paid yet.
		{file: "juspay/demo_order-status_cod.json", gw: jp, status: 200, id: "1690960292",
			want: Result{Status: StatusCreated, GatewayStatus: "COD_INITIATED", Amount: "100.00"}},
		// Published as invalid JSON (curly quotes, comments): unreadable.
		{file: "juspay/demo_order-status_UPI.json", gw: jp, status: 200, id: "JPAYNEW034", errType: GatewayError},
		{file: "juspay/demo_order-status_card.json", gw: jp, status: 200, id: "JPAYNEW032", errType: GatewayError},
		{file: "juspay/demo_order-status_Offers.json", gw: jp, status: 200, id: "JPAYNEW032", errType: GatewayError},
		{file: "juspay/derived_order-status_UPI.cleaned.json", gw: jp, status: 200, id: "JPAYNEW034", want: Result{Status: StatusPaid, Amount: "2.00"}},
		{file: "juspay/demo_update-order_response.json", gw: jp, status: 200, id: "JPAYNEW035", want: Result{Status: StatusCreated, Amount: "90.00"}},
		// Published without its final brace: unreadable.
		{file: "juspay/docs_create_missing-amount_400.verbatim-invalid.json", gw: jp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: GatewayError},
		{file: "juspay/docs_create_missing-currency_400.json", gw: jp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: GatewayRejected, field: "currency"},
		{file: "juspay/docs_create_negative-amount_400.json", gw: jp, status: 400, order: codeOrder("ORD1", "10", "INR"), errType: GatewayRejected, field: "amount"},
		{file: "juspay/docs_order-status_invalid-api-key_401.json", gw: jp, status: 401, id: "ORD1", errType: GatewayAuthenticationFailed},
		{file: "juspay/docs_order-status_invalid-order-id_400.json", gw: jp, status: 400, id: "173824171", errType: OrderNotFound, field: "order_id"},

		// KwikPaisa.
		{file: "kwikpaisa/kp3_create_success.json", gw: kp, status: 200, order: kpOrder,
			want: Result{Status: StatusCreated, GatewayStatus: "UN_PAID", Amount: "105.00", Currency: "INR", CreatedAt: "2026-05-13T03:04:00Z",
				GatewayOrderID: "kp_40dec464-7155-43a3-855d-c95c5ab1be71"}},
		{file: "kwikpaisa/kp3_status_success.json", gw: kp, status: 200, id: "6116229263036",
			want: Result{Status: StatusPaid, Amount: "105.00", Currency: "INR", GatewayDetails: map[string]string{"payment_method": "UPI", "paid_at": "2026-05-13T03:07:00Z"}}},
		// The mock-responses page names the amount "amount".
		{file: "kwikpaisa/kp3_mock_success.json", gw: kp, status: 200, id: "6116229263036",
			want: Result{Status: StatusPaid, Amount: "105.00", Currency: "INR", GatewayDetails: map[string]string{"transaction_id": "TXN938482920"}}},
		{file: "kwikpaisa/kp3_mock_failed.PREFIX-ONLY.txt", gw: kp, status: 200, id: "6116229263036",
			want: Result{Status: StatusFailed, GatewayStatus: "FAILED", Amount: "105.00"}},
		{file: "kwikpaisa/kp3_error_401.json", gw: kp, status: 401, order: kpOrder, errType: GatewayAuthenticationFailed},
		{file: "kwikpaisa/kp3_error_403.json", gw: kp, status: 403, id: "6116229263036", errType: GatewayAuthenticationFailed},
		{file: "kwikpaisa/legacy_error_401.json", gw: kp, status: 401, order: kpOrder, errType: GatewayAuthenticationFailed},
		{file: "kwikpaisa/legacy_error_401.json", gw: kp, status: 200, order: kpOrder, errType: GatewayAuthenticationFailed},

		// EnKash: the one published create answer is a schema example ("string" placeholders).
		{file: "enkash/ek_create_response_example.json", gw: ek, status: 200, order: codeOrder("ORD1", "105.5", "INR"),
			want: Result{Status: StatusCreated, Amount: "105.50", Currency: "INR", GatewayOrderID: "string", PaymentURL: "string"}},
	}
}

// publishedNotAnswers are the order samples that are not answers to a
// create or status request, with where they are used instead.
var publishedNotAnswers = map[string]string{
	"razorpay/rzpmd_create_request.json":           "a create request: TestPublishedRazorpayCreateRequest",
	"razorpay/rzppy_init_order_request.json":       "an SDK's create request with the amount as a string, which paygate never sends",
	"juspay/demo_create-order_request.sh":          "a curl request",
	"juspay/demo-master_create-order_request.sh":   "a curl request",
	"kwikpaisa/kp3_create_request.json":            "a create request: TestCanonicalJSONSeedBody",
	"kwikpaisa/kp3_status_request.json":            "a status request (paygate sends order_id as a string)",
	"kwikpaisa/kp3_signature_example_payload.json": "the signature page's payload (signers package)",
	"enkash/ek_token_response.json":                "the token endpoint's answer (signers package)",
}

// publishedLifecycle are the prefixes of refund, payment-link and webhook
// samples, which other packages read.
var publishedLifecycle = []string{"refund_", "webhook_", "payment_link", "order_payments_"}

func TestPublishedSamples(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range publishedCases(t) {
		covered[c.file] = true
		var body []byte
		if strings.HasSuffix(c.file, ".PREFIX-ONLY.txt") {
			body = kwikpaisaFailedMock(t)
		} else {
			body = published(t, c.file)
		}
		var res *Result
		var e *Error
		op := "status " + c.id
		if c.order != nil {
			op = "create " + c.order.OrderID + " " + c.order.Amount.Shortest() + " " + c.order.Currency
			res, e = c.gw.ParseCreate(c.order, c.status, body)
		} else {
			res, e = c.gw.ParseStatus(c.id, c.status, body)
		}
		name := c.file + " (" + op + ")"
		if c.errType != "" {
			if e == nil || e.Type != c.errType || e.Field != c.field || e.Gateway != c.gw.Name() || e.Message == "" {
				t.Errorf("%s: got %+v %v, want %s on %q", name, res, e, c.errType, c.field)
			}
			continue
		}
		if e != nil {
			t.Errorf("%s: %v", name, e)
			continue
		}
		if res.Gateway != c.gw.Name() || (c.order != nil && res.OrderID != c.order.OrderID) || (c.order == nil && res.OrderID != c.id) {
			t.Errorf("%s: result names %s/%s", name, res.Gateway, res.OrderID)
		}
		got, want := reflect.ValueOf(*res), reflect.ValueOf(c.want)
		for i := 0; i < want.NumField(); i++ {
			w := want.Field(i)
			if w.IsZero() {
				continue
			}
			if w.Kind() == reflect.Map {
				for _, k := range w.MapKeys() {
					if g := got.Field(i).MapIndex(k); !g.IsValid() || g.String() != w.MapIndex(k).String() {
						t.Errorf("%s: %s[%s] = %v, want %v", name, want.Type().Field(i).Name, k, g, w.MapIndex(k))
					}
				}
				continue
			}
			if got.Field(i).Interface() != w.Interface() {
				t.Errorf("%s: %s = %v, want %v", name, want.Type().Field(i).Name, got.Field(i), w)
			}
		}
	}

	// Every order sample is fed to a parser or listed as not an answer.
	var missing []string
	for _, dir := range []string{"razorpay", "juspay", "kwikpaisa", "enkash"} {
		files, err := os.ReadDir(publishedDir + dir)
		if err != nil {
			t.Fatal(err)
		}
	files:
		for _, f := range files {
			name := dir + "/" + f.Name()
			for _, p := range publishedLifecycle {
				if strings.HasPrefix(f.Name(), p) {
					continue files
				}
			}
			if !covered[name] && publishedNotAnswers[name] == "" {
				missing = append(missing, name)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("published samples fed to no parser: %v", missing)
	}
}

// The request on Razorpay's create-order page is what BuildCreate sends for
// the same order, plus unique_receipt.
func TestPublishedRazorpayCreateRequest(t *testing.T) {
	var want map[string]any
	if err := json.Unmarshal(published(t, "razorpay/rzpmd_create_request.json"), &want); err != nil {
		t.Fatal(err)
	}
	want["unique_receipt"] = true
	o := codeOrder("receipt#1", "50", "INR")
	o.Metadata = map[string]string{"key1": "value3", "key2": "value2"}
	req, e := Razorpay{}.BuildCreate(o)
	if e != nil {
		t.Fatal(e)
	}
	var got map[string]any
	if err := json.Unmarshal(req.Body, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body %s\nwant %v", req.Body, want)
	}
}

// publishedSeeds are the published answers of one gateway, for fuzz seeds.
func publishedSeeds(dir string) [][]byte {
	files, _ := filepath.Glob(publishedDir + dir + "/*")
	var out [][]byte
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			out = append(out, b)
		}
	}
	return out
}
