// Command load measures what paygate costs on top of Caddy's own
// reverse_proxy, for every gateway compiled into a Caddy binary.
//
//	go run -C tools ./buildcaddy ../xcaddy.json   # builds bin/caddy
//	go run ./tests/load -caddy ./bin/caddy
//
// It starts ONE Caddy (its own admin port, XDG directories in a temporary
// directory) with, per gateway, an emulator site on loopback and a front
// site with two routes to that same emulator:
//
//	plain    reverse_proxy alone, sent the exact upstream request paygate
//	         would build (same transform, same signer): the physical limit;
//	paygate  POST /pay/orders with the canonical order: paygate + reverse_proxy.
//
// The routes are driven alternately (plain, paygate, plain, paygate, …) by
// a load generator on loopback at a fixed concurrency, a fixed number of
// requests per segment after a warm-up. Every segment gets a fresh emulator
// instance (a config reload through the admin API) so the emulator's state
// does not grow from one segment to the next. Every create carries a new
// order_id: paygate would replay a repeated one.
//
// Latency mode reports p50/p99, throughput and Caddy's CPU per request for
// both routes and what paygate adds; saturation mode raises the
// concurrency and reports the best throughput of each route. The run is
// bounded (-timeout) and stops Caddy at the end.
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
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	caddy       string
	gateways    string
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
	var cfg config
	var conc, sat string
	flag.StringVar(&cfg.caddy, "caddy", "./bin/caddy", "Caddy binary with paygate and paygate_emulator (go run -C tools ./buildcaddy ../xcaddy.json)")
	flag.StringVar(&cfg.gateways, "gateways", "all", "comma-separated gateways to measure; those not compiled into -caddy are skipped")
	flag.StringVar(&conc, "c", "1,16", "concurrent connections in latency mode, one run per value: 1 shows the latency paygate adds to a request, 16 the latency under load")
	flag.IntVar(&cfg.rounds, "rounds", 5, "latency rounds; each round runs plain then paygate")
	flag.IntVar(&cfg.requests, "n", 2000, "measured requests per route per round")
	flag.IntVar(&cfg.warmup, "warmup", 300, "warm-up requests before each measured segment (not counted)")
	flag.DurationVar(&cfg.segmentMax, "segment-max", 60*time.Second, "longest a segment may run; it stops early with fewer requests")
	flag.StringVar(&cfg.mode, "mode", "both", "latency, saturation, both, or profile (Caddy CPU and allocation profiles under load, per route, into -profile-dir)")
	flag.StringVar(&cfg.profileDir, "profile-dir", "", "where -mode profile writes <gateway>-<route>.cpu.pprof and .allocs-{before,after}.pprof")
	flag.IntVar(&cfg.profileN, "profile-n", 40000, "requests per route in profile mode (enough to outlast -profile-seconds)")
	flag.IntVar(&cfg.profileSecs, "profile-seconds", 4, "length of each CPU profile")
	flag.StringVar(&sat, "sat-c", "16,64", "concurrency levels of saturation mode")
	flag.IntVar(&cfg.satRequests, "sat-n", 4000, "measured requests per route per saturation level and round")
	flag.IntVar(&cfg.satRounds, "sat-rounds", 3, "saturation rounds; each runs every level, plain then paygate")
	flag.DurationVar(&cfg.timeout, "timeout", 30*time.Minute, "the whole run stops after this")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (Caddyfile, caddy.log)")
	flag.StringVar(&cfg.logLevel, "log-level", "", "Caddy's log level; empty keeps Caddy's default INFO, with paygate's per-order log line (its cost is paygate's)")
	flag.Parse()
	cfg.concurrency = intList("-c", conc)
	cfg.satLevels = intList("-sat-c", sat)
	if cfg.rounds <= 0 || cfg.requests <= 0 || cfg.warmup < 0 || cfg.satRequests <= 0 || cfg.satRounds <= 0 {
		fatalf("-rounds, -n, -sat-n and -sat-rounds must be positive, -warmup not negative")
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
	segment int
	out     io.Writer
}

// gatewayReport is one gateway's figures.
type gatewayReport struct {
	name string
	lat  []*latLevel
	sat  []satLevel
}

