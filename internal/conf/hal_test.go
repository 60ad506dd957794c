package conf

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHALDistMatchesDefaults(t *testing.T) {
	src, ok := Dist(HALFile)
	if !ok {
		t.Fatal("no built-in hal.conf.dist")
	}
	h, errs, warns := decodeHAL(t, string(src))
	if len(errs) != 0 || len(warns) != 0 {
		t.Fatalf("got errors %v warnings %v, want none", errs, warns)
	}
	if h != DefaultHAL() {
		t.Errorf("got %+v, want the defaults %+v", h, DefaultHAL())
	}
}

func TestHALDecode(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		check func(h HAL) bool
		errs  []string
		warns []string
	}{
		{
			name: "dafang with overrides",
			src: "BOARD=Dafang\nLED_BLUE_GPIO=40\nLED_BLUE_ON_VALUE=1\nIR_LED_GPIO=none\nIR_CUT_PULSE_SECONDS=0.5\n" +
				"MOTOR=sim\nMOTOR_MAX_X=2540\nMOTOR_STEP_MS=0.9\nLIGHT_SENSOR=adc\nLIGHT_SENSOR_SAMPLES=5\nSIM_DAY_CYCLE_SECONDS=60\nIR_CUT_STATE_FILE=/var/run/ircut\n",
			check: func(h HAL) bool {
				return h.Board == BoardDafang && h.BlueLED == (HALOutput{40, 1}) && h.IRLED.GPIO == HALPinNone &&
					h.YellowLED.GPIO == HALPinDefault && h.IRCutPulse == 500*time.Millisecond && h.Motor == "sim" &&
					h.MotorMaxX == 2540 && h.MotorStep == 900*time.Microsecond && h.LightSensor == "adc" &&
					h.LightSensorSamples == 5 && h.SimDayCycle == time.Minute && h.IRCutStateFile == "/var/run/ircut"
			},
		},
		{
			name: "every error at once",
			src: "BOARD=wyzev3\nGPIO_ROOT=sys/class/gpio\nLED_YELLOW_GPIO=x\nLED_YELLOW_ON_VALUE=2\nIR_CUT_DAY_GPIO=none\n" +
				"MOTOR=stepper\nMOTOR_MAX_Y=0\nMOTOR_STEP_MS=0\nLIGHT_SENSOR=virtual\nSIM_DAY_CYCLE_SECONDS=0\nFOO=1\n",
			errs: []string{
				`hal.conf:1: BOARD: must be sim, dafang, xiaofang or custom (got "wyzev3")`,
				`hal.conf:2: GPIO_ROOT: must be an absolute directory such as /sys/class/gpio (got "sys/class/gpio")`,
				`hal.conf:3: LED_YELLOW_GPIO: must be a GPIO number from 0 to 1023 or none (got "x")`,
				`hal.conf:4: LED_YELLOW_ON_VALUE: must be between 0 and 1 (got "2")`,
				`hal.conf:5: IR_CUT_DAY_GPIO: IR_CUT_DAY_GPIO and IR_CUT_NIGHT_GPIO must both be none or both be pins`,
				`hal.conf:6: MOTOR: must be none, sim or dafang (got "stepper")`,
				`hal.conf:7: MOTOR_MAX_Y: must be between 1 and 100000 steps (got "0")`,
				`hal.conf:8: MOTOR_STEP_MS: must be a number of milliseconds per step, more than 0 and at most 100 (got "0")`,
				`hal.conf:9: LIGHT_SENSOR: must be sim, adc or none (got "virtual")`,
				`hal.conf:10: SIM_DAY_CYCLE_SECONDS: must be greater than 0 and at most 604800 seconds (got "0")`,
			},
			warns: []string{`hal.conf:11: FOO: unknown key; freecam ignores it`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, errs, warns := decodeHAL(t, tc.src)
			if !slices.Equal(errs, tc.errs) {
				t.Errorf("got errors\n%s\nwant\n%s", strings.Join(errs, "\n"), strings.Join(tc.errs, "\n"))
			}
			if !slices.Equal(warns, tc.warns) {
				t.Errorf("got warnings %q, want %q", warns, tc.warns)
			}
			if tc.check != nil && !tc.check(h) {
				t.Errorf("got %+v", h)
			}
		})
	}
}

func TestHALWriteText(t *testing.T) {
	var b strings.Builder
	DefaultHAL().writeText(&b)
	for _, want := range []string{"[hal.conf]", "BOARD=(auto)", "LED_BLUE_GPIO=(board)", "MOTOR_STEP_MS=1.3", "SIM_DAY_CYCLE_SECONDS=600"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("got\n%s\nwant it to contain %q", b.String(), want)
		}
	}
}
