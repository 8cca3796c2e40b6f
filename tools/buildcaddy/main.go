// Command buildcaddy builds Caddy with the plugins listed in xcaddy.json,
// using xcaddy v0.4.7 as a library (no xcaddy release reads a manifest).
//
//	go run -C tools ./buildcaddy ../xcaddy.json
//
// xcaddy.json is the JSON form of xcaddy.Builder plus "output"; "./"-style
// replacement paths and the output path are relative to the manifest.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/caddyserver/xcaddy"
)

type manifest struct {
	xcaddy.Builder
	XcaddyVersion string `json:"xcaddy_version,omitempty"`
	Output        string `json:"output"`
}

func main() {
	log.SetFlags(0)
	path := "xcaddy.json"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		log.Fatalf("buildcaddy: %v", err)
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		log.Fatalf("buildcaddy: %s: %v", path, err)
	}
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		log.Fatal(err)
	}
	for i, r := range m.Replacements {
		if p := string(r.New); strings.HasPrefix(p, ".") {
			m.Replacements[i].New = xcaddy.ReplacementPath(filepath.Join(base, p))
		}
	}
	if m.Output == "" {
		m.Output = "bin/caddy"
	}
	out := m.Output
	if !filepath.IsAbs(out) {
		out = filepath.Join(base, out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := m.Builder.Build(ctx, out); err != nil {
		log.Fatalf("buildcaddy: %v", err)
	}
	fmt.Println("built", out)
}
