package tests

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddytest"
)

var updateGolden = flag.Bool("update", false, "rewrite the JSON half of the golden adapt files")

// Golden adapt tests: each caddyfile_adapt/*.caddyfiletest holds a Caddyfile,
// a line of dashes, and the JSON config it must adapt to; each file is a
// subtest named after it (go test ./tests -run 'TestCaddyfileAdapt/enkash').
// Placeholders must survive adaptation unresolved: secrets never enter the
// JSON config.
func TestCaddyfileAdapt(t *testing.T) {
	files, err := filepath.Glob("caddyfile_adapt/*.caddyfiletest")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".caddyfiletest"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.SplitN(string(data), "----------", 2)
			if len(parts) != 2 {
				t.Fatalf("%s: no ---------- separator", f)
			}
			if *updateGolden {
				out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(parts[0]), nil)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, out, "", "\t"); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, []byte(parts[0]+"----------\n"+pretty.String()+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !caddytest.CompareAdapt(t, f, parts[0], "caddyfile", strings.TrimSpace(parts[1])) {
				t.Errorf("%s: adapted JSON differs", f)
			}
			if strings.Contains(parts[1], "{$") {
				t.Errorf("%s: golden JSON contains an expanded environment variable", f)
			}
		})
	}
}
