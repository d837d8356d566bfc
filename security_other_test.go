//go:build !unix

package main

import "testing"

// clearUmask: file modes are a Unix matter; Windows protects the data
// folder by its owner's profile instead.
func clearUmask(t *testing.T) {
	t.Skip("file modes 0600/0700 are checked on Unix")
}
