package osd

import (
	"strconv"
	"time"
)

// Strftime is a compiled strftime(3) pattern. Compile it once with CompileStrftime, then format
// with Append as often as needed: Append does not allocate (given a dst with enough capacity).
// A Strftime is immutable and safe for concurrent use.
//
// Supported conversions, with the C/POSIX locale's output (English names, 24 h clock where the
// conversion says so), as GNU date prints them with LC_ALL=C:
//
//	%a  abbreviated weekday (Mon)       %A  full weekday (Monday)
//	%b  abbreviated month (Jan), = %h   %B  full month (January)
//	%c  date and time (%a %b %e %H:%M:%S %Y)
//	%d  day of month 01–31              %e  day of month, space-padded ( 1–31)
//	%D  %m/%d/%y                        %F  %Y-%m-%d
//	%H  hour 00–23                      %I  hour 01–12
//	%k  hour, space-padded ( 0–23)      %l  hour 12 h, space-padded ( 1–12)
//	%j  day of year 001–366             %m  month 01–12
//	%M  minute 00–59                    %S  second 00–60
//	%p  AM or PM                        %s  seconds since the Unix epoch
//	%R  %H:%M                           %T  %H:%M:%S
//	%u  weekday 1–7, Monday = 1         %w  weekday 0–6, Sunday = 0
//	%y  year 00–99                      %Y  year (at least four digits)
//	%z  numeric zone offset (+0100)     %Z  zone abbreviation (CET)
//	%n  newline (starts a new OSD line) %%  a literal %
//
// Anything else is kept literally, including the percent sign: "%Q" formats as "%Q" and a
// trailing lone "%" stays "%". GNU flags and widths (%-d, %_H, %10S) are not supported and are
// therefore kept literally too.
type Strftime struct {
	pattern string
	pieces  []piece
}

// verb identifies one conversion of a compiled pattern.
type verb uint8

const (
	vLiteral verb = iota
	vWeekdayShort
	vWeekdayLong
	vMonthShort
	vMonthLong
	vDay
	vDaySpace
	vHour
	vHour12
	vHourSpace
	vHour12Space
	vYearDay
	vMonth
	vMinute
	vAMPM
	vSecond
	vEpoch
	vWeekdayMon1
	vWeekdaySun0
	vYear2
	vYear
	vZoneOffset
	vZoneName
)

// piece is either a literal run of the pattern (lit) or one conversion.
type piece struct {
	verb verb
	lit  string
}

// expansion returns the parts of a composite conversion, in the C locale, or "".
func expansion(c byte) string {
	switch c {
	case 'c':
		return "%a %b %e %H:%M:%S %Y"
	case 'D':
		return "%m/%d/%y"
	case 'F':
		return "%Y-%m-%d"
	case 'R':
		return "%H:%M"
	case 'T':
		return "%H:%M:%S"
	case 'h':
		return "%b"
	}
	return ""
}

// simpleVerb returns the conversion of a single-field conversion character.
func simpleVerb(c byte) (verb, bool) {
	switch c {
	case 'a':
		return vWeekdayShort, true
	case 'A':
		return vWeekdayLong, true
	case 'b':
		return vMonthShort, true
	case 'B':
		return vMonthLong, true
	case 'd':
		return vDay, true
	case 'e':
		return vDaySpace, true
	case 'H':
		return vHour, true
	case 'I':
		return vHour12, true
	case 'k':
		return vHourSpace, true
	case 'l':
		return vHour12Space, true
	case 'j':
		return vYearDay, true
	case 'm':
		return vMonth, true
	case 'M':
		return vMinute, true
	case 'p':
		return vAMPM, true
	case 'S':
		return vSecond, true
	case 's':
		return vEpoch, true
	case 'u':
		return vWeekdayMon1, true
	case 'w':
		return vWeekdaySun0, true
	case 'y':
		return vYear2, true
	case 'Y':
		return vYear, true
	case 'z':
		return vZoneOffset, true
	case 'Z':
		return vZoneName, true
	}
	return vLiteral, false
}

// CompileStrftime compiles pattern once into a list of literal runs and conversions. It never
// fails: unknown conversions are kept as literal text (see Strftime).
func CompileStrftime(pattern string) *Strftime {
	s := &Strftime{pattern: pattern}
	s.compile(pattern)
	return s
}

