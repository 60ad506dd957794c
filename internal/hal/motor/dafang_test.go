package motor

import (
	"context"
	"encoding/binary"
	"slices"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"
)

type call struct {
	req  uintptr
	args []int32 // the argument read as C ints; nil for a NULL argument
}

// fakeIoctl records calls, reading n ints from the argument by request.
type fakeIoctl struct {
	calls  []call
	status [8]int32 // what MOTOR_GET_STATUS fills in
}

func (f *fakeIoctl) ioctl(t *testing.T) IoctlFunc {
	return func(fd uintptr, req uintptr, arg unsafe.Pointer) error {
		if fd != 7 {
			t.Errorf("got fd %d, want 7", fd)
		}
		n := map[uintptr]int{ioctlStop: 0, ioctlReset: 0, ioctlMove: 3, ioctlGetStatus: 8, ioctlSpeed: 1}[req]
		c := call{req: req}
		if n > 0 {
			if arg == nil {
				t.Fatalf("request %#x: got a NULL argument", req)
			}
			b := unsafe.Slice((*byte)(arg), 4*n)
			if req == ioctlGetStatus {
				for i, v := range f.status {
					binary.NativeEndian.PutUint32(b[4*i:], uint32(v))
				}
			}
			for i := range n {
				c.args = append(c.args, int32(binary.NativeEndian.Uint32(b[4*i:])))
			}
		}
		f.calls = append(f.calls, c)
		return nil
	}
}

func TestDafangIoctls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeIoctl{status: [8]int32{3, 500, 120, 100, 1000, 1500, 0, 1}}
		d, err := OpenDafang(DafangOptions{ioctl: f.ioctl(t), fd: 7})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, m := range []struct {
			axis  Axis
			steps int
		}{{Pan, 300}, {Pan, -250}, {Tilt, 20}, {Tilt, -40}, {Pan, 0}} {
			t0 := time.Now()
			n, err := d.Run(ctx, m.axis, m.steps, func(int) {})
			if err != nil || n != abs(m.steps) {
				t.Fatalf("Run(%s, %d) = %d, %v, want %d", m.axis, m.steps, n, err, abs(m.steps))
			}
			if el, want := time.Since(t0), time.Duration(abs(m.steps))*DefaultStepTime; el != want {
				t.Errorf("Run(%s, %d) took %v, want %v", m.axis, m.steps, el, want)
			}
		}
		if err := d.SetSpeed(900); err != nil {
			t.Fatal(err)
		}
		st, err := d.Status()
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Reset(); err != nil {
			t.Fatal(err)
		}
		want := []call{
			{ioctlMove, []int32{dirRight, 300, 1000}},
			{ioctlMove, []int32{dirLeft, 250, 1000}},
			{ioctlMove, []int32{dirUp, 20, 1000}},
			{ioctlMove, []int32{dirDown, 40, 1000}},
			{ioctlSpeed, []int32{900}},
			{ioctlGetStatus, []int32{3, 500, 120, 100, 1000, 1500, 0, 1}},
			{ioctlReset, nil},
		}
		if !slices.EqualFunc(f.calls, want, func(a, b call) bool { return a.req == b.req && slices.Equal(a.args, b.args) }) {
			t.Errorf("got calls %v, want %v", f.calls, want)
		}
		if st != (Status{3, 500, 120, 100, 1000, 1500, 0, 1}) {
			t.Errorf("got status %+v", st)
		}
	})
}

func TestDafangCancelSendsStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeIoctl{}
		d, _ := OpenDafang(DafangOptions{ioctl: f.ioctl(t), fd: 7})
		c := NewController(d, Options{Start: hal0()})
		go func() {
			time.Sleep(130 * time.Millisecond) // 100 steps
			c.Stop()
		}()
		m, err := c.Move(context.Background(), 0, 500)
		if err == nil {
			t.Fatal("got no error from a stopped move")
		}
		if m.To.Y != 100 {
			t.Errorf("got Y %d after 130 ms, want 100", m.To.Y)
		}
		want := []uintptr{ioctlMove, ioctlStop}
		var got []uintptr
		for _, c := range f.calls {
			got = append(got, c.req)
		}
		if !slices.Equal(got, want) {
			t.Errorf("got requests %v, want %v", got, want)
		}
	})
}
