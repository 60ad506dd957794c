package swap

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// checkSignature asks util-linux whether path holds a swap signature with our UUID.
func checkSignature(t *testing.T, path string, wantUUID string) {
	t.Helper()
	if blkid, err := exec.LookPath("blkid"); err == nil {
		out, err := exec.Command(blkid, "-p", "-o", "export", path).CombinedOutput()
		if err != nil {
			t.Fatalf("blkid -p -o export %s: %v\n%s", path, err, out)
		}
		s := "\n" + string(out)
		if !strings.Contains(s, "\nTYPE=swap\n") {
			t.Errorf("blkid: got %q, want TYPE=swap", out)
		}
		if !strings.Contains(s, "\nUUID="+wantUUID+"\n") {
			t.Errorf("blkid: got %q, want UUID=%s", out, wantUUID)
		}
		return
	}
	if swaplabel, err := exec.LookPath("swaplabel"); err == nil {
		out, err := exec.Command(swaplabel, path).CombinedOutput()
		if err != nil {
			t.Fatalf("swaplabel %s: %v\n%s", path, err, out)
		}
		if !strings.Contains(string(out), "UUID:  "+wantUUID) && !strings.Contains(string(out), "UUID: "+wantUUID) {
			t.Errorf("swaplabel: got %q, want UUID %s", out, wantUUID)
		}
		return
	}
	t.Skip("neither blkid nor swaplabel is installed (Debian package util-linux / fdisk): cannot check the swap signature with a real peer")
}

func readHeader(t *testing.T, path string) Header {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, ok, err := ReadHeader(f, os.Getpagesize())
	if err != nil || !ok {
		t.Fatalf("ReadHeader(%s): got ok=%v err=%v, want a swap signature", path, ok, err)
	}
	return h
}

func checkFile(t *testing.T, path string, size int64) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != size {
		t.Errorf("size: got %d, want %d", fi.Size(), size)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: got %v, want 0600", fi.Mode().Perm())
	}
	if blocks := int64(fi.Sys().(*syscall.Stat_t).Blocks) * 512; blocks < size {
		t.Errorf("allocated: got %d bytes (st_blocks*512), want at least %d: the file has holes and swapon would refuse it", blocks, size)
	}
	h := readHeader(t, path)
	if want := uint32(size / int64(os.Getpagesize())); h.Pages != want {
		t.Errorf("pages in the header: got %d, want %d", h.Pages, want)
	}
	checkSignature(t, path, h.UUIDString())
}

func TestEnsureFileCreatesASwapFile(t *testing.T) {
	for _, tt := range []struct {
		name      string
		fallocate bool
	}{{"fallocate", true}, {"zeros written", false}} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "swapfile")
			const size = 8 << 20
			created, err := ensureFile(context.Background(), path, size, tt.fallocate)
			if err != nil || !created {
				t.Fatalf("ensureFile: got created=%v err=%v, want created", created, err)
			}
			checkFile(t, path, size)
		})
	}
}

func TestEnsureFileKeepsAGoodFileAndRecreatesABadOne(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "swapfile")
	const size = 4 << 20
	ctx := context.Background()
	if _, err := EnsureFile(ctx, path, size); err != nil {
		t.Fatal(err)
	}
	first := readHeader(t, path).UUID
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	created, err := EnsureFile(ctx, path, size)
	if err != nil || created {
		t.Fatalf("second EnsureFile: got created=%v err=%v, want the file kept", created, err)
	}
	if got := readHeader(t, path).UUID; got != first {
		t.Errorf("uuid after keeping the file: got %x, want %x", got, first)
	}
	checkFile(t, path, size) // mode back to 0600

	// A swap file of another size, an empty file, and a creation a power cut interrupted (its
	// temporary file left beside): the swap file is made again.
	for _, tt := range []struct {
		name string
		make func() error
	}{
		{"wrong size", func() error {
			os.Remove(path)
			_, err := EnsureFile(ctx, path, size/2)
			return err
		}},
		{"empty", func() error { return os.WriteFile(path, nil, 0o600) }},
		{"interrupted creation", func() error {
			os.Remove(path)
			return os.WriteFile(path+".freecam-new", make([]byte, 4096), 0o600)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.make(); err != nil {
				t.Fatal(err)
			}
			created, err := EnsureFile(ctx, path, size)
			if err != nil || !created {
				t.Fatalf("got created=%v err=%v, want the file recreated", created, err)
			}
			checkFile(t, path, size)
			if _, err := os.Stat(path + ".freecam-new"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("got %v for the temporary file, want it gone", err)
			}
		})
	}
}

