package deliver

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// killHelperEnv makes the test binary act as a freecam that queues items for a dead target and
// is then killed with SIGKILL.
const killHelperEnv = "FREECAM_DELIVER_KILL_HELPER"

// TestKillHelper is the child process of TestItemsSurviveKill9, not a test of its own.
func TestKillHelper(t *testing.T) {
	dir := os.Getenv(killHelperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	dead := &blockingTarget{name: "smb"}
	q, err := NewQueue(Options{Dir: dir, Target: dead})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	go q.Run(context.Background())
	for i := range 5 {
		src := filepath.Join(dir, fmt.Sprintf("src-%d.jpg", i))
		os.WriteFile(src, []byte(fmt.Sprintf("picture %d", i)), 0o600)
		it := Item{ID: fmt.Sprintf("ev-%d", i), Kind: Snapshot, Created: time.Now(), Files: []string{src}, Name: fmt.Sprintf("p%d", i)}
		if err := q.Enqueue(it); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		os.Remove(src) // local retention may delete the original at once
	}
	fmt.Println("queued")
	select {} // wait for SIGKILL
}

// blockingTarget never answers: a NAS that hangs.
type blockingTarget struct{ name string }

func (b *blockingTarget) Name() string { return b.name }
func (b *blockingTarget) Deliver(ctx context.Context, it Item) error {
	<-ctx.Done()
	return ctx.Err()
}

// recordingTarget keeps what it received.
type recordingTarget struct {
	name string
	mu   sync.Mutex
	got  map[string]string // item id → file content
	n    int
}

func (r *recordingTarget) Name() string { return r.name }
func (r *recordingTarget) Deliver(ctx context.Context, it Item) error {
	b, err := os.ReadFile(it.Files[0])
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.got[it.ID] = string(b)
	return nil
}

// freecam killed with kill -9 while items wait for a dead NAS: a new process on the same spool
// delivers every one of them, once.
func TestItemsSurviveKill9(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	queued := false
	for lines.Scan() {
		if strings.TrimSpace(lines.Text()) == "queued" {
			queued = true
			break
		}
		t.Log("helper:", lines.Text())
	}
	if !queued {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the helper did not queue its items")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	nas := &recordingTarget{name: "smb", got: map[string]string{}}
	q, err := NewQueue(Options{Dir: dir, Target: nas})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for q.Status().Delivered < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of 5 after the restart; status %+v", q.Status().Delivered, q.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	nas.mu.Lock()
	defer nas.mu.Unlock()
	for i := range 5 {
		if got := nas.got[fmt.Sprintf("ev-%d", i)]; got != fmt.Sprintf("picture %d", i) {
			t.Errorf("item ev-%d: got %q", i, got)
		}
	}
	if nas.n != 5 {
		t.Errorf("got %d deliveries, want 5 (none twice)", nas.n)
	}
}
