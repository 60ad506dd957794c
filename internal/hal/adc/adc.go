// Package adc reads the hardware light sensor of the Ingenic T20 cameras
// (Dafang, Xiaofang 1S): the character device /dev/jz_adc_aux_0, where
// every read of 4 bytes returns one sample as a native (little-endian on
// the T20) unsigned int. Newer Dafang/Xiaofang revisions have no sensor;
// reads then fail.
package adc

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/freecam/freecam/internal/hal"
)

// DefaultPath is the Ingenic auxiliary ADC device.
const DefaultPath = "/dev/jz_adc_aux_0"

// DefaultSamples is how many reads are averaged, as the firmware's
// autonight did (-a 25).
const DefaultSamples = 25

// Sensor is the light sensor. The zero value reads DefaultPath with
// DefaultSamples; it is goroutine-safe (each read opens the device).
type Sensor struct {
	Path    string
	Samples int

	open func(path string) (io.ReadCloser, error) // tests: a device with changing samples
}

var _ hal.LightSensor = (*Sensor)(nil)

// Light opens the device once per sample, like autonight's
// jzAuxReadSample, reads 4 bytes and returns the rounded mean.
func (s *Sensor) Light(ctx context.Context) (int, error) {
	path, n := s.Path, s.Samples
	if path == "" {
		path = DefaultPath
	}
	if n <= 0 {
		n = DefaultSamples
	}
	var sum uint64
	for i := range n {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		v, err := s.sample(path)
		if err != nil {
			return 0, fmt.Errorf("light sensor: %s: sample %d: %w", path, i+1, err)
		}
		sum += uint64(v)
	}
	return int((sum + uint64(n)/2) / uint64(n)), nil
}

func (s *Sensor) sample(path string) (uint32, error) {
	open := s.open
	if open == nil {
		open = func(p string) (io.ReadCloser, error) { return os.Open(p) }
	}
	f, err := open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}
