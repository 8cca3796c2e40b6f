package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"time"
)

// The budget (README "Performance"): what paygate may add to a create on
// top of Caddy's own reverse_proxy; refunds and webhook verification are
// judged by the same figures (issue 16), each against its own plain
// baseline.
const (
	budgetThroughput = 90.0  // % of plain, at the highest -c
	budgetP50        = 50.0  // µs added at the lowest -c
	budgetP99        = 250.0 // µs added at the lowest -c
)

// pair is one round's segments of both routes at one concurrency.
type pair struct{ plain, paygate summary }

func (l *level) pairs() []pair {
	n := min(len(l.rounds[plainRoute]), len(l.rounds[paygateRoute]))
	out := make([]pair, n)
	for i := range out {
		out[i] = pair{summarise(l.rounds[plainRoute][i : i+1]), summarise(l.rounds[paygateRoute][i : i+1])}
	}
	return out
}

// medians are a level's medians over rounds; the added values and the
// ratio are medians of the per-round differences and ratios, not
// differences of medians, so that a round's drift cancels within it.
type medians struct {
	rounds, errors              int
	plainP50, paygateP50, p50   float64 // µs; p50 is added
	plainP99, paygateP99, p99   float64
	plainRPS, paygateRPS, ratio float64 // ratio: paygate / plain, %
	plainCPU, paygateCPU        float64 // Caddy µs/req
	plainUp, paygateUp          float64 // stand-in µs/req
}

func (l *level) medians() medians {
	ps := l.pairs()
	col := func(f func(p pair) float64) float64 {
		v := make([]float64, 0, len(ps))
		for _, p := range ps {
			if x := f(p); !math.IsNaN(x) {
				v = append(v, x)
			}
		}
		return median(v)
	}
	m := medians{rounds: len(ps)}
	for _, p := range ps {
		m.errors += p.plain.errors + p.paygate.errors
	}
	m.plainP50 = col(func(p pair) float64 { return p.plain.p50 })
	m.paygateP50 = col(func(p pair) float64 { return p.paygate.p50 })
	m.p50 = col(func(p pair) float64 { return p.paygate.p50 - p.plain.p50 })
	m.plainP99 = col(func(p pair) float64 { return p.plain.p99 })
	m.paygateP99 = col(func(p pair) float64 { return p.paygate.p99 })
	m.p99 = col(func(p pair) float64 { return p.paygate.p99 - p.plain.p99 })
	m.plainRPS = col(func(p pair) float64 { return p.plain.rps })
	m.paygateRPS = col(func(p pair) float64 { return p.paygate.rps })
	m.ratio = col(func(p pair) float64 { return 100 * p.paygate.rps / p.plain.rps })
	m.plainCPU = col(func(p pair) float64 { return p.plain.cpu })
	m.paygateCPU = col(func(p pair) float64 { return p.paygate.cpu })
	m.plainUp = col(func(p pair) float64 { return p.plain.upCPU })
	m.paygateUp = col(func(p pair) float64 { return p.paygate.upCPU })
	return m
}

// lowest and highest pick the levels the budget is judged at.
func lowest(ls []*level) *level {
	var best *level
	for _, l := range ls {
		if best == nil || l.concurrency < best.concurrency {
			best = l
		}
	}
	return best
}

func highest(ls []*level) *level {
	var best *level
	for _, l := range ls {
		if best == nil || l.concurrency > best.concurrency {
			best = l
		}
	}
	return best
}

func conns(c int) string {
	if c == 1 {
		return "1 connection"
	}
	return fmt.Sprintf("%d connections", c)
}

