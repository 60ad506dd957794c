package service

import (
	"context"
	"errors"
	"testing"
)

func TestFuncStartsAndStopsAComponent(t *testing.T) {
	var starts, stops int
	listenErr := error(nil)
	s := Func("rtsp",
		func(ctx context.Context) error { starts++; return listenErr },
		func(ctx context.Context) error { stops++; return nil })

	steps := []struct {
		name               string
		op                 func() error
		wantState          State
		wantStarts, wantSt int
		wantErr            bool
	}{
		{"start", func() error { return s.Start(t.Context()) }, Running, 1, 0, false},
		{"start again is a no-op", func() error { return s.Start(t.Context()) }, Running, 1, 0, false},
		{"stop", func() error { return s.Stop(t.Context()) }, Stopped, 1, 1, false},
		{"stop again is a no-op", func() error { return s.Stop(t.Context()) }, Stopped, 1, 1, false},
		{"start fails", func() error { listenErr = errors.New("address in use"); return s.Start(t.Context()) }, Failed, 2, 1, true},
		{"stop after a failed start does not call stop", func() error { return s.Stop(t.Context()) }, Stopped, 2, 1, false},
		{"start works again", func() error { listenErr = nil; return s.Start(t.Context()) }, Running, 3, 1, false},
	}
	for _, st := range steps {
		err := st.op()
		if (err != nil) != st.wantErr {
			t.Errorf("%s: got error %v, want error %v", st.name, err, st.wantErr)
		}
		if got := s.Status().State; got != st.wantState {
			t.Errorf("%s: got %s, want %s", st.name, got, st.wantState)
		}
		if starts != st.wantStarts || stops != st.wantSt {
			t.Errorf("%s: got %d starts %d stops, want %d and %d", st.name, starts, stops, st.wantStarts, st.wantSt)
		}
	}
}

func TestFuncReportsAStartErrorAsLastErr(t *testing.T) {
	s := Func("onvif", func(ctx context.Context) error { return errors.New("port 8080 in use") }, nil)
	err := s.Start(t.Context())
	st := s.Status()
	if err == nil || st.State != Failed || !errors.Is(st.LastErr, err) {
		t.Errorf("got %v, state %s, last error %v, want the start error as last error and failed", err, st.State, st.LastErr)
	}
	if err := s.Stop(t.Context()); err != nil || s.Status().State != Stopped {
		t.Errorf("got %v and %s from Stop with a nil stop func, want nil and stopped", err, s.Status().State)
	}
}
