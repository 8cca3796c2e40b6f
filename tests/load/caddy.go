package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// caddyProc is the one Caddy process under test, with its own admin port
// and XDG directories in a temporary directory.
type caddyProc struct {
	bin     string
	dir     string
	admin   string // host:port
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
	// logLevel is Caddy's default log level; empty leaves Caddy's INFO.
	logLevel string
	// webhooks adds each gateway's paygate_webhook route (-ops webhook).
	webhooks bool
	sites    []*site
}

// site is one gateway's listeners: the front (both routes) and, with
// -upstream emulator, the emulator site in the same Caddy.
type site struct {
	spec  *gatewaySpec
	front string // host:port
	// upstream is where both routes lead: the gateway stand-in's or the
	// emulator's host:port.
	upstream string
	emulator string // host:port; "" with the stand-in
	instance string // emulator instance name, renewed per segment
}

// freePort asks the kernel for an unused loopback port.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// listModules returns the Caddy modules compiled into bin.
func listModules(bin string) (map[string]bool, error) {
	out, err := exec.Command(bin, "list-modules").Output()
	if err != nil {
		return nil, fmt.Errorf("%s list-modules: %v", bin, err)
	}
	mods := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			mods[f[0]] = true
		}
	}
	return mods, nil
}

func caddyVersion(bin string) string {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(strings.Fields(string(out) + " ")[0])
}

// caddyfile renders the config: per gateway a front site with the two
// routes to the same upstream (the stand-in, or the emulator site rendered
// here too).
//
//	paygate route:  /pay/*            → paygate <gw> → reverse_proxy upstream
//	                (creates, refunds, and EnKash's confirm_with status)
//	webhook route:  /webhooks/<gw>    → paygate_webhook <gw> → reverse_proxy upstream
//	                (with -ops webhook: the canonical event to upstream /app)
//	plain route:    anything else     →                reverse_proxy upstream
//
// The plain route is the catch-all so that it does nothing but proxy: no
// rewrite, no extra matcher; all routes evaluate the same matchers.
func (p *caddyProc) caddyfile() string {
	var b strings.Builder
	fmt.Fprintf(&b, "{\n\tadmin %s\n\tauto_https off\n\tpersist_config off\n\tgrace_period 2s\n", p.admin)
	if p.logLevel != "" {
		// INFO (Caddy's default) keeps paygate's per-order log line.
		fmt.Fprintf(&b, "\tlog {\n\t\tlevel %s\n\t}\n", p.logLevel)
	}
	b.WriteString("}\n")
	for _, s := range p.sites {
		_, frontPort, _ := net.SplitHostPort(s.front)
		what := "the gateway stand-in"
		if s.emulator != "" {
			what = "the emulator"
		}
		fmt.Fprintf(&b, "\n# %s: both routes lead to %s on %s\n:%s {\n\tbind 127.0.0.1\n", s.spec.name, what, s.upstream, frontPort)
		fmt.Fprintf(&b, "\thandle /pay/* {\n\t\tpaygate %s {\n", s.spec.name)
		for _, o := range s.spec.paygateOptions(s.upstream) {
			fmt.Fprintf(&b, "\t\t\t%s\n", o)
		}
		fmt.Fprintf(&b, "\t\t}\n\t\treverse_proxy %s\n\t}\n", s.upstream)
		if wh := s.spec.webhook; p.webhooks && wh != nil {
			fmt.Fprintf(&b, "\thandle %s {\n\t\tpaygate_webhook %s {\n", webhookPath(s.spec.name), s.spec.name)
			for _, o := range wh.options(s.front) {
				fmt.Fprintf(&b, "\t\t\t%s\n", o)
			}
			fmt.Fprintf(&b, "\t\t\tforward_path %s\n\t\t}\n\t\treverse_proxy %s\n\t}\n", appPath, s.upstream)
		}
		fmt.Fprintf(&b, "\thandle {\n\t\treverse_proxy %s\n\t}\n}\n", s.upstream)
		if s.emulator == "" {
			continue
		}
		_, emuPort, _ := net.SplitHostPort(s.emulator)
		fmt.Fprintf(&b, "\n:%s {\n\tbind 127.0.0.1\n\tpaygate_emulator %s {\n\t\tinstance %s\n", emuPort, s.spec.name, s.instance)
		for _, o := range s.spec.emulatorOptions() {
			fmt.Fprintf(&b, "\t\t%s\n", o)
		}
		b.WriteString("\t}\n}\n")
	}
	return b.String()
}

// start writes the Caddyfile and runs Caddy until it answers on its admin
// endpoint.
func (p *caddyProc) start(ctx context.Context) error {
	cfg := filepath.Join(p.dir, "Caddyfile")
	if err := os.WriteFile(cfg, []byte(p.caddyfile()), 0o600); err != nil {
		return err
	}
	p.logPath = filepath.Join(p.dir, "caddy.log")
	logf, err := os.Create(p.logPath)
	if err != nil {
		return err
	}
	p.cmd = exec.Command(p.bin, "run", "--config", cfg, "--adapter", "caddyfile")
	p.cmd.Env = append(os.Environ(),
		"XDG_CONFIG_HOME="+filepath.Join(p.dir, "config"),
		"XDG_DATA_HOME="+filepath.Join(p.dir, "data"),
		"HOME="+p.dir,
	)
	for _, s := range p.sites {
		for _, c := range s.spec.creds {
			p.cmd.Env = append(p.cmd.Env, c.env+"="+c.value)
		}
	}
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = procAttr()
	if err := p.cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	p.exited = make(chan struct{})
	go func() { p.cmd.Wait(); logf.Close(); close(p.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("caddy exited at start-up; see %s:\n%s", p.logPath, p.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := http.Get("http://" + p.admin + "/config/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p.waitListening()
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("caddy did not start within 30s; see %s", p.logPath)
		}
	}
}

func (p *caddyProc) waitListening() error {
	for _, s := range p.sites {
		for _, addr := range []string{s.front, s.emulator} {
			if addr == "" {
				continue
			}
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return fmt.Errorf("caddy is not listening on %s: %v", addr, err)
			}
			c.Close()
		}
	}
	return nil
}

// reload loads the current Caddyfile (new emulator instance names) through
// the admin API; the call returns once the new config serves.
func (p *caddyProc) reload() error {
	req, _ := http.NewRequest(http.MethodPost, "http://"+p.admin+"/load", strings.NewReader(p.caddyfile()))
	req.Header.Set("Content-Type", "text/caddyfile")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("config reload answered %d: %s", resp.StatusCode, b)
	}
	return p.waitListening()
}

// stop asks Caddy to stop through its admin API, then kills it if needed.
func (p *caddyProc) stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	if resp, err := (&http.Client{Timeout: 5 * time.Second}).Post("http://"+p.admin+"/stop", "", nil); err == nil {
		resp.Body.Close()
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// cpuTicks is Caddy's user+system CPU time so far, in clock ticks.
func (p *caddyProc) cpuTicks() (int64, bool) { return procCPUTicks(p.cmd.Process.Pid) }

// procCPUTicks is a process's user+system CPU time so far, in clock ticks
// (Linux /proc; false elsewhere).
func procCPUTicks(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return ut + st, true
}

// rssMiB is Caddy's resident memory.
func (p *caddyProc) rssMiB() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

func (p *caddyProc) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// clockTick is USER_HZ, 100 on every Linux platform Go supports.
const clockTick = 100