func (h *harness) header(bin string, skipped, unsupported []string) {
	w := h.out
	fmt.Fprintf(w, "# paygate load harness\n\n")
	fmt.Fprintf(w, "date:     %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "machine:  %d CPUs (%s), %s; load average at start %s\n", runtime.NumCPU(), cpuModel(), runtime.GOOS+"/"+runtime.GOARCH, loadAvg())
	fmt.Fprintf(w, "go:       %s (harness); caddy %s (%s)\n", runtime.Version(), caddyVersion(bin), bin)
	fmt.Fprintf(w, "command:  %s\n", commandLine())
	if h.standin != nil {
		fmt.Fprintf(w, "upstream: gateway stand-in in its own process on %s (pid %d): both routes lead to it\n", h.standin.addr, h.standin.pid())
	} else {
		fmt.Fprintf(w, "upstream: the gateway emulators inside the same Caddy, a fresh instance per segment\n")
	}
	h.describeOps()
	if h.cfg.mode != "saturation" {
		fmt.Fprintf(w, "rounds:   %d, interleaved: in each, every gateway and operation at %v connections, plain then paygate, %d requests per segment after %d warm-up\n",
			h.cfg.rounds, h.cfg.concurrency, h.cfg.requests, h.cfg.warmup)
	}
	if h.cfg.mode == "saturation" || h.cfg.mode == "both" {
		fmt.Fprintf(w, "saturation: %d rounds at %v connections, %d requests per segment\n", h.cfg.satRounds, h.cfg.satLevels, h.cfg.satRequests)
	}
	fmt.Fprintf(w, "note:     the load generator shares the machine with Caddy and the upstream (all loopback);\n"+
		"          CPU per request is read from /proc in %d ms clock ticks, so a segment's figure is ± %d ms / its requests\n", 1000/clockTick, 1000/clockTick)
	if len(skipped) > 0 {
		fmt.Fprintf(w, "skipped:  %s (not compiled into the Caddy binary)\n", strings.Join(skipped, ", "))
	}
	if len(unsupported) > 0 {
		fmt.Fprintf(w, "not measured: %s\n", strings.Join(unsupported, "; "))
	}
}

// describeOps says, per operation measured, what one request is on each
// route: the plain baselines of refunds and webhooks are choices.
func (h *harness) describeOps() {
	w := h.out
	var names []string
	for _, o := range h.cfg.ops {
		names = append(names, o.String())
	}
	fmt.Fprintf(w, "ops:      %s; one request of each, plain route → paygate route:\n", strings.Join(names, ", "))
	for _, o := range h.cfg.ops {
		switch o {
		case opCreate:
			fmt.Fprintf(w, "  create   the signed create paygate would send → POST /pay/orders with the canonical order (a new order_id each)\n")
		case opRefund:
			var calls []string
			for _, s := range h.caddy.sites {
				if ok, _ := s.spec.supports(opRefund); ok {
					calls = append(calls, s.spec.name+" "+strings.Join(refundCallNames(s.spec), ", "))
				}
			}
			fmt.Fprintf(w, "  refund   the upstream calls paygate makes for one refund\n"+
				"           (%s),\n"+
				"           signed as paygate signs them, sent one after another on one connection and timed and counted\n"+
				"           as ONE refund, as an application holding the secret would send them; so the plain route pays a\n"+
				"           client round trip through Caddy per call where paygate pays one per refund\n"+
				"           → POST /pay/orders/%s/refunds (a paid order of the stand-in; a new refund_id each)\n",
				strings.Join(calls, "; "), refundOrderID)
		case opWebhook:
			fmt.Fprintf(w, "  webhook  the gateway's signed notification, reverse_proxied to the stand-in's application endpoint %s\n"+
				"           (enkash signs nothing: then the order's signed status call, the application's own check)\n"+
				"           → POST /webhooks/<gateway>: paygate_webhook verifying it (enkash: confirm_with through the paygate\n"+
				"           route) and forwarding the canonical event to the same endpoint; a new paid order and payment\n"+
				"           per notification, so a new event each, and every segment checks that the application got as\n"+
				"           many events as paygate acknowledged notifications (none deduplicated or ignored)\n", appPath)
		}
	}
}

func (h *harness) printGateway(rep *gatewayReport) {
	w := h.out
	fmt.Fprintf(w, "\n## %s\n", rep.label())
	for _, part := range []struct {
		name   string
		levels []*level
	}{{"rounds", rep.lat}, {"saturation rounds", rep.sat}} {
		for _, l := range part.levels {
			fmt.Fprintf(w, "\n%s at %s:\n\n", part.name, conns(l.concurrency))
			fmt.Fprintf(w, "| round | route | requests | errors | p50 µs | p99 µs | req/s | Caddy CPU µs/req | stand-in CPU µs/req |\n|---|---|---|---|---|---|---|---|---|\n")
			for i, p := range l.pairs() {
				for _, r := range []struct {
					name string
					s    summary
				}{{"plain", p.plain}, {"paygate", p.paygate}} {
					s := r.s
					fmt.Fprintf(w, "| %d | %s | %d | %d | %.0f | %.0f | %.0f | %s | %s |\n", i+1, r.name, s.n, s.errors, s.p50, s.p99, s.rps, num(s.cpu), num(s.upCPU))
				}
			}
			m := l.medians()
			fmt.Fprintf(w, "\nmedians over %d rounds: paygate adds p50 %+.0f µs, p99 %+.0f µs; throughput %.1f %% of plain (%.0f → %.0f req/s); Caddy CPU per request %s → %s µs\n",
				m.rounds, m.p50, m.p99, m.ratio, m.plainRPS, m.paygateRPS, num(m.plainCPU), num(m.paygateCPU))
			a, b := summarise(l.rounds[plainRoute]), summarise(l.rounds[paygateRoute])
			fmt.Fprintf(w, "pooled over rounds: p50 %.0f → %.0f µs, p99 %.0f → %.0f µs\n", a.p50, b.p50, a.p99, b.p99)
		}
	}
}

func (h *harness) printSummary(reports []*gatewayReport) {
	w := h.out
	if len(reports) == 0 {
		return
	}
	if len(reports[0].lat) > 0 {
		lo, hi := lowest(reports[0].lat).concurrency, highest(reports[0].lat).concurrency
		fmt.Fprintf(w, "\n## Summary: medians over %d rounds\n\n", h.cfg.rounds)
		fmt.Fprintf(w, "| gateway | operation | throughput at %s, paygate / plain | req/s plain → paygate | added p50 at %s | added p99 at %s | p50 plain → paygate µs | Caddy CPU µs/req plain → paygate (c=%d) | stand-in CPU µs/req (c=%d) | errors |\n",
			conns(hi), conns(lo), conns(lo), hi, hi)
		fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|\n")
		for _, rep := range reports {
			t, l := highest(rep.lat).medians(), lowest(rep.lat).medians()
			fmt.Fprintf(w, "| %s | %s | %.1f %% | %.0f → %.0f | %+.0f µs | %+.0f µs | %.0f → %.0f | %s → %s | %s | %d |\n", rep.name, rep.op,
				t.ratio, t.plainRPS, t.paygateRPS, l.p50, l.p99, l.plainP50, l.paygateP50, num(t.plainCPU), num(t.paygateCPU), num(t.plainUp), t.errors+l.errors)
		}
	}
	if len(reports[0].sat) > 0 {
		fmt.Fprintf(w, "\n## Saturation: medians over %d rounds\n\n| gateway | operation | connections | req/s plain → paygate | paygate / plain | Caddy CPU µs/req plain → paygate |\n|---|---|---|---|---|---|\n", h.cfg.satRounds)
		for _, rep := range reports {
			for _, l := range rep.sat {
				m := l.medians()
				fmt.Fprintf(w, "| %s | %s | %d | %.0f → %.0f | %.1f %% | %s → %s |\n", rep.name, rep.op, l.concurrency, m.plainRPS, m.paygateRPS, m.ratio, num(m.plainCPU), num(m.paygateCPU))
			}
		}
	}
	h.printBudget(reports)
}

// printBudget writes one PASS or FAIL line per gateway and budget item. It
// does not fail the run: on a shared machine a FAIL may be noise, and the
// figures above say how much.
func (h *harness) printBudget(reports []*gatewayReport) {
	w := h.out
	fmt.Fprintf(w, "\n## Budget (README \"Performance\"): medians over rounds\n\n")
	if len(reports[0].lat) == 0 {
		fmt.Fprintf(w, "not judged: the budget is judged on -mode latency or both\n")
		return
	}
	line := func(ok bool, label, item, value, limit string) {
		v := "FAIL"
		if ok {
			v = "PASS"
		}
		fmt.Fprintf(w, "%s  %-17s  %-34s %-16s (budget %s)\n", v, label, item, value, limit)
	}
	for _, rep := range reports {
		t, l := highest(rep.lat), lowest(rep.lat)
		tm, lm := t.medians(), l.medians()
		line(tm.ratio >= budgetThroughput, rep.label(), "throughput at "+conns(t.concurrency), fmt.Sprintf("%.1f %% of plain", tm.ratio), fmt.Sprintf("≥ %.0f %%", budgetThroughput))
		line(lm.p50 <= budgetP50, rep.label(), "added p50 at "+conns(l.concurrency), fmt.Sprintf("%+.0f µs", lm.p50), fmt.Sprintf("≤ %.0f µs", budgetP50))
		line(lm.p99 <= budgetP99, rep.label(), "added p99 at "+conns(l.concurrency), fmt.Sprintf("%+.0f µs", lm.p99), fmt.Sprintf("≤ %.0f µs", budgetP99))
	}
	if h.cfg.rounds < 3 {
		fmt.Fprintf(w, "\nnote: %d round(s) only; a median of fewer than 3 rounds is no measurement\n", h.cfg.rounds)
	}
}

// num formats a figure that may be unknown (NaN: no /proc, or no stand-in).
func num(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}

// commandLine is the command as typed: under `go run` the binary is a
// temporary file, so it is shown as go run ./tests/load.
func commandLine() string {
	argv0 := os.Args[0]
	if strings.Contains(argv0, "go-build") {
		argv0 = "go run ./tests/load"
	}
	return strings.Join(append([]string{argv0}, os.Args[1:]...), " ")
}
