package conf

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// HALFile is freecam's own hardware file.
const HALFile = "hal.conf"

// Board names of hal.conf BOARD.
const (
	BoardAuto     = ""         // dafang or xiaofang when /proc/cpuinfo says Ingenic, else sim
	BoardSim      = "sim"      // simulated LEDs, IR cut, light and motor
	BoardDafang   = "dafang"   // Xiaomi Dafang: GPIO pin map, /dev/motor, ADC light sensor
	BoardXiaofang = "xiaofang" // Xiaomi Xiaofang 1S (T20): the Dafang pin map, no motor
	BoardCustom   = "custom"   // no pins until hal.conf names them
)

// HALPinDefault in a HALOutput's GPIO means the board's pin.
const HALPinDefault = -1

// HALPinNone in a HALOutput's GPIO means the board has no such output.
const HALPinNone = -2

// HALOutput is one output pin override.
type HALOutput struct {
	// GPIO is the pin number, HALPinDefault (the board's) or HALPinNone.
	GPIO int
	// OnValue is the value that turns the output on: 0, 1, or -1 for the
	// board's.
	OnValue int
}

// HAL is hal.conf: which board freecam drives and how. Empty values mean
// the default; see dist/hal.conf.dist for every key.
type HAL struct {
	Board    string // BOARD: "" (auto), sim, dafang, xiaofang, custom
	GPIORoot string // GPIO_ROOT: default /sys/class/gpio

	BlueLED   HALOutput // LED_BLUE_GPIO, LED_BLUE_ON_VALUE
	YellowLED HALOutput // LED_YELLOW_GPIO, LED_YELLOW_ON_VALUE
	IRLED     HALOutput // IR_LED_GPIO, IR_LED_ON_VALUE
	// IRCutDayGPIO and IRCutNightGPIO (IR_CUT_DAY_GPIO, IR_CUT_NIGHT_GPIO)
	// are pulsed to move the filter in and out; HALPinDefault or HALPinNone.
	IRCutDayGPIO, IRCutNightGPIO int
	IRCutPulse                   time.Duration // IR_CUT_PULSE_SECONDS: default 1 s
	IRCutStateFile               string        // IR_CUT_STATE_FILE: default none (the firmware used /var/run/ircut)

	Motor       string        // MOTOR: "" (board's), none, sim, dafang
	MotorDevice string        // MOTOR_DEVICE: default /dev/motor
	MotorMaxX   int           // MOTOR_MAX_X: default 2600 steps
	MotorMaxY   int           // MOTOR_MAX_Y: default 700 steps
	MotorStep   time.Duration // MOTOR_STEP_MS: time per step, default 1.3 ms

	LightSensor        string // LIGHT_SENSOR: "" (board's), sim, adc, none
	LightSensorDevice  string // LIGHT_SENSOR_DEVICE: default /dev/jz_adc_aux_0
	LightSensorSamples int    // LIGHT_SENSOR_SAMPLES: ADC reads averaged per level, default 25

	SimDayCycle time.Duration // SIM_DAY_CYCLE_SECONDS: one simulated day, default 600 s
}

// DefaultHAL returns hal.conf's defaults.
func DefaultHAL() HAL {
	return HAL{
		GPIORoot:           "/sys/class/gpio",
		BlueLED:            HALOutput{GPIO: HALPinDefault, OnValue: -1},
		YellowLED:          HALOutput{GPIO: HALPinDefault, OnValue: -1},
		IRLED:              HALOutput{GPIO: HALPinDefault, OnValue: -1},
		IRCutDayGPIO:       HALPinDefault,
		IRCutNightGPIO:     HALPinDefault,
		IRCutPulse:         time.Second,
		MotorDevice:        "/dev/motor",
		MotorMaxX:          2600,
		MotorMaxY:          700,
		MotorStep:          1300 * time.Microsecond,
		LightSensorDevice:  "/dev/jz_adc_aux_0",
		LightSensorSamples: 25,
		SimDayCycle:        10 * time.Minute,
	}
}

