//go:build !linux

package main

import "syscall"

// procAttr: without Pdeathsig, stop() is the only way Caddy is stopped.
func procAttr() *syscall.SysProcAttr { return nil }
