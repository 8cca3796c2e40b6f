package transform_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
)

// gatewayFiles are the files every gateway package has, each in the same
// role: its facts, create and status, refunds, webhook events, and the
// refinement of the shared error skeleton.
var gatewayFiles = []string{"facts.go", "orders.go", "refunds.go", "events.go", "errors.go"}

// gatewayFuzzTargets are the contract fuzzers every gateway package runs
// (gatewaytest.FuzzBuild and FuzzParse).
var gatewayFuzzTargets = []string{"func FuzzBuild(", "func FuzzParse("}

// fixtureName is the one naming convention of a gateway's own fixtures.
var fixtureName = regexp.MustCompile(`^([a-z0-9]+)_(create|status|refund|event)_[a-z0-9_]+\.json$`)

// TestGatewayPackagesHaveOneShape walks the gateway packages under
// transform/ (each directory with a facts.go) and holds them to one shape,
// so a gateway is found the same way in every package: the same files,
// the contract fuzzers, its own fixtures named <gateway>_<operation>_<case>.json,
// and a place in this package's cross-gateway tables (allGateways).
func TestGatewayPackagesHaveOneShape(t *testing.T) {
	dirs, err := filepath.Glob("*/facts.go")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no gateway packages: %v", err)
	}
	var names []string
	for _, g := range allGateways {
		names = append(names, g.Name())
	}
	for _, facts := range dirs {
		dir := filepath.Dir(facts)
		for _, f := range gatewayFiles {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: no %s", dir, f)
			}
		}
		fuzz, err := os.ReadFile(filepath.Join(dir, "fuzz_test.go"))
		if err != nil {
			t.Errorf("%s: no fuzz_test.go", dir)
		}
		for _, target := range gatewayFuzzTargets {
			if !strings.Contains(string(fuzz), target) {
				t.Errorf("%s/fuzz_test.go: no %s…)", dir, target)
			}
		}
		fixtures, _ := os.ReadDir(filepath.Join(dir, "testdata"))
		if len(fixtures) == 0 {
			t.Errorf("%s: no testdata/%s_*.json fixtures (fuzz seeds)", dir, dir)
		}
		for _, f := range fixtures {
			m := fixtureName.FindStringSubmatch(f.Name())
			if m == nil || m[1] != dir {
				t.Errorf("%s/testdata/%s: not named %s_<create|status|refund|event>_<case>.json", dir, f.Name(), dir)
				continue
			}
			if b, err := os.ReadFile(filepath.Join(dir, "testdata", f.Name())); err != nil || !json.Valid(b) {
				t.Errorf("%s/testdata/%s: not JSON", dir, f.Name())
			}
		}
		if !slices.Contains(names, dir) {
			t.Errorf("%s: not in allGateways, the cross-gateway tables", dir)
		}
	}
	if len(dirs) != len(allGateways) {
		t.Errorf("%d gateway packages, %d in allGateways", len(dirs), len(allGateways))
	}
}

// Every gateway declares its facts: a name that is its package's, its
// public docs, an amount style and the status words it maps.
func TestGatewayFacts(t *testing.T) {
	for _, f := range []*transform.Facts{facts("razorpay"), facts("juspay"), facts("kwikpaisa"), facts("enkash")} {
		if f.Name == "" || !strings.HasPrefix(f.Docs, "https://") || f.Amounts == 0 || len(f.Statuses) == 0 {
			t.Errorf("%+v", f)
		}
		for _, o := range f.Options {
			if o.Name == "" || o.Kind == 0 {
				t.Errorf("%s: option %+v", f.Name, o)
			}
		}
	}
}