// SWAPPATH naming a file that is not a swap file (a typo, /etc/passwd, a clip) never destroys it.
func TestEnsureFileNeverOverwritesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "precious")
	data := []byte("my precious data\n")
	os.WriteFile(path, data, 0o644)
	created, err := EnsureFile(context.Background(), path, 1<<20)
	if err == nil || created || !strings.Contains(err.Error(), "is not a swap file") {
		t.Errorf("got created=%v err=%v, want a refusal saying it is not a swap file", created, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Errorf("got %q in the file, want it untouched", got)
	}
}

func TestEnsureFileRefuses(t *testing.T) {
	dir := t.TempDir()
	var sfs unix.Statfs_t
	if err := unix.Statfs(dir, &sfs); err != nil {
		t.Fatal(err)
	}
	free := int64(sfs.Bavail) * int64(sfs.Bsize)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		path    string
		size    int64
		wantErr string
	}{
		{"missing directory", context.Background(), filepath.Join(dir, "sdcard", "swapfile"), 4 << 20,
			"/sdcard does not exist (the SD card is not mounted?)"},
		{"too little space", context.Background(), filepath.Join(dir, "swapfile"), free + 1<<30,
			"MB are free on " + dir},
		{"stopped while writing zeros", cancelled, filepath.Join(dir, "swapfile2"), 4 << 20,
			"context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ensureFile(tt.ctx, tt.path, tt.size, false)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("got error %q, want it to name %s", err, tt.path)
			}
			if _, err := os.Lstat(tt.path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after the failure: got %v for %s, want no file left behind", err, tt.path)
			}
		})
	}
	// A directory in the way is refused, not removed.
	in := filepath.Join(dir, "adir")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureFile(context.Background(), in, 4<<20); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("got %v, want a 'not a regular file' error", err)
	}
}

// skipUnlessSwapon skips when swapon failed with what this machine does not permit.
func skipUnlessSwapon(t *testing.T, err error) {
	t.Helper()
	for _, e := range []unix.Errno{unix.EPERM, unix.EINVAL, unix.ENOSYS} {
		if errors.Is(err, e) {
			t.Skipf("swapon refused here (%v, errno %d %s): cannot test turning swap on", err, int(e), unix.ErrnoName(e))
		}
	}
}

