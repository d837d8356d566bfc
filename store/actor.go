package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/user"
)

// Actor is the window a change came from: who, on which machine, through
// which way in, and which running Patron. Undo acts on one window's changes.
type Actor struct {
	User   string `json:"user"`
	Host   string `json:"host"`
	Via    string `json:"via"` // tui, cli, ssh
	PID    int    `json:"pid"`
	Window string `json:"window"` // random per window, so undo finds its own changes
}

// CurrentActor describes this process, with a fresh window id.
func CurrentActor(via string) Actor {
	a := Actor{Via: via, PID: os.Getpid(), Window: newID(8)}
	if u, err := user.Current(); err == nil {
		a.User = u.Username
	}
	if a.User == "" {
		a.User = os.Getenv("USER")
	}
	a.Host, _ = os.Hostname()
	return a
}

// String is how the owner sees the actor: "maria@counter (tui)".
func (a Actor) String() string {
	who := a.User
	if a.Host != "" {
		who += "@" + a.Host
	}
	if who == "" {
		who = "someone"
	}
	return fmt.Sprintf("%s (%s)", who, a.Via)
}

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// newUUID makes a random (version 4) UUID for a file's identity.
func newUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
