package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// gatewayDocHeadings are the sections every docs/gateways/<name>.md has, in
// this order, so that a reader finds each gateway's facts in the same place
// (docs/adding-a-gateway.md).
var gatewayDocHeadings = []string{
	"## Configuration",
	"## Headers sent upstream",
	"## Request mapping",
	"## Rules checked locally",
	"## Answers",
	"## Errors",
	"## Refunds",
	"## Payment events",
	"## Passthrough",
	"## Known uncertainties",
}

// TestEveryGatewayIsComplete walks the gateways registered in Caddy's
// module registry and requires, for each, everything a gateway needs besides
// its code (docs/adding-a-gateway.md): skipping one of them fails here, with
// what to add and where. Paths are from the repository root.
func TestEveryGatewayIsComplete(t *testing.T) {
	mods := caddy.GetModules("http.paygate.gateways")
	if len(mods) == 0 {
		t.Fatal("no module is registered in http.paygate.gateways: the paygate package is not linked into this test")
	}
	example := exampleHandlers(t)
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mods {
		name := m.ID.Name()
		t.Run(name, func(t *testing.T) {
			// An emulator, which the integration tests, Caddyfile.example
			// and the load harness run against.
			if !slices.Contains(emulator.Gateways(), name) {
				t.Errorf("no emulator for %s: add tests/emulator/%s.go with an init() that calls Register(%q, …), "+
					"so that emulator.Gateways() lists it and paygate_emulator %s serves it", name, name, name, name)
			}

			// A golden adapt file (run by TestCaddyfileAdapt).
			golden := "caddyfile_adapt/" + name + ".caddyfiletest"
			if b, err := os.ReadFile(golden); err != nil {
				t.Errorf("no golden adapt file for %s: add tests/%s with a Caddyfile route `paygate %s { … }`, "+
					"a line of ten dashes, and the JSON it adapts to (go test ./tests -run TestCaddyfileAdapt -update writes the JSON half)",
					name, golden, name)
			} else if !strings.Contains(strings.SplitN(string(b), "----------", 2)[0], "paygate "+name) {
				t.Errorf("tests/%s does not configure `paygate %s` in its Caddyfile half", golden, name)
			}

			// Its own fixtures under transform/<name>/testdata/, which the
			// fuzz targets also load as seeds.
			checkFixtures(t, name)

			// Routes in Caddyfile.example.
			if !example["paygate "+name] {
				t.Errorf("Caddyfile.example has no route for %s: add `handle /%s/* { paygate %s { … } reverse_proxy 127.0.0.1:<port> }` "+
					"in the :8080 site and a `:<port> { bind 127.0.0.1  paygate_emulator %s { … } }` site with demo keys under demo/",
					name, name, name, name)
			}
			if !example["paygate_webhook "+name] {
				t.Errorf("Caddyfile.example has no webhook route for %s: add `handle /webhooks/%s { paygate_webhook %s { … } reverse_proxy 127.0.0.1:9100 }` "+
					"in the :8080 site (and a `handle /%s { paygate_emulator_webhook { … } }` in the :9109 site)", name, name, name, name)
			}

			// A reference page with the same sections as the others, linked
			// from the README.
			doc := "docs/gateways/" + name + ".md"
			if b, err := os.ReadFile("../" + doc); err != nil {
				t.Errorf("no reference page for %s: add %s with the sections %s (start from a copy of another page in docs/gateways/)",
					name, doc, strings.Join(gatewayDocHeadings, ", "))
			} else {
				checkHeadings(t, doc, string(b))
			}
			if !strings.Contains(string(readme), "("+doc+")") {
				t.Errorf("README.md does not link %s: add a row for %s to the table of README.md \"Gateways\" with a link ](%s)", doc, name, doc)
			}
		})
	}
}

// checkFixtures requires transform/<name>/testdata/ to hold the gateway's
// own fixtures, each named <name>_<operation>_<case>.json.
func checkFixtures(t *testing.T, name string) {
	t.Helper()
	dir := "transform/" + name + "/testdata"
	entries, err := os.ReadDir("../" + dir)
	if err != nil {
		t.Errorf("no fixtures for %s: add %s/ holding the gateway's own answers and requests as %s_<operation>_<case>.json "+
			"(published samples stay in ../shared/reference/fixtures/ and are read from there, never copied)", name, dir, name)
		return
	}
	valid := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `_[a-z0-9]+_[a-z0-9_.-]+\.json$`)
	n := 0
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
			continue
		}
		if !valid.MatchString(e.Name()) {
			t.Errorf("%s/%s: rename it %s_<operation>_<case>.json (lower case), the one naming convention of fixtures", dir, e.Name(), name)
			continue
		}
		n++
	}
	if n == 0 {
		t.Errorf("%s/ holds no fixture: add at least one %s_<operation>_<case>.json (the fuzz targets load them as seeds)", dir, name)
	}
}

// checkHeadings requires the sections of gatewayDocHeadings, in order.
func checkHeadings(t *testing.T, doc, text string) {
	t.Helper()
	var got []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "## ") {
			got = append(got, strings.TrimSpace(line))
		}
	}
	at := 0
	for _, want := range gatewayDocHeadings {
		i := slices.Index(got[at:], want)
		if i < 0 {
			t.Errorf("%s lacks the section %q (after %q): every gateway page has the sections %s, in that order",
				doc, want, gatewayDocHeadings[max(0, slices.Index(gatewayDocHeadings, want)-1)], strings.Join(gatewayDocHeadings, ", "))
			continue
		}
		at += i + 1
	}
}

// exampleHandlers adapts Caddyfile.example and reports which
// "paygate <name>" (without passthrough) and "paygate_webhook <name>"
// handlers it configures.
func exampleHandlers(t *testing.T) map[string]bool {
	t.Helper()
	src, err := os.ReadFile("../Caddyfile.example")
	if err != nil {
		t.Fatal(err)
	}
	cfg, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt(src, map[string]any{"filename": "Caddyfile.example"})
	if err != nil {
		t.Fatalf("Caddyfile.example does not adapt: %v", err)
	}
	for _, w := range warnings {
		t.Logf("Caddyfile.example: %s", w)
	}
	var doc any
	if err := json.Unmarshal(cfg, &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			switch v["handler"] {
			case "paygate":
				if gw, ok := v["gateway"].(map[string]any); ok && v["passthrough"] == nil {
					found[fmt.Sprint("paygate ", gw["name"])] = true
				}
			case "paygate_webhook":
				found[fmt.Sprint("paygate_webhook ", v["gateway"])] = true
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(doc)
	return found
}
