//go:build !unix

package main

import "os/exec"

// close ends the tmux server (the journeys run only where tmux does).
func (tm *tmuxTerm) close() {
	_ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run()
}
