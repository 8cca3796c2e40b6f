// Command load measures what paygate costs on top of Caddy's own
// reverse_proxy, for every gateway compiled into a Caddy binary.
//
//	go run -C tools ./buildcaddy ../xcaddy.json   # builds bin/caddy
//	go run ./tests/load -caddy ./bin/caddy
//
// It starts a gateway stand-in in its own process (this binary, re-executed
// as `load standin`: a minimal upstream answering every gateway's success
// shape with the ids and amounts it was sent, see standin.go) and ONE Caddy
// (its own admin port, XDG directories in a temporary directory) with, per
// gateway, a front site with two routes to that same stand-in:
//
//	plain    reverse_proxy alone, sent the exact upstream request paygate
//	         would build (same transform, same signer): the physical limit;
//	paygate  POST /pay/orders with the canonical order: paygate + reverse_proxy.
//
// The upstream is outside Caddy, so the plain route costs Caddy what
// reverse_proxy costs and the difference is paygate's own work. With
// -upstream emulator both routes lead instead to the gateway emulators
// inside the same Caddy (checking credentials and signatures), each segment
// getting a fresh emulator instance through a config reload.
//
// Creates are one operation of -ops; refunds and webhook verification are
// measured the same way (ops.go): a refund of a paid order of the stand-in
// through POST /pay/orders/{order_id}/refunds against the same upstream
// calls sent one after another on the plain route, and a signed
// notification through paygate_webhook (forwarding the canonical event to
// the stand-in's application endpoint) against the same notification
// reverse_proxied to that endpoint. Those two need the stand-in.
//
// Rounds are interleaved: every round runs, for every gateway, operation
// and concurrency, the plain route then the paygate route (a fixed number
// of requests after a warm-up, on keep-alive connections), so slow drift of
// a shared machine spreads over all gateways and both routes. The report
// gives per gateway and operation the medians over rounds of the per-round
// differences: throughput paygate/plain at the highest -c, added p50 and
// p99 at the lowest -c, Caddy's CPU per request; and a PASS/FAIL line per
// budget item (README "Performance"), without failing the process. Every
// create carries a new order_id and every refund a new refund_id: paygate
// would replay a repeated one; every notification is a new event. The run
// is bounded (-timeout) and stops Caddy and the stand-in at the end.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	caddy       string
	upstream    string
	gateways    string
	ops         []operation
	concurrency []int
	rounds      int
	requests    int
	warmup      int
	segmentMax  time.Duration
	mode        string
	satLevels   []int
	satRequests int
	satRounds   int
	timeout     time.Duration
	keep        bool
	logLevel    string
	profileDir  string
	profileN    int
	profileSecs int
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "standin" {
		standinMain(os.Args[2:])
		return
	}
	var cfg config
	var conc, sat, ops string
	flag.StringVar(&cfg.caddy, "caddy", "./bin/caddy", "Caddy binary with paygate (and paygate_emulator for -upstream emulator): go run -C tools ./buildcaddy ../xcaddy.json")
	flag.StringVar(&cfg.upstream, "upstream", "standin", "where both routes lead: standin (a gateway stand-in in its own process; the baseline is reverse_proxy's own cost) or emulator (the emulators inside the same Caddy, checking credentials and signatures; creates only)")
	flag.StringVar(&cfg.gateways, "gateways", "all", "comma-separated gateways to measure; those not compiled into -caddy are skipped")
	flag.StringVar(&ops, "ops", "create,refund,webhook", "comma-separated operations, each a segment per gateway, -c and route in every round: "+
		"create; refund (plain: the upstream calls paygate makes for one refund, sent one after another and counted as one; not kwikpaisa, which has no refund API); "+
		"webhook (plain: the signed notification reverse_proxied to an app endpoint of the stand-in; paygate: paygate_webhook verifying it and forwarding the canonical event there). "+
		"refund and webhook need -upstream standin; with -upstream emulator the default is create")
	flag.StringVar(&conc, "c", "1,16", "concurrent connections, one segment per value and route in every round: latency is judged at the lowest (what paygate adds to one request), throughput at the highest")
	flag.IntVar(&cfg.rounds, "rounds", 5, "rounds; each runs every gateway and every -c, plain then paygate; the report gives medians over rounds")
	flag.IntVar(&cfg.requests, "n", 3000, "measured requests per route per -c per round")
	flag.IntVar(&cfg.warmup, "warmup", 300, "warm-up requests before each measured segment (not counted)")
	flag.DurationVar(&cfg.segmentMax, "segment-max", 60*time.Second, "longest a segment may run; it stops early with fewer requests")
	flag.StringVar(&cfg.mode, "mode", "latency", "latency (rounds at -c: the budget), saturation (rounds at -sat-c), both, or profile (Caddy CPU and allocation profiles under load, per gateway, operation and route, into -profile-dir)")
	flag.StringVar(&cfg.profileDir, "profile-dir", "", "where -mode profile writes <gateway>-<route>.cpu.pprof (creates; <gateway>-<op>-<route> for refund and webhook) and .allocs-{before,after}.pprof")
	flag.IntVar(&cfg.profileN, "profile-n", 40000, "requests per route in profile mode (enough to outlast -profile-seconds)")
	flag.IntVar(&cfg.profileSecs, "profile-seconds", 4, "length of each CPU profile")
	flag.StringVar(&sat, "sat-c", "16,64", "concurrency levels of saturation mode")
	flag.IntVar(&cfg.satRequests, "sat-n", 4000, "measured requests per route per saturation level and round")
	flag.IntVar(&cfg.satRounds, "sat-rounds", 3, "saturation rounds; each runs every gateway and level, plain then paygate")
	flag.DurationVar(&cfg.timeout, "timeout", 30*time.Minute, "the whole run stops after this")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (Caddyfile, caddy.log)")
	flag.StringVar(&cfg.logLevel, "log-level", "", "Caddy's log level; empty keeps Caddy's default INFO, with paygate's per-order log line (its cost is paygate's)")
	flag.Parse()
	if flag.NArg() > 0 {
		fatalf("unexpected arguments %q (the only subcommand is standin, and it comes first)", flag.Args())
	}
	cfg.concurrency = intList("-c", conc)
	cfg.satLevels = intList("-sat-c", sat)
	if cfg.rounds <= 0 || cfg.requests <= 0 || cfg.warmup < 0 || cfg.satRequests <= 0 || cfg.satRounds <= 0 {
		fatalf("-rounds, -n, -sat-n and -sat-rounds must be positive, -warmup not negative")
	}
	switch cfg.upstream {
	case "standin", "emulator":
	default:
		fatalf("-upstream must be standin or emulator")
	}
	opsSet := false
	flag.Visit(func(f *flag.Flag) { opsSet = opsSet || f.Name == "ops" })
	if cfg.upstream == "emulator" && !opsSet {
		ops = "create"
	}
	var err error
	if cfg.ops, err = parseOps(ops); err != nil {
		fatalf("%v", err)
	}
	for _, o := range cfg.ops {
		// A segment's notifications are signed when it is built, its
		// warm-up and measured phase last at most -segment-max each, and
		// paygate accepts KwikPaisa's X-TIMESTAMP for ±300 s.
		if o == opWebhook && cfg.segmentMax > 2*time.Minute {
			fatalf("-segment-max must be at most 2m with -ops webhook: notifications are signed when a segment starts and their timestamps are valid for 300 s")
		}
	}
	if cfg.upstream == "emulator" {
		for _, o := range cfg.ops {
			if o != opCreate {
				// The emulators' orders would first have to be paid, and
				// their state grows with every refund and event.
				fatalf("-ops %s needs -upstream standin: with the emulators only creates are measured", o)
			}
		}
	}
	switch cfg.mode {
	case "latency", "saturation", "both":
	case "profile":
		if cfg.profileDir == "" {
			fatalf("-mode profile needs -profile-dir")
		}
	default:
		fatalf("-mode must be latency, saturation, both or profile")
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, cfg.timeout)
	defer cancelTimeout()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fatalf("%v", err)
	}
}

