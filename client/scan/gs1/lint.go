package gs1

import (
	"fmt"
	"strconv"
	"time"
)

// dateTime accumulates the date and time that an element's components
// carry; the first date component sets it, later time components refine it.
type dateTime struct {
	set                     bool
	year, month, day        int
	hour, min, sec          int
	dayOmitted, timeApplied bool
}

// lint runs the named check on one component and returns a message when it
// fails.
func lint(name, part string, dt *dateTime, now time.Time) string {
	switch name {
	case "csum":
		want, _ := CheckDigit(part[:len(part)-1])
		if part[len(part)-1] != want {
			return fmt.Sprintf("check digit is %c, want %c", part[len(part)-1], want)
		}
	case "yymmd0", "yymmdd":
		return lintDate(part, name == "yymmd0", dt, now)
	case "yymmddhh":
		if msg := lintDate(part[:6], false, dt, now); msg != "" {
			return msg
		}
		return lintTime(part[6:], "", dt)
	case "hhmm":
		return lintTime(part[:2], part[2:], dt)
	case "mmoptss":
		if len(part) != 2 && len(part) != 4 {
			return "want minutes (MM) or minutes and seconds (MMSS)"
		}
		m, _ := strconv.Atoi(part[:2])
		if m > 59 {
			return fmt.Sprintf("minute %02d is not 00-59", m)
		}
		s := 0
		if len(part) == 4 {
			s, _ = strconv.Atoi(part[2:])
			if s > 59 {
				return fmt.Sprintf("second %02d is not 00-59", s)
			}
		}
		if dt.set {
			dt.min, dt.sec = m, s
		}
	case "pieceoftotal":
		piece, _ := strconv.Atoi(part[:2])
		total, _ := strconv.Atoi(part[2:])
		if piece == 0 || total == 0 || piece > total {
			return fmt.Sprintf("piece %02d of total %02d is not a valid piece number", piece, total)
		}
	}
	return ""
}

// lintDate checks a YYMMDD date; with dayZero, DD=00 stands for the last
// day of the month.
func lintDate(part string, dayZero bool, dt *dateTime, now time.Time) string {
	yy, _ := strconv.Atoi(part[0:2])
	mm, _ := strconv.Atoi(part[2:4])
	dd, _ := strconv.Atoi(part[4:6])
	if mm < 1 || mm > 12 {
		return fmt.Sprintf("month %02d is not 01-12", mm)
	}
	year := Century(yy, now)
	last := daysIn(year, mm)
	omitted := false
	switch {
	case dd == 0 && dayZero:
		dd, omitted = last, true
	case dd == 0:
		return "day 00 is not allowed here"
	case dd > last:
		return fmt.Sprintf("day %02d does not exist in %04d-%02d", dd, year, mm)
	}
	if !dt.set { // a second date (7007's end of range) does not replace the first
		*dt = dateTime{set: true, year: year, month: mm, day: dd, dayOmitted: omitted}
	}
	return ""
}

// lintTime checks an hour and optional minutes and applies them once.
func lintTime(hh, mm string, dt *dateTime) string {
	h, _ := strconv.Atoi(hh)
	if h > 23 {
		return fmt.Sprintf("hour %02d is not 00-23", h)
	}
	m := 0
	if mm != "" {
		m, _ = strconv.Atoi(mm)
		if m > 59 {
			return fmt.Sprintf("minute %02d is not 00-59", m)
		}
	}
	if dt.set && !dt.timeApplied {
		dt.hour, dt.min, dt.timeApplied = h, m, true
	}
	return ""
}

// Century returns the four-digit year of a two-digit year yy by the GS1
// rule (General Specifications §7.12): if yy is 51 to 99 years after the
// current year's last two digits it is in the previous century, if it is 50
// to 99 years before them it is in the next century, otherwise it is in the
// current century.
func Century(yy int, now time.Time) int {
	cur := now.Year()
	century := cur - cur%100
	switch diff := yy - cur%100; {
	case diff >= 51:
		century -= 100
	case diff <= -50:
		century += 100
	}
	return century + yy
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
