package store

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

// waitSeq reads one notification, failing after a generous bound.
func waitSeq(t *testing.T, ch <-chan uint64) uint64 {
	t.Helper()
	select {
	case seq, ok := <-ch:
		if !ok {
			t.Fatal("the subscription was closed")
		}
		return seq
	case <-time.After(5 * time.Second):
		t.Fatal("no notification within 5 s")
	}
	return 0
}

func TestSubscribersHearEveryWindowsWriteAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patron.db")
	counter1 := openTestStore(t, path, "counter1")
	counter2 := openTestStore(t, path, "counter2")
	ch, cancel := Subscribe(path)
	defer cancel()

	c, err := counter1.AddCustomer(model.Customer{Name: "Ana Lima"})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := counter2.ChangesSince(0)
	if got := waitSeq(t, ch); got != f.Latest {
		t.Fatalf("notified of change %d, the feed's newest is %d", got, f.Latest)
	}
	if _, err := counter2.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindPurchase, Amount: 1200, At: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f, _ = counter1.ChangesSince(0)
	if got := waitSeq(t, ch); got != f.Latest {
		t.Fatalf("notified of change %d, the feed's newest is %d", got, f.Latest)
	}
}

func TestOtherFilesAndRefusedWritesNotifyNobody(t *testing.T) {
	dir := t.TempDir()
	mine := openTestStore(t, filepath.Join(dir, "a.db"), "w1")
	other := openTestStore(t, filepath.Join(dir, "b.db"), "w2")
	ch, cancel := Subscribe(mine.Path())
	defer cancel()
	if _, err := other.AddCustomer(model.Customer{Name: "Bea"}); err != nil {
		t.Fatal(err)
	}
	if _, err := mine.AddCustomer(model.Customer{Name: ""}); err == nil {
		t.Fatal("a customer without a name was accepted")
	}
	select {
	case seq := <-ch:
		t.Fatalf("notified of change %d that did not happen on this file", seq)
	default:
	}
}

func TestASlowSubscriberFindsOnlyTheNewestAndNeverBlocksWriters(t *testing.T) {
	s := newTestStore(t)
	ch, cancel := Subscribe(s.Path())
	defer cancel()
	// Nobody reads while 20 writes land: none of them may wait for the reader.
	for i := range 20 {
		if _, err := s.AddCustomer(model.Customer{Name: "Customer " + string(rune('A'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := s.ChangesSince(0)
	if got := waitSeq(t, ch); got != f.Latest {
		t.Fatalf("a slow reader found change %d waiting, want the newest %d", got, f.Latest)
	}
	select {
	case seq := <-ch:
		t.Fatalf("a second, older notification %d was queued", seq)
	default:
	}
}

func TestNotificationsOutOfOrderKeepTheNewest(t *testing.T) {
	ch, cancel := Subscribe("/nowhere/patron.db")
	defer cancel()
	notifyWrote("/nowhere/patron.db", 7)
	notifyWrote("/nowhere/patron.db", 5) // a write that finished later but committed earlier
	if got := waitSeq(t, ch); got != 7 {
		t.Fatalf("got %d, want the newest 7", got)
	}
}

func TestCancelClosesTheChannelAndStopsNotifying(t *testing.T) {
	s := newTestStore(t)
	ch, cancel := Subscribe(s.Path())
	done := make(chan bool)
	go func() {
		_, ok := <-ch // a reader waiting when the window closes must return
		done <- ok
	}()
	cancel()
	cancel() // twice is harmless
	select {
	case ok := <-done:
		if ok {
			t.Fatal("the waiting reader got a value, not a closed channel")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting reader was not released by cancel")
	}
	if _, err := s.AddCustomer(model.Customer{Name: "Ana"}); err != nil {
		t.Fatal(err) // a write after cancel must not send on the closed channel
	}
	subsMu.Lock()
	left := len(subs[s.Path()])
	subsMu.Unlock()
	if left != 0 {
		t.Fatalf("%d subscriptions left after cancel", left)
	}
}

func TestManySubscribersAndWritersAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patron.db")
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	for i := range stores {
		stores[i] = openTestStore(t, path, "w"+string(rune('1'+i)))
	}
	chans := make([]<-chan uint64, 8)
	for i := range chans {
		ch, cancel := Subscribe(path)
		defer cancel()
		chans[i] = ch
	}
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				if _, err := s.AddCustomer(model.Customer{Name: string(rune('A'+i)) + string(rune('a'+j))}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	f, _ := stores[0].ChangesSince(0)
	for i, ch := range chans {
		if got := waitSeq(t, ch); got != f.Latest {
			t.Fatalf("subscriber %d found change %d waiting, want the newest %d", i, got, f.Latest)
		}
	}
}