func (h *HAL) decode(r *reader) {
	halEnum(r, &h.Board, "BOARD", BoardSim, BoardDafang, BoardXiaofang, BoardCustom)
	if s, line, ok := r.str("GPIO_ROOT"); ok {
		if !filepath.IsAbs(s) {
			r.fail(line, "GPIO_ROOT", "must be an absolute directory such as /sys/class/gpio (got %q)", s)
		} else {
			h.GPIORoot = s
		}
	}
	halOutput(r, &h.BlueLED, "LED_BLUE")
	halOutput(r, &h.YellowLED, "LED_YELLOW")
	halOutput(r, &h.IRLED, "IR_LED")
	halPin(r, &h.IRCutDayGPIO, "IR_CUT_DAY_GPIO")
	halPin(r, &h.IRCutNightGPIO, "IR_CUT_NIGHT_GPIO")
	if (h.IRCutDayGPIO == HALPinNone) != (h.IRCutNightGPIO == HALPinNone) {
		_, line, _ := r.str("IR_CUT_DAY_GPIO")
		if h.IRCutNightGPIO == HALPinNone {
			_, line, _ = r.str("IR_CUT_NIGHT_GPIO")
		}
		r.fail(line, "IR_CUT_DAY_GPIO", "IR_CUT_DAY_GPIO and IR_CUT_NIGHT_GPIO must both be none or both be pins")
	}
	r.seconds(&h.IRCutPulse, "IR_CUT_PULSE_SECONDS", false, 10)
	halPath(r, &h.IRCutStateFile, "IR_CUT_STATE_FILE")

	halEnum(r, &h.Motor, "MOTOR", "none", "sim", "dafang")
	halPath(r, &h.MotorDevice, "MOTOR_DEVICE")
	r.int(&h.MotorMaxX, "MOTOR_MAX_X", 1, 100000, "steps")
	r.int(&h.MotorMaxY, "MOTOR_MAX_Y", 1, 100000, "steps")
	if s, line, ok := r.str("MOTOR_STEP_MS"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !(v > 0 && v <= 100) {
			r.fail(line, "MOTOR_STEP_MS", "must be a number of milliseconds per step, more than 0 and at most 100 (got %q)", s)
		} else {
			h.MotorStep = time.Duration(v * float64(time.Millisecond))
		}
	}

	halEnum(r, &h.LightSensor, "LIGHT_SENSOR", "sim", "adc", "none")
	halPath(r, &h.LightSensorDevice, "LIGHT_SENSOR_DEVICE")
	r.int(&h.LightSensorSamples, "LIGHT_SENSOR_SAMPLES", 1, 1000, "")
	r.seconds(&h.SimDayCycle, "SIM_DAY_CYCLE_SECONDS", false, 7*24*3600)
}

// halEnum reads one of allowed (lower-cased) into dst.
func halEnum(r *reader, dst *string, key string, allowed ...string) {
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	v := strings.ToLower(strings.TrimSpace(s))
	for _, a := range allowed {
		if v == a {
			*dst = v
			return
		}
	}
	r.fail(line, key, "must be %s (got %q)", halOr(allowed), s)
}

func halOr(list []string) string {
	if len(list) == 1 {
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}

// halPin reads a GPIO number or "none".
func halPin(r *reader, dst *int, key string) {
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "none") {
		*dst = HALPinNone
		return
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1023 {
		r.fail(line, key, "must be a GPIO number from 0 to 1023 or none (got %q)", s)
		return
	}
	*dst = n
}

func halOutput(r *reader, o *HALOutput, prefix string) {
	halPin(r, &o.GPIO, prefix+"_GPIO")
	r.int(&o.OnValue, prefix+"_ON_VALUE", 0, 1, "")
}

func halPath(r *reader, dst *string, key string) {
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	if !filepath.IsAbs(s) {
		r.fail(line, key, "must be an absolute path (got %q)", s)
		return
	}
	*dst = s
}

// writeText writes the effective hal.conf for WriteText.
func (h HAL) writeText(b *strings.Builder) {
	pin := func(n int) string {
		switch n {
		case HALPinDefault:
			return "(board)"
		case HALPinNone:
			return "none"
		}
		return strconv.Itoa(n)
	}
	on := func(n int) string {
		if n < 0 {
			return "(board)"
		}
		return strconv.Itoa(n)
	}
	orBoard := func(s string) string {
		if s == "" {
			return "(board)"
		}
		return s
	}
	board := h.Board
	if board == "" {
		board = "(auto)"
	}
	fmt.Fprintf(b, "\n[%s]\n", HALFile)
	fmt.Fprintf(b, "BOARD=%s\nGPIO_ROOT=%s\n", board, h.GPIORoot)
	for _, o := range []struct {
		k string
		v HALOutput
	}{{"LED_BLUE", h.BlueLED}, {"LED_YELLOW", h.YellowLED}, {"IR_LED", h.IRLED}} {
		fmt.Fprintf(b, "%s_GPIO=%s\n%s_ON_VALUE=%s\n", o.k, pin(o.v.GPIO), o.k, on(o.v.OnValue))
	}
	fmt.Fprintf(b, "IR_CUT_DAY_GPIO=%s\nIR_CUT_NIGHT_GPIO=%s\nIR_CUT_PULSE_SECONDS=%g\nIR_CUT_STATE_FILE=%s\n",
		pin(h.IRCutDayGPIO), pin(h.IRCutNightGPIO), h.IRCutPulse.Seconds(), h.IRCutStateFile)
	fmt.Fprintf(b, "MOTOR=%s\nMOTOR_DEVICE=%s\nMOTOR_MAX_X=%d\nMOTOR_MAX_Y=%d\nMOTOR_STEP_MS=%g\n",
		orBoard(h.Motor), h.MotorDevice, h.MotorMaxX, h.MotorMaxY, float64(h.MotorStep)/float64(time.Millisecond))
	fmt.Fprintf(b, "LIGHT_SENSOR=%s\nLIGHT_SENSOR_DEVICE=%s\nLIGHT_SENSOR_SAMPLES=%d\nSIM_DAY_CYCLE_SECONDS=%g\n",
		orBoard(h.LightSensor), h.LightSensorDevice, h.LightSensorSamples, h.SimDayCycle.Seconds())
}