func TestApplySwapFileForReal(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("swapon needs root")
	}
	dir := t.TempDir()
	var sfs unix.Statfs_t
	if err := unix.Statfs(dir, &sfs); err != nil {
		t.Fatal(err)
	}
	switch int64(sfs.Type) {
	case unix.TMPFS_MAGIC:
		t.Skipf("%s is on tmpfs, which cannot hold a swap file", dir)
	case unix.OVERLAYFS_SUPER_MAGIC:
		t.Skipf("%s is on overlayfs, which cannot hold a swap file", dir)
	}
	path := filepath.Join(dir, "swapfile")
	cfg := Config{File: true, Path: path, SizeMB: 8}
	opts := Options{ProcSys: t.TempDir()} // never this host's sysctls
	res, err := Apply(context.Background(), cfg, opts)
	if len(res.On) > 0 {
		t.Cleanup(func() {
			if err := Off(context.Background(), res, opts); err != nil {
				t.Errorf("Off: %v", err)
			}
		})
	}
	if err != nil {
		skipUnlessSwapon(t, err)
		t.Fatalf("Apply: %v", err)
	}
	if len(res.On) != 1 || res.On[0].Path != path || !res.On[0].Created {
		t.Fatalf("result: got %+v, want %s created and on", res, path)
	}
	list, err := ReadSwaps("/proc/swaps")
	if err != nil {
		t.Fatal(err)
	}
	a, ok := findActive(list, path)
	if !ok {
		t.Fatalf("/proc/swaps: got %+v, want %s listed", list, path)
	}
	if a.Priority != FilePriority || a.Type != "file" {
		t.Errorf("/proc/swaps: got type %s priority %d, want file priority %d", a.Type, a.Priority, FilePriority)
	}
	// Applying again leaves the active file alone.
	res2, err := Apply(context.Background(), cfg, opts)
	if err != nil || len(res2.On) != 0 || len(res2.AlreadyOn) != 1 {
		t.Errorf("second Apply: got %+v, %v, want the file already on", res2, err)
	}
	if err := Off(context.Background(), res, opts); err != nil {
		t.Fatalf("Off: %v", err)
	}
	res.On = nil // done; the cleanup has nothing left to do
	list, _ = ReadSwaps("/proc/swaps")
	if _, ok := findActive(list, path); ok {
		t.Errorf("after Off: %s still in /proc/swaps", path)
	}
}