func intList(flagName, s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			fatalf("%s: %q is not a positive number", flagName, f)
		}
		out = append(out, n)
	}
	return out
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", args...)
	os.Exit(1)
}

// harness holds the run's state.
type harness struct {
	cfg     config
	caddy   *caddyProc
	standin *standinProc // nil with -upstream emulator
	segment int
	out     io.Writer
}

// gatewayReport is one gateway's figures for one operation.
type gatewayReport struct {
	name string
	op   operation
	site *site
	lat  []*level // by -c
	sat  []*level // by -sat-c
}

// label names the report: "razorpay refund".
func (r *gatewayReport) label() string { return r.name + " " + r.op.String() }

// level is one concurrency's segments, by route, one per round.
type level struct {
	concurrency int
	rounds      [2][]*result
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	bin, err := filepath.Abs(cfg.caddy)
	if err != nil {
		return err
	}
	mods, err := listModules(bin)
	if err != nil {
		return fmt.Errorf("%v (build it with: go run -C tools ./buildcaddy ../xcaddy.json)", err)
	}
	if !mods["http.handlers.paygate"] {
		return fmt.Errorf("%s lacks http.handlers.paygate; build it from xcaddy.json", bin)
	}
	if cfg.upstream == "emulator" && !mods["http.handlers.paygate_emulator"] {
		return fmt.Errorf("%s lacks http.handlers.paygate_emulator, which -upstream emulator needs; build it from xcaddy.json", bin)
	}
	want := map[string]bool{}
	if cfg.gateways != "all" {
		for _, g := range strings.Split(cfg.gateways, ",") {
			want[strings.TrimSpace(g)] = true
		}
	}
	dir, err := os.MkdirTemp("", "paygate-load-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(os.Stderr, "keeping %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	h := &harness{cfg: cfg, out: out, caddy: &caddyProc{bin: bin, dir: dir, logLevel: cfg.logLevel}}
	for _, o := range cfg.ops {
		h.caddy.webhooks = h.caddy.webhooks || o == opWebhook
	}
	if h.caddy.admin, err = freePort(); err != nil {
		return err
	}
	var skipped []string
	filter := len(want) > 0
	for _, spec := range gatewaySpecs() {
		if filter && !want[spec.name] {
			continue
		}
		delete(want, spec.name)
		if !mods["http.paygate.gateways."+spec.name] {
			skipped = append(skipped, spec.name)
			continue
		}
		s := &site{spec: spec, instance: "load-" + spec.name + "-0"}
		if s.front, err = freePort(); err != nil {
			return err
		}
		if cfg.upstream == "emulator" {
			if s.emulator, err = freePort(); err != nil {
				return err
			}
			s.upstream = s.emulator
		}
		h.caddy.sites = append(h.caddy.sites, s)
	}
	for g := range want {
		return fmt.Errorf("unknown gateway %q", g)
	}
	if len(h.caddy.sites) == 0 {
		return fmt.Errorf("no gateway to measure: none of the requested ones is compiled into %s", bin)
	}

	if cfg.upstream == "standin" {
		if h.standin, err = startStandin(ctx); err != nil {
			return err
		}
		defer h.standin.stop()
		for _, s := range h.caddy.sites {
			s.upstream = h.standin.addr
		}
	}
	var reports []*gatewayReport
	var unsupported []string
	for _, s := range h.caddy.sites {
		for _, o := range cfg.ops {
			if ok, why := s.spec.supports(o); !ok {
				unsupported = append(unsupported, s.spec.name+" "+o.String()+": "+why)
				continue
			}
			reports = append(reports, &gatewayReport{name: s.spec.name, op: o, site: s})
		}
	}
	if len(reports) == 0 {
		return fmt.Errorf("nothing to measure: %s", strings.Join(unsupported, ", "))
	}
	h.header(bin, skipped, unsupported)
	if err := h.caddy.start(ctx); err != nil {
		return err
	}
	defer h.caddy.stop()

	if cfg.mode == "profile" {
		for _, rep := range reports {
			if err := h.profile(ctx, rep); err != nil {
				return fmt.Errorf("%s: %w", rep.label(), err)
			}
		}
		fmt.Fprintf(out, "\nprofiles in %s; compare with e.g.\n  go tool pprof -top -diff_base %s/razorpay-plain.cpu.pprof %s/razorpay-paygate.cpu.pprof\n",
			cfg.profileDir, cfg.profileDir, cfg.profileDir)
		return nil
	}
	if cfg.mode != "saturation" {
		if err := h.rounds(ctx, "latency", cfg.concurrency, cfg.rounds, cfg.requests, reports, func(r *gatewayReport) *[]*level { return &r.lat }); err != nil {
			return err
		}
	}
	if cfg.mode != "latency" {
		if err := h.rounds(ctx, "saturation", cfg.satLevels, cfg.satRounds, cfg.satRequests, reports, func(r *gatewayReport) *[]*level { return &r.sat }); err != nil {
			return err
		}
	}
	for _, rep := range reports {
		h.printGateway(rep)
	}
	h.printSummary(reports)
	fmt.Fprintf(out, "\nCaddy RSS at the end: %.0f MiB; load average at the end: %s\n", h.caddy.rssMiB(), loadAvg())
	return nil
}

// rounds runs the interleaved rounds: in each, every gateway, every
// operation, every concurrency, plain then paygate.
func (h *harness) rounds(ctx context.Context, what string, levels []int, rounds, n int, reports []*gatewayReport, into func(*gatewayReport) *[]*level) error {
	for _, rep := range reports {
		ls := into(rep)
		for _, c := range levels {
			*ls = append(*ls, &level{concurrency: c})
		}
	}
	for round := 1; round <= rounds; round++ {
		for _, rep := range reports {
			for j, c := range levels {
				l := (*into(rep))[j]
				for _, r := range []route{plainRoute, paygateRoute} {
					res, err := h.runSegment(ctx, rep.site, rep.op, r, c, n)
					if err != nil {
						return fmt.Errorf("%s: %w", rep.label(), err)
					}
					l.rounds[r] = append(l.rounds[r], res)
					sum := summarise([]*result{res})
					fmt.Fprintf(os.Stderr, "%s round %d/%d  %-9s %-7s c=%-3d %-7s  p50 %6.0f µs  p99 %6.0f µs  %6.0f req/s  Caddy CPU %4s µs/req%s  errors %d  (load %s)\n",
						what, round, rounds, rep.name, rep.op, c, r, sum.p50, sum.p99, sum.rps, num(sum.cpu), h.upstreamCPU(sum), sum.errors, loadAvg())
				}
			}
		}
	}
	return nil
}

func (h *harness) upstreamCPU(s summary) string {
	if h.standin == nil {
		return ""
	}
	return fmt.Sprintf(", stand-in %4s", num(s.upCPU))
}

// runSegment sends the warm-up and the measured calls of one operation on
// one route (with the emulator, to a fresh emulator instance).
func (h *harness) runSegment(ctx context.Context, s *site, o operation, r route, concurrency, n int) (*result, error) {
	return h.runSegmentWith(ctx, s, o, r, concurrency, n, nil)
}

// runSegmentWith calls during, if set, when the measured requests start;
// the function it returns is called when they are done.
func (h *harness) runSegmentWith(ctx context.Context, s *site, o operation, r route, concurrency, n int, during func() func()) (*result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h.segment++
	if s.emulator != "" {
		// A fresh emulator instance, so that its state does not grow from
		// one segment to the next. The stand-in bounds its own.
		s.instance = fmt.Sprintf("load-%s-%d", s.spec.name, h.segment)
		if err := h.caddy.reload(); err != nil {
			return nil, err
		}
	}
	reqs, err := h.buildCalls(ctx, s, o, r, h.cfg.warmup+n)
	if err != nil {
		return nil, err
	}
	// What reached the application, to tell delivered events from
	// deduplicated or ignored ones (acknowledged alike).
	var app0 appStats
	countEvents := o == opWebhook && r == paygateRoute
	if countEvents {
		if app0, err = h.standin.appStats(ctx); err != nil {
			return nil, err
		}
	}
	ph := &phase{addr: s.front, concurrency: concurrency, timeout: 30 * time.Second,
		deadline: time.Now().Add(h.cfg.segmentMax)}
	defer ph.closeConns()
	ph.requests = reqs[:h.cfg.warmup]
	warm := ph.run(ctx)
	ph.requests = reqs[h.cfg.warmup:]
	ph.deadline = time.Now().Add(h.cfg.segmentMax)
	var done func()
	if during != nil {
		done = during()
	}
	t0, ok0 := h.caddy.cpuTicks()
	u0, uok0 := h.standinTicks()
	res := ph.run(ctx)
	t1, ok1 := h.caddy.cpuTicks()
	u1, uok1 := h.standinTicks()
	if done != nil {
		done()
	}
	if ok0 && ok1 {
		res.cpuTicks = t1 - t0
	}
	if uok0 && uok1 {
		res.upCPUTicks = u1 - u0
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res.ok() == 0 {
		return nil, fmt.Errorf("%s route: no %s succeeded (%d errors; first: %s); Caddy log tail:\n%s",
			r, o, res.errors, res.sample, h.caddy.logTail())
	}
	if countEvents {
		app1, err := h.standin.appStats(ctx)
		if err != nil {
			return nil, err
		}
		if got, want := app1.Events-app0.Events, int64(warm.ok()+res.ok()); got != want {
			return nil, fmt.Errorf("paygate acknowledged %d notifications but the application got %d events: "+
				"events were deduplicated or ignored, so the segment would not measure verification; Caddy log tail:\n%s", want, got, h.caddy.logTail())
		}
	}
	if warm.errors > 0 {
		fmt.Fprintf(os.Stderr, "  note: %d warm-up errors on %s %s/%s (first: %s)\n", warm.errors, s.spec.name, o, r, warm.sample)
	}
	if res.errors > 0 {
		fmt.Fprintf(os.Stderr, "  note: %d errors on %s %s/%s (first: %s)\n", res.errors, s.spec.name, o, r, res.sample)
	}
	return res, nil
}

func (h *harness) standinTicks() (int64, bool) {
	if h.standin == nil {
		return 0, false
	}
	return procCPUTicks(h.standin.pid())
}

func (h *harness) profile(ctx context.Context, rep *gatewayReport) error {
	s := rep.site
	if err := os.MkdirAll(h.cfg.profileDir, 0o755); err != nil {
		return err
	}
	fetch := func(path, file string) error {
		resp, err := (&http.Client{Timeout: time.Duration(h.cfg.profileSecs+30) * time.Second}).Get("http://" + h.caddy.admin + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %d", path, resp.StatusCode)
		}
		f, err := os.Create(filepath.Join(h.cfg.profileDir, file))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(f, resp.Body)
		return err
	}
	for _, r := range []route{plainRoute, paygateRoute} {
		// Creates keep the names they had before operations were a
		// dimension: <gateway>-<route>.
		base := s.spec.name + "-" + r.String()
		if rep.op != opCreate {
			base = s.spec.name + "-" + rep.op.String() + "-" + r.String()
		}
		var perr error
		res, err := h.runSegmentWith(ctx, s, rep.op, r, h.cfg.concurrency[0], h.cfg.profileN, func() func() {
			if err := fetch("/debug/pprof/allocs", base+".allocs-before.pprof"); err != nil {
				perr = err
			}
			cpu := make(chan error, 1)
			go func() {
				cpu <- fetch(fmt.Sprintf("/debug/pprof/profile?seconds=%d", h.cfg.profileSecs), base+".cpu.pprof")
			}()
			return func() {
				if err := <-cpu; err != nil && perr == nil {
					perr = err
				}
				if err := fetch("/debug/pprof/allocs", base+".allocs-after.pprof"); err != nil && perr == nil {
					perr = err
				}
			}
		})
		if err != nil {
			return err
		}
		if perr != nil {
			return fmt.Errorf("profiling: %v", perr)
		}
		fmt.Fprintf(h.out, "%-9s %-7s %-7s %d requests in %.1fs (%.0f req/s), Caddy CPU %.0f µs/req; profile %s.cpu.pprof\n",
			s.spec.name, rep.op, r, res.ok(), res.elapsed.Seconds(), res.rps(), res.cpuPerRequest(), base)
		if res.elapsed < time.Duration(h.cfg.profileSecs)*time.Second {
			fmt.Fprintf(h.out, "  note: the requests took less than the %ds profile; raise -profile-n\n", h.cfg.profileSecs)
		}
	}
	return nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