// latLevel is the latency run at one concurrency.
type latLevel struct {
	concurrency    int
	rounds         [2][]*result // by route
	total          [2]summary
	addedP50Rounds []float64
	addedP99Rounds []float64
}

type satLevel struct {
	concurrency int
	rounds      [2][]*result // by route
	total       [2]summary
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
	if !mods["http.handlers.paygate"] || !mods["http.handlers.paygate_emulator"] {
		return fmt.Errorf("%s lacks http.handlers.paygate or http.handlers.paygate_emulator; build it from xcaddy.json", bin)
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
		if s.emulator, err = freePort(); err != nil {
			return err
		}
		h.caddy.sites = append(h.caddy.sites, s)
	}
	for g := range want {
		return fmt.Errorf("unknown gateway %q", g)
	}
	if len(h.caddy.sites) == 0 {
		return fmt.Errorf("no gateway to measure: none of the requested ones is compiled into %s", bin)
	}

	h.header(bin, skipped)
	if err := h.caddy.start(ctx); err != nil {
		return err
	}
	defer h.caddy.stop()

	var reports []*gatewayReport
	for _, s := range h.caddy.sites {
		rep := &gatewayReport{name: s.spec.name}
		if cfg.mode == "profile" {
			if err := h.profile(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s.spec.name, err)
			}
			continue
		}
		if cfg.mode != "saturation" {
			if err := h.latency(ctx, s, rep); err != nil {
				return fmt.Errorf("%s: %w", s.spec.name, err)
			}
		}
		if cfg.mode != "latency" {
			if err := h.saturation(ctx, s, rep); err != nil {
				return fmt.Errorf("%s: %w", s.spec.name, err)
			}
		}
		h.printGateway(rep)
		reports = append(reports, rep)
	}
	if cfg.mode == "profile" {
		fmt.Fprintf(out, "\nprofiles in %s; compare with e.g.\n  go tool pprof -top -diff_base %s/razorpay-plain.cpu.pprof %s/razorpay-paygate.cpu.pprof\n",
			cfg.profileDir, cfg.profileDir, cfg.profileDir)
		return nil
	}
	h.printSummary(reports)
	fmt.Fprintf(out, "\nCaddy RSS at the end: %.0f MiB; load average at the end: %s\n", h.caddy.rssMiB(), loadAvg())
	return nil
}

// runSegment gives the gateway a fresh emulator instance, then sends the
// warm-up and the measured requests of one route.
func (h *harness) runSegment(ctx context.Context, s *site, r route, concurrency, n int) (*result, error) {
	return h.runSegmentWith(ctx, s, r, concurrency, n, nil)
}

