package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestConfirmedScansSurviveSIGKILL records scans in a child process that
// prints each sequence once Record has returned (the moment the UI would
// confirm the scan), kills it with SIGKILL mid-stream, and checks that
// every confirmed scan is in the reopened store, with no gap and with the
// view agreeing with the outbox. (A kill, not a power cut: the OS keeps
// what was written. synchronous=FULL is what covers power loss.)
func TestConfirmedScansSurviveSIGKILL(t *testing.T) {
	if os.Getenv("STORE_CRASH_CHILD") != "" {
		t.Skip("child")
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	path := filepath.Join(t.TempDir(), "device.db")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), "STORE_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	confirmed := map[uint64]string{}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[0] != "confirmed" {
			continue
		}
		seq, _ := strconv.ParseUint(f[1], 10, 64)
		confirmed[seq] = f[2]
		if len(confirmed) == 300 && !killed {
			killed = true
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("the child ended after %d scans before it could be killed", len(confirmed))
	}

	s := storetest.MustOpenPath(t, path)
	st, err := s.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.Events(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(evs)) != st.LastSeq {
		t.Fatalf("%d events in the outbox, last_seq %d", len(evs), st.LastSeq)
	}
	var want int64
	for i, ev := range evs {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("outbox row %d has seq %d", i, ev.Seq)
		}
		want += ev.Qty
	}
	for seq, id := range confirmed {
		if seq > st.LastSeq || evs[seq-1].ID != id {
			t.Fatalf("confirmed scan %d (%s) lost after SIGKILL (last_seq %d)", seq, id, st.LastSeq)
		}
	}
	q, err := s.Stock(context.Background(), "DOCK", "A", "")
	if err != nil {
		t.Fatal(err)
	}
	if q != want {
		t.Fatalf("view %d, outbox says %d", q, want)
	}
	t.Logf("%d confirmed before the kill, %d in the store", len(confirmed), len(evs))
}

// TestCrashChild is the child of TestConfirmedScansSurviveSIGKILL.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("STORE_CRASH_CHILD")
	if path == "" {
		t.Skip("run by TestConfirmedScansSurviveSIGKILL")
	}
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enroll(context.Background(), storetest.Identity); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		ev, err := s.Record(context.Background(), store.Scan{User: "u", Kind: syncproto.KindReceive, SKU: "A", To: "DOCK", Qty: int64(i%5 + 1)})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("confirmed %d %s\n", ev.Seq, ev.ID)
	}
}
