package events

import (
	"errors"
	"fmt"
	"strings"
)

// topicMask is a set of the topics freecam publishes, one bit per topic index.
type topicMask uint8

const allTopics topicMask = 1<<topicMotionAlarmIndex | 1<<topicCellMotionIndex

func (m topicMask) has(topic int) bool { return m&(1<<topic) != 0 }

// Topic expression dialects a Subscribe filter may use (WS-Topics and ONVIF's ConcreteSet).
const (
	dialectSimple = "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Simple"
	dialectFull   = "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Full"
)

// Errors of parseTopicExpression; the fault subcode depends on which.
var (
	errUnknownDialect  = errors.New("unknown topic expression dialect")
	errInvalidTopicExp = errors.New("invalid topic expression")
)

// topicPaths are freecam's topics split into segments, the namespace prefix left out.
var topicPaths = [...][]string{
	topicMotionAlarmIndex: {"VideoSource", "MotionAlarm"},
	topicCellMotionIndex:  {"RuleEngine", "CellMotionDetector", "Motion"},
}

// parseTopicExpression returns the topics an expression selects. It implements the simple
// matching NVRs need, not all of WS-Topics: alternatives separated by "|"; each a path of
// "/"-separated names where "*" stands for any one name; a trailing "//." (or "//*") selects
// the path and everything below it; a trailing "/." or "." is ignored. The first name's
// namespace prefix is not resolved (clients write tns1:, tns: or none for the ONVIF topic
// namespace), so "x:VideoSource/MotionAlarm" matches like "tns1:VideoSource/MotionAlarm".
// An expression that names only topics freecam does not publish selects nothing; it is not an
// error.
func parseTopicExpression(dialect, expr string) (topicMask, error) {
	switch strings.TrimSpace(dialect) {
	case dialectConcreteSet, dialectConcrete, dialectSimple, dialectFull, "":
	default:
		return 0, fmt.Errorf("%w %q: use %s", errUnknownDialect, dialect, dialectConcreteSet)
	}
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return 0, fmt.Errorf("%w: it is empty", errInvalidTopicExp)
	}
	var mask topicMask
	for alt := range strings.SplitSeq(expr, "|") {
		alt = strings.TrimSpace(alt)
		deep := false
		for _, suffix := range []string{"//.", "//*"} {
			if s, ok := strings.CutSuffix(alt, suffix); ok {
				alt, deep = s, true
				break
			}
		}
		if !deep {
			alt = strings.TrimSuffix(strings.TrimSuffix(alt, "."), "/")
		}
		if alt == "" || strings.ContainsAny(alt, " \t\r\n") || strings.Contains(alt, "//") {
			return 0, fmt.Errorf("%w %q", errInvalidTopicExp, expr)
		}
		segs := strings.Split(alt, "/")
		if i := strings.IndexByte(segs[0], ':'); i >= 0 {
			segs[0] = segs[0][i+1:]
		}
		for _, seg := range segs {
			if seg == "" {
				return 0, fmt.Errorf("%w %q", errInvalidTopicExp, expr)
			}
		}
		for topic, path := range topicPaths {
			if matchPath(segs, path, deep) {
				mask |= 1 << topic
			}
		}
	}
	return mask, nil
}

// matchPath reports whether pattern selects path: the same length (or a prefix of it when
// deep), name by name, "*" matching any name.
func matchPath(pattern, path []string, deep bool) bool {
	if len(pattern) > len(path) || !deep && len(pattern) != len(path) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && p != path[i] {
			return false
		}
	}
	return true
}