// fakeZRAM builds a sysfs/dev/proc tree in a temporary directory.
func fakeZRAM(t *testing.T, disksize string) Options {
	t.Helper()
	root := t.TempDir()
	o := Options{
		SysBlock:  filepath.Join(root, "sys/block"),
		DevDir:    filepath.Join(root, "dev"),
		ProcSys:   filepath.Join(root, "proc/sys"),
		ProcSwaps: filepath.Join(root, "proc/swaps"),
	}
	for _, d := range []string{filepath.Join(o.SysBlock, "zram0"), o.DevDir, filepath.Join(o.ProcSys, "vm")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		filepath.Join(o.SysBlock, "zram0/disksize"): disksize,
		filepath.Join(o.SysBlock, "zram0/reset"):    "",
		filepath.Join(o.DevDir, "zram0"):            "",
		filepath.Join(o.ProcSys, "vm/swappiness"):   "60\n",
		o.ProcSwaps: "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n",
	}
	for p, s := range files {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The write sequence only: what the real kernel then does with it (swapon) is tested for real
// below.
func TestZRAMPrepareFakeSysfs(t *testing.T) {
	for _, tt := range []struct {
		name, disksize, wantReset string
	}{
		{"unused device", "0\n", ""},
		{"device sized before is reset first", "8388608\n", "1\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := fakeZRAM(t, tt.disksize).withDefaults()
			if err := o.zramPrepare(16 << 20); err != nil {
				t.Fatal(err)
			}
			if got := readString(t, filepath.Join(o.SysBlock, "zram0/reset")); got != tt.wantReset {
				t.Errorf("reset: got %q, want %q", got, tt.wantReset)
			}
			if got := readString(t, filepath.Join(o.SysBlock, "zram0/disksize")); got != "16777216\n" {
				t.Errorf("disksize: got %q, want %q", got, "16777216\n")
			}
			dev := filepath.Join(o.DevDir, "zram0")
			h := readHeader(t, dev)
			if want := uint32(16 << 20 / os.Getpagesize()); h.Pages != want {
				t.Errorf("pages: got %d, want %d", h.Pages, want)
			}
		})
	}
	t.Run("no zram module", func(t *testing.T) {
		o := fakeZRAM(t, "0\n").withDefaults()
		o.SysBlock = filepath.Join(t.TempDir(), "none")
		if err := o.zramPrepare(16 << 20); err == nil || !strings.Contains(err.Error(), "zram0 not found") {
			t.Errorf("got %v, want a 'zram0 not found' error", err)
		}
	})
}

func TestApplyLeavesAnActiveZRAMAlone(t *testing.T) {
	o := fakeZRAM(t, "16777216\n")
	dev := filepath.Join(o.DevDir, "zram0")
	if err := os.WriteFile(o.ProcSwaps, []byte("Filename\tType\tSize\tUsed\tPriority\n"+dev+"\tpartition\t16380\t0\t20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Apply(context.Background(), Config{ZRAM: true, ZRAMSize: 32 << 20}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.On) != 0 || len(res.AlreadyOn) != 1 || res.AlreadyOn[0] != dev {
		t.Errorf("result: got %+v, want %s already on", res, dev)
	}
	if got := readString(t, filepath.Join(o.SysBlock, "zram0/disksize")); got != "16777216\n" {
		t.Errorf("disksize: got %q, want it untouched", got)
	}
	if got := readString(t, filepath.Join(o.SysBlock, "zram0/reset")); got != "" {
		t.Errorf("reset: got %q, want it untouched", got)
	}
	if got := readString(t, filepath.Join(o.ProcSys, "vm/swappiness")); got != "100\n" {
		t.Errorf("swappiness: got %q, want %q", got, "100\n")
	}
}

func TestApplyZRAMForReal(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("zram needs root")
	}
	raw, err := os.ReadFile("/sys/block/zram0/disksize")
	if err != nil {
		t.Skipf("no zram0 here: %v", err)
	}
	if s := strings.TrimSpace(string(raw)); s != "0" {
		t.Skipf("/sys/block/zram0 is set up (disksize %s): it may be in use, leaving it alone", s)
	}
	list, err := ReadSwaps("/proc/swaps")
	if err != nil {
		t.Fatal(err)
	}
	if _, on := findActive(list, "/dev/zram0"); on {
		t.Skip("/dev/zram0 is an active swap area here: leaving it alone")
	}
	procSys := t.TempDir() // never this host's vm.swappiness
	if err := os.MkdirAll(filepath.Join(procSys, "vm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(procSys, "vm/swappiness"), []byte("60\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{ProcSys: procSys}
	cfg := Config{ZRAM: true, ZRAMSize: 16 << 20}
	t.Cleanup(func() { // leave zram0 as found, whatever happened
		_ = os.WriteFile("/sys/block/zram0/reset", []byte("1\n"), 0)
	})
	res, err := Apply(context.Background(), cfg, opts)
	if len(res.On) > 0 {
		t.Cleanup(func() { _ = Off(context.Background(), res, opts) })
	}
	if err != nil {
		skipUnlessSwapon(t, err)
		t.Fatalf("Apply: %v", err)
	}
	list, _ = ReadSwaps("/proc/swaps")
	a, ok := findActive(list, "/dev/zram0")
	if !ok || a.Priority != ZRAMPriority {
		t.Fatalf("/proc/swaps: got %+v, want /dev/zram0 at priority %d", list, ZRAMPriority)
	}
	if got := readString(t, filepath.Join(procSys, "vm/swappiness")); got != "100\n" {
		t.Errorf("swappiness: got %q, want %q", got, "100\n")
	}
	if err := Off(context.Background(), res, opts); err != nil {
		t.Fatalf("Off: %v", err)
	}
	if got := strings.TrimSpace(readString(t, "/sys/block/zram0/disksize")); got != "0" {
		t.Errorf("disksize after Off: got %s, want 0 (reset)", got)
	}
}

func TestReadSwaps(t *testing.T) {
	p := filepath.Join(t.TempDir(), "swaps")
	src := "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" +
		"/dev/zram0                              partition\t16380\t\t0\t\t20\n" +
		`/media/my\040card/swapfile              file      	262140	0	10` + "\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSwaps(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Active{
		{Path: "/dev/zram0", Type: "partition", SizeKB: 16380, Priority: 20},
		{Path: "/media/my card/swapfile", Type: "file", SizeKB: 262140, Priority: 10},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
