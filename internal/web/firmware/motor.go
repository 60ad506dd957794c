package firmware

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/hal"
)

// DefaultSteps is the firmware's val default for motor_{left,right,up,down}.
const DefaultSteps = 100

// maxSteps bounds val and the PTZ axes: well past any board's limits (the Dafang's are 2600x700).
const maxSteps = 100000

// addMotor adds motor_{left,right,up,down}&val=, motor_calibrate and
// motor_PTZ&x_axis=&y_axis=. Each answers the position afterwards as "x:N" and "y:N" lines.
func (h *Handlers) addMotor(t map[string]action) {
	rel := func(dx, dy int) action {
		return func(w http.ResponseWriter, r *http.Request, cmd string) {
			n, err := intParam(r, "val", DefaultSteps, 1, maxSteps)
			if err != nil {
				text(w, http.StatusBadRequest, "%s: %v", cmd, err)
				return
			}
			if !h.hasMotor(w) {
				return
			}
			m, err := h.cam.Move(r.Context(), dx*n, dy*n)
			h.moved(w, cmd, m.To, err)
		}
	}
	t["motor_left"] = rel(-1, 0)
	t["motor_right"] = rel(1, 0)
	t["motor_up"] = rel(0, 1)
	t["motor_down"] = rel(0, -1)
	t["motor_calibrate"] = func(w http.ResponseWriter, r *http.Request, cmd string) {
		if !h.hasMotor(w) {
			return
		}
		err := h.cam.Calibrate(r.Context())
		h.moved(w, cmd, h.cam.Hardware().Motor, err)
	}
	t["motor_PTZ"] = func(w http.ResponseWriter, r *http.Request, cmd string) {
		x, err := intParam(r, "x_axis", -1, 0, maxSteps)
		if err == nil && x < 0 {
			err = fmt.Errorf("x_axis: missing")
		}
		y, yerr := intParam(r, "y_axis", -1, 0, maxSteps)
		if err == nil && yerr != nil {
			err = yerr
		}
		if err == nil && y < 0 {
			err = fmt.Errorf("y_axis: missing")
		}
		if err != nil {
			text(w, http.StatusBadRequest, "%s: %v", cmd, err)
			return
		}
		if !h.hasMotor(w) {
			return
		}
		m, err := h.cam.MoveTo(r.Context(), hal.Position{X: x, Y: y})
		h.moved(w, cmd, m.To, err)
	}
}

// hasMotor answers 409 and returns false on a board without a motor.
func (h *Handlers) hasMotor(w http.ResponseWriter) bool {
	if !h.cam.Hardware().HasMotor {
		text(w, http.StatusConflict, "this camera has no motor")
		return false
	}
	return true
}

// moved answers a motor command.
func (h *Handlers) moved(w http.ResponseWriter, cmd string, p hal.Position, err error) {
	if err != nil {
		h.fail(w, cmd, err)
		return
	}
	text(w, http.StatusOK, "x:%d\ny:%d", p.X, p.Y)
}

// intParam reads a whole number from lo to hi; def when the parameter is absent or empty.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: must be a whole number from %d to %d (got %q)", name, lo, hi, clip(s))
	}
	return n, nil
}