// runSegmentWith calls during, if set, when the measured requests start;
// the function it returns is called when they are done.
func (h *harness) runSegmentWith(ctx context.Context, s *site, r route, concurrency, n int, during func() func()) (*result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h.segment++
	s.instance = fmt.Sprintf("load-%s-%d", s.spec.name, h.segment)
	if err := h.caddy.reload(); err != nil {
		return nil, err
	}
	total := h.cfg.warmup + n
	reqs := make([][]byte, total)
	var want check
	if r == plainRoute {
		sign, err := s.spec.session(ctx, s.emulator)
		if err != nil {
			return nil, err
		}
		for i := range reqs {
			if reqs[i], err = plainRequest(s.spec, sign, s.front, orderID(h.segment, i)); err != nil {
				return nil, fmt.Errorf("building the plain request: %v", err)
			}
		}
		want = check{s.spec.plainStatus, s.spec.plainOK}
	} else {
		for i := range reqs {
			reqs[i] = paygateRequest(s.front, orderID(h.segment, i))
		}
		want = check{http.StatusCreated, []byte(`"status":"created"`)}
	}
	ph := &phase{addr: s.front, concurrency: concurrency, timeout: 30 * time.Second, want: want,
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
	res := ph.run(ctx)
	t1, ok1 := h.caddy.cpuTicks()
	if done != nil {
		done()
	}
	if ok0 && ok1 {
		res.cpuTicks = t1 - t0
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res.ok() == 0 {
		return nil, fmt.Errorf("%s route: no request succeeded (%d errors; first: %s); Caddy log tail:\n%s",
			r, res.errors, res.sample, h.caddy.logTail())
	}
	if warm.errors > 0 {
		fmt.Fprintf(os.Stderr, "  note: %d warm-up errors on %s/%s (first: %s)\n", warm.errors, s.spec.name, r, warm.sample)
	}
	return res, nil
}

func (h *harness) latency(ctx context.Context, s *site, rep *gatewayReport) error {
	for _, c := range h.cfg.concurrency {
		lvl := &latLevel{concurrency: c}
		for round := 1; round <= h.cfg.rounds; round++ {
			var p50, p99 [2]float64
			for _, r := range []route{plainRoute, paygateRoute} {
				res, err := h.runSegment(ctx, s, r, c, h.cfg.requests)
				if err != nil {
					return err
				}
				lvl.rounds[r] = append(lvl.rounds[r], res)
				sum := summarise([]*result{res})
				p50[r], p99[r] = sum.p50, sum.p99
				fmt.Fprintf(os.Stderr, "%-9s c=%-3d round %d %-7s  p50 %7.0f µs  p99 %7.0f µs  %7.0f req/s  CPU %5.0f µs/req  errors %d  (load %s)\n",
					s.spec.name, c, round, r, sum.p50, sum.p99, sum.rps, sum.cpu, sum.errors, loadAvg())
			}
			lvl.addedP50Rounds = append(lvl.addedP50Rounds, p50[paygateRoute]-p50[plainRoute])
			lvl.addedP99Rounds = append(lvl.addedP99Rounds, p99[paygateRoute]-p99[plainRoute])
		}
		for r := range lvl.rounds {
			lvl.total[r] = summarise(lvl.rounds[r])
		}
		rep.lat = append(rep.lat, lvl)
	}
	return nil
}

func (h *harness) saturation(ctx context.Context, s *site, rep *gatewayReport) error {
	levels := make([]satLevel, len(h.cfg.satLevels))
	for round := 1; round <= h.cfg.satRounds; round++ {
		for i, c := range h.cfg.satLevels {
			levels[i].concurrency = c
			for _, r := range []route{plainRoute, paygateRoute} {
				res, err := h.runSegment(ctx, s, r, c, h.cfg.satRequests)
				if err != nil {
					return err
				}
				levels[i].rounds[r] = append(levels[i].rounds[r], res)
				fmt.Fprintf(os.Stderr, "%-9s saturation round %d c=%-3d %-7s %7.0f req/s  CPU %5.0f µs/req  errors %d  (load %s)\n",
					s.spec.name, round, c, r, res.rps(), res.cpuPerRequest(), res.errors, loadAvg())
			}
		}
	}
	for i := range levels {
		for r := range levels[i].rounds {
			levels[i].total[r] = summarise(levels[i].rounds[r])
		}
	}
	rep.sat = levels
	return nil
}

// profile records Caddy's CPU profile (from its admin endpoint's
// /debug/pprof) while each route runs at the first -c concurrency, and its
// cumulative allocation profile before and after.
func (h *harness) profile(ctx context.Context, s *site) error {
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
		base := s.spec.name + "-" + r.String()
		var perr error
		res, err := h.runSegmentWith(ctx, s, r, h.cfg.concurrency[0], h.cfg.profileN, func() func() {
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
		fmt.Fprintf(h.out, "%-9s %-7s %d requests in %.1fs (%.0f req/s), Caddy CPU %.0f µs/req; profile %s.cpu.pprof\n",
			s.spec.name, r, res.ok(), res.elapsed.Seconds(), res.rps(), res.cpuPerRequest(), base)
		if res.elapsed < time.Duration(h.cfg.profileSecs)*time.Second {
			fmt.Fprintf(h.out, "  note: the requests took less than the %ds profile; raise -profile-n\n", h.cfg.profileSecs)
		}
	}
	return nil
}

// satCPU is Caddy's CPU per request of both routes at the highest
// saturation level, and the throughput ratio it predicts.
func (rep *gatewayReport) satCPU() string {
	l := rep.sat[len(rep.sat)-1]
	a, b := l.total[plainRoute].cpu, l.total[paygateRoute].cpu
	return fmt.Sprintf("%.0f → %.0f (c=%d; predicts %.1f %%)", a, b, l.concurrency, 100*a/b)
}

// maxRPS is a route's best saturation throughput.
func (rep *gatewayReport) maxRPS(r route) (float64, int) {
	best, at := 0.0, 0
	for _, l := range rep.sat {
		if v := l.total[r].rps; v > best {
			best, at = v, l.concurrency
		}
	}
	return best, at
}

func (h *harness) header(bin string, skipped []string) {
	fmt.Fprintf(h.out, "# paygate load harness\n\n")
	fmt.Fprintf(h.out, "date:     %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(h.out, "machine:  %d CPUs (%s), %s; load average at start %s\n", runtime.NumCPU(), cpuModel(), runtime.GOOS+"/"+runtime.GOARCH, loadAvg())
	fmt.Fprintf(h.out, "go:       %s (harness); caddy %s (%s)\n", runtime.Version(), caddyVersion(bin), bin)
	fmt.Fprintf(h.out, "command:  %s\n", strings.Join(os.Args, " "))
	fmt.Fprintf(h.out, "latency:  %v connections, %d rounds × %d requests per route after %d warm-up, routes alternating plain, paygate, …\n",
		h.cfg.concurrency, h.cfg.rounds, h.cfg.requests, h.cfg.warmup)
	fmt.Fprintf(h.out, "saturation: concurrency %v, %d rounds × %d requests per route per level\n", h.cfg.satLevels, h.cfg.satRounds, h.cfg.satRequests)
	fmt.Fprintf(h.out, "note:     the load generator shares the machine with Caddy and the emulator (all loopback)\n")
	if len(skipped) > 0 {
		fmt.Fprintf(h.out, "skipped:  %s (not compiled into the Caddy binary)\n", strings.Join(skipped, ", "))
	}
}

func (h *harness) printGateway(rep *gatewayReport) {
	w := h.out
	fmt.Fprintf(w, "\n## %s\n\n", rep.name)
	for _, lvl := range rep.lat {
		fmt.Fprintf(w, "\n%d connection(s):\n\n", lvl.concurrency)
		fmt.Fprintf(w, "| round | route | requests | errors | p50 µs | p99 µs | req/s | Caddy CPU µs/req |\n|---|---|---|---|---|---|---|---|\n")
		for i := range lvl.rounds[plainRoute] {
			for _, r := range []route{plainRoute, paygateRoute} {
				s := summarise([]*result{lvl.rounds[r][i]})
				fmt.Fprintf(w, "| %d | %s | %d | %d | %.0f | %.0f | %.0f | %.0f |\n", i+1, r, s.n, s.errors, s.p50, s.p99, s.rps, s.cpu)
			}
		}
		for _, r := range []route{plainRoute, paygateRoute} {
			s := lvl.total[r]
			fmt.Fprintf(w, "| all | %s | %d | %d | %.0f | %.0f | %.0f | %.0f |\n", r, s.n, s.errors, s.p50, s.p99, s.rps, s.cpu)
		}
		a, b := lvl.total[plainRoute], lvl.total[paygateRoute]
		fmt.Fprintf(w, "\npaygate adds (all rounds pooled): p50 %+.0f µs, p99 %+.0f µs; median of per-round differences: p50 %+.0f µs, p99 %+.0f µs\n",
			b.p50-a.p50, b.p99-a.p99, median(lvl.addedP50Rounds), median(lvl.addedP99Rounds))
		fmt.Fprintf(w, "throughput at %d connection(s): %.1f %% of plain; Caddy CPU per request %+.0f µs (%.0f → %.0f)\n",
			lvl.concurrency, 100*b.rps/a.rps, b.cpu-a.cpu, a.cpu, b.cpu)
	}
	if len(rep.sat) > 0 {
		fmt.Fprintf(w, "\n| saturation: connections | plain req/s | paygate req/s | paygate / plain | plain CPU µs/req | paygate CPU µs/req | CPU plain / paygate | errors |\n|---|---|---|---|---|---|---|---|\n")
		for _, l := range rep.sat {
			a, b := l.total[plainRoute], l.total[paygateRoute]
			fmt.Fprintf(w, "| %d | %.0f | %.0f | %.1f %% | %.0f | %.0f | %.1f %% | %d |\n", l.concurrency, a.rps, b.rps, 100*b.rps/a.rps,
				a.cpu, b.cpu, 100*a.cpu/b.cpu, a.errors+b.errors)
		}
		fmt.Fprintf(w, "\n(%d rounds per level, pooled. CPU plain / paygate is the throughput ratio Caddy's own CPU cost predicts when Caddy is the bottleneck;\n"+
			"it is steadier than req/s on a shared machine.)\n", h.cfg.satRounds)
		pa, ca := rep.maxRPS(plainRoute)
		pb, cb := rep.maxRPS(paygateRoute)
		fmt.Fprintf(w, "\nmax throughput: plain %.0f req/s (c=%d), paygate %.0f req/s (c=%d): %.1f %%\n", pa, ca, pb, cb, 100*pb/pa)
	}
}

// verdict formats a budget check.
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func (h *harness) printSummary(reports []*gatewayReport) {
	w := h.out
	fmt.Fprintf(w, "\n## Summary\n\nBudget: paygate adds ≤ 50 µs at p50 and ≤ 250 µs at p99 (judged at the lowest concurrency, where\n"+
		"latency is a request's own cost rather than queueing), throughput ≥ 90 %% of plain at saturation.\n\n")
	fmt.Fprintf(w, "| gateway | conns | p50 plain → paygate µs | added p50 | p99 plain → paygate µs | added p99 | throughput paygate/plain | Caddy CPU µs/req plain → paygate |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|\n")
	for _, rep := range reports {
		for _, lvl := range rep.lat {
			a, b := lvl.total[plainRoute], lvl.total[paygateRoute]
			fmt.Fprintf(w, "| %s | %d | %.0f → %.0f | %+.0f | %.0f → %.0f | %+.0f | %.1f %% | %.0f → %.0f |\n", rep.name, lvl.concurrency,
				a.p50, b.p50, b.p50-a.p50, a.p99, b.p99, b.p99-a.p99, 100*b.rps/a.rps, a.cpu, b.cpu)
		}
		if len(rep.sat) > 0 {
			pa, ca := rep.maxRPS(plainRoute)
			pb, cb := rep.maxRPS(paygateRoute)
			fmt.Fprintf(w, "| %s | saturation | | | | | max %.0f (c=%d) → %.0f (c=%d) req/s: %.1f %% | %s |\n", rep.name, pa, ca, pb, cb, 100*pb/pa, rep.satCPU())
		}
	}
	fmt.Fprintf(w, "\n| gateway | added p50 ≤ 50 µs | added p99 ≤ 250 µs | saturation throughput ≥ 90 %% |\n|---|---|---|---|\n")
	for _, rep := range reports {
		row := []string{rep.name, "-", "-", "-"}
		if len(rep.lat) > 0 {
			lvl := rep.lat[0]
			for _, l := range rep.lat[1:] {
				if l.concurrency < lvl.concurrency {
					lvl = l
				}
			}
			a, b := lvl.total[plainRoute], lvl.total[paygateRoute]
			row[1] = fmt.Sprintf("%s (%+.0f µs at c=%d)", verdict(b.p50-a.p50 <= 50), b.p50-a.p50, lvl.concurrency)
			row[2] = fmt.Sprintf("%s (%+.0f µs at c=%d)", verdict(b.p99-a.p99 <= 250), b.p99-a.p99, lvl.concurrency)
		}
		if len(rep.sat) > 0 {
			pa, _ := rep.maxRPS(plainRoute)
			pb, _ := rep.maxRPS(paygateRoute)
			l := rep.sat[len(rep.sat)-1]
			row[3] = fmt.Sprintf("%s (%.1f %%; Caddy CPU per request predicts %.1f %%)", verdict(100*pb/pa >= 90), 100*pb/pa,
				100*l.total[plainRoute].cpu/l.total[paygateRoute].cpu)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
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