// String returns the pattern the Strftime was compiled from.
func (s *Strftime) String() string { return s.pattern }

func (s *Strftime) compile(pattern string) {
	lit := make([]byte, 0, len(pattern))
	flush := func() {
		if len(lit) > 0 {
			s.pieces = append(s.pieces, piece{verb: vLiteral, lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' || i+1 == len(pattern) {
			lit = append(lit, c)
			continue
		}
		i++
		c = pattern[i]
		switch {
		case c == '%':
			lit = append(lit, '%')
		case c == 'n':
			lit = append(lit, '\n')
		case expansion(c) != "":
			// The expansions contain only simple conversions and literals, so one level of
			// recursion through a sub-compile is enough.
			sub := CompileStrftime(expansion(c))
			for _, p := range sub.pieces {
				if p.verb == vLiteral {
					lit = append(lit, p.lit...)
					continue
				}
				flush()
				s.pieces = append(s.pieces, p)
			}
		default:
			v, ok := simpleVerb(c)
			if !ok {
				lit = append(lit, '%', c)
				continue
			}
			flush()
			s.pieces = append(s.pieces, piece{verb: v})
		}
	}
	flush()
}

var (
	weekdaysShort = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	weekdaysLong  = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthsShort   = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	monthsLong    = [12]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// Append formats t (in its own location) and appends the text to dst. It allocates only if dst
// has to grow.
func (s *Strftime) Append(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	for _, p := range s.pieces {
		switch p.verb {
		case vLiteral:
			dst = append(dst, p.lit...)
		case vWeekdayShort:
			dst = append(dst, weekdaysShort[t.Weekday()]...)
		case vWeekdayLong:
			dst = append(dst, weekdaysLong[t.Weekday()]...)
		case vMonthShort:
			dst = append(dst, monthsShort[month-1]...)
		case vMonthLong:
			dst = append(dst, monthsLong[month-1]...)
		case vDay:
			dst = appendPadded(dst, day, 2, '0')
		case vDaySpace:
			dst = appendPadded(dst, day, 2, ' ')
		case vHour:
			dst = appendPadded(dst, hour, 2, '0')
		case vHour12:
			dst = appendPadded(dst, hour12(hour), 2, '0')
		case vHourSpace:
			dst = appendPadded(dst, hour, 2, ' ')
		case vHour12Space:
			dst = appendPadded(dst, hour12(hour), 2, ' ')
		case vYearDay:
			dst = appendPadded(dst, t.YearDay(), 3, '0')
		case vMonth:
			dst = appendPadded(dst, int(month), 2, '0')
		case vMinute:
			dst = appendPadded(dst, minute, 2, '0')
		case vAMPM:
			if hour < 12 {
				dst = append(dst, "AM"...)
			} else {
				dst = append(dst, "PM"...)
			}
		case vSecond:
			dst = appendPadded(dst, sec, 2, '0')
		case vEpoch:
			dst = strconv.AppendInt(dst, t.Unix(), 10)
		case vWeekdayMon1:
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			dst = append(dst, byte('0'+wd))
		case vWeekdaySun0:
			dst = append(dst, byte('0'+int(t.Weekday())))
		case vYear2:
			y := year % 100
			if y < 0 {
				y = -y
			}
			dst = appendPadded(dst, y, 2, '0')
		case vYear:
			y := year
			if y < 0 {
				dst = append(dst, '-')
				y = -y
			}
			dst = appendPadded(dst, y, 4, '0')
		case vZoneOffset:
			_, off := t.Zone()
			sign := byte('+')
			if off < 0 {
				sign = '-'
				off = -off
			}
			dst = append(dst, sign)
			dst = appendPadded(dst, off/3600, 2, '0')
			dst = appendPadded(dst, off/60%60, 2, '0')
		case vZoneName:
			name, _ := t.Zone()
			dst = append(dst, name...)
		}
	}
	return dst
}

func hour12(h int) int {
	h %= 12
	if h == 0 {
		return 12
	}
	return h
}

// appendPadded appends the non-negative n with at least width digits, padded on the left with pad.
func appendPadded(dst []byte, n, width int, pad byte) []byte {
	digits := 1
	for v := n; v >= 10; v /= 10 {
		digits++
	}
	for ; digits < width; digits++ {
		dst = append(dst, pad)
	}
	return strconv.AppendInt(dst, int64(n), 10)
}
