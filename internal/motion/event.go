package motion

import "time"

// eventState is the event state machine: an event starts after MinFrames consecutive motion
// frames and ends once no motion was seen for EventGap.
type eventState struct {
	active     bool
	run        int           // consecutive motion frames
	lastMotion time.Duration // time of the last motion frame while active
}

// step feeds one frame's motion flag at time t and returns the transition.
func (e *eventState) step(motion bool, t time.Duration, p Params) Transition {
	if motion {
		e.run++
	} else {
		e.run = 0
	}
	if e.active {
		if t < e.lastMotion { // time went back (a restarted source): count the gap from now
			e.lastMotion = t
		}
		if motion {
			e.lastMotion = t
			return None
		}
		if t-e.lastMotion >= p.EventGap {
			e.active = false
			return End
		}
		return None
	}
	if e.run >= p.MinFrames {
		e.active = true
		e.lastMotion = t
		return Start
	}
	return None
}
