//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// close ends the tmux server and then waits for every program that was
// running in its panes to exit, so a Patron that takes its quit snapshot
// has finished writing before the test's folder is removed.
func (tm *tmuxTerm) close() {
	out, _ := exec.Command("tmux", "-L", tm.socket, "list-panes", "-a", "-F", "#{pane_pid}").Output()
	var shells []int
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			shells = append(shells, pid)
		}
	}
	running := descendants(shells)
	_ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run()
	deadline := time.Now().Add(15 * time.Second)
	for _, pid := range running {
		for time.Now().Before(deadline) && syscall.Kill(pid, 0) == nil && !zombie(pid) {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// descendants lists the processes below the given ones (Linux /proc; elsewhere none).
func descendants(roots []int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			// The fields after the command name, which is in brackets.
			if i := strings.LastIndexByte(string(stat), ')'); i > 0 {
				f := strings.Fields(string(stat)[i+1:])
				if len(f) > 1 {
					parent[pid], _ = strconv.Atoi(f[1])
				}
			}
		}
	}
	in := map[int]bool{}
	for _, r := range roots {
		in[r] = true
	}
	var out []int
	for changed := true; changed; {
		changed = false
		for pid, pp := range parent {
			if in[pp] && !in[pid] {
				in[pid] = true
				out = append(out, pid)
				changed = true
			}
		}
	}
	return out
}

func zombie(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(stat), ')')
	f := strings.Fields(string(stat)[i+1:])
	return len(f) > 0 && f[0] == "Z"
}
