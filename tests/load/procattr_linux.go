package main

import "syscall"

// procAttr makes the kernel stop Caddy if the harness dies without
// stopping it (a crash, kill -9): no stray process keeps the ports.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
